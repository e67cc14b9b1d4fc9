"""A first crawl of all 439 corpus pages served on loopback, against bare trafilatura.

    python benchmarks/crawl_corpus.py

Prints one JSON line per figure:
- throughput_ratio: articles archived per second by `mediawatch crawl` (a real process,
  start-up included) divided by `trafilatura.extract` pages per second in one process on
  the same pages, measured in the same run;
- extraction_f1: mean token F1 of the archived text against the corpus ground truth;
- recheck_ratio: wall time of `crawl --recheck all` over the unchanged site / the first crawl.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import trafilatura
from common import figure, make_archive, page_path, require_corpus_or_exit, serve_pages, timed_crawl

from tests.corpus import token_f1


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


def main() -> None:
    pages = require_corpus_or_exit()
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
    figure(
        "throughput_ratio",
        crawl_rate / bare_rate,
        ">= 1.5",
        "ratio",
        f"crawl {archived} articles in {crawl_seconds:.1f} s ({crawl_rate:.1f}/s); "
        f"bare trafilatura.extract {bare_rate:.1f} pages/s in one process",
    )
    scores = [
        token_f1(texts.get(url, ""), page.text) for url, page in zip(urls, pages, strict=True)
    ]
    figure(
        "extraction_f1",
        statistics.mean(scores),
        ">= 0.945",
        "F1",
        f"{len(texts)} of {len(pages)} pages archived; median {statistics.median(scores):.3f}",
    )
    figure(
        "recheck_ratio",
        recheck_seconds / crawl_seconds,
        "<= 0.10",
        "ratio",
        f"recheck all {recheck_seconds:.1f} s ({recheck['not_modified']} not modified) "
        f"vs first crawl {crawl_seconds:.1f} s",
    )


if __name__ == "__main__":
    main()
