"""Does a first crawl's memory stay flat as the site grows ten times?

    python benchmarks/crawl_memory.py [--quick]

Serves the 439 corpus pages on loopback, then 10 copies of them under different URLs
(4,390 articles), and runs a real first `mediawatch crawl` of each into its own new
archive. Every ~50 ms the resident memory (VmRSS) of the crawl process and all its
descendants (the forkserver and its extraction workers) is summed; the peak of that sum
is the crawl's peak. Quick mode: 100 pages once, then 5 times.

Both crawls must archive what they should, or the figures mean nothing: one new article
for every served page with article text, and none for the others (a page missing from the
archive is extracted again here with `crawler.extract.extract_dict` to confirm it has none).

Prints one JSON line per figure:
- rss_growth: peak RSS of the big crawl / peak RSS of the small one (target <= 1.3);
- rss_peak_mb: peak RSS of the big crawl, in MB (target < 600).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from common import REPO, figure, make_archive, page_path, require_corpus_or_exit, serve_pages

from crawler.extract import extract_dict
from tests.corpus import CorpusPage

SAMPLE_EVERY = 0.05  # seconds
FULL_COPIES = 10
QUICK_PAGES, QUICK_COPIES = 100, 5
CRAWL_TIMEOUT = 900  # seconds; the full crawl of 4,390 pages takes 2-4 minutes


def _children_map() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process visible in /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:  # the process exited while we looked
            continue
        # The command name in parentheses may hold spaces; the ppid is the 2nd field after it.
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def descendants(root: int) -> list[tuple[int, int]]:
    """``root`` and every process below it, each as (pid, parent pid)."""
    children = _children_map()
    found, todo = [], [(root, 0)]
    while todo:
        pid, parent = todo.pop()
        found.append((pid, parent))
        todo.extend((child, pid) for child in children.get(pid, ()))
    return found


def memory_kb(pid: int) -> tuple[int, int] | None:
    """(VmRSS, VmHWM) of ``pid`` in kB, or None once it has exited."""
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    values = {}
    for line in lines:
        if line.startswith((b"VmRSS:", b"VmHWM:")):
            values[line[:5]] = int(line.split()[1])
    if len(values) < 2:  # a zombie has no memory lines
        return None
    return values[b"VmRSS"], values[b"VmHWM"]


def role(pid: int, parent: int, root: int) -> str:
    """What a process of the crawl's tree is: the crawl itself, the forkserver,
    multiprocessing's resource tracker, or an extraction worker (forked by the forkserver,
    so its command line is the forkserver's: only its parent tells them apart)."""
    if pid == root:
        return "main"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "gone"
    if parent == root and b"forkserver" in command:
        return "forkserver"
    if parent == root and b"resource_tracker" in command:
        return "tracker"
    return "worker"


@dataclass
class TreeMemory:
    """Peak summed RSS of a process tree, and each process's last seen high-water mark."""

    root: int
    peak_kb: int = 0
    samples: int = 0
    roles: dict[int, str] = field(default_factory=dict)
    hwm_kb: dict[int, int] = field(default_factory=dict)

    def sample(self) -> None:
        total = 0
        for pid, parent in descendants(self.root):
            memory = memory_kb(pid)
            if memory is None:
                continue
            if pid not in self.roles:
                self.roles[pid] = role(pid, parent, self.root)
            rss, hwm = memory
            total += rss
            self.hwm_kb[pid] = hwm
        self.peak_kb = max(self.peak_kb, total)
        self.samples += 1

    def hwm_mb(self, kind: str) -> list[float]:
        return [kb / 1024 for pid, kb in self.hwm_kb.items() if self.roles[pid] == kind]


@dataclass
class CrawlMemory:
    articles: int
    seconds: float
    summary: dict[str, Any]
    memory: TreeMemory

    @property
    def peak_mb(self) -> float:
        return self.memory.peak_kb / 1024

    def describe(self) -> str:
        main = self.memory.hwm_mb("main")
        workers = self.memory.hwm_mb("worker")
        forkserver = self.memory.hwm_mb("forkserver")
        tracker = self.memory.hwm_mb("tracker")
        return (
            f"{self.articles} pages: peak {self.peak_mb:.0f} MB in {self.seconds:.0f} s"
            f" ({self.memory.samples} samples); main VmHWM {max(main, default=0):.0f} MB,"
            f" {len(workers)} workers VmHWM max {max(workers, default=0):.0f} MB"
            f" sum {sum(workers):.0f} MB, forkserver {max(forkserver, default=0):.0f} MB,"
            f" resource tracker {max(tracker, default=0):.0f} MB"
        )


