"""Alerts: the versions that matched a watch (a saved search), and the webhook deliveries
owed for new versions (an outbox, sent after the crawl commits and retried).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 19:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('watch_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('watch', sa.String(length=200), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('snippet', sa.Text(), nullable=False),
    sa.Column('matched_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_watch_matches_article_id_articles')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_watch_matches_version_id_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watch_matches')),
    sa.UniqueConstraint('watch', 'version_id', name=op.f('uq_watch_matches_watch'))
    )
    with op.batch_alter_table('watch_matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watch_matches_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_watch_matches_watch_matched_at', ['watch', 'matched_at'], unique=False)

    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_webhook_deliveries_version_id_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('url', 'version_id', name=op.f('uq_webhook_deliveries_url'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_version_id'), ['version_id'], unique=False)
        batch_op.create_index('ix_webhook_deliveries_status_next_attempt', ['status', 'next_attempt'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_status_next_attempt')
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_version_id'))
    op.drop_table('webhook_deliveries')

    with op.batch_alter_table('watch_matches', schema=None) as batch_op:
        batch_op.drop_index('ix_watch_matches_watch_matched_at')
        batch_op.drop_index(batch_op.f('ix_watch_matches_article_id'))
    op.drop_table('watch_matches')
