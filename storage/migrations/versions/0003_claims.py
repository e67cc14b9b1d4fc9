"""Claims for crawl workers sharing one archive: who fetches an article, and until when;
and the queue of discovered articles not fetched yet.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 12:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pending_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('found_via', sa.String(length=20), nullable=True),
    sa.Column('hints', sa.JSON(), nullable=True),
    sa.Column('found_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=200), nullable=True),
    sa.Column('claimed_until', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_pending_articles_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_articles')),
    sa.UniqueConstraint('url', name=op.f('uq_pending_articles_url'))
    )
    with op.batch_alter_table('pending_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_articles_source_id'), ['source_id'], unique=False)

    # Nullable: an article nobody is fetching has no claim.
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column('claimed_until', storage.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')

    with op.batch_alter_table('pending_articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_articles_source_id'))

    op.drop_table('pending_articles')
