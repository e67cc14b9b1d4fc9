"""Shared fixtures: a real archive made by the real migrations, on SQLite and PostgreSQL.

Every test that takes ``database_url`` or ``engine`` runs twice: on a SQLite file, and on
PostgreSQL when ``MEDIAWATCH_TEST_POSTGRES_URL`` names a server (for example
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). A test run makes a database of
its own on that server and drops it at the end; each test gets a fresh schema in it.
Without the variable the PostgreSQL half is skipped, except under ``CI=true``, where a
skipped backend would let CI pass without testing it: there it fails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from storage.db import make_engine
from storage.schema import upgrade

POSTGRES_URL = os.environ.get("MEDIAWATCH_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """The URL of a database made for this test run, dropped when the run ends."""
    if not POSTGRES_URL:
        message = "set MEDIAWATCH_TEST_POSTGRES_URL to a PostgreSQL server to test that backend"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: the PostgreSQL tests must run)")
        pytest.skip(message)
    server = make_url(POSTGRES_URL)
    name = f"mediawatch_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty archive's URL: a SQLite file, or a fresh schema in the run's PostgreSQL
    database (its search_path set in the URL, so every table and index lands there)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.db'}"
        return
    database = make_url(request.getfixturevalue("postgres_database"))
    schema = f"test_{secrets.token_hex(6)}"
    admin = create_engine(database, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = database.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An initialised archive (schema from the Alembic migrations, as `mediawatch init`)."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()
