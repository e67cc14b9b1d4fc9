"""Reading the archive: the shapes the CLI (and later the web UI) show, per SPEC section 2."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from storage import alerts
from storage.changes import MINOR
from storage.dialect import MATCH_END, MATCH_START, search_versions
from storage.errors import BadQuery, NotFound
from storage.models import (
    SOFT_FAILURES,
    Article,
    ArticleAlias,
    CrawlRun,
    Fetch,
    Source,
    Version,
    WatchMatch,
)
from storage.schedule import daemon_status
from storage.search_query import shown_query


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def find_article(session: Session, candidates: Sequence[str]) -> Article:
    """The article whose URL, alias (an address it moved from, a copy of it) or canonical
    URL is one of ``candidates`` (first match wins)."""
    for url in candidates:
        article = session.scalar(select(Article).where(Article.url == url))
        if article is None:
            article = session.scalar(
                select(Article)
                .join(ArticleAlias, ArticleAlias.article_id == Article.id)
                .where(ArticleAlias.url == url)
            )
        if article is None:
            article = session.scalar(
                select(Article).where(Article.canonical_url == url).order_by(Article.id).limit(1)
            )
        if article is not None:
            return article
    raise NotFound(
        f"no archived article has the URL {candidates[0]!r}; "
        "`mediawatch articles` lists the archived ones"
    )


def source_id(session: Session, name: str) -> int:
    found = session.scalar(select(Source.id).where(Source.name == name))
    if found is None:
        known = ", ".join(session.scalars(select(Source.name).order_by(Source.name))) or "none yet"
        raise NotFound(f"no source named {name!r} in the archive (archived sources: {known})")
    return found


def article_rows(
    session: Session,
    *,
    sources: Sequence[str] = (),
    status: str | None = None,
    changed: bool = False,
    watch: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """`articles --json`: newest first by last change (with ``watch``: the articles that
    matched that watch, newest match first); ``limit`` and ``offset`` page it.

    The page's article ids are picked first, from ix_articles_last_changed_id alone, and
    only those rows are read whole: skipping to a deep page then walks the index, not
    every article before it with its source and latest title.
    """
    sort_key: Any = Article.last_changed
    picked = select(Article.id)
    if sources:
        named = select(Source.id).where(Source.name.in_(sources))
        picked = picked.where(Article.source_id.in_(named))
    if status is not None:
        picked = picked.where(Article.status == status)
    if changed:
        picked = picked.where(Article.version_count > 1)
    if watch is not None:
        newest_match = (
            select(WatchMatch.article_id, func.max(WatchMatch.matched_at).label("matched_at"))
            .where(WatchMatch.watch == watch)
            .group_by(WatchMatch.article_id)
            .subquery()
        )
        picked = picked.join(newest_match, newest_match.c.article_id == Article.id)
        sort_key = newest_match.c.matched_at
    picked = picked.add_columns(sort_key.label("sort_key")).order_by(
        sort_key.desc().nulls_last(), Article.id.desc()
    )
    if limit is not None:
        picked = picked.limit(limit).offset(offset)
    page = picked.subquery()
    latest_title = (
        select(Version.title)
        .where(Version.article_id == Article.id, Version.number == Article.version_count)
        .correlate(Article)
        .scalar_subquery()
    )
    query = (
        select(Article, Source.name, latest_title)
        .join(page, page.c.id == Article.id)
        .join(Source, Source.id == Article.source_id)
        .order_by(page.c.sort_key.desc().nulls_last(), Article.id.desc())
    )
    rows = session.execute(query).all()
    aliases = aliases_of(session, [article.id for article, _, _ in rows])
    return [
        {
            "url": article.url,
            "canonical_url": article.canonical_url,
            "source": source_name,
            "title": title if title is not None else (article.hints or {}).get("title"),
            "status": article.status,
            "versions": article.version_count,
            "first_seen": iso(article.first_seen),
            "last_checked": iso(article.last_checked),
            "last_changed": iso(article.last_changed),
            # Added to SPEC's shape: the version the page shows now (an A/B test or a
            # revert can bring back an earlier one), whether it went back and forth, and
            # the other addresses it is known by (moved from, copies).
            "current_version": article.current_version or article.version_count,
            "headline_test": article.return_count > 0,
            "aliases": aliases.get(article.id, []),
        }
        for article, source_name, title in rows
    ]


def aliases_of(session: Session, article_ids: Sequence[int]) -> dict[int, list[str]]:
    """The alias URLs of each of the articles, oldest first."""
    found: dict[int, list[str]] = {}
    wanted = sorted(set(article_ids))
    for start in range(0, len(wanted), 500):
        for article_id, url in session.execute(
            select(ArticleAlias.article_id, ArticleAlias.url)
            .where(ArticleAlias.article_id.in_(wanted[start : start + 500]))
            .order_by(ArticleAlias.first_seen, ArticleAlias.id)
        ):
            found.setdefault(article_id, []).append(url)
    return found


@dataclass(frozen=True)
class Timeline:
    """An article's versions and its returns to earlier ones, for `versions` and the web."""

    rows: list[dict[str, Any]]  # `versions --json`
    # Every return, oldest first: (fetched at, version returned to, version it left).
    returns: list[tuple[datetime, int, int]]

    @property
    def variants(self) -> list[int]:
        """The versions an A/B test (or reverts) went back and forth between."""
        return sorted({n for _, to, left in self.returns for n in (to, left)})


