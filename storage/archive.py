"""The one way a fetched page enters the archive.

``store_page`` takes what the crawler got for one URL and, inside the caller's
transaction, logs the fetch, updates the article, and adds a version only when SPEC
section 3 says the article itself changed (title, body text, authors or stated
publication date, compared by fingerprint after normalisation). ``store_pages`` does the
same for a batch of pages with a few queries in all rather than a few per page, and
``Archive`` wraps it in transactions, one per batch, for the crawler.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import zstandard
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, defer

from storage import dialect
from storage.alerts import AlertRules, NewVersion, record_alerts
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
from storage.work import release_claims

Tiers = Sequence[tuple[timedelta, timedelta]]

# Raw HTML is kept for provenance and re-extraction, compressed: news pages shrink ~6x.
_ZSTD_LEVEL = 3  # on news HTML: ratio 0.18 at ~400 MB/s; level 6 gives 0.166 at a quarter the speed
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_compressor = zstandard.ZstdCompressor(level=_ZSTD_LEVEL)

# Extracted fields kept in a version's metadata (everything else has its own column).
_META_KEYS = ("description", "sitename", "tags", "canonical_url", "encoding", "extractor")

GONE_STATUSES = frozenset({404, 410})
# URLs per IN (...) query: well under SQLite's and PostgreSQL's parameter limits.
_QUERY_CHUNK = 500
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


class _Known:
    """What one batch of pages needs from the archive, read in a few queries up front
    rather than several per page: the articles at the batch's URLs, the latest version of
    each, and source ids. Kept up to date as the batch adds articles and versions, so a
    URL fetched twice in one batch sees its first fetch."""

    def __init__(self, session: Session, urls: Iterable[str]) -> None:
        self.articles: dict[str, Article] = {}
        self.latest: dict[str, Version] = {}  # by article URL
        self.sources: dict[str, int] = {}
        wanted = sorted(set(urls))
        for start in range(0, len(wanted), _QUERY_CHUNK):
            chunk = wanted[start : start + _QUERY_CHUNK]
            for article in session.scalars(select(Article).where(Article.url.in_(chunk))):
                self.articles[article.url] = article
            latest = (
                select(Version, Article.url)
                .join(
                    Article,
                    (Version.article_id == Article.id) & (Version.number == Article.version_count),
                )
                .where(Article.url.in_(chunk))
                .options(defer(Version.raw_html))  # only its text is compared
            )
            for version, url in session.execute(latest):
                self.latest[url] = version

    def source_id(self, session: Session, name: str, now: datetime) -> int:
        if name not in self.sources:
            source_id = session.scalar(select(Source.id).where(Source.name == name))
            if source_id is None:
                source = Source(name=name, created_at=now)
                session.add(source)
                session.flush()
                source_id = source.id
            self.sources[name] = source_id
        return self.sources[name]


def store_page(session: Session, page: FetchedPage, tiers: Tiers = DEFAULT_TIERS) -> StoreResult:
    """Record one fetch in ``session`` (the caller commits) and return what came of it."""
    return store_pages(session, [page], {page.source: tiers})[0]


def store_pages(
    session: Session,
    pages: Sequence[FetchedPage],
    tiers: Mapping[str, Tiers] | None = None,
    alerts: AlertRules | None = None,
) -> list[StoreResult]:
    """Record fetches in order in ``session`` (the caller commits): the articles they
    touch are read in one go, everything is written in one flush, and the new versions
    are indexed for search in one statement. ``tiers`` maps a source name to its
    recheck tiers (SPEC defaults for any source not in it). With ``alerts``, the new
    versions' watch matches and webhook deliveries are recorded in the same transaction
    (see storage/alerts.py)."""
    release_claims(session, (page.url for page in pages))  # first: see its docstring
    known = _Known(session, (page.url for page in pages))
    new_versions: list[NewVersion] = []
    results = []
    with session.no_autoflush:
        for page in pages:
            previous = known.latest.get(page.url)
            result, version = _store(session, page, (tiers or {}).get(page.source), known)
            results.append(result)
            if version is not None:
                new_versions.append(NewVersion(version, previous, page.source))
    session.flush()
    dialect.index_versions(
        session, [(n.version.id, n.version.title, n.version.text) for n in new_versions]
    )
    if alerts:
        # After the index: the watches' queries run against it.
        record_alerts(session, new_versions, alerts, datetime.now(UTC))
    return results


def _store(
    session: Session, page: FetchedPage, tiers: Tiers | None, known: _Known
) -> tuple[StoreResult, Version | None]:
    now = page.fetched_at
    article = known.articles.get(page.url)
    if article is None:
        article = Article(
            source_id=known.source_id(session, page.source, now),
            url=page.url,
            status="live",
            first_seen=now,
            found_via=page.found_via,
            hints=dict(page.hints) if page.hints else None,
            version_count=0,
        )
        session.add(article)
        known.articles[page.url] = article
    article.last_checked = now

    outcome, version = _apply(article, page, known)
    if outcome in ("new", "unchanged", "changed"):
        article.etag, article.last_modified = page.etag, page.last_modified
    elif outcome == "not-modified":  # a 304 need not repeat the validators
        article.etag = page.etag or article.etag
        article.last_modified = page.last_modified or article.last_modified
    article.next_check = next_check(
        now=now,
        last_changed=article.last_changed or article.first_seen,
        tiers=tiers or DEFAULT_TIERS,
        gone=article.status == "gone",
        gone_since=article.gone_since,
    )
    extracted_modified = (page.extracted or {}).get("modified")
    session.add(
        Fetch(
            article=article,
            fetched_at=now,
            url=page.url,
            http_status=page.http_status,
            outcome=outcome,
            duration_ms=page.duration_ms,
            error=page.error or (NO_TEXT if outcome == "error" else None),
            last_modified=extracted_modified or page.last_modified,
            version=version,
        )
    )
    result = StoreResult(
        page.url, outcome, version.number if version else None, version.changed if version else []
    )
    return result, version


def _apply(article: Article, page: FetchedPage, known: _Known) -> tuple[str, Version | None]:
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
    previous = known.latest.get(article.url)
    if previous is not None and previous.content_hash == digest:
        return "unchanged", None

    version = _new_version(article, page, content, digest, previous)
    known.latest[article.url] = version
    article.version_count = version.number
    article.last_changed = page.fetched_at
    return ("changed" if previous is not None else "new"), version


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
        article=article,
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

    def __init__(
        self,
        engine: Engine,
        tiers: Mapping[str, Tiers] | None = None,
        alerts: AlertRules | None = None,
    ) -> None:
        self.engine = engine
        self.sessions = make_sessionmaker(engine)
        self.tiers = dict(tiers or {})
        self.alerts = alerts

    def store(self, page: FetchedPage) -> StoreResult:
        return self.store_many([page])[0]

    def store_many(self, pages: Iterable[FetchedPage]) -> list[StoreResult]:
        with self.sessions.begin() as session:
            results = store_pages(session, list(pages), self.tiers, self.alerts)
            # A batch's articles and versions refer to each other (Article.versions and
            # Version.article): left loaded, they would outlive the batch as reference
            # cycles holding the compressed pages until a full garbage collection (46 MB
            # in a 4,390-page crawl). Expired, they let go of each other with the session.
            session.expire_all()
        return results
