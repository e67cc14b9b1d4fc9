"""Does the scheduler daemon keep flat memory, and does a restart fetch anything not due?

    python benchmarks/daemon_memory.py [--minutes 20]

Runs a real `mediawatch run` against the tests' fixture news site on 127.0.0.1 with
schedules of seconds: discovery every 3 s, rechecks every 3 s for articles changed in the
last 30 s and every 20 s for the rest. Meanwhile the site behaves like a newsroom: a new
article every minute, an edit every 30 s, boilerplate churn on every load. The daemon's
resident memory (VmRSS of the daemon process alone; its crawls are children) is sampled
every 10 s.

Then the daemon is stopped with SIGTERM, every article's stored next check is noted, and a
new daemon runs for 30 s on the same archive: every article fetched before its noted due
time is a fetch the restart caused that was not due.

Prints one JSON line per figure (name, value, target, unit, detail):
- daemon_rss_2min / daemon_rss_end: the daemon's RSS at 2 minutes and at the end (MB);
- daemon_rss_growth: end minus 2 minutes (MB), target below 5;
- stop_seconds: SIGTERM to exit, with a crawl usually running (s);
- restart_not_due_fetches: fetches after the restart of articles not yet due, target 0.
"""

from __future__ import annotations

import argparse
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml
from common import REPO, figure

from storage.db import make_engine
from storage.schema import upgrade
from tests.fixture_site import ArticleSpec, FixtureSite

SAMPLE_EVERY = 10.0
RESTART_SECONDS = 30.0
TIERS = [{"younger_than": "30s", "every": "3s"}, {"younger_than": "1d", "every": "20s"}]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def start_daemon(config: Path, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "--config", str(config), "run", "--log-file", str(log)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def new_article(number: int) -> ArticleSpec:
    return ArticleSpec(
        path=f"/2026/11/benchmark-story-{number:03d}.html",
        title=f"Council publishes its harbour plan, part {number}",
        paragraphs=tuple(
            f"Paragraph {i} of story {number}: the council set out how the harbour will be"
            f" run for the next decade, with new berths, a ferry terminal and a fish market."
            for i in range(1, 6)
        ),
        authors=("Benchmark Desk",),
        published=datetime.now(UTC).replace(microsecond=0),
        section="business",
        routes=frozenset({"rss", "sitemap"}),
    )


class Newsroom:
    """New stories every minute, an edit every 30 s, and churn on every step."""

    def __init__(self, site: FixtureSite, rng: random.Random) -> None:
        self.site, self.rng = site, rng
        self.stories = 0
        self.next_story = self.next_edit = time.monotonic()

    def work_for(self, seconds: float) -> None:
        now = time.monotonic()
        if now >= self.next_story:
            self.stories += 1
            self.site.add_article(new_article(self.stories))
            self.next_story = now + 60
        if now >= self.next_edit:
            public = sorted(p for p, spec in self.site.articles.items() if not spec.private)
            path = self.rng.choice(public)
            spec = self.site.articles[path]
            self.site.edit_article(path, paragraphs=(*spec.paragraphs, f"Update {now:.0f}."))
            self.next_edit = now + 30
        for path in self.rng.sample(sorted(self.site.articles), k=3):
            self.site.churn(path, seed=self.rng.randrange(10**6))
        time.sleep(seconds)


def archived(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        articles, versions = connection.execute(
            "SELECT count(*), coalesce(sum(version_count), 0) FROM articles"
        ).fetchone()
    return f"{articles} articles, {versions} versions"


def due_times(database: Path) -> dict[str, datetime | None]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT url, next_check FROM articles").fetchall()
    return {url: _utc(due) for url, due in rows}


def fetches_since(database: Path, since: datetime) -> list[tuple[str, datetime]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT url, fetched_at FROM fetches WHERE fetched_at >= ? ORDER BY fetched_at",
            (since.replace(tzinfo=None).isoformat(sep=" "),),
        ).fetchall()
    return [(url, datetime.fromisoformat(at).replace(tzinfo=UTC)) for url, at in rows]


def _utc(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    minutes = parser.parse_args().minutes
    rng = random.Random(20261128)
    with FixtureSite() as site, tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "archive.db"
        config = Path(folder) / "sources.yaml"
        source = {**site.source(), "discover_every": "3s", "recheck": TIERS}
        config.write_text(
            yaml.safe_dump(
                {
                    "database_url": f"sqlite:///{database}",
                    "user_agent": "mediawatch-benchmark",
                    "sources": [source],
                }
            )
        )
        engine = make_engine(f"sqlite:///{database}")
        upgrade(engine)
        engine.dispose()

        daemon = start_daemon(config, Path(folder) / "daemon.log")
        began = time.monotonic()
        samples: list[tuple[float, float]] = []
        try:
            newsroom = Newsroom(site, rng)
            while time.monotonic() - began < minutes * 60:
                newsroom.work_for(SAMPLE_EVERY)
                samples.append((time.monotonic() - began, rss_mb(daemon.pid)))
            samples.append((time.monotonic() - began, rss_mb(daemon.pid)))
            crawls = (Path(folder) / "daemon.log").read_text().count("crawl started")
            stop_began = time.monotonic()
            daemon.send_signal(signal.SIGTERM)
            code = daemon.wait(timeout=120)
            stop_seconds = time.monotonic() - stop_began
        finally:
            if daemon.poll() is None:
                daemon.kill()

        at_two = next((rss for at, rss in samples if at >= 120), samples[-1][1])
        end = samples[-1][1]
        every = max(1, len(samples) // 12)
        shape = ", ".join(f"{at / 60:.1f} min {rss:.1f}" for at, rss in samples[::every])
        figure(
            "daemon_rss_2min", at_two, "flat", "MB", f"VmRSS of the daemon at 2 minutes; {shape}"
        )
        figure(
            "daemon_rss_end",
            end,
            "flat",
            "MB",
            f"after {minutes:g} minutes: {crawls} crawls, {archived(database)};"
            f" peak {max(r for _, r in samples):.1f} MB",
        )
        if minutes > 2:
            figure("daemon_rss_growth", end - at_two, "< 5", "MB", "end minus 2 minutes")
        figure("stop_seconds", stop_seconds, "< 30", "s", f"SIGTERM to exit, exit status {code}")

        due = due_times(database)
        restarted = datetime.now(UTC)
        second = start_daemon(config, Path(folder) / "second.log")
        time.sleep(RESTART_SECONDS)
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=120)
        first_fetch: dict[str, datetime] = {}
        for url, at in fetches_since(database, restarted):
            first_fetch.setdefault(url, at)
        # New articles (not in `due`) are fetched when found; known ones only once due.
        not_due = [
            url
            for url, at in first_fetch.items()
            if url in due and (due[url] is None or due[url] > at)  # type: ignore[operator]
        ]
        overdue = sum(1 for when in due.values() if when is not None and when <= restarted)
        figure(
            "restart_not_due_fetches",
            len(not_due),
            "0",
            "fetches",
            f"in {RESTART_SECONDS:.0f} s after a restart: {len(first_fetch)} articles fetched,"
            f" {overdue} of {len(due)} were due at the restart; not due: {not_due[:3]}",
        )


if __name__ == "__main__":
    main()
