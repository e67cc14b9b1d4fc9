"""The one way a fetched page enters the archive.

``store_page`` takes what the crawler got for one URL and, inside the caller's
transaction, logs the fetch, updates the article, and adds a version only when SPEC
section 3 says the article itself changed (title, body text, authors or stated
publication date, compared by fingerprint after normalisation). ``store_pages`` does the
same for a batch of pages with a few queries in all rather than a few per page, and
``Archive`` wraps it in transactions, one per batch, for the crawler.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import zstandard
from sqlalchemy import Engine, delete, func, inspect, select
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
from storage.identity import REWRITTEN_OUTCOMES, add_alias, merge_articles
from storage.models import (
    SOFT_FAILURES,
    Article,
    ArticleAlias,
    Fetch,
    PendingArticle,
    Source,
    Version,
)
from storage.recheck import DEFAULT_TIERS, backoff_check, next_check
from storage.soft_failures import judge, page_record, shared_share
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
# A page whose canonical link names another archived article is a copy of it only when
# it shares at least this share of its word pairs with that article's text, or holds at
# least this share of the article's.
MIN_COPY_SHARE = 0.6


@dataclass(frozen=True)
class FetchedPage:
    """What the crawler got for one article URL.

    ``extracted`` is the extractor's plain dict (title, authors, published, modified,
    language, text, description, sitename, tags, canonical_url, encoding, extractor);
    None when the fetch failed, answered 304/404/410, or held no article. ``signals``
    is what the extraction worker saw of the page (``crawler/reading.py``: a wall, a
    paywall, whether the body reached its end). ``final_url`` is where redirects led,
    when not to ``url``, and ``permanent_redirect`` whether all of them were 301 or 308;
    ``cut``: the transport said the body was cut short.
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
    final_url: str | None = None
    permanent_redirect: bool = False
    signals: Mapping[str, Any] | None = None
    cut: bool = False


@dataclass(frozen=True)
class StoreResult:
    url: str
    outcome: str  # one of storage.models.OUTCOMES
    version: int | None = None  # the version stored, or returned to
    changed: list[str] = field(default_factory=list)
    reason: str | None = None  # why a fetch was blocked, truncated or failed


def compress_html(raw: bytes) -> bytes:
    return _compressor.compress(raw)


def decompress_html(stored: bytes) -> bytes:
    if stored.startswith(_ZSTD_MAGIC):
        return zstandard.ZstdDecompressor().decompress(stored)
    return zlib.decompress(stored, wbits=31)  # gzip, for archives imported from elsewhere


def content_of(version: Version) -> ArticleContent:
    return ArticleContent.of(version.title, version.authors, version.published, version.text)