def version_rows(session: Session, article: Article) -> list[dict[str, Any]]:
    """`versions URL --json`: oldest first."""
    return timeline(session, article).rows


def timeline(session: Session, article: Article) -> Timeline:
    """The article's versions, oldest first, each with the times the article came back
    to it (``returns``: an A/B headline test, a revert), and every such return."""
    versions = session.execute(
        select(
            Version.id,
            Version.number,
            Version.fetched_at,
            Version.title,
            Version.content_hash,
            Version.changed,
            Version.change_kind,
            Version.words_added,
            Version.words_removed,
        )
        .where(Version.article_id == article.id)
        .order_by(Version.number)
    ).all()
    numbers = {v.id: v.number for v in versions}
    returns: list[tuple[datetime, int, int]] = []
    if article.return_count:
        # Walk the fetches that set the version shown: a new version shows itself, a
        # return shows the version it names; a return leaves the one shown before it.
        shown = None
        for outcome, version_id, fetched_at in session.execute(
            select(Fetch.outcome, Fetch.version_id, Fetch.fetched_at)
            .where(
                Fetch.article_id == article.id,
                Fetch.outcome.in_(("new", "changed", "returned")),
                Fetch.version_id.is_not(None),
            )
            .order_by(Fetch.fetched_at, Fetch.id)
        ):
            number = numbers.get(version_id)
            if number is None:
                continue
            if outcome == "returned" and shown is not None and number != shown:
                returns.append((fetched_at, number, shown))
            shown = number
    back: dict[int, list[dict[str, Any]]] = {}
    for fetched_at, to, left in returns:
        back.setdefault(to, []).append({"fetched_at": iso(fetched_at), "from_version": left})
    rows = [
        {
            "version": v.number,
            "fetched_at": iso(v.fetched_at),
            "title": v.title,
            "content_hash": v.content_hash,
            "changed": list(v.changed),
            "change_kind": v.change_kind,
            "words_added": v.words_added,
            "words_removed": v.words_removed,
            # Added to SPEC's shape: when the article came back to this version.
            "returns": back.get(v.number, []),
        }
        for v in versions
    ]
    return Timeline(rows, returns)


def get_version(session: Session, article: Article, number: int | None = None) -> Version:
    """Version ``number`` of ``article``, or its latest."""
    if article.version_count == 0:
        raise NotFound(f"{article.url} has no archived version yet (status: {article.status})")
    wanted = article.version_count if number is None else number
    version = session.scalar(
        select(Version).where(Version.article_id == article.id, Version.number == wanted)
    )
    if version is None:
        raise NotFound(
            f"{article.url} has no version {wanted}; it has versions 1 to {article.version_count}"
        )
    return version


def version_document(article: Article, version: Version) -> dict[str, Any]:
    """`show URL --json`."""
    return {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "version": version.number,
        "fetched_at": iso(version.fetched_at),
        "title": version.title,
        "authors": list(version.authors),
        "published": version.published,
        "text": version.text,
        "language": version.language,
        "content_hash": version.content_hash,
    }


