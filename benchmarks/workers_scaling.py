"""Does a first crawl get faster with more `mediawatch crawl` workers on one PostgreSQL archive?

    python benchmarks/workers_scaling.py [--quick]

The corpus pages (all 439; the first 100 with ``--quick``) are served on loopback, listed by
one sitemap. Each measurement is a first crawl into a fresh archive, initialised by a real
`mediawatch init` process: on SQLite with one `mediawatch crawl` process, and on a fresh
PostgreSQL database (made on the benchmark server, dropped afterwards) with 1, 2 and 3
`mediawatch crawl` processes started together, which split the work through the archive
(one discovers, every one claims articles with FOR UPDATE SKIP LOCKED; storage/work.py).
The time is the wall time from the first start to the last exit, process start-up
included; the rate is the articles archived (the workers' ``new_articles`` summed) per
second. Full runs measure every configuration twice, in turn, and keep the faster.

Figures ``pg_workers_N_ratio`` (N = 1, 2, 3): the PostgreSQL rate with N workers divided by
the SQLite rate with one, measured in the same run. They are reported, with no target:
the issue asks only for the numbers. Each crawl process runs its own extraction pool of
``os.cpu_count()`` processes (crawler/pipelines.py, not configurable), so on a 2-core
machine 3 workers run 6 extraction processes: extraction is CPU-bound and the cores are
expected to be saturated by one worker already.

Every measurement checks that each corpus article was fetched and stored exactly once:
no article with two versions, no article with two fetches in the fetch log, no article
URL requested twice from the site, and the same articles archived as by SQLite. Any
duplicate makes the benchmark fail: its figures would be wrong.

Without a reachable PostgreSQL server (postgresql+psycopg://postgres@127.0.0.1:5432/test,
or the MEDIAWATCH_BENCH_POSTGRES_URL variable) the figures are reported as skipped.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import (
    REPO,
    exit_cleanly_on_sigterm,
    figure,
    fresh_postgres_database,
    postgres_unreachable,
    require_corpus_or_exit,
    serve_pages,
    skipped,
    source_config,
)
from sqlalchemy import func, select, text

from crawler.newssite import NewsSite
from storage.db import make_engine, make_sessionmaker
from storage.models import Article, Fetch, Version
from tests.corpus import CorpusPage

QUICK_PAGES = 100
WORKERS = (1, 2, 3)
ROUNDS = 2
QUICK_ROUNDS = 1
FIGURES = tuple(f"pg_workers_{count}_ratio" for count in WORKERS)


@dataclass(frozen=True)
class Crawl:
    """One first crawl by ``workers`` processes, and what it left in the archive."""

    backend: str
    workers: int
    seconds: float
    archived: int  # new_articles, summed over the workers
    per_worker: tuple[int, ...]  # each worker's new_articles
    versions: int
    stored: frozenset[str]  # the URLs of the articles with a version
    duplicate_versions: int  # versions beyond the first of an article
    duplicate_fetches: int  # fetch log rows beyond the first of an article
    duplicate_requests: int  # article requests to the site beyond the first of a URL

    @property
    def rate(self) -> float:
        return self.archived / self.seconds

    @property
    def duplicates(self) -> int:
        return self.duplicate_versions + self.duplicate_fetches + self.duplicate_requests

    def shown(self) -> str:
        split = "+".join(str(n) for n in self.per_worker)
        return (
            f"{self.archived} in {self.seconds:.1f} s = {self.rate:.1f}/s "
            f"(per worker {split}; {self.versions} versions)"
        )


def cli(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "cli", "--config", str(config), *args]


def initialise(config: Path) -> None:
    """`mediawatch init`, as a real process (it runs the migrations in the tree)."""
    done = subprocess.run(
        cli(config, "init"), capture_output=True, text=True, cwd=REPO, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"mediawatch init failed: {done.stderr[-2000:]}")


def run_workers(config: Path, count: int, logs: Path) -> tuple[float, list[dict[str, Any]]]:
    """Wall time of ``count`` `mediawatch crawl` processes started together, from the
    first start to the last exit, and each one's summary."""
    outputs = [(logs / f"worker-{i}.out", logs / f"worker-{i}.err") for i in range(count)]
    handles = [(out.open("w"), err.open("w")) for out, err in outputs]
    try:
        started = time.perf_counter()
        workers = [
            subprocess.Popen(cli(config, "crawl", "--json"), stdout=out, stderr=err, cwd=REPO)
            for out, err in handles
        ]
        try:
            for worker in workers:
                worker.wait()
        except BaseException:  # interrupted: leave no crawl running on its own
            for worker in workers:
                worker.kill()
                worker.wait()
            raise
        elapsed = time.perf_counter() - started
    finally:
        for out, err in handles:
            out.close()
            err.close()
    summaries = []
    for worker, (out, err) in zip(workers, outputs, strict=True):
        if worker.returncode != 0:
            raise RuntimeError(
                f"a crawl worker exited with {worker.returncode}: {err.read_text()[-2000:]}"
            )
        summaries.append(json.loads(out.read_text()))
    return elapsed, summaries


