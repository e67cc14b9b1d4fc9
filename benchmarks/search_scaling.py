"""Does full-text search stay fast as the archive grows?

    python benchmarks/search_scaling.py [--quick]

Two synthetic archives per backend are built, of 10,000 and 100,000 versions (1,000 and
10,000 with ``--quick``), in one transaction each through SQLAlchemy core and
``storage.dialect.index_versions``, the function ``store_page`` indexes every new version
with. The versions are made from the corpus ground-truth texts: each article mixes
paragraphs of two corpus articles, has some words swapped for words of a third, and
has one to three versions, each an edit of the one before (a word changed, a paragraph
added), so that documents and their words differ as in a real archive, and every word
is as frequent in the big archive as in the small one. Versions hold no raw HTML (it
would make the big archive gigabytes; search never reads it).

Figure ``search_growth``: the median time of :func:`storage.queries.search` (what
``mediawatch search`` runs) over a fixed set of 20 queries (common words, rare words,
two-word phrases, names, AND / OR) on the big archive, divided by the same on the
small one. Each query's time is its median over repetitions, in-process, after one
warm-up pass, the two archives taking turns query by query so that load from elsewhere
on the machine falls on both alike. The detail also gives one real
``mediawatch search --json`` process per archive, start-up included.

Figure ``search_growth_postgresql``: the same, on PostgreSQL: the same synthetic
versions, inserted the same way (SQLAlchemy core in batches; the database indexes them
itself) into two fresh databases on the benchmark server (postgresql+psycopg://postgres@
127.0.0.1:5432/test, or the MEDIAWATCH_BENCH_POSTGRES_URL variable), migrated by
``storage.schema.upgrade`` (what `mediawatch init` runs), vacuumed and analysed as
autovacuum would soon do, and dropped afterwards. Skipped when no server is reachable.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from common import (
    REPO,
    exit_cleanly_on_sigterm,
    figure,
    fresh_postgres_database,
    postgres_unreachable,
    require_corpus_or_exit,
    skipped,
)
from sqlalchemy import Engine, insert

from storage.changes import ArticleContent, fingerprint
from storage.db import make_engine, make_sessionmaker
from storage.dialect import index_versions
from storage.models import Article, Source, Version
from storage.queries import search
from storage.schema import head_revision, upgrade
from tests.corpus import CorpusPage

SIZES = (10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
REPETITIONS = 5
SEED = 20261130
T0 = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
SOURCE = "synthetic"
BATCH = 5_000  # versions per executemany: bounded memory for the big archive

QUERIES = (
    # common words
    "government",
    "people",
    "president",
    "city",
    "million",
    # rare words (in two or three corpus articles)
    "shortlist",
    "autobahn",
    "mansion",
    "westminster",
    "aerodynamic",
    # two-word phrases
    '"prime minister"',
    '"last year"',
    '"united states"',
    '"new york"',
    '"social media"',
    # names
    "Trump",
    "Putin",
    "Merkel",
    # boolean
    "Iran AND Russia",
    "climate OR election",
)
CLI_QUERY = "government"


def paragraphs_of(pages: Sequence[CorpusPage]) -> list[list[str]]:
    """Each page's paragraphs (ground-truth lines), pages without text left out."""
    found = [[line for line in page.text.splitlines() if line.strip()] for page in pages]
    return [paragraphs for paragraphs in found if paragraphs]


def titles_of(pages: Sequence[CorpusPage], paragraphs: list[list[str]]) -> list[str]:
    titles = [page.title for page in pages if page.title]
    return titles or [" ".join(p[0].split()[:10]) for p in paragraphs]


def swap_words(paragraph: str, donor: str, rng: random.Random, share: float) -> str:
    """``paragraph`` with about ``share`` of its words replaced by words of ``donor``."""
    words, donor_words = paragraph.split(), donor.split()
    for i in range(len(words)):
        if rng.random() < share:
            words[i] = rng.choice(donor_words)
    return " ".join(words)


def article_versions(
    paragraphs: list[list[str]], titles: list[str], rng: random.Random
) -> list[tuple[str, str]]:
    """One synthetic article: its versions as (title, text), oldest first."""
    base, other, donor = (rng.choice(paragraphs) for _ in range(3))
    start = rng.randrange(len(base))
    body = base[start : start + rng.randint(4, 10)]
    for paragraph in rng.sample(other, min(3, len(other))):
        body.insert(rng.randint(0, len(body)), paragraph)
    donor_text = " ".join(donor)
    body = [swap_words(p, donor_text, rng, 0.03) for p in body]
    title = rng.choice(titles)
    versions = [(title, "\n".join(body))]
    for _ in range(rng.choice((0, 1, 2))):  # one to three versions
        if rng.random() < 0.5:
            at = rng.randrange(len(body))
            body[at] = swap_words(body[at], donor_text, rng, 0.1)
        else:
            body.insert(rng.randint(0, len(body)), rng.choice(rng.choice(paragraphs)))
        versions.append((title, "\n".join(body)))
    return versions


