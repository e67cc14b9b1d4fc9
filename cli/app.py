"""What every command shares: the config, the archive's engine, and error reporting."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import click
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from config import Config, ConfigError, load_config
from storage.db import make_engine, make_sessionmaker
from storage.errors import ArchiveError
from storage.schema import require_current

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class App:
    """Per-invocation state, built lazily so that `--help` needs no config."""

    config_path: str | None = None
    database_url: str | None = None
    _config: Config | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
            if self.database_url:
                self._config = self._config.model_copy(update={"database_url": self.database_url})
        return self._config

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.config.database_url)
        return self._engine

    def close(self) -> None:
        """Close the archive's connections (a PostgreSQL connection left to the garbage
        collector is closed without a goodbye, and the server logs it)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session on an archive whose schema is current."""
        require_current(self.engine)
        with make_sessionmaker(self.engine)() as session:
            yield session


pass_app = click.make_pass_decorator(App)

# stdout carries results (and nothing else under --json); stderr carries progress and logs.
stdout = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
stderr = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 200)


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors a user can fix into one clear line and exit status 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from exc
        except DatabaseError as exc:  # OperationalError and the rest of the DB-API's errors
            raise click.ClickException(database_failure(exc)) from exc

    return wrapper


# What SQLite's terse errors mean for someone running mediawatch, and what to do about them.
_SQLITE_HINTS = {
    "unable to open database file": "check that database_url (or --database) names a file in"
    " a folder you can write to",
    "file is not a database": "database_url (or --database) names a file that is not a SQLite"
    " archive; point it at the archive, or at a new file and run `mediawatch init`",
    "database is locked": "another process held a write lock for longer than the busy timeout;"
    " try again when it has finished",
}


def database_failure(exc: DatabaseError) -> str:
    """The database's error as one line, with what to do when it is a known one."""
    detail = " ".join(str(exc.orig if exc.orig is not None else exc).split())
    hint = next((hint for known, hint in _SQLITE_HINTS.items() if known in detail), None)
    return f"the archive database failed: {detail}" + (f"; {hint}" if hint else "")