def text_key(text: str) -> str:
    """What two pages with the same article text share, whatever their markup: a hash of
    the extracted text (for :data:`soft_failures.REPEATED_TEXT_URLS`)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def _current_number(article: Article) -> int:
    return article.current_version or article.version_count


class _Known:
    """What one batch of pages needs from the archive, read in a few queries up front
    rather than several per page: the articles at the batch's addresses (their own, their
    aliases, or named as canonical), the version each shows now (with its text), the
    content hash of each of their versions, and source ids. Kept up to date as the batch
    adds articles, aliases and versions, so a URL fetched twice in one batch sees its
    first fetch."""

    def __init__(self, session: Session, urls: Iterable[str], canonicals: Iterable[str]) -> None:
        self.session = session
        self.articles: dict[str, Article] = {}  # by address: its url, or an alias
        self.by_canonical: dict[str, list[Article]] = {}
        self.current: dict[Article, Version] = {}
        self.hashes: dict[Article, dict[str, int]] = {}  # content hash -> version id
        self.sources: dict[str, int] = {}
        # Versions this batch stored: indexed for search when the batch is done.
        self.fresh: set[Version] = set()
        wanted = sorted(set(urls) | set(canonicals))
        loaded: dict[int, Article] = {}
        for start in range(0, len(wanted), _QUERY_CHUNK):
            chunk = wanted[start : start + _QUERY_CHUNK]
            # One query: the articles at these addresses, named canonical by them, or
            # aliased by them (with the alias).
            alias = (
                select(ArticleAlias.article_id, ArticleAlias.url)
                .where(ArticleAlias.url.in_(chunk))
                .subquery()
            )
            rows = session.execute(
                select(Article, alias.c.url)
                .outerjoin(alias, alias.c.article_id == Article.id)
                .where(
                    Article.url.in_(chunk)
                    | Article.canonical_url.in_(chunk)
                    | alias.c.url.is_not(None)
                )
            )
            for article, alias_url in rows:
                loaded[article.id] = article
                if alias_url is not None:
                    self.articles[alias_url] = article
        for article in loaded.values():
            self.articles.setdefault(article.url, article)
            if article.canonical_url:
                self.by_canonical.setdefault(article.canonical_url, []).append(article)
            self.hashes[article] = {}
        ids = sorted(loaded)
        # Only an article with several versions can go back to an earlier one.
        several = sorted(i for i, article in loaded.items() if article.version_count > 1)
        for start in range(0, len(several), _QUERY_CHUNK):
            for article_id, version_id, digest in session.execute(
                select(Version.article_id, Version.id, Version.content_hash).where(
                    Version.article_id.in_(several[start : start + _QUERY_CHUNK])
                )
            ):
                self.hashes[loaded[article_id]].setdefault(digest, version_id)
        for start in range(0, len(ids), _QUERY_CHUNK):
            some = ids[start : start + _QUERY_CHUNK]
            current = (
                select(Version)
                .join(
                    Article,
                    (Version.article_id == Article.id)
                    & (
                        Version.number
                        == func.coalesce(Article.current_version, Article.version_count)
                    ),
                )
                .where(Article.id.in_(some))
                .options(defer(Version.raw_html))  # only its text is compared
            )
            for version in session.scalars(current):
                self.current[loaded[version.article_id]] = version

    def article_at(self, url: str | None) -> Article | None:
        return self.articles.get(url) if url else None

    def copy_of(self, canonical: str, article: Article | None) -> Article | None:
        """The archived article other than ``article`` that ``canonical`` names: the one
        at that address (or an alias of it), else the oldest that names it too."""
        found = self.articles.get(canonical)
        if found is not None and found is not article:
            return found
        return next((a for a in self.by_canonical.get(canonical, []) if a is not article), None)

    def version_text(self, version_id: int) -> Version:
        """A version of one of the batch's articles, read when the batch goes back to it."""
        version = self.session.scalar(
            select(Version).where(Version.id == version_id).options(defer(Version.raw_html))
        )
        assert version is not None, version_id
        return version

    def add(self, article: Article) -> None:
        self.articles[article.url] = article
        self.hashes.setdefault(article, {})

    def forget(self, article: Article) -> None:
        """``article`` was merged into another: every address of it now leads there."""
        self.current.pop(article, None)
        self.hashes.pop(article, None)
        for canonical, articles in self.by_canonical.items():
            self.by_canonical[canonical] = [a for a in articles if a is not article]

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
    repeats: Mapping[str, int] | None = None,
) -> list[StoreResult]:
    """Record fetches in order in ``session`` (the caller commits): the articles they
    touch are read in one go, everything is written in one flush, and the new versions
    are indexed for search in one statement. ``tiers`` maps a source name to its
    recheck tiers (SPEC defaults for any source not in it). With ``alerts``, the new
    versions' watch matches and webhook deliveries are recorded in the same transaction
    (see storage/alerts.py). ``repeats`` says, by URL, for how many addresses of its
    source the crawl got the page's text (default: counted within ``pages``)."""
    addresses = [page.url for page in pages] + [p.final_url for p in pages if p.final_url]
    release_claims(session, addresses)  # first: see its docstring
    canonicals = [_canonical(page) for page in pages]
    known = _Known(session, addresses, [c for c in canonicals if c])
    if repeats is None:
        repeats = count_repeats(pages)
    stored: list[tuple[FetchedPage, Version, Version | None]] = []
    results = []
    with session.no_autoflush:
        for page in pages:
            result, version, previous = _Store(session, page, known, tiers, repeats).run()
            results.append(result)
            if version is not None:
                stored.append((page, version, previous))
    session.flush()
    # A merge later in the batch may have found a version stored earlier to repeat one
    # the article had: it is gone, and so is its alert.
    new_versions = [
        NewVersion(version, previous, page.source)
        for page, version, previous in stored
        if version in session and version.id is not None and not inspect(version).deleted
    ]
    dialect.index_versions(
        session, [(n.version.id, n.version.title, n.version.text) for n in new_versions]
    )
    if alerts:
        # After the index: the watches' queries run against it.
        record_alerts(session, new_versions, alerts, datetime.now(UTC))
    return results


