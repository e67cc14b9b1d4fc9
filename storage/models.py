"""The archive's tables, as SQLAlchemy 2.0 typed models.

The schema itself is made by the Alembic migrations in ``storage/migrations``; these
classes describe it to the ORM and must stay in step with the newest migration
(``tests/test_migrations.py`` compares the two).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ARTICLE_STATUSES = ("live", "gone", "error")
# What came of one fetch (SPEC section 3; storage/archive.py decides):
#   new / changed   a first version / a new version was stored
#   unchanged       the article as archived (its current version)
#   returned        the article as an earlier version had it (an A/B headline, a revert):
#                   the fetch names that version; nothing is stored again
#   copy            the page is a copy of an archived article at another address (AMP,
#                   print, another host) naming it as canonical: an alias, not compared
#   not-modified    304
#   gone            404 or 410
#   blocked         a 200 that is not the article (a consent wall, a bot check, a soft 404,
#                   a maintenance, rate-limit or login page); the reason says which
#   truncated       the article cut short (a paywall teaser, a body cut in transport)
#   error           the fetch failed, or the page held no article text
OUTCOMES = (
    "new",
    "unchanged",
    "changed",
    "returned",
    "copy",
    "not-modified",
    "gone",
    "blocked",
    "truncated",
    "error",
)
# How a crawl summary (and `mediawatch crawl --json`) names the count of each outcome.
OUTCOME_SUMMARY_KEYS = {
    "new": "new_articles",
    "changed": "new_versions",
    "unchanged": "unchanged",
    "returned": "returned",
    "copy": "copies",
    "not-modified": "not_modified",
    "gone": "gone",
    "blocked": "blocked",
    "truncated": "truncated",
    "error": "errors",
}
# Outcomes that say the site did not give the article: retried with backoff.
SOFT_FAILURES = ("blocked", "truncated")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no time zones: values are stored naive in UTC and given back aware, so
    that comparisons and ISO output (with ``+00:00``) are the same on SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the archive stores UTC-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # SQLAlchemy reads this mapping once, at class creation; it is never mutated.
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


class Source(Base):
    """A configured news source, by its unique name from the config."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]

    articles: Mapped[list[Article]] = relationship(back_populates="source")


