"""The scheduler daemon: its recheck policy and decisions as pure functions, then real
`mediawatch run` processes against the fixture news site on 127.0.0.1, with schedules of
seconds, into real SQLite archives."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from cli.main import cli
from config import DEFAULT_RECHECK, RecheckTier
from crawler.newssite import NewsSite, Resource
from scheduler import (
    Stop,
    describe_counts,
    describe_exit,
    first_run,
    jitter_for,
    next_sweep,
    recheck_poll,
    settlement,
    stat_group_and_rss,
)
from storage.db import make_engine, make_sessionmaker
from storage.models import Article, CrawlRun, Version
from storage.recheck import next_check
from storage.schema import upgrade
from tests.fixture_site import FixtureSite

T = TypeVar("T")
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
S, M, H, D = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
USER_AGENT = "mediawatch-tests (+https://example.org/contact)"
REPO = Path(__file__).resolve().parent.parent
# The daemon's memory watch and these tests' process checks read /proc.
needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
MEDIAWATCH = [sys.executable, "-m", "cli"]

# --- the recheck policy --------------------------------------------------------------


def replay(tiers: Any, events: list[tuple[timedelta, str]]) -> datetime | None:
    """The next check after a history of fetches, as store_page computes it: events are
    (time since the first fetch, what the fetch found: "new", "same", "edit", "gone")."""
    first_seen = NOW
    last_changed = gone_since = None
    due: datetime | None = None
    for offset, found in events:
        at = first_seen + offset
        if found in ("new", "edit"):
            last_changed = at
        # Gone since the first of an unbroken run of 404/410 answers.
        gone_since = (gone_since or at) if found == "gone" else None
        due = next_check(
            now=at,
            last_changed=last_changed or first_seen,
            tiers=tiers,
            gone=gone_since is not None,
            gone_since=gone_since,
        )
    return due


@pytest.mark.parametrize(
    ("events", "next_in"),
    [
        ([(0 * S, "new")], 15 * M),
        ([(0 * S, "new"), (2 * H + 50 * M, "same")], 15 * M),
        ([(0 * S, "new"), (3 * H, "same")], H),
        ([(0 * S, "new"), (2 * D, "same")], 3 * H),
        ([(0 * S, "new"), (10 * D, "same")], 3 * D),
        ([(0 * S, "new"), (100 * D, "same")], 30 * D),
        ([(0 * S, "new"), (361 * D, "same")], None),  # past the last tier: never again
        # A fresh edit puts the article back in the fastest tier, however old it was.
        ([(0 * S, "new"), (10 * D, "same"), (10 * D + 3 * H, "edit")], 15 * M),
        ([(0 * S, "new"), (200 * D, "edit")], 15 * M),
        ([(0 * S, "new"), (1 * D, "edit"), (1 * D + 4 * H, "same")], H),
        ([(0 * S, "new"), (5 * D, "edit"), (9 * D, "same")], 3 * H),
        # Gone pages: the slowest tier, whatever their age, until they have been gone for
        # the last tier's span; a page that returns is scheduled by its last change again.
        ([(0 * S, "new"), (H, "gone")], 30 * D),
        ([(0 * S, "new"), (H, "gone"), (300 * D, "gone")], 30 * D),
        ([(0 * S, "new"), (H, "gone"), (H + 360 * D, "gone")], None),
        ([(0 * S, "new"), (H, "gone"), (2 * H, "same")], 15 * M),
        ([(0 * S, "new"), (H, "gone"), (2 * D, "edit")], 15 * M),
    ],
)
def test_recheck_policy_by_age_and_edits(
    events: list[tuple[timedelta, str]], next_in: timedelta | None
) -> None:
    due = replay(DEFAULT_RECHECK, events)
    assert due == (None if next_in is None else NOW + events[-1][0] + next_in)


SECOND_TIERS = [
    RecheckTier.model_validate({"younger_than": "8s", "every": "2s"}),
    RecheckTier.model_validate({"younger_than": "1d", "every": "1h"}),
]


@pytest.mark.parametrize(
    ("events", "next_in"),
    [
        ([(0 * S, "new")], 2 * S),
        ([(0 * S, "new"), (6 * S, "same")], 2 * S),
        ([(0 * S, "new"), (8 * S, "same")], H),
        ([(0 * S, "new"), (30 * S, "edit")], 2 * S),
        ([(0 * S, "new"), (30 * S, "edit"), (39 * S, "same")], H),
    ],
)
def test_tiers_of_seconds_work_the_same(
    events: list[tuple[timedelta, str]], next_in: timedelta
) -> None:
    assert replay(SECOND_TIERS, events) == NOW + events[-1][0] + next_in


# --- the daemon's decisions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "jitter"),
    [(2 * S, 0.2), (15 * M, 90.0), (H, 300.0), (D, 300.0)],
)
def test_jitter_is_a_tenth_of_the_interval_at_most_five_minutes(
    interval: timedelta, jitter: float
) -> None:
    assert jitter_for(interval) == pytest.approx(jitter)


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (None, NOW + 3 * S),  # never discovered: now, spread by the offset
        (NOW - 20 * M, NOW + 3 * S),  # overdue (the daemon was down): now
        (NOW - 5 * M, NOW + 10 * M),  # a restart does not discover again before it is time
    ],
)
def test_first_discovery(last: datetime | None, expected: datetime) -> None:
    assert first_run(last, 15 * M, NOW, offset=3.0) == expected


def test_recheck_poll_is_the_fastest_tier() -> None:
    assert recheck_poll(DEFAULT_RECHECK) == 15 * M
    assert recheck_poll(SECOND_TIERS) == 2 * S


@pytest.mark.parametrize(
    ("earliest", "expected"),
    [
        (None, None),  # nothing to recheck, ever: the job's own interval
        (NOW + H, NOW + H),  # wake exactly when the first article is due
        (NOW + 3 * S, NOW + 10 * S),  # came due while the crawl ran: at once
        # Due before the crawl began and due still (robots.txt refused it, the crawl
        # timed out): one poll later, not a tight loop of crawls.
        (NOW - 5 * S, NOW + 12 * S),
        (NOW, NOW + 12 * S),
    ],
)
def test_next_sweep(earliest: datetime | None, expected: datetime | None) -> None:
    started, now = NOW, NOW + 10 * S
    assert next_sweep(earliest, started, now, poll=2 * S) == expected


@pytest.mark.parametrize(
    ("child", "code", "stop", "expected"),
    [
        ("finished", 0, None, None),  # the child's own record stands
        ("failed", 0, None, None),
        (None, -9, None, ("crashed", "killed by SIGKILL: boom")),
        ("running", -11, None, ("crashed", "killed by SIGSEGV: boom")),
        ("running", 1, None, ("failed", "exit status 1: boom")),
        ("running", 0, None, ("crashed", "the crawl process ended without recording its end")),
        ("failed", -15, Stop("timeout", "ran too long"), ("timeout", "ran too long")),
        ("running", -9, Stop("memory", "too big"), ("failed", "too big")),
        ("failed", 0, Stop("shutdown", "asked to stop"), ("interrupted", "asked to stop")),
        # Done before the stop reached it: its work is complete.
        ("finished", 0, Stop("shutdown", "asked to stop"), None),
        ("finished", 0, Stop("timeout", "ran too long"), None),
        ("running", -9, Stop("lease", "lost it"), ("interrupted", "lost it")),
    ],
)
def test_settlement(
    child: str | None, code: int, stop: Stop | None, expected: tuple[str, str] | None
) -> None:
    assert settlement(child, code, stop, "boom") == expected


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (-9, "killed by SIGKILL"),
        (-15, "killed by SIGTERM"),
        (2, "exit status 2"),
        (-99, "killed by signal 99"),
    ],
)
def test_describe_exit(code: int, text: str) -> None:
    assert describe_exit(code) == text


def test_describe_counts() -> None:
    counts = {"fetched": 3, "new_articles": 1, "errors": 0, "status": "x", "ok": True}
    assert describe_counts(counts) == "fetched 3, new articles 1"
    assert describe_counts({}) == "nothing new"


@needs_proc
def test_stat_group_and_rss_of_a_real_process() -> None:
    group, pages = stat_group_and_rss(Path("/proc/self/stat").read_bytes())
    resident = int(Path("/proc/self/statm").read_text().split()[1])
    assert group == os.getpgrp()
    assert abs(pages - resident) < resident // 10


def test_stat_group_and_rss_with_parentheses_in_the_command_name() -> None:
    # pid (comm) state ppid pgrp session tty tpgid flags, 13 counters, vsize, rss, ...
    stat = b"77 (a (b) c) R 5 70 70 0 -1 0 " + b"0 " * 13 + b"9 321 0"
    assert stat_group_and_rss(stat) == (70, 321)


# --- real daemons --------------------------------------------------------------------


def wait_for(check: Callable[[], T], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.2)


def processes() -> list[tuple[int, int, int, str]]:
    """(pid, parent pid, process group, command line) of every live process."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_bytes()
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        if fields[0] != b"Z":  # a zombie has ended; its parent has yet to reap it
            found.append((int(name), int(fields[1]), int(fields[2]), cmdline))
    return found