def count_repeats(pages: Iterable[FetchedPage]) -> dict[str, int]:
    """For each page with text: for how many articles of its source ``pages`` hold that
    same text (copies naming one canonical address count once)."""
    seen: dict[tuple[str, str], set[str]] = {}
    keys: dict[str, tuple[str, str]] = {}
    for page in pages:
        text = (page.extracted or {}).get("text")
        if not text:
            continue
        key = (page.source, text_key(str(text)))
        keys[page.url] = key
        seen.setdefault(key, set()).add(_canonical(page) or page.final_url or page.url)
    return {url: len(seen[key]) for url, key in keys.items()}


def _shared(copy: str, text: str) -> float:
    """How much a copy's text and an article's share: either way round, as a copy's
    template may hold less of the story than the article's page (no captions) or more
    (the whole of it, where the article's own page reads short)."""
    return max(shared_share(copy, text), shared_share(text, copy))


def _canonical(page: FetchedPage) -> str | None:
    """The page's canonical address, normalised as article URLs are (by the worker)."""
    canonical = (page.signals or {}).get("canonical")
    return str(canonical) if canonical else None


class _Store:
    """Storing one fetched page: which article it is (moves, aliases, copies, merges),
    what came of the fetch, and the article's state after it."""

    def __init__(
        self,
        session: Session,
        page: FetchedPage,
        known: _Known,
        tiers: Mapping[str, Tiers] | None,
        repeats: Mapping[str, int],
    ) -> None:
        self.session, self.page, self.known = session, page, known
        self.tiers = (tiers or {}).get(page.source) or DEFAULT_TIERS
        self.repeats = repeats.get(page.url, 1)
        self.now = page.fetched_at

    def run(self) -> tuple[StoreResult, Version | None, Version | None]:
        """(what came of the fetch, the version it stored, the one that was current)."""
        page, known = self.page, self.known
        article = known.article_at(page.url)
        moved_to = known.article_at(page.final_url) if page.final_url else None
        if page.extracted is None or page.http_status in GONE_STATUSES:
            return self._without_content(article or moved_to)
        content = ArticleContent.of(
            page.extracted.get("title"),
            page.extracted.get("authors") or [],
            page.extracted.get("published"),
            page.extracted.get("text") or "",
        )
        basis = article or moved_to
        current = known.current.get(basis) if basis is not None else None
        digest = fingerprint(content)
        # Content the article has had is the article, whatever else the page says; only
        # other content may be a wall or a cut body (and most rechecks are the former).
        known_content = basis is not None and (
            (current is not None and current.content_hash == digest)
            or digest in known.hashes.get(basis, {})
        )
        verdict = None
        if not known_content:
            verdict = judge(
                previous=current.text if current is not None else None,
                text=content.text,
                signals=page.signals,
                repeats=self.repeats,
                archived=(current.meta or {}).get("page") if current else None,
            )
        if verdict is not None:
            return self._record(basis, verdict.outcome, reason=verdict.reason)
        article = self._resolve(article, moved_to)
        copy_of = self._copy_of(article, content)
        if copy_of is not None:
            return copy_of
        return self._compare(article or self._new_article(page.url), content)

    # -- which article -------------------------------------------------------------------

    def _resolve(self, article: Article | None, moved_to: Article | None) -> Article | None:
        """The article a page with content belongs to, after a permanent redirect: the
        one at the new address, which the old one's history joins."""
        page = self.page
        if not (page.final_url and page.permanent_redirect):
            return article
        final = page.final_url
        if article is not None and moved_to is not None and moved_to is not article:
            article = self._merge(article, moved_to)
        article = article or moved_to
        if article is None:
            article = self._new_article(final)
        if article.url != final:
            self._move(article, final, "redirect")
        add_alias(self.session, article, page.url, "redirect", self.now)
        self.known.articles[page.url] = article
        return article

    def _copy_of(
        self, article: Article | None, content: ArticleContent
    ) -> tuple[StoreResult, Version | None, Version | None] | None:
        """A page whose canonical link names another archived article with the same
        text is that article: a copy at another address (AMP, print, another host), or
        the old address of an article whose canonical link moved. None otherwise."""
        canonical = _canonical(self.page)
        if canonical is None or (article is not None and canonical == article.url):
            return None
        other = self.known.copy_of(canonical, article)
        if other is None:
            return None
        current = self.known.current.get(other)
        if current is None or _shared(content.text, current.text) < MIN_COPY_SHARE:
            return None  # a canonical link that names another story is not believed
        if article is None or article.version_count == 0:
            if self.page.url == canonical and other.url != canonical:
                # This page is at the address the archived article's page names as its
                # own: the canonical link moved here, and so does the article.
                if article is not None:
                    self._absorb_empty(article, other)
                self._move(other, canonical, "canonical")
                return self._compare(other, content)
            # A copy of an archived article: an alias of it, its content not compared
            # (another template extracts a little differently; the article's own
            # address is what is compared).
            add_alias(self.session, other, self.page.url, "copy", self.now)
            self.known.articles[self.page.url] = other
            if article is not None:
                self._absorb_empty(article, other)
            return self._record(other, "copy")
        # The canonical link moved to an address archived as an article of its own: one.
        keep = self._merge(article, other)
        if keep.url != canonical and self.known.article_at(canonical) in (None, keep):
            self._move(keep, canonical, "canonical")
        add_alias(self.session, keep, self.page.url, "canonical", self.now)
        self.known.articles[self.page.url] = keep
        return self._compare(keep, content)

    def _merge(self, one: Article, other: Article) -> Article:
        """The older of two articles found to be one, with the other's history."""
        keep, absorb = sorted((one, other), key=lambda a: (a.first_seen, a.id or 0))
        urls = [url for url, article in self.known.articles.items() if article is absorb]
        merge_articles(self.session, keep, absorb, self.now, unindexed=self.known.fresh)
        self.known.forget(absorb)
        for url in urls:
            self.known.articles[url] = keep
        self._reload(keep)
        return keep

    def _absorb_empty(self, article: Article, into: Article) -> None:
        """An article with no version yet (its first fetches failed) found to be a copy."""
        merge_articles(self.session, into, article, self.now, unindexed=self.known.fresh)
        self.known.forget(article)
        self.known.articles[article.url] = into

    def _reload(self, article: Article) -> None:
        """After a merge: the article's versions as they are now."""
        session, known = self.session, self.known
        known.hashes[article] = dict(
            session.execute(
                select(Version.content_hash, Version.id).where(Version.article_id == article.id)
            ).all()
        )
        number = _current_number(article)
        current = session.scalar(
            select(Version)
            .where(Version.article_id == article.id, Version.number == number)
            .options(defer(Version.raw_html))
        )
        if current is not None:
            known.current[article] = current

    def _move(self, article: Article, url: str, kind: str) -> None:
        """The article lives at ``url`` from now on; its old address stays an alias."""
        old = article.url
        self.session.execute(delete(PendingArticle).where(PendingArticle.url == url))
        self.session.execute(delete(ArticleAlias).where(ArticleAlias.url == url))
        article.url = url
        self.session.flush()
        add_alias(self.session, article, old, kind, self.now)
        self.known.articles[url] = article

    def _new_article(self, url: str) -> Article:
        page = self.page
        article = Article(
            source_id=self.known.source_id(self.session, page.source, self.now),
            url=url,
            status="live",
            first_seen=self.now,
            found_via=page.found_via,
            hints=dict(page.hints) if page.hints else None,
            version_count=0,
            return_count=0,
            failed_checks=0,
        )
        self.session.add(article)
        self.known.add(article)
        return article

    # -- what came of the fetch ----------------------------------------------------------

    def _without_content(
        self, article: Article | None
    ) -> tuple[StoreResult, Version | None, Version | None]:
        """A fetch without article text: gone, not modified, cut in transport, a wall or
        paywall with nothing of the article on it, or an error."""
        page = self.page
        if article is None:
            article = self._new_article(page.url)
        if page.http_status in GONE_STATUSES:
            if article.status != "gone":
                article.gone_since = page.fetched_at
            article.status = "gone"
            return self._record(article, "gone")
        if page.http_status == 304:
            if article.version_count == 0:  # validators we never sent: nothing to compare with
                article.status = "error"
                return self._record(article, "error")
            article.status = "live"
            article.gone_since = None
            return self._record(article, "not-modified")
        if page.cut:
            return self._record(article, "truncated", reason=page.error)
        current = self.known.current.get(article)
        verdict = judge(
            previous=current.text if current is not None else None,
            text=None,
            signals=page.signals,
        )
        if verdict is not None:
            return self._record(article, verdict.outcome, reason=verdict.reason)
        # A failed check changes no version; the status shows that the last check failed,
        # until a later one succeeds.
        article.status = "error"
        return self._record(article, "error")

    def _compare(
        self, article: Article, content: ArticleContent
    ) -> tuple[StoreResult, Version | None, Version | None]:
        """The article as the page shows it: as archived, back to an earlier version, or
        a new version."""
        known = self.known
        article.status = "live"
        article.gone_since = None
        if self.page.extracted and self.page.extracted.get("canonical_url"):
            article.canonical_url = str(self.page.extracted["canonical_url"])
            canonical = _canonical(self.page)
            if canonical is not None and article not in known.by_canonical.get(canonical, []):
                known.by_canonical.setdefault(canonical, []).append(article)
        digest = fingerprint(content)
        current = known.current.get(article)
        if current is not None and current.content_hash == digest:
            return self._record(article, "unchanged", version=current)
        earlier = known.hashes.get(article, {}).get(digest)
        if earlier is not None:
            returned = known.version_text(earlier)
            article.current_version = returned.number
            article.return_count += 1
            known.current[article] = returned
            return self._record(article, "returned", version=returned)
        version = self._new_version(article, content, digest, current)
        known.fresh.add(version)
        known.current[article] = version
        known.hashes.setdefault(article, {})
        article.version_count = version.number
        article.current_version = None
        article.last_changed = self.page.fetched_at
        outcome = "changed" if current is not None else "new"
        result, _, _ = self._record(article, outcome, version=version)
        return result, version, current

    def _record(
        self,
        article: Article | None,
        outcome: str,
        *,
        version: Version | None = None,
        reason: str | None = None,
    ) -> tuple[StoreResult, Version | None, Version | None]:
        """Log the fetch on ``article`` (a new one at the page's address if None) and set
        when it is checked next."""
        page = self.page
        if article is None:
            article = self._new_article(page.url)
            if outcome in SOFT_FAILURES:
                article.status = "error"  # nothing of it is archived yet
        article.last_checked = page.fetched_at
        if outcome in ("new", "unchanged", "changed", "returned"):
            article.etag, article.last_modified = page.etag, page.last_modified
        elif outcome == "not-modified":  # a 304 need not repeat the validators
            article.etag = page.etag or article.etag
            article.last_modified = page.last_modified or article.last_modified
        last_changed = article.last_changed or article.first_seen
        if outcome in SOFT_FAILURES:
            article.failed_checks = (article.failed_checks or 0) + 1
            article.next_check = backoff_check(
                now=page.fetched_at,
                failures=article.failed_checks,
                last_changed=last_changed,
                tiers=self.tiers,
            )
        else:
            if outcome != "copy":
                article.failed_checks = 0
            article.next_check = next_check(
                now=page.fetched_at,
                last_changed=last_changed,
                tiers=self.tiers,
                gone=article.status == "gone",
                gone_since=article.gone_since,
            )
        extracted_modified = (page.extracted or {}).get("modified")
        error = reason or page.error or (NO_TEXT if outcome == "error" else None)
        fetch = Fetch(
            article=article,
            fetched_at=page.fetched_at,
            url=page.url,
            http_status=page.http_status,
            outcome=outcome,
            duration_ms=page.duration_ms,
            error=error if outcome in ("error", *SOFT_FAILURES) else None,
            last_modified=extracted_modified or page.last_modified,
        )
        if outcome == "returned":
            assert version is not None and version.id is not None
            fetch.version_id = version.id
        elif outcome in ("new", "changed"):
            fetch.version = version
        self.session.add(fetch)
        stored = version if outcome in ("new", "changed") else None
        shown = version if outcome in ("new", "changed", "returned") else None
        result = StoreResult(
            page.url,
            outcome,
            shown.number if shown is not None else None,
            list(stored.changed) if stored is not None else [],
            fetch.error,
        )
        return result, stored, None

    def _new_version(
        self,
        article: Article,
        content: ArticleContent,
        digest: str,
        previous: Version | None,
    ) -> Version:
        page = self.page
        extracted = page.extracted or {}
        if previous is None:
            changed: list[str] = []
            added, removed = len(words(article_document(content.title, content.text))), 0
            kind = None
        else:
            old = content_of(previous)
            changed = changed_fields(old, content)
            added, removed = word_counts(
                article_document(old.title, old.text),
                article_document(content.title, content.text),
            )
            kind = classify_change(old, content)
        meta = {key: extracted.get(key) for key in _META_KEYS if extracted.get(key)}
        if page.signals:
            # What the archived page showed, for telling a later cut page from an edit
            # (storage/soft_failures.py): whether it reached its </html>, and whether it
            # was a teaser already (a call to subscribe after the text, not free).
            meta["page"] = page_record(page.signals)
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
            meta=meta,
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
        # For each text seen in this crawl (by source): the addresses that gave it.
        self.texts: dict[tuple[str, str], set[str]] = {}
        # Outcomes of this crawl's fetches that merges rewrote since they were counted
        # (see storage.identity): by outcome, how many to add (or take) to its count.
        self.opened_at = datetime.now(UTC)
        self.recounted: Counter[str] = Counter()

    def _repeats(self, pages: Sequence[FetchedPage]) -> dict[str, int]:
        """For each page, for how many articles of its source this crawl got its text so
        far, this batch included: a page served instead of articles repeats."""
        keys = {}
        for page in pages:
            text = (page.extracted or {}).get("text")
            if text:
                key = (page.source, text_key(str(text)))
                keys[page.url] = key
                self.texts.setdefault(key, set()).add(
                    _canonical(page) or page.final_url or page.url
                )
        return {url: len(self.texts[key]) for url, key in keys.items()}

    def store(self, page: FetchedPage) -> StoreResult:
        return self.store_many([page])[0]

    def store_many(self, pages: Iterable[FetchedPage]) -> list[StoreResult]:
        batch = list(pages)
        with self.sessions.begin() as session:
            results = store_pages(session, batch, self.tiers, self.alerts, self._repeats(batch))
            for fetched_at, before, after in session.info.pop(REWRITTEN_OUTCOMES, []):
                if fetched_at >= self.opened_at:
                    self.recounted[before] -= 1
                    self.recounted[after] += 1
            # A batch's articles and versions refer to each other (Article.versions and
            # Version.article): left loaded, they would outlive the batch as reference
            # cycles holding the compressed pages until a full garbage collection (46 MB
            # in a 4,390-page crawl). Expired, they let go of each other with the session.
            session.expire_all()
        return results
