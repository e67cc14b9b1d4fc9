"""What a crawl should fetch, and the record of each crawl run.

Several crawl workers (processes, on one host or several) can share one archive. Each
fetches only the articles it has *claimed*: ``claim_articles`` marks a chunk of due,
unclaimed articles with the worker's name and an expiry in one statement per table (on
PostgreSQL the chunk is chosen ``FOR UPDATE SKIP LOCKED``, so workers claiming at once
take different rows without waiting; SQLite runs one writer at a time, so the same
statement is atomic there by itself). Storing a fetch clears its claim
(``release_claims``, called by ``storage.archive.store_pages``); a worker that dies
leaves claims that expire, and the articles are due again for whoever claims next.

Discovery does not fetch what it finds: ``add_discovered`` queues new URLs in
``pending_articles`` (``ON CONFLICT (url) DO NOTHING``: two workers finding one URL
queue it once), where they are claimed like due articles. Their first stored fetch moves
them to ``articles``, which so holds only articles that were fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from storage import dialect
from storage.leases import holder_gone
from storage.models import Article, ArticleAlias, CrawlRun, PendingArticle, Source

RECHECK_MODES = ("due", "all", "none")


@dataclass(frozen=True)
class Recheck:
    """An article to fetch: an archived one with the validators of its last answer, or a
    new one (``found_via`` other than "recheck") with what discovery said of it."""

    url: str
    etag: str | None
    last_modified: str | None
    found_via: str = "recheck"
    hints: dict[str, Any] | None = None


# URLs per IN (...) list: well under SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500
# The tables whose rows are claimed, in the order every worker locks them.
_CLAIMED = (PendingArticle, Article)


def known_urls(session: Session, source: str) -> set[str]:
    """Every article URL of ``source`` already in the archive, its aliases too (an old
    address that moved, a copy at another address): none of them is fetched as new."""
    of_source = select(Source.id).where(Source.name == source).scalar_subquery()
    urls = set(session.scalars(select(Article.url).where(Article.source_id == of_source)))
    urls.update(
        session.scalars(
            select(ArticleAlias.url)
            .join(Article, Article.id == ArticleAlias.article_id)
            .where(Article.source_id == of_source)
        )
    )
    return urls


def rechecks(session: Session, source: str, mode: str, now: datetime) -> list[Recheck]:
    """The articles of ``source`` to fetch again: due ones, all live and gone ones, or none."""
    if mode not in RECHECK_MODES:
        raise ValueError(f"recheck mode {mode!r} is not one of {', '.join(RECHECK_MODES)}")
    if mode == "none":
        return []
    query = (
        select(Article.url, Article.etag, Article.last_modified, Article.version_count)
        .join(Source, Source.id == Article.source_id)
        .where(Source.name == source)
        .order_by(Article.next_check)
    )
    if mode == "due":
        query = query.where(Article.next_check.is_not(None), Article.next_check <= now)
    else:
        query = query.where(_worth_rechecking())
    return [
        # Validators only when there is a version to compare a 304 with.
        Recheck(url, etag if count else None, modified if count else None)
        for url, etag, modified, count in session.execute(query)
    ]


def claim_articles(
    session: Session,
    source: str,
    mode: str,
    holder: str,
    *,
    now: datetime,
    until: datetime,
    since: datetime,
    limit: int,
) -> list[Recheck]:
    """Claim for ``holder``, until ``until``, up to ``limit`` articles of ``source`` to
    fetch, new ones first: unclaimed (or whose claim expired) and, for archived ones, not
    fetched since ``since`` (the start of the worker's pass: none is fetched twice in a
    pass) and due by ``mode``: "due" those whose next check has come, "all" every live or
    gone one, "none" none. Commit at once: a claim is seen by other workers once committed.
    """
    if mode not in RECHECK_MODES:
        raise ValueError(f"recheck mode {mode!r} is not one of {', '.join(RECHECK_MODES)}")
    source_id = select(Source.id).where(Source.name == source).scalar_subquery()
    new = _claim(
        session,
        select(PendingArticle.id)
        .where(PendingArticle.source_id == source_id, _unclaimed(PendingArticle, now))
        .order_by(PendingArticle.id),
        holder,
        until,
        limit,
        PendingArticle.url,
        PendingArticle.found_via,
        PendingArticle.hints,
    )
    claimed = [Recheck(r.url, None, None, r.found_via or "discovery", r.hints) for r in new]
    if mode == "none" or len(claimed) >= limit:
        return claimed
    wanted = select(Article.id).where(
        Article.source_id == source_id,
        _unclaimed(Article, now),
        or_(Article.last_checked.is_(None), Article.last_checked < since),
    )
    if mode == "due":
        wanted = wanted.where(Article.next_check.is_not(None), Article.next_check <= now)
    else:
        wanted = wanted.where(_worth_rechecking())
    due = _claim(
        session,
        wanted.order_by(Article.next_check, Article.id),
        holder,
        until,
        limit - len(claimed),
        Article.url,
        Article.etag,
        Article.last_modified,
        Article.version_count,
        Article.next_check,
    )
    due.sort(key=lambda r: (r.next_check or now, r.url))  # RETURNING keeps no order
    # Validators only when there is a version to compare a 304 with.
    return claimed + [
        Recheck(
            r.url, r.etag if r.version_count else None, r.last_modified if r.version_count else None
        )
        for r in due
    ]


def _worth_rechecking() -> Any:
    """What "recheck all" fetches: every article but those that never gave one (a page
    that is not HTML or holds no text); one whose page was blocked or cut short is tried
    again."""
    return or_(
        Article.status.in_(("live", "gone")),
        Article.version_count > 0,
        Article.failed_checks > 0,
    )


def _unclaimed(table: Any, now: datetime) -> Any:
    return or_(table.claimed_until.is_(None), table.claimed_until <= now)


def _claim(
    session: Session, wanted: Any, holder: str, until: datetime, limit: int, *returning: Any
) -> list[Any]:
    """Claim the first ``limit`` rows of ``wanted`` (a SELECT of ids) in one UPDATE."""
    table = returning[0].class_
    # SKIP LOCKED: rows another worker is claiming this moment are left to it, not waited
    # for (rendered on PostgreSQL only; SQLite has no row locks and ignores it).
    chosen = wanted.limit(limit).with_for_update(skip_locked=True)
    statement = (
        update(table)
        .where(table.id.in_(chosen))
        .values(claimed_by=holder, claimed_until=until)
        .returning(*returning)
    )
    return list(session.connection().execute(statement))


def extend_claims(session: Session, holder: str, *, until: datetime) -> int:
    """Extend every claim ``holder`` still has to ``until`` (a worker that is alive but
    slow keeps its articles); returns how many."""
    return sum(
        _rowcount(
            session.connection().execute(
                update(table).where(table.claimed_by == holder).values(claimed_until=until)
            )
        )
        for table in _CLAIMED
    )


def release_claims(session: Session, urls: Iterable[str]) -> None:
    """Clear the claims on the articles at ``urls``, fetched and being stored: an
    archived article's claim is cleared, a new one leaves ``pending_articles``.

    Run before a batch reads the articles it stores (``store_pages``), this also makes
    two workers storing one article take turns: on PostgreSQL its rows are locked, in one
    order for everyone (so two batches cannot deadlock), until the batch commits; on
    SQLite the first write takes the database's one write lock. Either way the batch then
    reads the article as the other worker committed it (a new one already added, the
    latest version already numbered) and numbers its own version next.
    """
    wanted = sorted(set(urls))
    connection = session.connection()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        # Each statement chooses its rows in a subquery that locks them in id order (a
        # plain WHERE url IN (...) would lock them in whatever order the scan meets them).
        pending = _locked_in_order(PendingArticle, chunk)
        connection.execute(delete(PendingArticle).where(PendingArticle.id.in_(pending)))
        connection.execute(
            update(Article)
            .where(Article.id.in_(_locked_in_order(Article, chunk)))
            .values(claimed_by=None, claimed_until=None)
        )


def _locked_in_order(table: Any, urls: list[str]) -> Any:
    return select(table.id).where(table.url.in_(urls)).order_by(table.id).with_for_update()


def release_claims_of(session: Session, holder: str) -> int:
    """Clear every claim ``holder`` still has (articles it will not fetch after all: a
    crawl stopped early, a worker that died), so that others need not wait for them to
    expire; returns how many."""
    return sum(
        _rowcount(
            session.connection().execute(
                update(table)
                .where(table.claimed_by == holder)
                .values(claimed_by=None, claimed_until=None)
            )
        )
        for table in _CLAIMED
    )


def forget_pending(session: Session, url: str) -> bool:
    """Take the new article at ``url`` off the queue unfetched (robots.txt forbids it)."""
    statement = delete(PendingArticle).where(PendingArticle.url == url)
    return _rowcount(session.connection().execute(statement)) == 1


def claim_holders(session: Session, source: str, *, now: datetime) -> set[str]:
    """The workers holding live claims on articles of ``source``."""
    holders: set[str] = set()
    for table in _CLAIMED:
        query = (
            select(table.claimed_by)
            .join(Source, Source.id == table.source_id)
            .where(Source.name == source, table.claimed_until > now)
            .distinct()
        )
        holders |= {holder for holder in session.scalars(query) if holder is not None}
    return holders


@dataclass(frozen=True)
class Found:
    """An article URL found by discovery, with the route and any title or date it came with."""

    url: str
    via: str
    hints: dict[str, Any] | None = None


def add_discovered(session: Session, source: str, found: Iterable[Found], now: datetime) -> int:
    """Queue newly found URLs of ``source`` for fetching, unclaimed; a URL already
    archived or queued (another worker may have added it a moment ago) is left as it is.
    Returns how many were queued."""
    rows = {item.url: item for item in found}
    if not rows:
        return 0
    source_id = ensure_source(session, source, now)
    added = 0
    urls = sorted(rows)  # one order for every worker: concurrent inserts cannot deadlock
    for start in range(0, len(urls), _CHUNK):
        chunk = urls[start : start + _CHUNK]
        archived = set(session.scalars(select(Article.url).where(Article.url.in_(chunk))))
        archived.update(
            session.scalars(select(ArticleAlias.url).where(ArticleAlias.url.in_(chunk)))
        )
        values = [
            {
                "source_id": source_id,
                "url": url,
                "found_via": rows[url].via,
                "hints": rows[url].hints or None,
                "found_at": now,
            }
            for url in chunk
            if url not in archived
        ]
        if not values:
            continue
        insert = dialect.insert_ignoring_conflicts(session, PendingArticle).values(values)
        statement = insert.on_conflict_do_nothing(index_elements=[PendingArticle.url])
        added += len(session.connection().execute(statement.returning(PendingArticle.id)).all())
    return added


def ensure_source(session: Session, name: str, now: datetime) -> int:
    """The id of the source ``name``, adding it if it is new (once, however many add it)."""
    insert = dialect.insert_ignoring_conflicts(session, Source).values(name=name, created_at=now)
    session.connection().execute(insert.on_conflict_do_nothing(index_elements=[Source.name]))
    source_id = session.scalar(select(Source.id).where(Source.name == name))
    assert source_id is not None, name
    return source_id


def _rowcount(result: Any) -> int:
    assert isinstance(result, CursorResult), result
    return result.rowcount


def start_run(
    session: Session, sources: list[str], now: datetime, holder: str | None = None
) -> int:
    """A "running" row for a `mediawatch crawl`; ``holder`` (storage.leases.new_holder)
    names its process, so that a later crawl can tell if it died without finishing."""
    settle_dead_runs(session, now)
    run = CrawlRun(started_at=now, sources=sources, status="running", counts={}, holder=holder)
    session.add(run)
    session.flush()
    return run.id


def settle_dead_runs(session: Session, now: datetime) -> int:
    """Mark "crashed" the runs still "running" whose process, on this host, has ended
    (a crawl killed with SIGKILL cannot close its own row); returns how many."""
    settled = 0
    for run in session.scalars(
        select(CrawlRun).where(CrawlRun.status == "running", CrawlRun.holder.is_not(None))
    ):
        if run.holder is not None and holder_gone(run.holder):
            run.status = "crashed"
            run.finished_at = now
            run.error = f"the process that ran it ({run.holder}) ended before the crawl did"
            settled += 1
    return settled


def finish_run(
    session: Session,
    run_id: int,
    now: datetime,
    counts: dict[str, Any],
    status: str = "finished",
    error: str | None = None,
) -> None:
    run = session.get(CrawlRun, run_id)
    if run is None:
        return
    run.finished_at = now
    run.counts = counts
    run.status = status
    run.error = error
