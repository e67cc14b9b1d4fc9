"""A first crawl of all 439 corpus pages served on loopback, against bare trafilatura.

    python benchmarks/crawl_corpus.py [--quick]

Prints one JSON line per figure:
- throughput_ratio: articles archived per second by `mediawatch crawl` (a real process,
  start-up included) divided by `trafilatura.extract` pages per second in one process on
  the same pages, measured in the same run;
- extraction_f1: mean token F1 of the archived text against the corpus ground truth;
- recheck_ratio: wall time of `crawl --recheck all` over the unchanged site / the first crawl.

``--quick`` uses the first 100 pages; process start-up then weighs more in both ratios.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import trafilatura
from common import figure, make_archive, page_path, require_corpus_or_exit, serve_pages, timed_crawl

from tests.corpus import CorpusPage, token_f1

QUICK_PAGES = 100


def bare_trafilatura_rate(bodies: list[bytes]) -> float:
    started = time.perf_counter()
    for body in bodies:
        trafilatura.extract(body.decode("utf-8"))
    return len(bodies) / (time.perf_counter() - started)


def stored_texts(config: Path) -> dict[str, str]:
    database = config.parent / "archive.db"
    with sqlite3.connect(database) as connection:
        return dict(
            connection.execute(
                "SELECT a.url, v.text FROM articles a JOIN versions v ON v.article_id = a.id"
                " WHERE v.number = 1"
            ).fetchall()
        )


def measure(pages: list[CorpusPage], quick: bool) -> list[dict[str, Any]]:
    if quick:
        pages = pages[:QUICK_PAGES]
    bodies = [page.html_bytes() for page in pages]
    site = serve_pages(bodies)
    try:
        with tempfile.TemporaryDirectory() as folder:
            config = make_archive(Path(folder), site)
            crawl_seconds, summary = timed_crawl(config)
            bare_rate = bare_trafilatura_rate(bodies)
            recheck_seconds, recheck = timed_crawl(config, "--recheck", "all", "--no-discover")
            texts = stored_texts(config)
            urls = [site.url(page_path(i)) for i in range(len(pages))]
    finally:
        site.stop()
    archived = summary["new_articles"]
    crawl_rate = archived / crawl_seconds
    scores = [
        token_f1(texts.get(url, ""), page.text) for url, page in zip(urls, pages, strict=True)
    ]
    scope = f"{len(pages)} corpus pages" + (" (--quick)" if quick else "")
    return [
        figure(
            "throughput_ratio",
            crawl_rate / bare_rate,
            ">= 1.5",
            "ratio",
            f"{scope}: crawl archived {archived} articles in {crawl_seconds:.1f} s "
            f"({crawl_rate:.1f}/s, process start-up included); bare trafilatura.extract "
            f"{bare_rate:.1f} pages/s in one process",
        ),
        figure(
            "extraction_f1",
            statistics.mean(scores),
            ">= 0.945",
            "F1",
            f"{scope}: {len(texts)} archived; median {statistics.median(scores):.3f}",
        ),
        figure(
            "recheck_ratio",
            recheck_seconds / crawl_seconds,
            "<= 0.10",
            "ratio",
            f"{scope}: recheck all {recheck_seconds:.1f} s ({recheck['not_modified']} "
            f"not modified) vs first crawl {crawl_seconds:.1f} s",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_PAGES} pages only")
    args = parser.parse_args()
    measure(require_corpus_or_exit(), args.quick)


if __name__ == "__main__":
    main()
