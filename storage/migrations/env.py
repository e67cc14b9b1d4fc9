"""Alembic environment: runs migrations on the connection `mediawatch init` hands over,
or, for the `alembic` command, on the URL from alembic.ini or MEDIAWATCH_DATABASE_URL."""

import os

from alembic import context

from storage.db import make_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    url = os.environ.get("MEDIAWATCH_DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    engine = make_engine(str(url))
    with engine.begin() as conn:
        run_migrations(conn)
    engine.dispose()