def crawl_children(daemon: subprocess.Popen[bytes], source: str = "") -> list[int]:
    return [
        pid
        for pid, parent, _, cmdline in processes()
        if parent == daemon.pid and f"--source {source}" in cmdline
    ]


def still_running(groups: set[int]) -> list[tuple[int, str]]:
    """Any process of these crawl process groups (crawls and their workers)."""
    return [(pid, cmd) for pid, _, group, cmd in processes() if group in groups or pid in groups]


class Archive:
    """The test's window on the daemon's SQLite archive."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = make_sessionmaker(engine)

    def session(self) -> Session:
        return self.sessions()

    def urls(self) -> set[str]:
        with self.session() as session:
            return set(session.scalars(select(Article.url)))

    def version_fetched_at(self, url: str, number: int) -> datetime | None:
        with self.session() as session:
            return session.scalar(
                select(Version.fetched_at)
                .join(Article, Article.id == Version.article_id)
                .where(Article.url == url, Version.number == number)
            )

    def next_checks(self) -> dict[str, datetime | None]:
        with self.session() as session:
            return {
                url: due for url, due in session.execute(select(Article.url, Article.next_check))
            }

    def runs(self, source: str | None = None) -> list[CrawlRun]:
        with self.session() as session:
            runs = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
        return [run for run in runs if source is None or run.sources == [source]]


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    with FixtureSite() as started:
        yield started


@pytest.fixture
def archive_url(database_url: str) -> str:
    """An initialised archive on each backend in turn."""
    url = database_url
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def archive(archive_url: str) -> Iterator[Archive]:
    engine = make_engine(archive_url)
    yield Archive(engine)
    engine.dispose()


def write_config(folder: Path, database: str, sources: list[dict[str, Any]]) -> Path:
    path = folder / "sources.yaml"
    path.write_text(
        yaml.safe_dump({"database_url": database, "user_agent": USER_AGENT, "sources": sources})
    )
    return path


class Daemon:
    """A real `mediawatch run` process; its log goes to a file the test can read."""

    def __init__(self, config: Path, log: Path, *options: str) -> None:
        self.log = log
        self.stderr = log.with_suffix(".stderr")
        with self.stderr.open("wb") as stderr:
            self.process = subprocess.Popen(
                [*MEDIAWATCH, "--config", str(config), "run", "--log-file", str(log), *options],
                cwd=REPO,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def watch_children(self) -> list[int]:
        """The crawl children running now."""
        return crawl_children(self.process)

    def started_crawls(self) -> set[int]:
        """Every crawl child the daemon logged (each leads its own process group)."""
        return {
            int(pid) for pid in re.findall(r"crawl started \(run \d+, pid (\d+)\)", self.text())
        }

    def stop(self, timeout: float = 40) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for group in self.started_crawls():
            with suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)


@pytest.fixture
def daemons() -> Iterator[list[Daemon]]:
    """Every daemon a test starts is killed at its end, whatever happened."""
    started: list[Daemon] = []
    yield started
    for daemon in started:
        daemon.kill()


def courier(site: FixtureSite, **settings: Any) -> dict[str, Any]:
    return {**site.source(), **settings}


HOT_THEN_SLOW = [{"younger_than": "8s", "every": "2s"}, {"younger_than": "1d", "every": "1h"}]


@needs_proc
def test_daemon_archives_catches_an_edit_stops_cleanly_and_resumes_where_it_stopped(
    site: FixtureSite,
    archive: Archive,
    archive_url: str,
    tmp_path: Path,
    daemons: list[Daemon],
) -> None:
    config = write_config(
        tmp_path, archive_url, [courier(site, discover_every="2s", recheck=HOT_THEN_SLOW)]
    )
    first = Daemon(config, tmp_path / "first.log")
    daemons.append(first)

    # New articles appear in the archive without any other command.
    wait_for(lambda: archive.urls() == site.article_urls(), 30, "every article archived")
    logged = wait_for(lambda: "discover crawl finished" in first.text(), 10, "the crawl's end")
    assert logged and f"new articles {len(site.article_urls())}" in first.text()

    # An edit gets its new version within its tier (2 s), plus a crawl's start-up.
    path = sorted(p for p, spec in site.articles.items() if not spec.private)[0]
    spec = site.articles[path]
    site.edit_article(path, paragraphs=(*spec.paragraphs, "Correction: an earlier version…"))
    edited = datetime.now(UTC)
    fetched = wait_for(
        lambda: archive.version_fetched_at(site.url(path), 2), 30, "version 2 of the edit"
    )
    assert fetched - edited < timedelta(seconds=2 + 8), fetched - edited

    # Once nothing has changed for 8 s, every article moves to the hourly tier.
    def all_slow() -> bool:
        soon = datetime.now(UTC) + timedelta(minutes=30)
        return all(due is not None and due > soon for due in archive.next_checks().values())

    wait_for(all_slow, 40, "every article in the hourly tier")

    # SIGTERM while a crawl runs: it stops, its run is recorded, the daemon exits 0.
    wait_for(first.watch_children, 20, "a crawl child")
    assert first.stop() == 0
    assert len(first.started_crawls()) >= 3
    assert still_running(first.started_crawls()) == []
    assert "SIGTERM received" in first.text() and "Stopped" in first.text()
    assert {run.status for run in archive.runs()} <= {"finished", "interrupted"}
    assert {run.kind for run in archive.runs()} <= {"discover", "recheck"}

    # One article came due while no daemon ran; the rest are due in an hour.
    overdue = sorted(site.article_urls())[3]
    with archive.sessions.begin() as session:
        session.execute(
            update(Article)
            .where(Article.url == overdue)
            .values(next_check=datetime.now(UTC) - timedelta(seconds=1))
        )
    restarted_at = time.time()
    second = Daemon(config, tmp_path / "second.log")
    daemons.append(second)

    def discoveries_after_restart() -> int:
        return second.text().count("discover crawl finished")

    wait_for(lambda: discoveries_after_restart() >= 2, 30, "two discovery runs after restart")
    assert second.stop() == 0

    fetched_after = Counter(
        request.path
        for request in site.requests
        if request.time >= restarted_at and site.url(request.path) in site.article_urls()
    )
    assert fetched_after == {urlpath(overdue): 1}, "only the due article, and once"
    assert any(r.path == "/rss.xml" and r.time >= restarted_at for r in site.requests)


def urlpath(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def stalled_site() -> Iterator[NewsSite]:
    """A site whose feed never answers in time: a crawl of it hangs."""
    with NewsSite() as started:
        started.set("/rss.xml", Resource(b"<rss/>", "application/rss+xml", delay=30))
        yield started


@needs_proc
def test_a_crashed_or_hung_crawl_is_recorded_and_the_daemon_goes_on(
    site: FixtureSite,
    stalled_site: NewsSite,
    archive: Archive,
    archive_url: str,
    tmp_path: Path,
    daemons: list[Daemon],
) -> None:
    stalled = {"name": "stalled", "feeds": [stalled_site.url("/rss.xml")], "discover_every": "1s"}
    config = write_config(tmp_path, archive_url, [courier(site, discover_every="2s"), stalled])
    daemon = Daemon(
        config, tmp_path / "daemon.log", "--crawl-timeout", "6s", "--stop-timeout", "1s"
    )
    daemons.append(daemon)

    # A crash: the stalled source's crawl process is killed, as the OOM killer would.
    [victim] = wait_for(lambda: crawl_children(daemon.process, "stalled"), 20, "stalled crawl")
    time.sleep(0.5)
    os.kill(victim, signal.SIGKILL)
    crashed = wait_for(
        lambda: [r for r in archive.runs("stalled") if r.status == "crashed"], 20, "crash record"
    )
    assert crashed[0].error is not None and "killed by SIGKILL" in crashed[0].error
    assert crashed[0].finished_at is not None

    # The next run of that source still happens; it hangs, and is stopped at its timeout.
    timed_out = wait_for(
        lambda: [r for r in archive.runs("stalled") if r.status == "timeout"], 30, "a timeout"
    )
    assert timed_out[0].id > crashed[0].id
    assert "ran longer than 6s (--crawl-timeout)" in (timed_out[0].error or "")
    # Meanwhile the healthy source is crawled as usual.
    wait_for(lambda: [r for r in archive.runs("courier") if r.status == "finished"], 20, "courier")
    assert daemon.process.poll() is None
    # The daemon records a run before it logs it: the log line may come a moment later.
    wait_for(lambda: "stalled: discover crawl crashed" in daemon.text(), 5, "the crash logged")
    wait_for(lambda: "stalled: discover crawl timeout" in daemon.text(), 5, "the timeout logged")

    # `mediawatch status` shows the daemon, and the crawls that went wrong.
    alive = status_json(config)
    assert [d["holder"].split(":")[1] for d in alive["daemons"]] == [str(daemon.pid)]
    assert all(crawl["kind"] in ("discover", "recheck") for crawl in alive["crawls"])
    assert daemon.stop() == 0
    assert still_running(daemon.started_crawls()) == []
    after = status_json(config)
    assert after["daemons"] == [] and after["crawling"] == []
    problems = {(p["sources"][0], p["status"]) for p in after["crawl_problems"]}
    assert {("stalled", "crashed"), ("stalled", "timeout")} <= problems
    text = subprocess.run(
        [*MEDIAWATCH, "--config", str(config), "status"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Crawls that went wrong" in text and "stalled discover timeout: ran longer" in text


def status_json(config: Path) -> dict[str, Any]:
    shown = subprocess.run(
        [*MEDIAWATCH, "--config", str(config), "status", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    document: dict[str, Any] = json.loads(shown.stdout)
    return document


@needs_proc
def test_a_crawl_over_its_memory_limit_is_killed_and_recorded(
    site: FixtureSite, archive: Archive, archive_url: str, tmp_path: Path, daemons: list[Daemon]
) -> None:
    config = write_config(tmp_path, archive_url, [courier(site, discover_every="1s")])
    daemon = Daemon(config, tmp_path / "daemon.log", "--crawl-memory", "40")
    daemons.append(daemon)

    def killed() -> list[CrawlRun]:
        runs = [run for run in archive.runs() if run.status == "failed"]
        return runs if len(runs) >= 2 else []

    runs = wait_for(killed, 30, "two crawls killed for their memory")
    assert all("over the 40 MB limit (--crawl-memory)" in (r.error or "") for r in runs)
    assert daemon.process.poll() is None  # the daemon itself goes on
    assert daemon.stop() == 0
    assert still_running(daemon.started_crawls()) == []


@needs_proc
def test_two_daemons_on_one_archive_never_crawl_a_source_at_once(
    site: FixtureSite, archive: Archive, archive_url: str, tmp_path: Path, daemons: list[Daemon]
) -> None:
    config = write_config(tmp_path, archive_url, [courier(site, discover_every="1s")])
    pair = [Daemon(config, tmp_path / f"daemon{i}.log") for i in (1, 2)]
    daemons.extend(pair)
    wait_for(lambda: len(archive.runs("courier")) >= 4, 40, "four crawls of the source")
    assert [daemon.stop() for daemon in pair] == [0, 0]

    runs = archive.runs("courier")
    assert all(run.finished_at is not None for run in runs)
    spans = sorted((run.started_at, run.finished_at) for run in runs)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end is not None and end <= start, "two crawls of one source overlapped"
    assert any("another daemon is crawling it" in daemon.text() for daemon in pair)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--source", "nope"], "no source named 'nope'; known sources: gazette"),
        (["--crawl-timeout", "10"], "'10' is not a duration: it has no unit"),
        (["--stop-timeout", "soon"], "'soon' is not a duration"),
    ],
)
def test_run_refuses_bad_options_before_any_work(
    tmp_path: Path, archive_url: str, options: list[str], message: str
) -> None:
    config = write_config(
        tmp_path, archive_url, [{"name": "gazette", "feeds": ["https://gazette.example/rss"]}]
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "run", *options])
    assert result.exit_code in (1, 2), result.output
    assert message in result.stderr


def test_run_needs_an_initialised_archive(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        f"sqlite:///{tmp_path / 'new.db'}",
        [{"name": "gazette", "feeds": ["https://gazette.example/rss"]}],
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "run"])
    assert result.exit_code == 1
    assert "is not initialised; run `mediawatch init`" in result.stderr