def synthetic_rows(
    pages: Sequence[CorpusPage], count: int
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Exactly ``count`` versions, as (article row, its version rows), with ids set."""
    rng = random.Random(SEED)
    paragraphs = paragraphs_of(pages)
    titles = titles_of(pages, paragraphs)
    made = 0
    article_id = 0
    while made < count:
        article_id += 1
        versions = article_versions(paragraphs, titles, rng)[: count - made]
        first_seen = T0 + timedelta(minutes=article_id)
        rows = []
        for number, (title, body) in enumerate(versions, start=1):
            made += 1
            fetched_at = first_seen + timedelta(hours=number - 1)
            rows.append(
                {
                    "id": made,
                    "article_id": article_id,
                    "number": number,
                    "fetched_at": fetched_at,
                    "title": title,
                    "authors": [],
                    "language": None,
                    "text": body,
                    "meta": {},
                    "content_hash": fingerprint(ArticleContent.of(title, [], None, body)),
                    "changed": ["text"] if number > 1 else [],
                    "words_added": 0,
                    "words_removed": 0,
                    "raw_html": None,
                    "raw_html_size": 0,
                }
            )
        article = {
            "id": article_id,
            "source_id": 1,
            "url": f"https://synthetic.example/{article_id // 1000}/article-{article_id}.html",
            "status": "live",
            "first_seen": first_seen,
            "last_checked": rows[-1]["fetched_at"],
            "last_changed": rows[-1]["fetched_at"],
            "version_count": len(rows),
        }
        yield article, rows


def build_archive(
    database_url: str, pages: Sequence[CorpusPage], count: int
) -> tuple[Engine, float]:
    """A migrated archive (SQLite or PostgreSQL) holding ``count`` synthetic versions, all
    indexed for search; and the seconds it took."""
    started = time.perf_counter()
    engine = make_engine(database_url)
    upgrade(engine)
    articles: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    with make_sessionmaker(engine).begin() as session:
        session.execute(insert(Source), [{"id": 1, "name": SOURCE, "created_at": T0}])

        def flush() -> None:
            session.execute(insert(Article), articles)
            session.execute(insert(Version), versions)
            # SQLite: into the FTS5 table; PostgreSQL keeps its index itself (a no-op).
            index_versions(session, ((v["id"], v["title"], v["text"]) for v in versions))
            articles.clear()
            versions.clear()

        for article, rows in synthetic_rows(pages, count):
            articles.append(article)
            versions.extend(rows)
            if len(versions) >= BATCH:
                flush()
        if versions:
            flush()
    settle(engine)
    return engine, time.perf_counter() - started


def settle(engine: Engine) -> None:
    """Leave the archive as a long-running one would be after a bulk write: SQLite's WAL
    checkpointed; PostgreSQL vacuumed and analysed, as autovacuum would soon do (it empties
    the GIN index's pending list and gives the planner statistics)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def query_times(
    engines: Sequence[Engine], queries: Sequence[str], repetitions: int
) -> list[dict[str, float]]:
    """Per archive, each query's median seconds in :func:`storage.queries.search`.

    The archives take turns query by query, so that load from elsewhere on the machine
    falls on both alike; the first pass only warms the caches.
    """
    sessions = [make_sessionmaker(engine) for engine in engines]
    samples: list[dict[str, list[float]]] = [{query: [] for query in queries} for _ in engines]
    for repetition in range(repetitions + 1):
        for query in queries:
            for archive, make_session in enumerate(sessions):
                with make_session() as session:
                    started = time.perf_counter()
                    search(session, query)
                    elapsed = time.perf_counter() - started
                if repetition:
                    samples[archive][query].append(elapsed)
    return [{query: statistics.median(times) for query, times in s.items()} for s in samples]


def hit_counts(engine: Engine, queries: Sequence[str]) -> dict[str, int] | None:
    """How many versions each query matches (what the search has to rank); SQLite only
    (PostgreSQL holds the same versions: its counts are the same)."""
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as connection:
        return {
            query: int(
                connection.exec_driver_sql(
                    "SELECT count(*) FROM versions_fts WHERE versions_fts MATCH ?", (query,)
                ).scalar_one()
            )
            for query in queries
        }


def cli_search_seconds(folder: Path, database_url: str, query: str) -> tuple[float, int]:
    """Wall time of one real `mediawatch search --json` process, and its number of results."""
    config = folder / "sources.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "database_url": database_url,
                "sources": [{"name": SOURCE, "sitemaps": ["http://127.0.0.1:9/sitemap.xml"]}],
            }
        )
    )
    command = [sys.executable, "-m", "cli", "--config", str(config), "search", "--json", query]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"mediawatch search failed: {done.stderr[-2000:]}")
    return elapsed, len(json.loads(done.stdout))


