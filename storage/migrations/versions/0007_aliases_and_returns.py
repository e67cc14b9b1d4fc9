"""Trustworthy versions on real sites: article aliases (moved URLs and copies), the
version an article currently shows (A/B headlines going back to an earlier version), how
often it went back, and how many fetches in a row were blocked or truncated (backoff).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.types import TypeDecorator


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


class _UTCDateTime(TypeDecorator):
    """storage.models.UTCDateTime as it was at this revision (frozen here: a migration
    must not change when the models do)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True


def upgrade() -> None:
    op.create_table('article_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('first_seen', _UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_aliases_article_id_articles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_aliases')),
    sa.UniqueConstraint('url', name=op.f('uq_article_aliases_url'))
    )
    with op.batch_alter_table('article_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_aliases_article_id'), ['article_id'], unique=False)

    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('return_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('failed_checks', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('failed_checks')
        batch_op.drop_column('return_count')
        batch_op.drop_column('current_version')

    with op.batch_alter_table('article_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_aliases_article_id'))
    op.drop_table('article_aliases')
