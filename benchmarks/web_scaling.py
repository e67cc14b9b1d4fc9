"""Do the web UI's pages, API and feeds stay fast as the archive grows?

    python benchmarks/web_scaling.py [--quick]

Two synthetic SQLite archives are built, of 10,000 and 100,000 versions (1,000 and 10,000
with ``--quick``), by search_scaling's builder (the same corpus-made articles, one to
three versions each, indexed for search). Then what a crawl would have written besides
is added, so that every page has its real work: each edit's ``change_kind`` and word
counts (the words added and removed, counted as multisets; a change of at most three
words is "minor"), the fetch log (a "new" or "changed" fetch per version, two
"unchanged" rechecks per article, an error for one article in a hundred), a crawl run
per hundred articles, one watch (``election``) with a match for every first version
whose text has the word and every edit that added it, and a delivered webhook POST per
match. Everything grows with the archive, as it would.

Each archive is served in-process by ``web.app.create_app`` and asked through
``fastapi.testclient.TestClient`` (the whole ASGI stack: routing, the session, the
queries, Jinja2 or JSON or Atom), for every page: the recent edits, the articles (the
first page and one near the end: OFFSET pagination's worst), the sources, one
article's timeline, diff and version (the same article in both archives: the small
archive is the big one's beginning), a search, the watches, a watch's page (first and
near the end) and its feed, the edits feed, and the JSON articles, edits and status.
The edits feed diffs each of its 50 edits once and keeps the summaries in memory
(web.feeds.SummaryCache): it is timed warm (cache filled by the warm-up pass) and cold
(the cache emptied before each timing), as two rows.

Each page's time is its median over repetitions after one warm-up pass, the two
archives taking turns request by request so that load from elsewhere on the machine
falls on both alike. Figure ``web_growth``: the largest ratio of a page's median on the
big archive to its median on the small one. Figure ``web_slowest_ms``: the slowest
page's median on the big archive. The details list every page's two medians.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from common import exit_cleanly_on_sigterm, figure, require_corpus_or_exit
from search_scaling import SOURCE, build_archive, synthetic_rows
from sqlalchemy import Engine, bindparam, insert, select, update

from config import Watch
from storage.changes import MAJOR, MINOR, MINOR_MAX_WORDS
from storage.models import Article, CrawlRun, Fetch, Version, WatchMatch, WebhookDelivery
from storage.schema import head_revision
from tests.corpus import CorpusPage
from web import feeds
from web.app import create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

SIZES = (10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
REPETITIONS = 7
WATCH = Watch(name="elections", query="election")
_WATCH_WORD = re.compile(r"\belection\b", re.IGNORECASE)
SEARCH = "government"
WEBHOOK = "http://127.0.0.1:9/hook"
BATCH = 5_000
PER_PAGE = 50  # web.pages.PER_PAGE: what "a page near the end" is counted in
SNIPPET_CHARS = 200
UNAVAILABLE = "HTTP 503 Service Unavailable"


def word_changes(old: str, new: str) -> tuple[int, int]:
    """Words added and removed from ``old`` to ``new``, counted as multisets: what the
    word diff counts for the swaps and insertions the synthetic edits make."""
    before, after = Counter(old.split()), Counter(new.split())
    return sum((after - before).values()), sum((before - after).values())


def snippet(text: str) -> str:
    """The passage around the watch's word, as the crawl stores it."""
    found = _WATCH_WORD.search(text)
    start = max(0, (found.start() if found else 0) - SNIPPET_CHARS // 2)
    return " ".join(text[start : start + SNIPPET_CHARS].split())


def fetch_row(
    article_id: int,
    url: str,
    when: datetime,
    outcome: str,
    version_id: int | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """One row of the fetch log (every key given: one executemany takes them all)."""
    return {
        "article_id": article_id,
        "fetched_at": when,
        "url": url,
        "http_status": 503 if error else 200,
        "outcome": outcome,
        "duration_ms": 120,
        "error": error,
        "version_id": version_id,
    }


def enrich(engine: Engine, pages: Sequence[CorpusPage], count: int) -> dict[str, int]:
    """Add what a crawl writes beside the versions (see the module docstring); returns how
    many rows of each kind were added."""
    edits: list[dict[str, Any]] = []
    fetches: list[dict[str, Any]] = []
    matches: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    added = Counter[str]()

    with engine.begin() as connection:

        def flush() -> None:
            if edits:
                connection.execute(
                    update(Version)
                    .where(Version.id == bindparam("vid"))
                    .values(
                        change_kind=bindparam("kind"),
                        words_added=bindparam("plus"),
                        words_removed=bindparam("minus"),
                    ),
                    edits,
                )
            for table, rows in ((Fetch, fetches), (WatchMatch, matches), (CrawlRun, runs)):
                if rows:
                    connection.execute(insert(table), rows)
            if matches:
                connection.execute(
                    insert(WebhookDelivery),
                    [
                        {
                            "url": WEBHOOK,
                            "version_id": m["version_id"],
                            "payload": {"watch": WATCH.name, "snippet": m["snippet"]},
                            "created_at": m["matched_at"],
                            "status": "delivered",
                            "attempts": 1,
                            "delivered_at": m["matched_at"] + timedelta(seconds=2),
                            "last_status": 200,
                        }
                        for m in matches
                    ],
                )
            added.update(edits=len(edits), fetches=len(fetches), matches=len(matches))
            added.update(crawl_runs=len(runs))
            for rows in (edits, fetches, matches, runs):
                rows.clear()

        for article, rows in synthetic_rows(pages, count):
            url, article_id = article["url"], article["id"]
            previous = ""
            for row in rows:
                document = f"{row['title']}\n{row['text']}"
                first = row["number"] == 1
                outcome = "new" if first else "changed"
                fetches.append(fetch_row(article_id, url, row["fetched_at"], outcome, row["id"]))
                if not first:
                    plus, minus = word_changes(previous, document)
                    kind = MINOR if max(plus, minus) <= MINOR_MAX_WORDS else MAJOR
                    edits.append({"vid": row["id"], "kind": kind, "plus": plus, "minus": minus})
                    new_words = set(document.split()) - set(previous.split())
                    matched = any(_WATCH_WORD.fullmatch(word.strip(".,;:")) for word in new_words)
                else:
                    matched = bool(_WATCH_WORD.search(document))
                if matched:
                    matches.append(
                        {
                            "watch": WATCH.name,
                            "article_id": article_id,
                            "version_id": row["id"],
                            "kind": "new" if first else "edit",
                            "snippet": snippet(row["text"]),
                            "matched_at": row["fetched_at"],
                        }
                    )
                previous = document
            last = rows[-1]["fetched_at"]
            for recheck in (1, 2):
                later = last + timedelta(hours=6 * recheck)
                fetches.append(fetch_row(article_id, url, later, "unchanged"))
            if article_id % 100 == 0:
                later = last + timedelta(hours=18)
                fetches.append(fetch_row(article_id, url, later, "error", error=UNAVAILABLE))
                runs.append(
                    {
                        "started_at": article["first_seen"],
                        "finished_at": article["first_seen"] + timedelta(minutes=3),
                        "sources": [SOURCE],
                        "status": "finished",
                        "counts": {"new_articles": 100},
                    }
                )
            if len(fetches) >= BATCH:
                flush()
        flush()
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return dict(added)


@dataclass
class Archive:
    """One archive ready to be served, with what its pages are asked about."""

    size: int
    engine: Engine
    articles: int
    matches: int
    sample_url: str  # an article with three versions, the same in both archives
    build_seconds: float


def build(url: str, pages: Sequence[CorpusPage], size: int) -> Archive:
    started = time.perf_counter()
    engine, _ = build_archive(url, pages, size)
    added = enrich(engine, pages, size)
    with engine.connect() as connection:
        articles = len(connection.execute(select(Article.id)).all())
        sample = connection.scalar(
            select(Article.url).where(Article.version_count == 3).order_by(Article.id).limit(1)
        )
    assert sample is not None, "the synthetic archive has no article with three versions"
    seconds = time.perf_counter() - started
    print(
        f"# {size:,} versions, {articles:,} articles, {added} built in {seconds:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    return Archive(size, engine, articles, added.get("matches", 0), sample, seconds)


def requests(archive: Archive) -> dict[str, str]:
    """Every page to time, by a name that is the same for both archives, with the path to
    ask for on this one."""
    url = quote(archive.sample_url, safe="")
    deep_articles = max(1, archive.articles // PER_PAGE)
    deep_watch = max(1, archive.matches // PER_PAGE)
    return {
        "/ (recent edits)": "/",
        "/articles": "/articles",
        "/articles?page=(last)": f"/articles?page={deep_articles}",
        "/sources": "/sources",
        "/article": f"/article?url={url}",
        "/diff": f"/diff?url={url}",
        "/version": f"/version?url={url}&v=2",
        "/search": f"/search?q={SEARCH}",
        "/watches": "/watches",
        "/watch/NAME": f"/watch/{WATCH.name}",
        "/watch/NAME?page=(last)": f"/watch/{WATCH.name}?page={deep_watch}",
        "/feeds/edits.atom (warm)": "/feeds/edits.atom",
        "/feeds/edits.atom (cold)": "/feeds/edits.atom",
        "/feeds/watch/NAME.atom": f"/feeds/watch/{WATCH.name}.atom",
        "/api/articles": "/api/articles",
        "/api/edits": "/api/edits",
        "/api/status": "/api/status",
    }


def page_times(archives: Sequence[Archive], repetitions: int) -> list[dict[str, float]]:
    """Per archive, each page's median seconds; the archives take turns request by
    request, and the first pass only warms the caches (and the feed's summaries)."""
    apps = [create_app(archive.engine, watches=[WATCH]) for archive in archives]
    clients = [TestClient(app) for app in apps]
    paths = [requests(archive) for archive in archives]
    names = list(paths[0])
    samples: list[dict[str, list[float]]] = [{name: [] for name in names} for _ in archives]
    for repetition in range(repetitions + 1):
        for name in names:
            for index, client in enumerate(clients):
                if name.endswith("(cold)"):
                    apps[index].state.edit_summaries = feeds.SummaryCache()
                started = time.perf_counter()
                response = client.get(paths[index][name])
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(
                        f"{paths[index][name]} answered {response.status_code}: "
                        f"{response.text[:500]}"
                    )
                if repetition:
                    samples[index][name].append(elapsed)
    for client in clients:
        client.close()
    return [{name: statistics.median(times) for name, times in s.items()} for s in samples]


def measure(pages: list[CorpusPage], quick: bool) -> list[dict[str, Any]]:
    sizes = QUICK_SIZES if quick else SIZES
    with tempfile.TemporaryDirectory() as folder:
        archives = [
            build(f"sqlite:///{Path(folder) / f'{size}.db'}", pages, size) for size in sizes
        ]
        try:
            small, big = page_times(archives, REPETITIONS)
        finally:
            for archive in archives:
                archive.engine.dispose()
    ratios = {name: big[name] / small[name] for name in small}
    worst = max(ratios, key=ratios.__getitem__)
    slowest = max(big, key=big.__getitem__)
    low, high = archives
    per_page = "; ".join(
        f"{name} {small[name] * 1000:.1f}->{big[name] * 1000:.1f} ms" for name in small
    )
    about = (
        f"{'quick: ' if quick else ''}SQLite, schema revision {head_revision()}; median of "
        f"{REPETITIONS} requests per page through fastapi TestClient (in-process, the two "
        f"archives in turn, after a warm-up pass); {low.size:,} versions ({low.articles:,} "
        f"articles, {low.matches:,} watch matches) vs {high.size:,} ({high.articles:,} "
        f"articles, {high.matches:,} matches); archives built in "
        f"{low.build_seconds:.0f} s and {high.build_seconds:.0f} s; "
        "feed (cold) = SummaryCache emptied before each timing"
    )
    return [
        figure(
            "web_growth",
            ratios[worst],
            "<= 2.0",
            "ratio",
            f"worst page {worst} ({ratios[worst]:.2f}x); {about}; per page: {per_page}",
        ),
        figure(
            "web_slowest_ms",
            big[slowest] * 1000,
            "<= 250",
            "ms",
            f"slowest page on {high.size:,} versions: {slowest}; {about}; per page: {per_page}",
        ),
    ]


def main() -> None:
    exit_cleanly_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1,000 vs 10,000 versions")
    measure(require_corpus_or_exit(), parser.parse_args().quick)


if __name__ == "__main__":
    main()
