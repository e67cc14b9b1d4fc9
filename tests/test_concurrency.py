"""One archive, many processes: a real `mediawatch crawl` writes while readers loop.

SQLite in WAL mode lets readers run beside one writer; PostgreSQL readers never wait for
writers. These tests check that it holds for the real commands, on both backends: no reader
ever sees "database is locked", and every read is a consistent snapshot (version numbers
contiguous, counts that match the versions stored, counts that never go down from one read
to the next).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from crawler.newssite import NewsSite, Resource, SitemapEntry, article_page, sitemap_urlset
from storage.db import make_engine
from storage.schema import upgrade

REPO = Path(__file__).resolve().parent.parent
ARTICLES = 400
PUBLISHED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
# Words the pages are made of; every page holds "harbour", so a search always has work.
WORDS = (
    "harbour",
    "council",
    "ferry",
    "fares",
    "budget",
    "school",
    "rail",
    "tunnel",
    "grain",
    "harvest",
    "coral",
    "ridge",
    "bank",
    "merger",
    "court",
    "ruling",
    "election",
    "turnout",
    "river",
    "flood",
    "bridge",
    "museum",
    "library",
    "festival",
)
LOCKED = "database is locked"
CRAWL_TIMEOUT = 600  # seconds; a crawl here takes about 10 on an idle machine


def page_text(index: int, edition: int) -> tuple[str, list[str]]:
    """Article `index`'s title and paragraphs; a new `edition` changes one word in each."""
    title = f"Story {index}: the harbour {WORDS[index % len(WORDS)]} report"
    paragraphs = [
        " ".join(WORDS[(index + n + k) % len(WORDS)] for k in range(40))
        + f" harbour edition{edition} paragraph{n} story{index}."
        for n in range(6)
    ]
    return title, paragraphs


def publish(site: NewsSite, edition: int) -> list[str]:
    urls = []
    for index in range(ARTICLES):
        path = f"/2026/11/story-{index:04d}.html"
        title, paragraphs = page_text(index, edition)
        html = article_page(
            title,
            paragraphs,
            author="Maren Olsen",
            published=PUBLISHED,
            canonical=site.url(path),
            section="News",
        )
        site.set(path, Resource(html.encode(), "text/html; charset=utf-8"))
        urls.append(site.url(path))
    sitemap = sitemap_urlset([SitemapEntry(url) for url in urls])
    site.set("/sitemap.xml", Resource(sitemap.encode(), "application/xml"))
    site.set("/robots.txt", Resource(b"User-agent: *\nAllow: /\n", "text/plain"))
    return urls


@pytest.fixture
def site() -> Iterator[NewsSite]:
    news = NewsSite().start()
    try:
        yield news
    finally:
        news.stop()


@pytest.fixture
def config(tmp_path: Path, site: NewsSite, database_url: str) -> Path:
    database = database_url
    path = tmp_path / "sources.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "database_url": database,
                "user_agent": "mediawatch-concurrency-test",
                "sources": [{"name": "harbour", "sitemaps": [site.url("/sitemap.xml")]}],
            }
        )
    )
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    return path


def mediawatch(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cli", "--config", str(config), *args]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        command, capture_output=True, text=True, cwd=REPO, env=env, check=False, timeout=300
    )


@dataclass
class Reads:
    """What the readers saw, in the order each loop saw it."""

    failures: list[str] = field(default_factory=list)
    # Each entry: (articles --json snapshot, export snapshot taken after it) from one loop.
    pairs: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = field(default_factory=list)
    searches: list[list[dict[str, Any]]] = field(default_factory=list)
    exports: list[list[dict[str, Any]]] = field(default_factory=list)

    def check(self, args: tuple[str, ...], done: subprocess.CompletedProcess[str]) -> bool:
        if done.returncode != 0 or LOCKED in done.stderr or "Traceback" in done.stderr:
            self.failures.append(f"{' '.join(args)} -> {done.returncode}: {done.stderr[-500:]}")
            return False
        return True