def diff_versions(
    session: Session, article: Article, older: int | None, newer: int | None
) -> tuple[Version, Version]:
    """The two versions `diff` compares: ``newer`` (default: the latest) and ``older``
    (default: the one before it)."""
    to_version = get_version(session, article, newer)
    if older is None:
        if to_version.number == 1:
            raise NotFound(
                f"{article.url} has only version 1; a diff needs two versions "
                "(give --from and --to, or wait for an edit)"
            )
        older = to_version.number - 1
    return get_version(session, article, older), to_version


@dataclass(frozen=True)
class EditsCursor:
    """Where a page of :func:`recent_edits` ends: the next page starts after this version."""

    fetched_at: datetime
    version_id: int


def recent_edits(
    session: Session,
    *,
    limit: int,
    after: EditsCursor | None = None,
    trivial: bool = False,
    source: str | None = None,
) -> tuple[list[dict[str, Any]], EditsCursor | None]:
    """The newest edits (versions after the first), newest first, and the cursor of the
    next page (None on the last). Minor edits (typo fixes) only with ``trivial``.

    Keyset paging on (fetched_at, id) walks ix_versions_fetched_at from where the last
    page ended, so page 1000 costs what page 1 does.
    """
    query = (
        select(
            Version.id,
            Version.number,
            Version.fetched_at,
            Version.title,
            Version.changed,
            Version.change_kind,
            Version.words_added,
            Version.words_removed,
            Article.url,
            Article.version_count,
            Source.name,
        )
        .join(Article, Article.id == Version.article_id)
        .join(Source, Source.id == Article.source_id)
        .where(Version.number > 1)
        .order_by(Version.fetched_at.desc(), Version.id.desc())
        .limit(limit + 1)
    )
    if not trivial:
        query = query.where(or_(Version.change_kind.is_(None), Version.change_kind != MINOR))
    if source is not None:
        query = query.where(Article.source_id == source_id(session, source))
    if after is not None:
        query = query.where(
            or_(
                Version.fetched_at < after.fetched_at,
                and_(Version.fetched_at == after.fetched_at, Version.id < after.version_id),
            )
        )
    rows = session.execute(query).all()
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = EditsCursor(rows[-1].fetched_at, rows[-1].id)
    edits = [
        {
            "url": row.url,
            "source": row.name,
            "title": row.title,
            "version": row.number,
            "versions": row.version_count,
            "fetched_at": iso(row.fetched_at),
            "changed": list(row.changed),
            "change_kind": row.change_kind,
            "words_added": row.words_added,
            "words_removed": row.words_removed,
        }
        for row in rows
    ]
    return edits, following


@dataclass(frozen=True)
class SearchResult:
    url: str
    source: str
    title: str | None
    version: int
    versions: int
    fetched_at: datetime
    snippet: str  # with storage.dialect.MATCH_START / MATCH_END around matches


# Longer than any real search; a query this size is pasted text, and FTS5 would parse it all.
MAX_QUERY_CHARS = 2000


def check_query(query: str) -> None:
    """BadQuery for a query no full-text engine could mean: with NUL bytes, or too long."""
    if "\0" in query:
        raise BadQuery(
            f"the search query {shown_query(query)} contains a NUL character (\\0); remove it"
        )
    if len(query) > MAX_QUERY_CHARS:
        raise BadQuery(
            f"the search query is {len(query)} characters long, more than {MAX_QUERY_CHARS};"
            " search for a few words or a phrase"
        )


# FTS5's errors for mistakes a reader makes, said in the reader's terms.
_FTS5_COLUMN = re.compile(r"no such column: ([^;\s]+)")
_FTS5_STAR = "unknown special query"


def _explain(query: str, error: BadQuery) -> BadQuery:
    message = str(error)
    if column := _FTS5_COLUMN.search(message):
        return BadQuery(
            f"cannot search for {shown_query(query)}: there is no field {column[1]!r} (a word"
            " before ':' or after '-' names a field); the fields are title and text, as in"
            " title:ferry; to search for the text itself, put it in double quotes"
        )
    if _FTS5_STAR in message:
        return BadQuery(
            f"cannot search for {shown_query(query)}: '*' ends a prefix and needs letters"
            " before it, as in ferr*"
        )
    return error


