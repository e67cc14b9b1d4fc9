"""What keeps a crawl's memory flat: a stored batch leaves nothing behind, and the memory
benchmark (benchmarks/crawl_memory.py) counts every process of a crawl, workers included."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.archive import Archive, FetchedPage
from storage.models import Article, Version

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import crawl_memory  # benchmarks/ is not a package, so by path

BATCH = 50


def fetched(number: int, text: str = "The harbour plan") -> FetchedPage:
    return FetchedPage(
        url=f"https://news.example/2026/11/story-{number}.html",
        source="news",
        fetched_at=datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
        http_status=200,
        raw_html=b"<html><body>" + b"<p>paragraph</p>" * 5000 + b"</body></html>",
        extracted={"title": f"Story {number}", "text": f"{text}, story {number}. " * 100},
    )


def alive(*kinds: type) -> dict[str, int]:
    return {kind.__name__: sum(isinstance(o, kind) for o in gc.get_objects()) for kind in kinds}


@pytest.fixture
def no_cycle_collector() -> Iterator[None]:
    """Only reference counting frees objects: what survives a batch is held by something."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.usefixtures("no_cycle_collector")
def test_a_stored_batch_leaves_no_articles_or_versions_in_memory(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store_many([fetched(0)])  # the source row exists; batches below are steady state
    archive.store_many([fetched(n) for n in range(1, BATCH + 1)])
    changed = archive.store_many([fetched(n, "The revised plan") for n in range(1, 5)])
    assert {result.outcome for result in changed} == {"changed"}
    # Each left-over version holds its page's compressed HTML and text: in a crawl they
    # pile up for many batches until Python's full collection runs.
    assert alive(Article, Version) == {"Article": 0, "Version": 0}


GRANDCHILD = "import sys; b = bytearray(64 * 2**20); b[::4096] = b'x' * (len(b) // 4096);"
GRANDCHILD += "print('ready', flush=True); sys.stdin.read()"
CHILD = f"""
import subprocess, sys
worker = subprocess.Popen([sys.executable, "-c", {GRANDCHILD!r}], stdout=sys.stdout)
sys.stdin.read()
worker.kill()
"""


def test_the_benchmark_counts_the_memory_of_every_descendant() -> None:
    # A crawl process whose extraction worker (a grandchild, as under the forkserver)
    # holds 64 MB: the sampled tree must include it.
    with subprocess.Popen(
        [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdin is not None and child.stdout is not None
        try:
            assert child.stdout.readline() == "ready\n"
            memory = crawl_memory.TreeMemory(child.pid)
            memory.sample()
        finally:
            child.stdin.close()  # both read stdin to its end, then exit
    roles = sorted(memory.roles.values())
    worker_mb = memory.hwm_mb("worker")
    assert roles == ["main", "worker"]
    assert worker_mb[0] >= 64
    assert memory.peak_kb / 1024 > 64  # the child alone is ~10 MB
