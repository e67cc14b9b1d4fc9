"""Creating and upgrading the archive schema with Alembic (`mediawatch init`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from storage.errors import NotInitialised

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest migration in storage/migrations/versions. Every `mediawatch crawl` checks the
# archive against it before it starts; reading it from the scripts would mean importing
# Alembic, which costs a recheck of an unchanged site a tenth of its time.
# tests/test_migrations.py checks that it names Alembic's head.
HEAD_REVISION = "0007"


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "storage/migrations has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    """The archive's revision, from Alembic's own table; None before `mediawatch init`."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
        return str(revision) if revision is not None else None


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; returns (revision before, revision after)."""
    from alembic import command

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
    if current != HEAD_REVISION:
        raise NotInitialised(
            f"the archive schema is at revision {current}, this mediawatch needs "
            f"{HEAD_REVISION}; run `mediawatch init` to upgrade it"
        )
