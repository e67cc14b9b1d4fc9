"""The schema comes from the Alembic migrations; they must match the models and repeat safely."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from storage.db import make_engine
from storage.errors import NotInitialised
from storage.models import Base
from storage.schema import (
    HEAD_REVISION,
    current_revision,
    head_revision,
    require_current,
    upgrade,
)


def test_upgrade_creates_every_table_and_is_idempotent(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'archive.db'}")
    assert current_revision(engine) is None
    assert upgrade(engine) == (None, head_revision())
    assert upgrade(engine) == (head_revision(), head_revision())
    tables = set(inspect(engine).get_table_names())
    assert {"sources", "articles", "versions", "fetches", "crawl_runs", "versions_fts"} <= tables
    require_current(engine)
    engine.dispose()


def test_the_head_revision_the_crawler_checks_is_the_newest_migration() -> None:
    # require_current compares against the constant, to spare each crawl importing Alembic.
    assert head_revision() == HEAD_REVISION


def test_models_match_the_migrations(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    # The search index is made by raw DDL and is not in the models: FTS5 tables on SQLite,
    # a generated tsvector column with a GIN index on PostgreSQL (left out of the models so
    # that no insert, nor migrate-archive's copy, tries to write it).
    differences = [
        d
        for d in differences
        if not any(
            name in str(d) for name in ("versions_fts", "ix_versions_search", "search_vector")
        )
    ]
    assert differences == []


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'archive.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


def test_uninitialised_archive_says_run_init(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'archive.db'}")
    with pytest.raises(NotInitialised, match="run `mediawatch init`"):
        require_current(engine)
    engine.dispose()