def archive_state(database_url: str) -> tuple[int, frozenset[str], int, int]:
    """(versions, URLs of the articles with a version, duplicate versions, duplicate
    fetches): a version or a fetch beyond an article's first is a duplicate in a first
    crawl of an unchanging site."""
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            versions = session.scalar(select(func.count(Version.id))) or 0
            stored = frozenset(
                session.scalars(select(Article.url).where(Article.version_count > 0))
            )
            duplicates = []
            for model in (Version, Fetch):
                per_article = (
                    select(func.count().label("n"))
                    .select_from(model)
                    .group_by(model.article_id)
                    .subquery()
                )
                extra = select(func.coalesce(func.sum(per_article.c.n - 1), 0))
                duplicates.append(int(session.scalar(extra) or 0))
    finally:
        engine.dispose()
    return versions, stored, duplicates[0], duplicates[1]


def duplicate_requests(site: NewsSite) -> int:
    """Article URLs requested more than once since the log was cleared, beyond the first."""
    paths = Counter(r.path for r in site.requests if r.path.endswith(".html"))
    return sum(n - 1 for n in paths.values())


def first_crawl(
    site: NewsSite, folder: Path, database_url: str, backend: str, workers: int
) -> Crawl:
    config = source_config(folder, site, database_url)
    initialise(config)
    site.clear_log()
    seconds, summaries = run_workers(config, workers, folder)
    versions, stored, duplicate_versions, duplicate_fetches = archive_state(database_url)
    per_worker = tuple(int(s["new_articles"]) for s in summaries)
    crawl = Crawl(
        backend=backend,
        workers=workers,
        seconds=seconds,
        archived=sum(per_worker),
        per_worker=per_worker,
        versions=versions,
        stored=stored,
        duplicate_versions=duplicate_versions,
        duplicate_fetches=duplicate_fetches,
        duplicate_requests=duplicate_requests(site),
    )
    print(f"# {backend} x{workers}: {crawl.shown()}", file=sys.stderr, flush=True)
    return crawl


def check_once_each(crawl: Crawl, reference: Crawl) -> None:
    """Fail loudly unless every article was fetched and stored exactly once, and the same
    articles were archived as by one worker on SQLite."""
    problems = []
    if crawl.duplicates:
        problems.append(
            f"{crawl.duplicate_versions} duplicate versions, {crawl.duplicate_fetches} "
            f"duplicate fetches, {crawl.duplicate_requests} duplicate article requests"
        )
    if crawl.stored != reference.stored:
        missing, extra = reference.stored - crawl.stored, crawl.stored - reference.stored
        problems.append(
            f"{len(missing)} articles SQLite archived are missing ({sorted(missing)[:3]}), "
            f"{len(extra)} are archived that SQLite did not ({sorted(extra)[:3]})"
        )
    if crawl.archived != len(crawl.stored) or crawl.versions != len(crawl.stored):
        problems.append(
            f"the workers report {crawl.archived} new articles and the archive holds "
            f"{crawl.versions} versions of {len(crawl.stored)} articles"
        )
    if problems:
        raise RuntimeError(
            f"{crawl.backend} with {crawl.workers} workers did not archive each article "
            f"exactly once: {'; '.join(problems)}"
        )


