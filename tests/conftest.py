"""Shared fixtures: a real SQLite archive made by the real migrations, and config files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.db import make_engine
from storage.schema import upgrade


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An initialised archive (schema from the Alembic migrations, as `mediawatch init`)."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()
