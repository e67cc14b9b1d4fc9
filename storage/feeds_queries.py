"""Reading the archive for the Atom feeds and the watch pages: the texts an edit compares,
and the versions that matched a watch (the ``watch_matches`` rows the crawl writes)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, Source, Version, WatchMatch
from storage.queries import iso


@dataclass(frozen=True)
class Texts:
    """The title and text of one version, as the word diff compares them."""

    title: str | None
    text: str


def version_texts(
    session: Session, wanted: Collection[tuple[str, int]]
) -> dict[tuple[str, int], Texts]:
    """The title and text of each (article URL, version number) in ``wanted`` that exists:
    one query for a whole feed's edits and the versions before them."""
    if not wanted:
        return {}
    # The articles by URL, then their versions by number, both through an index; the few
    # pairs not asked for are dropped here. (A row-value IN on (url, number) makes
    # SQLite's planner scan every article.)
    rows = session.execute(
        select(Article.url, Version.number, Version.title, Version.text)
        .join(Article, Article.id == Version.article_id)
        .where(
            Article.url.in_(sorted({url for url, _ in wanted})),
            Version.number.in_(sorted({number for _, number in wanted})),
        )
    )
    return {
        (row.url, row.number): Texts(row.title, row.text)
        for row in rows
        if (row.url, row.number) in wanted
    }


def watch_match_rows(
    session: Session, watch: str, *, limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    """The matches of the watch named ``watch``, newest first: each with its article, the
    version that matched, whether it was a new article or an edit, and the snippet.

    The page's matches are picked from ix_watch_matches_watch_matched_at alone before any
    join, so that a deep page skips index entries, not joined rows."""
    picked = (
        select(WatchMatch.id)
        .where(WatchMatch.watch == watch)
        .order_by(WatchMatch.matched_at.desc(), WatchMatch.id.desc())
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    query = (
        select(
            WatchMatch.kind,
            WatchMatch.snippet,
            WatchMatch.matched_at,
            Version.number,
            Version.title,
            Version.fetched_at,
            Article.url,
            Article.version_count,
            Source.name,
        )
        .join(picked, picked.c.id == WatchMatch.id)
        .join(Version, Version.id == WatchMatch.version_id)
        .join(Article, Article.id == WatchMatch.article_id)
        .join(Source, Source.id == Article.source_id)
        .order_by(WatchMatch.matched_at.desc(), WatchMatch.id.desc())
    )
    return [
        {
            "url": row.url,
            "source": row.name,
            "title": row.title,
            "version": row.number,
            "versions": row.version_count,
            "kind": row.kind,
            "snippet": row.snippet,
            "matched_at": iso(row.matched_at),
            "fetched_at": iso(row.fetched_at),
        }
        for row in session.execute(query)
    ]


def watch_summaries(session: Session, watches: Sequence[str]) -> dict[str, dict[str, Any]]:
    """For each watch named: how many matches it has and when the latest was made."""
    summaries: dict[str, dict[str, Any]] = {
        name: {"matches": 0, "last_match": None} for name in watches
    }
    if not watches:
        return summaries
    rows = session.execute(
        select(WatchMatch.watch, func.count(), func.max(WatchMatch.matched_at))
        .where(WatchMatch.watch.in_(watches))
        .group_by(WatchMatch.watch)
    )
    for name, count, latest in rows:
        summaries[name] = {"matches": count, "last_match": iso(latest)}
    return summaries