def search(
    session: Session, query: str, *, source: str | None = None, limit: int = 50
) -> list[SearchResult]:
    check_query(query)
    wanted_source = source_id(session, source) if source is not None else None
    try:
        hits = search_versions(session, query, limit=limit, source_id=wanted_source)
    except BadQuery as exc:
        raise _explain(query, exc) from exc
    if not hits:
        return []
    # Only the columns shown: a whole Version row carries its text and raw HTML.
    rows = {
        row.id: row
        for row in session.execute(
            select(
                Version.id,
                Version.title,
                Version.number,
                Version.fetched_at,
                Article.url,
                Article.version_count,
                Source.name,
            )
            .join(Article, Article.id == Version.article_id)
            .join(Source, Source.id == Article.source_id)
            .where(Version.id.in_([hit.version_id for hit in hits]))
        )
    }
    results = []
    for hit in hits:
        row = rows[hit.version_id]
        results.append(
            SearchResult(
                url=row.url,
                source=row.name,
                title=row.title,
                version=row.number,
                versions=row.version_count,
                fetched_at=row.fetched_at,
                snippet=hit.snippet,
            )
        )
    return results


def search_rows(results: Sequence[SearchResult]) -> list[dict[str, Any]]:
    """`search --json`: the snippets as plain text, without the match markers."""
    return [
        {
            "url": r.url,
            "source": r.source,
            "title": r.title,
            "version": r.version,
            "versions": r.versions,
            "fetched_at": iso(r.fetched_at),
            "snippet": r.snippet.replace(MATCH_START, "").replace(MATCH_END, ""),
        }
        for r in results
    ]


def status_document(session: Session) -> dict[str, Any]:
    """`status --json`: per source counts and last activity, the last crawls, recent errors,
    and the webhook deliveries."""
    # Two grouped queries for every source at once: the articles (one pass over them), and
    # the fetch errors found through ix_fetches_outcome (a few rows, not every fetch). The
    # outer join keeps fetches the outer loop: with an inner join SQLite's planner walks
    # every article of the source and probes its fetches (every fetch has its article).
    by_status: dict[int, dict[str, int]] = {}
    totals: dict[int, tuple[int, datetime | None]] = {}
    for source_key, status, count, versions, last_fetch in session.execute(
        select(
            Article.source_id,
            Article.status,
            func.count(),
            func.coalesce(func.sum(Article.version_count), 0),
            func.max(Article.last_checked),
        ).group_by(Article.source_id, Article.status)
    ):
        by_status.setdefault(source_key, {})[status] = count
        before, latest = totals.get(source_key, (0, None))
        newest = max((t for t in (latest, last_fetch) if t is not None), default=None)
        totals[source_key] = (before + int(versions), newest)
    errors = dict(
        session.execute(
            select(Article.source_id, func.count())
            .select_from(Fetch)
            .join(Article, Article.id == Fetch.article_id, isouter=True)
            .where(Fetch.outcome == "error")
            .group_by(Article.source_id)
        ).all()
    )
    all_sources = list(session.scalars(select(Source).order_by(Source.name)))
    soft, recent_soft = _soft_failures(session, all_sources)
    sources = []
    for source in all_sources:
        counts = by_status.get(source.id, {})
        versions, last_fetch = totals.get(source.id, (0, None))
        failures = soft.get(source.id, {})
        latest_soft = next((f for f in recent_soft if f["source"] == source.name), None)
        sources.append(
            {
                "name": source.name,
                "articles": sum(counts.values()),
                "live": counts.get("live", 0),
                "gone": counts.get("gone", 0),
                "error": counts.get("error", 0),
                "versions": versions,
                "last_fetch": iso(last_fetch),
                "fetch_errors": errors.get(source.id, 0),
                # Added: fetches in the source's last crawls that were not the article (a
                # wall: consent, bot check, soft 404...) or not all of it (a paywall
                # teaser, a cut body), and the latest of them.
                "blocked": failures.get("blocked", 0),
                "truncated": failures.get("truncated", 0),
                "last_blocked": latest_soft,
            }
        )
    runs = session.scalars(select(CrawlRun).order_by(CrawlRun.started_at.desc()).limit(5))
    recent_errors = session.execute(
        select(Fetch.fetched_at, Fetch.url, Fetch.http_status, Fetch.error)
        .where(Fetch.outcome == "error")
        .order_by(Fetch.fetched_at.desc())
        .limit(10)
    )
    return {
        "sources": sources,
        "articles": sum(s["articles"] for s in sources),
        "versions": sum(s["versions"] for s in sources),
        "crawls": [
            {
                "started_at": iso(run.started_at),
                "finished_at": iso(run.finished_at),
                "sources": list(run.sources),
                "status": run.status,
                "counts": dict(run.counts),
                "error": run.error,
                "kind": run.kind,  # "discover" or "recheck" for the daemon's, else None
                "holder": run.holder,  # the daemon that ran it
            }
            for run in runs
        ],
        # The daemons alive, the crawls running now, the latest crawls that went wrong.
        **daemon_status(session, datetime.now(UTC)),
        "recent_errors": [
            {"fetched_at": iso(when), "url": url, "http_status": code, "error": error}
            for when, url, code, error in recent_errors
        ],
        # Added: the latest blocked and truncated fetches of the sources' last crawls.
        "recent_blocked": recent_soft,
        # The webhook outbox: how many POSTs wait, went out, or were given up on.
        "webhooks": {
            **alerts.delivery_counts(session),
            "latest_failed": alerts.failed_deliveries(session),
        },
    }


