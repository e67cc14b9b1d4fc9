"""Several crawl workers, one archive: claims on due articles (storage/work.py), real
`mediawatch crawl` processes sharing a 300-article site, and version numbering when two
workers store the same article at once."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select

from crawler.child import crawl_command
from crawler.newssite import NewsSite, Resource, SitemapEntry, article_page, sitemap_urlset
from storage.archive import Archive, FetchedPage
from storage.db import make_sessionmaker
from storage.models import Article, PendingArticle, Version
from storage.work import Found, add_discovered, claim_articles

ARTICLES = 300
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


# -- claims, in one process ----------------------------------------------------------------


def test_concurrent_claimers_split_the_due_articles_without_overlap(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        found = [Found(f"https://news.example/a/{i}.html", "sitemap") for i in range(200)]
        assert add_discovered(session, "wire", found, NOW) == 200
        # Found again (by another worker, say): nothing is added twice.
        assert add_discovered(session, "wire", found[:50], NOW) == 0
    claimed: dict[str, list[str]] = {}
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        mine = claimed.setdefault(name, [])
        barrier.wait()
        while True:
            with sessions.begin() as session:
                chunk = claim_articles(
                    session,
                    "wire",
                    "due",
                    name,
                    now=NOW,
                    until=NOW + timedelta(minutes=5),
                    since=NOW,
                    limit=7,
                )
            if not chunk:
                return
            mine += [c.url for c in chunk]

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [url for urls in claimed.values() for url in urls]
    assert Counter(every).most_common(1)[0][1] == 1  # no article claimed twice
    assert set(every) == {f.url for f in found}
    # Each is marked with the claimer that got it.
    with sessions() as session:
        owners = {
            url: holder
            for url, holder in session.execute(
                select(PendingArticle.url, PendingArticle.claimed_by)
            )
        }
    assert all(owners[url] == name for name, urls in claimed.items() for url in urls)


def test_an_expired_claim_is_taken_over_and_a_live_one_is_not(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    until = NOW + timedelta(seconds=30)
    with sessions.begin() as session:
        add_discovered(session, "wire", [Found("https://news.example/a.html", "feed")], NOW)
        [first] = claim_articles(
            session, "wire", "due", "dead", now=NOW, until=until, since=NOW, limit=10
        )
    assert (first.found_via, first.etag) == ("feed", None)
    with sessions.begin() as session:
        live = claim_articles(
            session, "wire", "due", "other", now=until - timedelta(seconds=1), until=until,
            since=NOW, limit=10,
        )  # fmt: skip
        assert live == []
        expired = claim_articles(
            session, "wire", "due", "other", now=until, until=until + timedelta(seconds=30),
            since=NOW, limit=10,
        )  # fmt: skip
        assert [c.url for c in expired] == ["https://news.example/a.html"]


def test_storing_a_fetch_clears_its_claim(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    url = "https://news.example/a.html"
    with sessions.begin() as session:
        add_discovered(session, "wire", [Found(url, "sitemap")], NOW)
        claim_articles(
            session, "wire", "due", "w1", now=NOW, until=NOW + timedelta(minutes=5), since=NOW,
            limit=10,
        )  # fmt: skip
    Archive(engine).store(_page(url, "Body one.", NOW, via="sitemap"))
    with sessions() as session:
        # Fetched, the new article leaves the queue for the archive.
        assert session.scalars(select(PendingArticle)).all() == []
        article = session.scalars(select(Article)).one()
        assert (article.found_via, article.version_count) == ("sitemap", 1)
    # Claimed again, as due, and stored again: the claim on the archived article goes too.
    later = NOW + timedelta(days=30)
    with sessions.begin() as session:
        [again] = claim_articles(
            session, "wire", "due", "w2", now=later, until=later + timedelta(minutes=5),
            since=later, limit=10,
        )  # fmt: skip
    assert again.found_via == "recheck"
    with sessions() as session:
        assert session.scalars(select(Article.claimed_by)).one() == "w2"
    Archive(engine).store(_page(url, "Body two.", later))
    with sessions() as session:
        article = session.scalars(select(Article)).one()
    assert (article.claimed_by, article.claimed_until, article.version_count) == (None, None, 2)


# -- versions under contention --------------------------------------------------------------


def _page(url: str, body: str, at: datetime, via: str | None = None) -> FetchedPage:
    extracted = {"title": "Harbour works", "authors": ["A. Writer"], "text": body}
    return FetchedPage(
        url=url, source="wire", fetched_at=at, http_status=200, extracted=extracted, found_via=via
    )


def test_two_workers_storing_one_article_at_once_number_its_versions_without_gaps(
    engine: Engine,
) -> None:
    url = "https://news.example/contested.html"
    Archive(engine).store(_page(url, "The first text of the article.", NOW))
    rounds = 15
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        archive = Archive(engine)  # a connection of its own, as another process would have
        barrier.wait()
        for i in range(rounds):
            try:
                archive.store(_page(url, f"Text {i} as {name} saw it.", NOW + timedelta(i + 1)))
            except BaseException as exc:  # reported below, with the others
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with make_sessionmaker(engine)() as session:
        numbers = sorted(session.scalars(select(Version.number)))
        count = session.scalar(select(Article.version_count))
    # Every store made a version (each text differs from the one before), each numbered
    # once, with no gap.
    assert numbers == list(range(1, 2 * rounds + 2))
    assert count == 2 * rounds + 1


# -- several `mediawatch crawl` processes ---------------------------------------------------


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("workers on several hosts share a PostgreSQL archive")
    return database_url


@pytest.fixture
def wire_site() -> Iterator[NewsSite]:
    """300 articles, listed by one sitemap; each answers after 50 ms, as a real site would
    take a while, so that a crawl lasts long enough to be interrupted."""
    with NewsSite() as site:
        entries = []
        for i in range(ARTICLES):
            path = f"/news/{i:03d}-harbour-report.html"
            published = NOW - timedelta(hours=i)
            paragraphs = [
                f"Report {i}: the harbour authority said on Tuesday that berth {i} would reopen.",
                f"Dock workers had waited {i + 3} weeks for the repairs to the quay wall.",
                "The authority expects shipping traffic to return to normal by the spring.",
            ]
            body = article_page(
                f"Harbour report number {i}",
                paragraphs,
                author="A. Writer",
                published=published,
                canonical=site.url(path),
                section="Local",
            )
            site.set(path, Resource(body.encode(), delay=0.05))
            entries.append(SitemapEntry(site.url(path), lastmod=published))
        site.set(
            "/sitemap.xml",
            Resource(sitemap_urlset(entries).encode(), content_type="application/xml"),
        )
        yield site


def _config(tmp_path: Path, site: NewsSite, database_url: str) -> Path:
    from storage.db import make_engine
    from storage.schema import upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    path = tmp_path / "sources.yaml"
    source = {"name": "wire", "sitemaps": [site.url("/sitemap.xml")]}
    path.write_text(
        yaml.safe_dump(
            {"database_url": database_url, "user_agent": "mediawatch-tests", "sources": [source]}
        )
    )
    return path


# Each worker's stderr goes to a file, by pid: a pipe that nobody reads while the test
# waits on another worker could fill and stall the worker writing to it.
_STDERR: dict[int, Path] = {}


def _workers(config: Path, count: int, claim_seconds: float) -> list[subprocess.Popen[str]]:
    env = {**os.environ, "MEDIAWATCH_CLAIM_SECONDS": str(claim_seconds)}
    workers = []
    for n in range(count):
        log = config.parent / f"worker-{n}.stderr"
        with log.open("w") as stderr:
            worker = subprocess.Popen(
                crawl_command(config), env=env, stdout=subprocess.DEVNULL, stderr=stderr, text=True
            )
        _STDERR[worker.pid] = log
        workers.append(worker)
    return workers


def _finish(worker: subprocess.Popen[str]) -> None:
    worker.wait(timeout=300)
    assert worker.returncode == 0, _STDERR[worker.pid].read_text()[-2000:]


def _article_requests(site: NewsSite) -> Counter[str]:
    return Counter(r.path for r in site.requests if r.path.startswith("/news/"))


def _archive_state(database_url: str) -> tuple[int, int, int, int]:
    """(articles, articles with one version, versions, distinct (article, number))."""
    from storage.db import make_engine

    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            articles = session.scalar(select(func.count(Article.id))) or 0
            one = session.scalar(select(func.count()).where(Article.version_count == 1)) or 0
            versions = session.scalar(select(func.count(Version.id))) or 0
            pairs = session.execute(select(Version.article_id, Version.number)).all()
    finally:
        engine.dispose()
    return articles, one, versions, len(set(pairs))


def test_three_workers_fetch_each_article_exactly_once(
    wire_site: NewsSite, tmp_path: Path, postgres_url: str
) -> None:
    config = _config(tmp_path, wire_site, postgres_url)
    workers = _workers(config, 3, claim_seconds=60)
    for worker in workers:
        _finish(worker)
    fetched = _article_requests(wire_site)
    assert len(fetched) == ARTICLES
    assert set(fetched.values()) == {1}  # not one article fetched by two workers
    assert _archive_state(postgres_url) == (ARTICLES, ARTICLES, ARTICLES, ARTICLES)
    assert wire_site.requests_for("/sitemap.xml")  # discovered, by one of them at least


def test_a_killed_workers_articles_are_fetched_by_the_others(
    wire_site: NewsSite, tmp_path: Path, postgres_url: str
) -> None:
    config = _config(tmp_path, wire_site, postgres_url)
    workers = _workers(config, 3, claim_seconds=4)
    victim, claimed_then = _kill_when_it_holds_claims(workers, postgres_url)
    for worker in workers:
        if worker is not victim:
            _finish(worker)
    victim.wait()
    assert victim.returncode == -signal.SIGKILL
    # Every article archived once, one version each, the victim's included.
    assert _archive_state(postgres_url) == (ARTICLES, ARTICLES, ARTICLES, ARTICLES)
    fetched = _article_requests(wire_site)
    assert len(fetched) == ARTICLES
    # Fetched twice only if the victim had claimed it, and at most twice.
    twice = {path for path, n in fetched.items() if n > 1}
    assert set(fetched.values()) <= {1, 2}
    assert twice <= {url.removeprefix(wire_site.base_url) for url in claimed_then}


def _kill_when_it_holds_claims(
    workers: list[subprocess.Popen[str]], database_url: str
) -> tuple[subprocess.Popen[str], set[str]]:
    """kill -9 the first worker seen holding claims; returns it and the URLs it held.
    Some of them it never stored: the others must fetch those once its claims expire."""
    from storage.db import make_engine

    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)

    def claims() -> list[Any]:
        with sessions() as session:
            return [
                row
                for table in (PendingArticle, Article)
                for row in session.execute(
                    select(table.url, table.claimed_by).where(table.claimed_by.is_not(None))
                )
            ]

    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            for worker in workers:
                mine = {url for url, holder in claims() if f":{worker.pid}:" in holder}
                if mine:
                    os.kill(worker.pid, signal.SIGKILL)
                    worker.wait()
                    # And what it claimed between that look and its death (its claims
                    # outlive it by seconds, so they are still there to see).
                    orphaned = {url for url, holder in claims() if f":{worker.pid}:" in holder}
                    assert orphaned, "the worker stored everything it claimed before it died"
                    return worker, mine | orphaned
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError("no worker ever held a claim")