def measured_crawl(config: Path, articles: int) -> CrawlMemory:
    """A real `mediawatch crawl --json` process, its tree's memory sampled while it runs."""
    command = [sys.executable, "-m", "cli", "--config", str(config), "crawl", "--json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=err)
        memory = TreeMemory(process.pid)
        try:
            while process.poll() is None:
                if time.perf_counter() - started > CRAWL_TIMEOUT:
                    raise SystemExit(f"the crawl ran over {CRAWL_TIMEOUT} s; stopped")
                memory.sample()
                time.sleep(SAMPLE_EVERY)
        finally:
            if process.poll() is None:  # interrupted: don't leave a crawl running
                process.kill()
                process.wait()
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"crawl failed: {err.read().decode()[-2000:]}")
        summary = json.loads(out.read())
    return CrawlMemory(articles, seconds, summary, memory)


def crawl_site(folder: Path, bodies: list[bytes], copies: int) -> tuple[CrawlMemory, set[str]]:
    """The crawl's memory, and the URL paths it archived a version of."""
    site = serve_pages(bodies, copies=copies)
    try:
        config = make_archive(folder, site)
        crawl = measured_crawl(config, len(bodies) * copies)
    finally:
        site.stop()
    with sqlite3.connect(folder / "archive.db") as connection:
        urls = connection.execute("SELECT url FROM articles WHERE version_count > 0").fetchall()
    return crawl, {urlsplit(url).path for (url,) in urls}


class PagesWithText:
    """Whether a page holds article text, as the crawl's own extractor judges it here."""

    def __init__(self, bodies: list[bytes]) -> None:
        self.bodies = bodies
        self.known: dict[int, bool] = {}

    def has_text(self, index: int) -> bool:
        if index not in self.known:
            body = self.bodies[index]
            self.known[index] = extract_dict(body, None, "text/html") is not None
        return self.known[index]


def check_archived(
    crawl: CrawlMemory, archived: set[str], copies: int, text: PagesWithText
) -> None:
    """The figure is meaningless unless the crawl archived every page with text, and only
    those. An archived version has text by definition, so only the pages missing from the
    archive are extracted again here, to confirm they hold none."""
    served = {page_path(i, copy): i for copy in range(copies) for i in range(len(text.bodies))}
    problems = []
    if crawl.summary.get("status") != "finished":
        problems.append(f"status {crawl.summary.get('status')}")
    if crawl.summary["new_articles"] != len(archived):
        problems.append(
            f"{crawl.summary['new_articles']} new articles, {len(archived)} in the archive"
        )
    if not archived <= served.keys():
        problems.append(f"archived pages never served: {sorted(archived - served.keys())[:3]}")
    missed = sorted(path for path, i in served.items() if path not in archived and text.has_text(i))
    if missed:
        problems.append(f"{len(missed)} pages with text not archived, e.g. {missed[:3]}")
    if problems:
        raise SystemExit(f"the crawl of {crawl.articles} pages: {'; '.join(problems)}")


def measure(pages: list[CorpusPage], quick: bool) -> list[dict[str, Any]]:
    if quick:
        pages, copies = pages[:QUICK_PAGES], QUICK_COPIES
    else:
        copies = FULL_COPIES
    bodies = [page.html_bytes() for page in pages]
    text = PagesWithText(bodies)
    with tempfile.TemporaryDirectory() as folder:
        small, archived = crawl_site(Path(folder) / "small", bodies, 1)
        check_archived(small, archived, 1, text)
        big, archived = crawl_site(Path(folder) / "big", bodies, copies)
        check_archived(big, archived, copies, text)
    with_text = small.summary["new_articles"]
    mode = f"quick mode: {len(pages)} pages x1 vs x{copies}" if quick else "full"
    return [
        figure(
            "rss_growth",
            big.peak_mb / small.peak_mb,
            "<= 1.3",
            "ratio",
            f"{mode}; peak RSS of the crawl process tree (crawl + forkserver + extraction"
            f" workers, sampled every {SAMPLE_EVERY * 1000:.0f} ms); {big.describe()};"
            f" vs {small.describe()}; {with_text} of {len(pages)} pages have text, all archived",
        ),
        figure(
            "rss_peak_mb",
            big.peak_mb,
            "< 600",
            "MB",
            f"{mode}; first crawl of {big.articles} pages"
            f" ({big.summary['new_articles']} archived); {big.describe()}",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 pages x1 vs x5")
    measure(require_corpus_or_exit(), parser.parse_args().quick)


if __name__ == "__main__":
    main()