def postgres_version(database_url: str) -> str:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()


def measure(
    pages: list[CorpusPage], quick: bool, rounds: int | None = None
) -> list[dict[str, Any]]:
    unreachable = postgres_unreachable()
    if unreachable is not None:
        return [skipped(name, unreachable) for name in FIGURES]
    if quick:
        pages = pages[:QUICK_PAGES]
    if rounds is None:
        rounds = QUICK_ROUNDS if quick else ROUNDS
    site = serve_pages([page.html_bytes() for page in pages])
    crawls: dict[tuple[str, int], list[Crawl]] = {}
    server = "unknown"
    try:
        with tempfile.TemporaryDirectory() as root:
            # The configurations take turns, round by round: load from elsewhere on the
            # machine falls on all of them alike.
            for round_ in range(rounds):
                folder = Path(root) / f"sqlite-{round_}"
                sqlite = first_crawl(
                    site, folder, f"sqlite:///{folder / 'archive.db'}", "sqlite", 1
                )
                crawls.setdefault(("sqlite", 1), []).append(sqlite)
                for count in WORKERS:
                    with fresh_postgres_database(f"workers{count}") as database_url:
                        server = postgres_version(database_url)
                        folder = Path(root) / f"pg{count}-{round_}"
                        crawl = first_crawl(site, folder, database_url, "postgresql", count)
                    check_once_each(crawl, sqlite)
                    crawls.setdefault(("postgresql", count), []).append(crawl)
    finally:
        site.stop()

    def best(backend: str, count: int) -> Crawl:
        return max(crawls[(backend, count)], key=lambda c: c.rate)

    baseline = best("sqlite", 1)
    scope = f"{len(pages)} corpus pages" + (" (--quick)" if quick else "")
    every = "; ".join(
        f"{backend} x{count}: " + ", ".join(c.shown() for c in found)
        for (backend, count), found in crawls.items()
    )
    rows = []
    for count in WORKERS:
        crawl = best("postgresql", count)
        rows.append(
            figure(
                f"pg_workers_{count}_ratio",
                crawl.rate / baseline.rate,
                "",
                "ratio",
                f"{scope}, first crawl, best of {rounds}: {count} `mediawatch crawl` "
                f"process(es) started together on PostgreSQL {server} (fresh database) "
                f"{crawl.rate:.1f} articles/s vs 1 on SQLite {baseline.rate:.1f}/s; wall time "
                f"first start to last exit, start-up included; each article stored once "
                f"({len(crawl.stored)} articles, {crawl.versions} versions, "
                f"{crawl.duplicates} duplicates: versions {crawl.duplicate_versions}, fetch "
                f"log {crawl.duplicate_fetches}, HTTP requests {crawl.duplicate_requests}); "
                f"{len(pages) - len(crawl.stored)} page(s) without text not archived; "
                f"extraction pool os.cpu_count() per process (default, not configurable); "
                f"every run: {every}",
            )
        )
    return rows


def main() -> None:
    exit_cleanly_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_PAGES} pages only")
    parser.add_argument("--pages", type=int, help="only the first PAGES corpus pages")
    parser.add_argument("--rounds", type=int, help=f"rounds (default {ROUNDS}, quick 1)")
    args = parser.parse_args()
    pages = require_corpus_or_exit()
    measure(pages[: args.pages] if args.pages else pages, args.quick, args.rounds)


if __name__ == "__main__":
    main()
