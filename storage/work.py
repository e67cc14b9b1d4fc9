"""What a crawl should fetch, and the record of each crawl run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.models import Article, CrawlRun, Source

RECHECK_MODES = ("due", "all", "none")


@dataclass(frozen=True)
class Recheck:
    """An archived article to fetch again, with the validators of its last answer."""

    url: str
    etag: str | None
    last_modified: str | None


def known_urls(session: Session, source: str) -> set[str]:
    """Every article URL of ``source`` already in the archive."""
    return set(
        session.scalars(
            select(Article.url)
            .join(Source, Source.id == Article.source_id)
            .where(Source.name == source)
        )
    )


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
        query = query.where(or_(Article.status.in_(("live", "gone")), Article.version_count > 0))
    return [
        # Validators only when there is a version to compare a 304 with.
        Recheck(url, etag if count else None, modified if count else None)
        for url, etag, modified, count in session.execute(query)
    ]


def start_run(session: Session, sources: list[str], now: datetime) -> int:
    run = CrawlRun(started_at=now, sources=sources, status="running", counts={})
    session.add(run)
    session.flush()
    return run.id


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
