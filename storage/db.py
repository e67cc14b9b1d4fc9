"""Engines and sessions: how mediawatch connects to its archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import ArchiveError

# How long a writer waits for another process's write to finish before SQLite gives up.
# A crawl commits in small batches, so readers and a second writer rarely wait long.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; for SQLite, the folder is created and WAL mode switched on."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ArchiveError(
            f"database_url {url!r} is not a database URL; "
            "write e.g. sqlite:///data/archive.db or postgresql+psycopg://user@host/db"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _make_folder(Path(parsed.database))
        engine = create_engine(
            parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True, **kwargs)
    except NoSuchModuleError as exc:
        raise ArchiveError(
            f"database_url {parsed.render_as_string(hide_password=True)!r}: SQLAlchemy knows no"
            f" database called {parsed.drivername!r}; write e.g. sqlite:///data/archive.db or"
            " postgresql+psycopg://user@host/db"
        ) from exc
    except ModuleNotFoundError as exc:
        raise ArchiveError(
            f"no driver for {parsed.drivername}: the Python module {exc.name!r} is not installed;"
            " install it, or use sqlite:/// or postgresql+psycopg://"
        ) from exc


def _make_folder(database: Path) -> None:
    """The folder that will hold the SQLite file; ArchiveError saying why it cannot be made."""
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ArchiveError(
            f"cannot use {database} as the archive: a part of its folder path is a file;"
            " fix database_url (or --database)"
        ) from None
    except OSError as exc:
        raise ArchiveError(
            f"cannot create the folder {database.parent} for the archive: {exc.strerror};"
            " fix database_url (or --database)"
        ) from None


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (search, export, the web UI) run while a crawl writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
