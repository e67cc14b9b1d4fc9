"""Two indexes on articles for the web UI and `status` on a big archive: (last_changed,
id), the order the article list is read in, newest change first, so that a page of it
(/articles, `articles --json --limit`) comes off the index instead of a sort of every
article; and (source_id, status, version_count, last_checked), which holds all that the
per-source counts of `status` (/sources) read, so that they scan it and not the table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 19:40:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_articles_last_changed_id', ['last_changed', 'id'], unique=False)
        batch_op.create_index(
            'ix_articles_source_id_status',
            ['source_id', 'status', 'version_count', 'last_checked'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_articles_source_id_status')
        batch_op.drop_index('ix_articles_last_changed_id')
