"""What the scheduler daemon reads from the archive and records in it.

The daemon never fetches anything itself. It asks the archive when a source's articles
are next due (``articles.next_check``, set by ``store_page`` after every fetch), opens a
``crawl_runs`` row for each crawl it starts, and settles that row when the child crawl
could not: a crash, a timeout, a kill. Run statuses:

    running      the crawl is under way
    finished     it ran to the end (some URLs may have failed; each is in the fetch log)
    failed       it ended early or could not start (the error says why)
    crashed      the crawl process died on its own (a signal, an unexpected exit)
    timeout      it ran past the daemon's --crawl-timeout and was stopped
    interrupted  the daemon was asked to stop while it ran
    abandoned    the daemon that ran it is gone and never settled it
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.leases import live_leases
from storage.models import OUTCOME_SUMMARY_KEYS, Article, CrawlRun, Fetch, Source

RUN_STATUSES = (
    "running",
    "finished",
    "failed",
    "crashed",
    "timeout",
    "interrupted",
    "abandoned",
)


@dataclass(frozen=True)
class RunRecord:
    id: int
    started_at: datetime
    status: str
    error: str | None
    counts: dict[str, Any]


def _of_source(source: str) -> Any:
    return Article.source_id.in_(select(Source.id).where(Source.name == source))


def earliest_due(session: Session, source: str) -> datetime | None:
    """When the first of ``source``'s articles is due for a recheck; None if none ever is."""
    return session.scalar(
        select(func.min(Article.next_check)).where(
            _of_source(source), Article.next_check.is_not(None)
        )
    )


def due_count(session: Session, source: str, now: datetime) -> int:
    """How many of ``source``'s articles are due for a recheck at ``now``."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Article)
            .where(_of_source(source), Article.next_check.is_not(None), Article.next_check <= now)
        )
        or 0
    )


def last_started(session: Session, source: str, kind: str) -> datetime | None:
    """When the daemon last started a ``kind`` crawl of ``source`` (any daemon, any outcome)."""
    # The daemon crawls one source per run; `sources` is a JSON list, compared here
    # rather than in SQL so that SQLite and PostgreSQL need no JSON operators.
    rows = session.execute(
        select(CrawlRun.started_at, CrawlRun.sources)
        .where(CrawlRun.kind == kind)
        .order_by(CrawlRun.started_at.desc())
        .limit(1000)
    )
    return next((started for started, sources in rows if list(sources) == [source]), None)


def open_run(session: Session, source: str, kind: str, holder: str, now: datetime) -> int:
    """A "running" row for a crawl the daemon is about to start; returns its id."""
    run = CrawlRun(
        started_at=now, sources=[source], status="running", counts={}, kind=kind, holder=holder
    )
    session.add(run)
    session.flush()
    return run.id


def run_record(session: Session, run_id: int) -> RunRecord | None:
    run = session.get(CrawlRun, run_id)
    if run is None:
        return None
    return RunRecord(run.id, run.started_at, run.status, run.error, dict(run.counts))


def settle_run(
    session: Session,
    run_id: int,
    *,
    now: datetime,
    status: str,
    error: str | None,
    counts: dict[str, Any] | None = None,
) -> None:
    """Record how a crawl ended when its own process could not (or said otherwise)."""
    if status not in RUN_STATUSES:
        raise ValueError(f"run status {status!r} is not one of {', '.join(RUN_STATUSES)}")
    run = session.get(CrawlRun, run_id)
    if run is None:
        return
    run.finished_at = run.finished_at or now
    run.status = status
    run.error = error
    if counts is not None and not run.counts:
        run.counts = counts


def fetch_counts(session: Session, source: str, since: datetime, until: datetime) -> dict[str, int]:
    """What the fetch log holds for ``source`` between two times, in crawl-summary keys.

    A crawl that died still stored every finished batch; this tells how much.
    """
    rows = session.execute(
        select(Fetch.outcome, func.count())
        .join(Article, Article.id == Fetch.article_id)
        .where(_of_source(source), Fetch.fetched_at >= since, Fetch.fetched_at <= until)
        .group_by(Fetch.outcome)
    )
    counts = dict.fromkeys(["fetched", *OUTCOME_SUMMARY_KEYS.values()], 0)
    for outcome, count in rows:
        counts[OUTCOME_SUMMARY_KEYS.get(outcome, "errors")] += count
        counts["fetched"] += count
    return counts


def abandon_orphans(session: Session, *, now: datetime, running: set[tuple[str, str]]) -> int:
    """Settle daemon runs still "running" whose crawl is not in ``running`` (pairs of
    (source, holder) that hold a live lease); returns how many were settled."""
    settled = 0
    for run in session.scalars(
        # Daemon runs only (they have a kind); a `mediawatch crawl` row is settled by
        # storage.work.settle_dead_runs when its own process is gone.
        select(CrawlRun).where(
            CrawlRun.status == "running", CrawlRun.holder.is_not(None), CrawlRun.kind.is_not(None)
        )
    ):
        if any((source, run.holder) in running for source in run.sources):
            continue
        run.status = "abandoned"
        run.finished_at = now
        run.error = f"the daemon that ran it ({run.holder}) stopped before the crawl ended"
        settled += 1
    return settled


def daemon_status(session: Session, now: datetime, problems: int = 10) -> dict[str, Any]:
    """For `mediawatch status`: the daemons alive, the crawls running now, and the latest
    crawls that did not end well."""
    held = live_leases(session, now=now)
    failed = session.scalars(
        select(CrawlRun)
        .where(CrawlRun.status.in_(("failed", "crashed", "timeout", "abandoned")))
        .order_by(CrawlRun.started_at.desc())
        .limit(problems)
    )
    return {
        "daemons": [
            {"holder": lease.holder, "since": lease.acquired_at.isoformat()}
            for lease in held
            if lease.name.startswith("daemon:")
        ],
        "crawling": [
            {
                "source": lease.name.removeprefix("crawl:"),
                "holder": lease.holder,
                "since": lease.acquired_at.isoformat(),
            }
            for lease in held
            if lease.name.startswith("crawl:")
        ],
        "crawl_problems": [
            {
                "started_at": run.started_at.isoformat(),
                "sources": list(run.sources),
                "kind": run.kind,
                "status": run.status,
                "error": run.error,
            }
            for run in failed
        ],
    }
