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
from tests.backends import BACKENDS, POSTGRES_URL, FreshArchives, fresh_schema, sqlite_url


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): the test means something on SQLite only; its PostgreSQL "
        "half is skipped with the reason",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the PostgreSQL half of each test marked sqlite_only, saying why."""
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        params = getattr(item, "callspec", None)
        if marker is None or params is None:
            continue
        used = {params.params.get(name) for name in ("database_url", "module_archives")}
        if "postgresql" in used:
            reason = marker.args[0] if marker.args else "SQLite only"
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


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


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty archive's URL: a SQLite file, or a fresh schema in the run's PostgreSQL
    database (its search_path set in the URL, so every table and index lands there)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with fresh_schema(request.getfixturevalue("postgres_database")) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def module_archives(request: pytest.FixtureRequest) -> Iterator[FreshArchives]:
    """Empty archives of one backend for a module's tests (`.new(folder)` makes one): for
    module-scoped fixtures, such as a crawl made once and asserted on by many tests. The
    module's tests run once per backend."""
    database = None
    if request.param == "postgresql":
        database = request.getfixturevalue("postgres_database")
    archives = FreshArchives(request.param, database)
    yield archives
    archives.close()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An initialised archive (schema from the Alembic migrations, as `mediawatch init`)."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()
