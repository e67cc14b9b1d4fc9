"""Crash safety: a real `mediawatch crawl` killed with SIGKILL at chosen points leaves an
archive that `mediawatch check` passes, and a rerun archives every article exactly once.

The site is a few hundred small generated articles on 127.0.0.1, listed in a sitemap.
Kill points are chosen from what the archive shows (polled through a read-only
connection), not from timings: after the first batch is written, half-way through, and
while a batch is being committed; two more kills come after delays drawn from a seeded
random generator. Extraction workers (children of the forkserver) are killed too. Every
test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import Engine, inspect, make_url, text
from sqlalchemy.exc import IntegrityError

from cli.main import cli
from crawler.child import crawl_command, crawl_in_child
from crawler.newssite import NewsSite, Resource, SitemapEntry, article_page, sitemap_urlset
from storage.db import make_engine
from storage.schema import upgrade
from tests.backends import backend, read_only_engine

ARTICLES = 400
REPO = Path(__file__).resolve().parent.parent
WORDS = [
    *("council", "harbour", "ferry", "budget", "minister", "river", "school", "hospital"),
    *("election", "bridge", "railway", "museum", "library", "festival", "weather"),
    *("market", "housing", "energy", "court", "police"),
]
# Long enough for several batches to be written before a kill point is passed, short
# enough that a kill never comes after the end: see `kill_when`.
POLL_SECONDS = 0.002
GIVE_UP_SECONDS = 300.0


def _article_html(index: int, url: str) -> bytes:
    rng = random.Random(index)
    paragraphs = [
        " ".join(rng.choice(WORDS) for _ in range(25)).capitalize() + f" Story {index}."
        for _ in range(4)
    ]
    return article_page(
        f"Story number {index}: the {rng.choice(WORDS)} question",
        paragraphs,
        author=f"Reporter {index % 7}",
        published=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=index),
        canonical=url,
        section="News",
    ).encode()


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite() as started:
        entries = []
        for index in range(ARTICLES):
            path = f"/2026/11/story-{index:04d}.html"
            started.set(path, Resource(_article_html(index, started.url(path)), "text/html"))
            entries.append(SitemapEntry(started.url(path)))
        started.set("/sitemap.xml", Resource(sitemap_urlset(entries).encode(), "application/xml"))
        started.set("/robots.txt", Resource(b"User-agent: *\nAllow: /\n", "text/plain"))
        yield started


@dataclass
class Archive:
    config: Path
    url: str
    reader: Engine  # read-only, as a monitoring tool polling the archive would be

    def read(self, sql: str) -> list[tuple[object, ...]]:
        """A query through a read-only connection."""
        with self.reader.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]

    def count(self, table: str) -> int:
        [(found,)] = self.read(f"SELECT count(*) FROM {table}")
        assert isinstance(found, int)
        return found


@pytest.fixture
def archive(site: NewsSite, tmp_path: Path, database_url: str) -> Iterator[Archive]:
    config = tmp_path / "sources.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "database_url": database_url,
                "user_agent": "mediawatch-tests",
                "sources": [{"name": "stories", "sitemaps": [site.url("/sitemap.xml")]}],
            }
        )
    )
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    reader = read_only_engine(database_url)
    yield Archive(config, database_url, reader)
    reader.dispose()


def start_crawl(archive: Archive) -> subprocess.Popen[bytes]:
    log = archive.config.parent / "crawl.log"
    with log.open("ab") as stderr:
        return subprocess.Popen(
            crawl_command(archive.config),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            # Its own process group, as the daemon runs crawls: whatever it leaves behind
            # can be found, and cleaned up, as the group.
            start_new_session=True,
        )


# --- processes, from /proc (the crawl's extraction pool lives in grandchildren) ---------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: fields follow the last ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def process_group(group: int) -> list[int]:
    """The live processes of a process group (a crawl started as its leader)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            # The command name is in parentheses and may hold spaces: state, ppid, pgrp follow.
            state, _, pgrp = stat.rsplit(")", 1)[1].split()[:3]
            if int(pgrp) == group and state != "Z":
                found.append(int(entry))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def extraction_workers(crawl: subprocess.Popen[bytes]) -> list[int]:
    """The pool's worker processes: the children of the crawl's forkserver."""
    servers = [pid for pid in _children(crawl.pid) if "forkserver" in _cmdline(pid)]
    return [worker for server in servers for worker in _children(server)]


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(POLL_SECONDS)


