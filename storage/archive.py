"""The one way a fetched page enters the archive.

``store_page`` takes what the crawler got for one URL and, inside the caller's
transaction, logs the fetch, updates the article, and adds a version only when SPEC
section 3 says the article itself changed (title, body text, authors or stated
publication date, compared by fingerprint after normalisation). ``Archive`` wraps it
in transactions, one per batch, for the crawler.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import zstandard
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from storage import dialect
from storage.changes import (
    ArticleContent,
    changed_fields,
    classify_change,
    fingerprint,
    word_counts,
)
from storage.db import make_sessionmaker
from storage.diff import article_document, words
from storage.models import Article, Fetch, Source, Version
from storage.recheck import DEFAULT_TIERS, next_check

Tiers = Sequence[tuple[timedelta, timedelta]]

# Raw HTML is kept for provenance and re-extraction, compressed: news pages shrink ~6x.
_ZSTD_LEVEL = 3  # on news HTML: ratio 0.18 at ~400 MB/s; level 6 gives 0.166 at a quarter the speed
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_compressor = zstandard.ZstdCompressor(level=_ZSTD_LEVEL)

# Extracted fields kept in a version's metadata (everything else has its own column).
_META_KEYS = ("description", "sitename", "tags", "canonical_url", "encoding", "extractor")

GONE_STATUSES = frozenset({404, 410})
NO_TEXT = "no article text found on the page"


@dataclass(frozen=True)
class FetchedPage:
    """What the crawler got for one article URL.

    ``extracted`` is the extractor's plain dict (title, authors, published, modified,
    language, text, description, sitename, tags, canonical_url, encoding, extractor);
    None when the fetch failed, answered 304/404/410, or held no article.
    """

    url: str
    source: str
    fetched_at: datetime
    http_status: int | None = None
    duration_ms: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    raw_html: bytes | None = None
    extracted: Mapping[str, Any] | None = None
    error: str | None = None
    found_via: str | None = None
    hints: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class StoreResult:
    url: str
    outcome: str  # one of storage.models.OUTCOMES
    version: int | None = None  # the version stored, if one was
    changed: list[str] = field(default_factory=list)


def compress_html(raw: bytes) -> bytes:
    return _compressor.compress(raw)


def decompress_html(stored: bytes) -> bytes:
    if stored.startswith(_ZSTD_MAGIC):
        return zstandard.ZstdDecompressor().decompress(stored)
    return zlib.decompress(stored, wbits=31)  # gzip, for archives imported from elsewhere


def content_of(version: Version) -> ArticleContent:
    return ArticleContent.of(version.title, version.authors, version.published, version.text)


def _source_id(session: Session, name: str, now: datetime) -> int:
    source_id = session.scalar(select(Source.id).where(Source.name == name))
    if source_id is None:
        source = Source(name=name, created_at=now)
        session.add(source)
        session.flush()
        source_id = source.id
    return source_id


def store_page(session: Session, page: FetchedPage, tiers: Tiers = DEFAULT_TIERS) -> StoreResult:
    """Record one fetch in ``session`` (the caller commits) and return what came of it."""
    now = page.fetched_at
    article = session.scalar(select(Article).where(Article.url == page.url))
    if article is None:
        article = Article(
            source_id=_source_id(session, page.source, now),
            url=page.url,
            status="live",
            first_seen=now,
            found_via=page.found_via,
            hints=dict(page.hints) if page.hints else None,
            version_count=0,
        )
        session.add(article)
        session.flush()
    article.last_checked = now

    outcome, version = _apply(session, article, page)
    if outcome in ("new", "unchanged", "changed"):
        article.etag, article.last_modified = page.etag, page.last_modified
    elif outcome == "not-modified":  # a 304 need not repeat the validators
        article.etag = page.etag or article.etag
        article.last_modified = page.last_modified or article.last_modified
    article.next_check = next_check(
        now=now,
        last_changed=article.last_changed or article.first_seen,
        tiers=tiers,
        gone=article.status == "gone",
        gone_since=article.gone_since,
    )
    extracted_modified = (page.extracted or {}).get("modified")
    session.add(
        Fetch(
            article_id=article.id,
            fetched_at=now,
            url=page.url,
            http_status=page.http_status,
            outcome=outcome,
            duration_ms=page.duration_ms,
            error=page.error or (NO_TEXT if outcome == "error" else None),
            last_modified=extracted_modified or page.last_modified,
            version_id=version.id if version else None,
        )
    )
    return StoreResult(
        page.url, outcome, version.number if version else None, version.changed if version else []
    )


def _apply(session: Session, article: Article, page: FetchedPage) -> tuple[str, Version | None]:
    """Update ``article`` for this fetch; returns the outcome and any new version."""
    if page.http_status in GONE_STATUSES:
        if article.status != "gone":
            article.gone_since = page.fetched_at
        article.status = "gone"
        return "gone", None
    if page.http_status == 304:
        if article.version_count == 0:  # validators we never sent: nothing to compare with
            article.status = "error"
            return "error", None
        article.status = "live"
        article.gone_since = None
        return "not-modified", None
    if page.error is not None or page.extracted is None:
        # A failed check changes no version; the status shows that the last check failed,
        # until a later one succeeds.
        article.status = "error"
        return "error", None

    article.status = "live"
    article.gone_since = None
    if page.extracted.get("canonical_url"):
        article.canonical_url = str(page.extracted["canonical_url"])
    content = ArticleContent.of(
        page.extracted.get("title"),
        page.extracted.get("authors") or [],
        page.extracted.get("published"),
        page.extracted.get("text") or "",
    )
    digest = fingerprint(content)
    previous = _latest_version(session, article)
    if previous is not None and previous.content_hash == digest:
        return "unchanged", None

    version = _new_version(article, page, content, digest, previous)
    session.add(version)
    session.flush()
    dialect.index_version(session, version.id, version.title, version.text)
    article.version_count = version.number
    article.last_changed = page.fetched_at
    return ("changed" if previous is not None else "new"), version


def _latest_version(session: Session, article: Article) -> Version | None:
    if article.version_count == 0:
        return None
    return session.scalar(
        select(Version).where(
            Version.article_id == article.id, Version.number == article.version_count
        )
    )


def _new_version(
    article: Article,
    page: FetchedPage,
    content: ArticleContent,
    digest: str,
    previous: Version | None,
) -> Version:
    extracted = page.extracted or {}
    if previous is None:
        changed: list[str] = []
        added, removed = len(words(article_document(content.title, content.text))), 0
        kind = None
    else:
        old = content_of(previous)
        changed = changed_fields(old, content)
        added, removed = word_counts(
            article_document(old.title, old.text), article_document(content.title, content.text)
        )
        kind = classify_change(old, content)
    return Version(
        article_id=article.id,
        number=article.version_count + 1,
        fetched_at=page.fetched_at,
        title=content.title or None,
        authors=list(content.authors),
        published=content.published,
        modified=extracted.get("modified"),
        language=extracted.get("language"),
        text=content.text,
        meta={key: extracted.get(key) for key in _META_KEYS if extracted.get(key)},
        content_hash=digest,
        changed=changed,
        change_kind=kind,
        words_added=added,
        words_removed=removed,
        raw_html=compress_html(page.raw_html) if page.raw_html else None,
        raw_html_size=len(page.raw_html or b""),
    )


class Archive:
    """The archive for the crawler: stores batches of fetched pages, one transaction each."""

    def __init__(self, engine: Engine, tiers: Mapping[str, Tiers] | None = None) -> None:
        self.engine = engine
        self.sessions = make_sessionmaker(engine)
        self.tiers = dict(tiers or {})

    def store(self, page: FetchedPage) -> StoreResult:
        return self.store_many([page])[0]

    def store_many(self, pages: Iterable[FetchedPage]) -> list[StoreResult]:
        with self.sessions.begin() as session:
            return [
                store_page(session, page, self.tiers.get(page.source, DEFAULT_TIERS))
                for page in pages
            ]