def read_in_loops(config: Path, writer: subprocess.Popen[str], search_for: str) -> Reads:
    """Three reader processes in loops until the writer exits (and one round after)."""
    reads = Reads()
    lock = threading.Lock()

    deadline = time.monotonic() + CRAWL_TIMEOUT

    def loop(body: Any) -> None:
        rounds = 0
        # The deadline stops the readers if the crawl hangs; the writer check then fails.
        while (writer.poll() is None and time.monotonic() < deadline) or rounds == 0:
            body()
            rounds += 1
        body()  # one more after the crawl: it sees the final archive

    def articles_then_export() -> None:
        listing = mediawatch(config, "articles", "--json")
        exported = mediawatch(config, "export", "--format", "jsonl")
        with lock:
            ok = reads.check(("articles",), listing) & reads.check(("export",), exported)
            if ok:
                records = [json.loads(line) for line in exported.stdout.splitlines()]
                reads.pairs.append((json.loads(listing.stdout), records))

    def search() -> None:
        found = mediawatch(config, "search", search_for, "--limit", "1000", "--json")
        with lock:
            if reads.check(("search",), found):
                reads.searches.append(json.loads(found.stdout))

    def export() -> None:
        exported = mediawatch(config, "export", "--format", "jsonl")
        with lock:
            if reads.check(("export",), exported):
                reads.exports.append([json.loads(line) for line in exported.stdout.splitlines()])

    bodies = (articles_then_export, search, export)
    threads = [threading.Thread(target=loop, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return reads


def versions_by_url(records: list[dict[str, Any]]) -> dict[str, list[int]]:
    numbers: dict[str, list[int]] = defaultdict(list)
    for record in records:
        numbers[record["url"]].append(record["version"])
    return numbers


def assert_export_consistent(records: list[dict[str, Any]]) -> None:
    """One export is one snapshot: every article's versions are 1..n, in order, once each."""
    for url, numbers in versions_by_url(records).items():
        assert numbers == list(range(1, len(numbers) + 1)), url


def assert_never_decreasing(snapshots: list[dict[str, int]]) -> None:
    """Counts per URL from successive reads of one loop: none disappears or goes down."""
    for before, after in itertools.pairwise(snapshots):
        for url, count in before.items():
            assert after.get(url, 0) >= count, url


def crawl_while_reading(
    config: Path, search_for: str, *crawl_args: str
) -> tuple[Reads, dict[str, Any]]:
    """Run a crawl and the reader loops beside it; search_for is a word the crawl adds."""
    command = [sys.executable, "-m", "cli", "--config", str(config), "crawl", "--json", *crawl_args]
    # The crawl writes to files, not pipes: nobody reads a pipe until the readers stop, and
    # a crawl blocked on a full stderr pipe would never exit, so the readers would never stop.
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        writer = subprocess.Popen(command, cwd=REPO, stdout=stdout, stderr=stderr, text=True)
        try:
            reads = read_in_loops(config, writer, search_for)
            writer.wait(timeout=60)
        finally:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    assert writer.returncode == 0, err[-2000:]
    assert LOCKED not in err
    return reads, json.loads(out)


def check_reads(reads: Reads, final_versions: int) -> None:
    assert reads.failures == []
    # Enough reads overlapped the crawl to mean something: at least one saw it unfinished.
    totals = [len(records) for records in reads.exports]
    assert len(totals) >= 2 and min(totals) < final_versions, totals
    assert totals[-1] == final_versions

    for records in reads.exports:
        assert_export_consistent(records)
    assert_never_decreasing(
        [{url: len(n) for url, n in versions_by_url(r).items()} for r in reads.exports]
    )

    for listing, records in reads.pairs:
        assert_export_consistent(records)
        exported = versions_by_url(records)
        for row in listing:
            # The export ran after the listing, so it holds at least what the listing counted.
            assert len(exported.get(row["url"], [])) >= row["versions"], row["url"]
            if row["versions"]:
                assert row["title"] and row["title"].startswith("Story "), row
    assert_never_decreasing(
        [{row["url"]: row["versions"] for row in listing} for listing, _ in reads.pairs]
    )

    for hits in reads.searches:
        assert len({hit["url"] for hit in hits}) == len(hits)
        for hit in hits:
            assert 1 <= hit["version"] <= hit["versions"], hit
    # The crawl adds the searched word to one article after another: hits only grow.
    assert_never_decreasing([{"hits": len(hits)} for hits in reads.searches])
    assert len(reads.searches[-1]) == ARTICLES


def test_readers_never_see_a_lock_or_a_half_written_article(config: Path, site: NewsSite) -> None:
    urls = publish(site, edition=1)

    reads, summary = crawl_while_reading(config, "harbour")
    check_reads(reads, final_versions=ARTICLES)
    assert (summary["new_articles"], summary["errors"]) == (ARTICLES, 0)

    # Every article edited: a recheck writes a second version of each while readers read.
    publish(site, edition=2)
    reads, summary = crawl_while_reading(config, "edition2", "--recheck", "all", "--no-discover")
    check_reads(reads, final_versions=2 * ARTICLES)
    assert (summary["new_versions"], summary["errors"]) == (ARTICLES, 0)

    listing = json.loads(mediawatch(config, "articles", "--json").stdout)
    assert sorted(row["url"] for row in listing) == sorted(urls)
    assert {row["versions"] for row in listing} == {2}
    versions = json.loads(mediawatch(config, "versions", urls[0], "--json").stdout)
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["changed"] == ["text"]
