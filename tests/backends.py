"""The two backends the tests run on, and the ways a test reaches an archive on either.

``tests/conftest.py`` turns these into fixtures (``database_url``, ``engine`` and the
module-scoped ``module_archives``); tests that need to read or damage an archive
behind mediawatch's back use the helpers below, so that one test body serves both.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text

POSTGRES_URL = os.environ.get("MEDIAWATCH_TEST_POSTGRES_URL")

# The params of every backend-parametrised fixture: the PostgreSQL half is marked, so
# `-m "not postgres"` runs the SQLite half alone.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'archive.db'}"


@contextmanager
def fresh_schema(database: str) -> Iterator[str]:
    """A new, empty schema in the PostgreSQL ``database``, dropped afterwards; yields a URL
    whose search_path names it (so every table and index lands there)."""
    server = make_url(database)
    schema = f"test_{secrets.token_hex(6)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = server.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


class FreshArchives:
    """Empty archives of one backend, as many as a test module wants (see the
    ``module_archives`` fixture): SQLite files, or schemas dropped when it is closed."""

    def __init__(self, backend: str, postgres_database: str | None) -> None:
        self.backend = backend
        self._postgres_database = postgres_database
        self._schemas = ExitStack()

    def new(self, folder: Path) -> str:
        """An empty archive's URL; a SQLite one is a file in ``folder``."""
        if self._postgres_database is None:
            return sqlite_url(folder)
        return self._schemas.enter_context(fresh_schema(self._postgres_database))

    def close(self) -> None:
        self._schemas.close()


def backend(url: str) -> str:
    """ "sqlite" or "postgresql"."""
    return make_url(url).get_backend_name()


@contextmanager
def behind_the_archives_back(url: str) -> Iterator[Connection]:
    """One transaction of raw SQL, as a hand edit or another tool would write it: no
    foreign keys enforced (SQLite enforces them only when asked, which mediawatch's own
    connections do; PostgreSQL skips its foreign-key triggers in the replica role)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            yield connection
    finally:
        engine.dispose()


def read_only_engine(url: str) -> Engine:
    """An engine that can only read, as a monitoring tool polling the archive would:
    SQLite opens the file read-only, PostgreSQL runs read-only transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return create_engine(
            f"sqlite:///file:{parsed.database}?mode=ro&uri=true", connect_args={"timeout": 30}
        )
    return create_engine(parsed).execution_options(postgresql_readonly=True)
