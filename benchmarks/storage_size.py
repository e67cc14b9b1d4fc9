"""How big is the archive on disk, against the HTML it holds?

    python benchmarks/storage_size.py [--quick]

The corpus pages (all 439; the first 80 with ``--quick``) are served on loopback, each
load with its own churning boilerplate (``tests/churn.py``), and crawled by a real
``mediawatch crawl``. Then every page gets a real edit twice (the kinds of
``tests/churn.EDIT_KINDS`` in turn) and ``crawl --recheck all --no-discover`` runs after
each, so that each article ends with three versions, as after a few days of watching.

Figure ``storage_ratio``: the archive's bytes on disk (the SQLite file and every file
beside it: -wal, -shm), measured after the crawl processes closed and a
``PRAGMA wal_checkpoint(TRUNCATE)``, divided by the raw HTML bytes archived (the sum of
``versions.raw_html_size`` over every stored version). The detail says where the bytes
are, per table and index, from SQLite's ``dbstat`` table.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from common import (
    edit_page,
    figure,
    make_archive,
    page_load,
    page_path,
    require_corpus_or_exit,
    serve_page,
    serve_pages,
    timed_crawl,
)

from tests.churn import EditNotApplicable
from tests.corpus import CorpusPage

QUICK_PAGES = 80
EDITS = 2  # each article: a first version and two edits


def latest_texts(database: Path) -> dict[str, tuple[int, str]]:
    """For each archived URL: its number of versions and the text of its latest."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT a.url, a.version_count, v.text FROM articles a"
            " LEFT JOIN versions v ON v.article_id = a.id AND v.number = a.version_count"
        ).fetchall()
    return {url: (count, text or "") for url, count, text in rows}


def disk_bytes(database: Path) -> int:
    """The archive's bytes on disk: the database file and its companions (-wal, -shm...)."""
    return sum(path.stat().st_size for path in database.parent.glob(database.name + "*"))


def where_the_bytes_are(database: Path) -> list[tuple[str, int]]:
    """Bytes per table and index (FTS5 shadow tables included), largest first."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
    return [(str(name), int(size)) for name, size in rows]


def column_bytes(database: Path) -> dict[str, int]:
    """Payload bytes of the big columns of ``versions`` (what is stored, before paging)."""
    with sqlite3.connect(database) as connection:
        raw, text, meta = connection.execute(
            "SELECT SUM(length(raw_html)), SUM(length(CAST(text AS BLOB))),"
            " SUM(length(metadata)) FROM versions"
        ).fetchone()
    return {"raw_html": raw or 0, "text": text or 0, "metadata": meta or 0}


def measure(pages: list[CorpusPage], quick: bool) -> list[dict[str, Any]]:
    if quick:
        pages = pages[:QUICK_PAGES]
    htmls = [page.html_bytes().decode("utf-8") for page in pages]
    site = serve_pages(
        [page_load(h, p, i, 0) for i, (h, p) in enumerate(zip(htmls, pages, strict=True))]
    )
    urls = [site.url(page_path(i)) for i in range(len(pages))]
    skipped: Counter[str] = Counter()
    try:
        with tempfile.TemporaryDirectory() as folder:
            config = make_archive(Path(folder), site)
            database = config.parent / "archive.db"
            timed_crawl(config)
            current = list(htmls)
            for round_ in range(1, EDITS + 1):
                stored = latest_texts(database)
                for i, url in enumerate(urls):
                    count, kept = stored.get(url, (0, ""))
                    if count == 0:
                        continue
                    try:
                        _, current[i] = edit_page(
                            current[i], kept, first_kind=i + round_, seed=i * 10 + round_
                        )
                    except EditNotApplicable:
                        skipped[f"round {round_}"] += 1
                    serve_page(site, i, page_load(current[i], pages[i], i, round_))
                timed_crawl(config, "--recheck", "all", "--no-discover")
            result = size_figure(database, len(pages), quick, skipped)
    finally:
        site.stop()
    return [result]


def size_figure(database: Path, page_count: int, quick: bool, skipped: Counter[str]) -> Any:
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        versions, articles, raw_bytes = connection.execute(
            "SELECT COUNT(*), COUNT(DISTINCT article_id), SUM(raw_html_size) FROM versions"
        ).fetchone()
        per_article = Counter(
            count for (count,) in connection.execute("SELECT version_count FROM articles")
        )
    on_disk = disk_bytes(database)
    breakdown = where_the_bytes_are(database)
    columns = column_bytes(database)
    top = ", ".join(f"{name} {size / on_disk:.1%}" for name, size in breakdown[:6])
    spread = ", ".join(f"{n} versions: {per_article[n]}" for n in sorted(per_article))
    return figure(
        "storage_ratio",
        on_disk / raw_bytes,
        "<= 0.35",
        "ratio",
        f"{'quick: first ' if quick else ''}{page_count} corpus pages crawled, edited twice, "
        f"rechecked twice: {articles} articles, {versions} versions ({spread}); "
        f"{on_disk / 1e6:.2f} MB on disk (database file and its -wal/-shm, after the crawl "
        f"processes closed and PRAGMA wal_checkpoint(TRUNCATE)) for "
        f"{raw_bytes / 1e6:.2f} MB raw HTML archived; by table: {top}; stored raw_html "
        f"{columns['raw_html'] / raw_bytes:.3f} of raw, text {columns['text'] / raw_bytes:.3f}"
        + (f"; no edit applied: {dict(skipped)}" if skipped else ""),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_PAGES} pages only")
    measure(require_corpus_or_exit(), parser.parse_args().quick)


if __name__ == "__main__":
    main()