@dataclass
class Growth:
    """What was measured on one backend: per archive size, each query's median seconds,
    its hits (SQLite only), one CLI search and the build time."""

    sizes: tuple[int, int]
    times: dict[int, dict[str, float]]
    hits: dict[int, dict[str, int] | None]
    cli: dict[int, tuple[float, int]]
    build_seconds: dict[int, float]

    def median_ms(self, size: int) -> float:
        return statistics.median(self.times[size].values()) * 1000

    @property
    def ratio(self) -> float:
        small, big = self.sizes
        return self.median_ms(big) / self.median_ms(small)


def growth(
    pages: Sequence[CorpusPage], sizes: tuple[int, int], urls: dict[int, str], root: Path
) -> Growth:
    """Build an archive of each size at its URL, then time the queries on them in turn."""
    engines: dict[int, Engine] = {}
    build_seconds: dict[int, float] = {}
    folders = {size: root / str(size) for size in sizes}
    try:
        for size in sizes:
            folders[size].mkdir(parents=True, exist_ok=True)
            engines[size], build_seconds[size] = build_archive(urls[size], pages, size)
            print(
                f"# {engines[size].dialect.name}: {size:,} versions built in "
                f"{build_seconds[size]:.0f} s",
                file=sys.stderr,
                flush=True,
            )
        per_archive = query_times([engines[size] for size in sizes], QUERIES, REPETITIONS)
        times = dict(zip(sizes, per_archive, strict=True))
        hits = {size: hit_counts(engine, QUERIES) for size, engine in engines.items()}
    finally:
        for engine in engines.values():
            engine.dispose()
    cli = {size: cli_search_seconds(folders[size], urls[size], CLI_QUERY) for size in sizes}
    return Growth(sizes, times, hits, cli, build_seconds)


def growth_detail(result: Growth, quick: bool, backend: str) -> str:
    small, big = result.sizes
    times, hits, cli = result.times, result.hits, result.cli

    def counted(query: str) -> str:
        small_hits, big_hits = hits[small], hits[big]
        if small_hits is None or big_hits is None:
            return ""
        return f" ({small_hits[query]}->{big_hits[query]} hits)"

    slowest = max(QUERIES, key=lambda q: times[big][q])
    per_query = "; ".join(
        f"{q} {times[small][q] * 1000:.1f}->{times[big][q] * 1000:.1f} ms{counted(q)}"
        for q in QUERIES
    )
    return (
        f"{'quick: ' if quick else ''}{backend}; median of {len(QUERIES)} queries' median "
        f"times (of {REPETITIONS}, in-process storage.queries.search, limit 50, the two "
        f"archives in turn) over {big:,} versions {result.median_ms(big):.1f} ms vs "
        f"{small:,} versions {result.median_ms(small):.1f} ms; slowest on {big:,}: {slowest}; "
        f"one `mediawatch search --json {CLI_QUERY}` process: "
        + ", ".join(
            f"{size:,} versions {cli[size][0]:.2f} s ({cli[size][1]} results)"
            for size in result.sizes
        )
        + "; archives built in "
        + ", ".join(f"{result.build_seconds[size]:.0f} s" for size in result.sizes)
        + f" (text only, no raw HTML); per query: {per_query}"
    )


def schema_note() -> str:
    """Which migrations the archives were built with (the search index is theirs)."""
    return f"schema revision {head_revision()}"


def postgres_server(database_url: str) -> str:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return str(connection.exec_driver_sql("SHOW server_version").scalar_one())
    finally:
        engine.dispose()


def measure(pages: list[CorpusPage], quick: bool) -> list[dict[str, Any]]:
    sizes = QUICK_SIZES if quick else SIZES
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "sqlite"
        urls = {size: f"sqlite:///{root / str(size) / 'archive.db'}" for size in sizes}
        result = growth(pages, sizes, urls, root)
    rows.append(
        figure(
            "search_growth",
            result.ratio,
            "<= 2.0",
            "ratio",
            growth_detail(result, quick, f"SQLite {sqlite3.sqlite_version} FTS5, {schema_note()}"),
        )
    )
    unreachable = postgres_unreachable()
    if unreachable is not None:
        rows.append(skipped("search_growth_postgresql", unreachable))
        return rows
    with tempfile.TemporaryDirectory() as folder, ExitStack() as databases:
        urls = {
            size: databases.enter_context(fresh_postgres_database(f"search{size}"))
            for size in sizes
        }
        server = postgres_server(urls[sizes[0]])
        result = growth(pages, sizes, urls, Path(folder))
    rows.append(
        figure(
            "search_growth_postgresql",
            result.ratio,
            "<= 2.0",
            "ratio",
            growth_detail(
                result,
                quick,
                f"PostgreSQL {server}, a fresh database per archive, VACUUM ANALYZE after "
                f"the bulk insert, {schema_note()}; the same synthetic versions as "
                "search_growth's (hits there)",
            ),
        )
    )
    return rows


def main() -> None:
    exit_cleanly_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1,000 vs 10,000 versions")
    measure(require_corpus_or_exit(), parser.parse_args().quick)


if __name__ == "__main__":
    main()
