"""Creating and upgrading the archive schema with Alembic (`mediawatch init`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from storage.errors import NotInitialised

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "storage/migrations has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; returns (revision before, revision after)."""
    before = current_revision(engine)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, head_revision()


def require_current(engine: Engine) -> None:
    """Raise NotInitialised unless the schema is at the newest revision."""
    current = current_revision(engine)
    if current is None:
        raise NotInitialised(
            f"the archive at {engine.url.render_as_string(hide_password=True)} is not "
            "initialised; run `mediawatch init`"
        )
    if current != head_revision():
        raise NotInitialised(
            f"the archive schema is at revision {current}, this mediawatch needs "
            f"{head_revision()}; run `mediawatch init` to upgrade it"
        )