# --- killing the crawl -------------------------------------------------------------------


def kill_when(archive: Archive, condition: Callable[[subprocess.Popen[bytes]], bool]) -> int:
    """Start a crawl and SIGKILL it as soon as ``condition`` holds; returns its process
    group (what is left of it: its forkserver, extraction workers, resource tracker)."""
    crawl = start_crawl(archive)
    try:
        wait_for(lambda: condition(crawl) or crawl.poll() is not None, "the kill point")
        assert crawl.poll() is None, "the crawl ended before its kill point: make the site bigger"
        crawl.send_signal(signal.SIGKILL)
        assert crawl.wait() == -signal.SIGKILL
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()
    return crawl.pid


def kill_leftovers(group: int) -> None:
    """SIGKILL whatever a killed crawl left running (see
    test_a_killed_crawl_leaves_no_processes_behind)."""
    with contextlib.suppress(ProcessLookupError):  # nothing left
        os.killpg(group, signal.SIGKILL)


def fetches_at_least(archive: Archive, count: int) -> Callable[[subprocess.Popen[bytes]], bool]:
    return lambda _crawl: archive.count("fetches") >= count


def writing_a_batch(archive: Archive) -> Callable[[subprocess.Popen[bytes]], bool]:
    """True while the crawl is in the middle of storing a batch, after its first one.

    SQLite: the crawl holds the write lock, seen by failing to take it at once (and,
    when it is free, letting go of it straight away without writing anything).
    PostgreSQL: another session holds a row-exclusive lock on this archive's versions
    table, which only an open transaction that wrote to it does."""
    if backend(archive.url) == "postgresql":
        writing = text(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'versions' AND c.relnamespace = current_schema()::regnamespace "
            "AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()"
        )

        def in_transaction(_crawl: subprocess.Popen[bytes]) -> bool:
            if archive.count("fetches") == 0:
                return False
            with archive.reader.connect() as connection:
                return bool(connection.scalar(writing))

        return in_transaction

    probe = sqlite3.connect(str(make_url(archive.url).database), timeout=0, isolation_level=None)

    def locked(_crawl: subprocess.Popen[bytes]) -> bool:
        if archive.count("fetches") == 0:
            return False
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc), exc
            return True
        probe.execute("ROLLBACK")
        return False

    return locked


# --- what must hold after any kill, and after the rerun ----------------------------------


