"""Language-aware search on PostgreSQL: each version's words under its own language's
text-search configuration (stemmed, stop words left out; "simple" when the language is
unknown), in a generated tsvector column with a GIN index. SQLite keeps FTS5 as it was.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from storage import dialect


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in dialect.language_search_ddl():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in dialect.drop_language_search_ddl():
            op.execute(statement)