# `status` counts each source's blocked and truncated fetches over its last this many
# crawls: enough to see that a site started blocking, recent enough to see it stopped.
RECENT_CRAWLS = 3
_RECENT_RUNS_READ = 200
_RECENT_SOFT_SHOWN = 10


def _soft_failures(
    session: Session, sources: Sequence[Source]
) -> tuple[dict[int, dict[str, int]], list[dict[str, Any]]]:
    """Per source id, its blocked and truncated fetches since the start of its
    :data:`RECENT_CRAWLS`-th latest crawl (all of them for a source never crawled by a
    recorded run), and the latest of those fetches."""
    starts: dict[str, list[datetime]] = {}
    for started_at, names in session.execute(
        select(CrawlRun.started_at, CrawlRun.sources)
        .order_by(CrawlRun.started_at.desc())
        .limit(_RECENT_RUNS_READ)
    ):
        for name in names or []:
            runs = starts.setdefault(str(name), [])
            if len(runs) < RECENT_CRAWLS:
                runs.append(started_at)
    windows = [
        (Article.source_id == source.id) & (Fetch.fetched_at >= starts[source.name][-1])
        if source.name in starts
        else Article.source_id == source.id
        for source in sources
    ]
    if not windows:
        return {}, []
    recent = Fetch.outcome.in_(SOFT_FAILURES) & or_(*windows)
    counts: dict[int, dict[str, int]] = {}
    for source_key, outcome, count in session.execute(
        select(Article.source_id, Fetch.outcome, func.count())
        .select_from(Fetch)
        .join(Article, Article.id == Fetch.article_id)
        .where(recent)
        .group_by(Article.source_id, Fetch.outcome)
    ):
        counts.setdefault(source_key, {})[outcome] = count
    names = {source.id: source.name for source in sources}
    latest = [
        {
            "fetched_at": iso(when),
            "source": names.get(source_key),
            "url": url,
            "outcome": outcome,
            "reason": reason,
        }
        for when, source_key, url, outcome, reason in session.execute(
            select(Fetch.fetched_at, Article.source_id, Fetch.url, Fetch.outcome, Fetch.error)
            .join(Article, Article.id == Fetch.article_id)
            .where(recent)
            .order_by(Fetch.fetched_at.desc(), Fetch.id.desc())
            .limit(_RECENT_SOFT_SHOWN)
        )
    ]
    return counts, latest


def iter_versions(
    session: Session, *, sources: Sequence[str] = (), batch: int = 500
) -> Iterator[tuple[Version, Article, str]]:
    """Every version with its article and source name, by article then number, streamed."""
    query = (
        select(Version, Article, Source.name)
        .join(Article, Article.id == Version.article_id)
        .join(Source, Source.id == Article.source_id)
        .order_by(Article.id, Version.number)
        .execution_options(yield_per=batch)
    )
    if sources:
        query = query.where(Source.name.in_(sources))
    for row in session.execute(query):
        yield row[0], row[1], row[2]