class Article(Base):
    """One article address, with its state and what the next fetch should send."""

    __tablename__ = "articles"
    __table_args__ = (
        # The article list's order (newest change first): a page of it is read off the index.
        Index("ix_articles_last_changed_id", "last_changed", "id"),
        # All that `status` counts per source: it scans this index, not the table.
        Index(
            "ix_articles_source_id_status", "source_id", "status", "version_count", "last_checked"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    canonical_url: Mapped[str | None] = mapped_column(String(2048), index=True)
    status: Mapped[str] = mapped_column(String(10), default="live")
    found_via: Mapped[str | None] = mapped_column(String(20))
    first_seen: Mapped[datetime]
    last_checked: Mapped[datetime | None]
    last_changed: Mapped[datetime | None]
    gone_since: Mapped[datetime | None]
    next_check: Mapped[datetime | None] = mapped_column(index=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    version_count: Mapped[int] = mapped_column(Integer, default=0)
    # Title and date as announced by a feed or news sitemap, before the first fetch.
    hints: Mapped[dict[str, Any] | None]
    # The crawl worker fetching this article now, and until when its claim holds (see
    # storage/work.py): a worker that dies loses its claims when they expire.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None]
    # The version the page showed at its last successful fetch: the latest, unless the
    # article went back to an earlier one (an A/B headline test, a revert). None: the latest.
    current_version: Mapped[int | None]
    # How many fetches went back to an earlier version: more than none flags a headline test.
    return_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Fetches in a row that were blocked or truncated: how far the next try backs off.
    failed_checks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    source: Mapped[Source] = relationship(back_populates="articles")
    versions: Mapped[list[Version]] = relationship(
        back_populates="article", order_by="Version.number"
    )


class Version(Base):
    """One distinct state of an article: a change of title, text, authors or stated date."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    number: Mapped[int]
    fetched_at: Mapped[datetime] = mapped_column(index=True)
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[Any]]
    published: Mapped[str | None] = mapped_column(String(40))
    modified: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    # Description, site name, tags, canonical URL, encoding, extractor version.
    meta: Mapped[dict[str, Any]] = mapped_column("metadata")
    content_hash: Mapped[str] = mapped_column(String(64))
    changed: Mapped[list[Any]]
    change_kind: Mapped[str | None] = mapped_column(String(10))
    words_added: Mapped[int] = mapped_column(default=0)
    words_removed: Mapped[int] = mapped_column(default=0)
    raw_html: Mapped[bytes | None] = mapped_column(LargeBinary)
    raw_html_size: Mapped[int] = mapped_column(default=0)

    article: Mapped[Article] = relationship(back_populates="versions")


class ArticleAlias(Base):
    """Another address of an archived article: the one it moved from (a 301, a canonical
    link that moved), or a copy of it (an AMP page, a print view, another host) that names
    it as canonical. Found by every URL argument, never fetched or discovered again."""

    __tablename__ = "article_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    # "redirect" (it answered a permanent redirect to the article), "canonical" (its page
    # named the article's address as canonical), "copy" (a copy of the article's page),
    # or "merged" (an article of its own, until found to be this one).
    kind: Mapped[str] = mapped_column(String(20))
    first_seen: Mapped[datetime]

    article: Mapped[Article] = relationship()


class Fetch(Base):
    """The fetch log: one row for every request made for an article, whatever came of it."""

    __tablename__ = "fetches"
    __table_args__ = (Index("ix_fetches_article_id_fetched_at", "article_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    fetched_at: Mapped[datetime]
    url: Mapped[str] = mapped_column(String(2048))
    http_status: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    duration_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(100))
    # The version this fetch stored (new, changed) or found again (returned).
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))

    # For the archive's batched writes: a fetch can name its article and version before
    # either has an id; one flush then inserts all three in order.
    article: Mapped[Article] = relationship()
    version: Mapped[Version | None] = relationship()


class CrawlRun(Base):
    """One `mediawatch crawl` (or one crawl of the daemon): when, what, and what came of it."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    sources: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(20), default="running")
    counts: Mapped[dict[str, Any]]
    error: Mapped[str | None] = mapped_column(Text)
    # Set by the scheduler daemon (`mediawatch run`): what the crawl was for, "discover"
    # or "recheck", and which daemon ran it (its lease holder); None for `mediawatch crawl`.
    kind: Mapped[str | None] = mapped_column(String(20))
    holder: Mapped[str | None] = mapped_column(String(200))


class Lease(Base):
    """Who may do one piece of work right now, and until when (see storage/leases.py).

    The scheduler daemon holds "crawl:<source>" while it crawls that source, so that no
    two crawls of a source run at once, even from daemons on different hosts.
    """

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class PendingArticle(Base):
    """An article URL discovery found and no worker has fetched yet (storage/work.py):
    the queue new articles are claimed from. Storing the first fetch adds the article
    to ``articles`` and removes it from here, so ``articles`` holds only fetched ones."""

    __tablename__ = "pending_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    found_via: Mapped[str | None] = mapped_column(String(20))
    hints: Mapped[dict[str, Any] | None]
    found_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None]


class WatchMatch(Base):
    """A version that matched a watch (a saved search from the config's ``watch`` list)
    when it was stored: a new article whose text matches, or an edit whose changed words
    touch the query. Written in the transaction that stores the version."""

    __tablename__ = "watch_matches"
    __table_args__ = (
        UniqueConstraint("watch", "version_id"),
        Index("ix_watch_matches_watch_matched_at", "watch", "matched_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The watch's name as the config gave it when the match was made.
    watch: Mapped[str] = mapped_column(String(200))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    # "new" (a new article's first version) or "edit" (a later version).
    kind: Mapped[str] = mapped_column(String(10))
    # The matching passage, plain text, with the matched words as they stand in the text.
    snippet: Mapped[str] = mapped_column(Text)
    matched_at: Mapped[datetime]

    article: Mapped[Article] = relationship()
    version: Mapped[Version] = relationship()


class WebhookDelivery(Base):
    """One JSON POST owed to one webhook about one new version (the outbox): written in the
    transaction that stores the version, sent after it commits, retried with backoff."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("url", "version_id"),
        Index("ix_webhook_deliveries_status_next_attempt", "status", "next_attempt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    # "pending" (to be sent at next_attempt), "delivered", or "failed" (gave up).
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    # The last attempt's HTTP status (None when no answer came) and what went wrong.
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    version: Mapped[Version] = relationship()