def assert_consistent(archive: Archive) -> None:
    """Whatever the crawl got to: no half-written batch, and `mediawatch check` passes."""
    result = CliRunner().invoke(cli, ["--config", str(archive.config), "check", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["problems"] == []
    # The same facts, asked directly: each version has the fetch that stored it and its
    # search-index row, each article exactly the versions its count says, numbered 1..n.
    assert (
        archive.read(
            "SELECT v.id FROM versions v WHERE NOT EXISTS "
            "(SELECT 1 FROM fetches f WHERE f.version_id = v.id)"
        )
        == []
    )
    if backend(archive.url) == "sqlite":  # PostgreSQL's index is a generated column
        index = "SELECT id FROM versions EXCEPT SELECT id FROM versions_fts_docsize"
        assert archive.read(index) == []
    assert (
        archive.read(
            "SELECT a.id FROM articles a LEFT JOIN versions v ON v.article_id = a.id "
            "GROUP BY a.id HAVING count(v.id) != a.version_count "
            "OR coalesce(max(v.number), 0) != a.version_count "
            "OR count(DISTINCT v.number) != count(v.id)"
        )
        == []
    )
    # Every fetch that says it stored a version did, and each article has a fetch.
    assert (
        archive.read(
            "SELECT id FROM fetches WHERE outcome IN ('new', 'changed') AND version_id IS NULL"
        )
        == []
    )
    assert (
        archive.read(
            "SELECT id FROM articles a WHERE NOT EXISTS "
            "(SELECT 1 FROM fetches f WHERE f.article_id = a.id)"
        )
        == []
    )


def assert_unique_version_numbers(archive: Archive) -> None:
    """versions(article_id, number) is unique in the schema, so no crash can leave two
    version 1s: the constraint exists, and the database refuses a duplicate."""
    engine = make_engine(archive.url)
    try:
        unique = [c["column_names"] for c in inspect(engine).get_unique_constraints("versions")]
        assert ["article_id", "number"] in unique
        with engine.connect() as connection, pytest.raises(IntegrityError, match=r"(?i)unique"):
            connection.execute(
                text(
                    "INSERT INTO versions (article_id, number, fetched_at, authors, text, "
                    "metadata, content_hash, changed, words_added, words_removed, "
                    "raw_html_size) SELECT article_id, number, fetched_at, authors, text, "
                    "metadata, content_hash, changed, 0, 0, 0 FROM versions LIMIT 1"
                )
            )
    finally:
        engine.dispose()


def finish_and_assert_complete(archive: Archive, site: NewsSite) -> dict[str, object]:
    """Rerun the crawl to the end: every article archived exactly once, fetched once."""
    summary = crawl_in_child(archive.config, timeout=GIVE_UP_SECONDS)
    assert summary["status"] == "finished", summary
    assert summary["errors"] == 0, summary
    assert_consistent(archive)
    assert_unique_version_numbers(archive)
    expected = {site.url(f"/2026/11/story-{index:04d}.html") for index in range(ARTICLES)}
    rows = archive.read("SELECT url, version_count, status FROM articles")
    assert len(rows) == ARTICLES
    assert {url for url, _, _ in rows} == expected
    assert {(count, status) for _, count, status in rows} == {(1, "live")}
    # A page stored before the kill is not fetched again (it is not due); a page fetched
    # but not yet stored when the crawl died is fetched again: either way, once in the log.
    assert archive.read("SELECT outcome, count(*) FROM fetches GROUP BY outcome") == [
        ("new", ARTICLES)
    ]
    assert archive.count("versions") == ARTICLES
    # Nothing the killed crawl held is left held: no lease, no claim, no queued article.
    assert archive.read("SELECT name, holder FROM leases") == []
    assert archive.read("SELECT url FROM articles WHERE claimed_by IS NOT NULL") == []
    assert archive.count("pending_articles") == 0
    return summary


def runs(archive: Archive) -> list[tuple[object, ...]]:
    return archive.read("SELECT id, status, finished_at FROM crawl_runs ORDER BY id")


KILL_POINTS = {
    "after the first batch is written": lambda archive: fetches_at_least(archive, 1),
    "half-way through": lambda archive: fetches_at_least(archive, ARTICLES // 2),
    "while a batch is being committed": writing_a_batch,
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill_at_a_point_then_rerun_archives_everything_once(
    archive: Archive, site: NewsSite, point: str
) -> None:
    kill_leftovers(kill_when(archive, KILL_POINTS[point](archive)))
    stored = archive.count("fetches")
    assert 0 < stored < ARTICLES, stored
    assert_consistent(archive)
    summary = finish_and_assert_complete(archive, site)
    # The rerun fetched only what the killed crawl had not stored.
    assert summary["new_articles"] == ARTICLES - stored


def kill_after_storing_began(archive: Archive, delay: float) -> None:
    """Start a crawl, and SIGKILL it ``delay`` seconds after it stored its first batch
    (unless it has finished by then)."""
    crawl = start_crawl(archive)
    stored = archive.count("fetches")
    wait_for(lambda: archive.count("fetches") > stored or crawl.poll() is not None, "a batch")
    deadline = time.monotonic() + delay
    while crawl.poll() is None and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    if crawl.poll() is None:
        crawl.send_signal(signal.SIGKILL)
    crawl.wait()
    kill_leftovers(crawl.pid)


def test_kills_after_seeded_random_delays_then_rerun(archive: Archive, site: NewsSite) -> None:
    """Killed twice, each time at a random moment (seeded) after it began to store pages:
    the second crawl resumes from what the first left, and a third finishes."""
    rng = random.Random(20261128)
    for delay in (rng.uniform(0.0, 3.0), rng.uniform(0.0, 3.0)):
        kill_after_storing_began(archive, delay)
        assert_consistent(archive)
    finish_and_assert_complete(archive, site)


def test_a_killed_crawls_run_row_is_settled_by_the_next_crawl(
    archive: Archive, site: NewsSite
) -> None:
    kill_leftovers(kill_when(archive, fetches_at_least(archive, 1)))
    [(_, status, finished_at)] = runs(archive)
    assert (status, finished_at) == ("running", None)
    finish_and_assert_complete(archive, site)
    assert [status for _, status, _ in runs(archive)] == ["crashed", "finished"]


def workers_at(archive: Archive, crawl: subprocess.Popen[bytes], count: int) -> list[int]:
    """The crawl's extraction workers once the archive has ``count`` fetches."""
    wait_for(lambda: archive.count("fetches") >= count or crawl.poll() is not None, f"{count}")
    # A replaced pool starts its workers as pages come: wait for them.
    wait_for(lambda: bool(extraction_workers(crawl)) or crawl.poll() is not None, "workers")
    assert crawl.poll() is None, "the crawl ended too soon: make the site bigger"
    return extraction_workers(crawl)


def crawl_killing_workers(archive: Archive, at_fetches: list[int]) -> None:
    """A crawl whose extraction workers are all SIGKILLed each time the archive reaches
    one of ``at_fetches`` fetches; the crawl itself must finish, exit 0."""
    crawl = start_crawl(archive)
    try:
        for count in at_fetches:
            workers = workers_at(archive, crawl, count)
            for worker in workers:
                os.kill(worker, signal.SIGKILL)
        assert crawl.wait(timeout=GIVE_UP_SECONDS) == 0
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()


def test_killed_extraction_workers_are_replaced_and_the_loss_recorded(
    archive: Archive, site: NewsSite
) -> None:
    crawl_killing_workers(archive, [1])
    assert_consistent(archive)
    assert [status for _, status, _ in runs(archive)] == ["finished"]
    rows = archive.read("SELECT url, version_count, status FROM articles")
    # Every article is archived, or still queued for the next crawl.
    assert len(rows) + archive.count("pending_articles") == ARTICLES
    # What extraction lost is recorded, with the reason, as the article's failed fetch.
    lost = archive.read(
        "SELECT a.url FROM fetches f JOIN articles a ON a.id = f.article_id "
        "WHERE f.outcome = 'error' AND f.error = 'extraction crashed on this page'"
    )
    assert lost
    assert archive.read("SELECT count(*) FROM fetches WHERE outcome = 'error'") == [(len(lost),)]
    assert {url for url, _, status in rows if status == "error"} == {url for (url,) in lost}
    [(counts,)] = archive.read("SELECT counts FROM crawl_runs")
    # JSON comes back as text from SQLite and parsed from PostgreSQL.
    counts = json.loads(counts) if isinstance(counts, str) else counts
    assert isinstance(counts, dict) and counts["errors"] == len(lost)
    # The pool was restarted: pages after the crash were extracted and stored.
    assert sum(1 for _, count, _ in rows if count == 1) > ARTICLES // 2


def test_no_page_is_dropped_unrecorded_when_workers_die(archive: Archive) -> None:
    crawl_killing_workers(archive, [1, ARTICLES // 8, ARTICLES // 4])
    assert archive.read("SELECT url FROM pending_articles") == []
    assert archive.count("articles") == ARTICLES


def test_a_killed_crawl_leaves_no_processes_behind(archive: Archive) -> None:
    group = kill_when(archive, fetches_at_least(archive, 1))
    try:
        deadline = time.monotonic() + 30
        while process_group(group) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [_cmdline(pid) for pid in process_group(group)] == []
    finally:
        kill_leftovers(group)
