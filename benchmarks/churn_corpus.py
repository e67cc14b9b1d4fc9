"""Boilerplate churn and real edits on all 439 corpus pages, through real crawls.

    python benchmarks/churn_corpus.py [--quick]

Every page is served on loopback with the boilerplate of one page load
(``tests/churn.py``: teasers, counters, "N minutes ago", promos, ads, tokens, around the
article and between its paragraphs) and crawled into a fresh archive. Then:

1. every page is served again with the boilerplate of another load, same article, and
   ``crawl --recheck all --no-discover`` runs: each new version is a false one;
2. every page gets one real edit (one word, a paragraph added, a paragraph removed, the
   headline; the four kinds in turn) under the boilerplate of a third load, and the
   recheck runs again: each page without a new version is a missed edit.

Pages where the first crawl stored no version (no article text found) are left out and
counted in the detail. Prints one JSON line per figure:

- churn_false_versions: new versions after the churn-only recheck (target 0);
- churn_missed_versions: edited pages without a new version (target 0), per edit kind;
- noise_recheck_ratio: wall time of the churn recheck / wall time of the first crawl.

``--quick`` uses the first 100 pages.
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

from tests.churn import EDIT_KINDS, EditNotApplicable
from tests.corpus import CorpusPage

FIRST, CHURN, EDIT = 0, 1, 2
QUICK_PAGES = 100


def versions(config: Path) -> dict[str, tuple[int, str]]:
    """For each archived URL: how many versions it has, and the text of its first."""
    with sqlite3.connect(config.parent / "archive.db") as connection:
        rows = connection.execute(
            "SELECT a.url, COUNT(v.id), MAX(CASE WHEN v.number = 1 THEN v.text END)"
            " FROM articles a LEFT JOIN versions v ON v.article_id = a.id GROUP BY a.url"
        ).fetchall()
    return {url: (count, text or "") for url, count, text in rows}


def measure(pages: list[CorpusPage], quick: bool) -> list[dict[str, Any]]:
    if quick:
        pages = pages[:QUICK_PAGES]
    htmls = [page.html_bytes().decode("utf-8") for page in pages]
    site = serve_pages(
        [page_load(h, p, i, FIRST) for i, (h, p) in enumerate(zip(htmls, pages, strict=True))]
    )
    try:
        with tempfile.TemporaryDirectory() as folder:
            config = make_archive(Path(folder), site)
            first_seconds, first = timed_crawl(config)
            stored = versions(config)
            urls = [site.url(page_path(i)) for i in range(len(pages))]
            kept = [i for i, url in enumerate(urls) if stored.get(url, (0, ""))[0] == 1]
            excluded = [pages[i].id for i in sorted(set(range(len(pages))) - set(kept))]

            for i in kept:
                serve_page(site, i, page_load(htmls[i], pages[i], i, CHURN))
            churn_seconds, churn = timed_crawl(config, "--recheck", "all", "--no-discover")
            after_churn = versions(config)
            false_pages = [pages[i].id for i in kept if after_churn[urls[i]][0] != 1]

            kinds: dict[int, str] = {}
            not_applicable = []
            for i in kept:
                try:
                    kinds[i], edited = edit_page(htmls[i], stored[urls[i]][1], first_kind=i, seed=i)
                except EditNotApplicable:
                    not_applicable.append(pages[i].id)
                    continue
                serve_page(site, i, page_load(edited, pages[i], i, EDIT))
            edit_seconds, edit = timed_crawl(config, "--recheck", "all", "--no-discover")
            after_edit = versions(config)
    finally:
        site.stop()

    scope = f"{len(pages)} corpus pages" + (" (--quick)" if quick else "")
    excluded_note = f"{len(excluded)} page(s) without a first version left out" + (
        f" ({', '.join(excluded)})" if excluded else ""
    )
    false_versions = figure(
        "churn_false_versions",
        churn["new_versions"],
        "0",
        "versions",
        f"{scope}: {len(kept)} re-served with new boilerplate, recheck all: "
        f"{churn['unchanged']} unchanged, {churn['not_modified']} not modified, "
        f"{churn['new_versions']} new versions"
        + (f" on {', '.join(false_pages[:10])}" if false_pages else "")
        + f"; {excluded_note}",
    )
    edited_pages = sorted(kinds)
    missed = [i for i in edited_pages if after_edit[urls[i]][0] != after_churn[urls[i]][0] + 1]
    per_kind = Counter(kinds[i] for i in edited_pages)
    missed_kind = Counter(kinds[i] for i in missed)
    missed_versions = figure(
        "churn_missed_versions",
        len(missed),
        "0",
        "pages",
        f"{scope}: {len(edited_pages)} edited under new boilerplate, "
        f"{edit['new_versions']} new versions; "
        + ", ".join(f"{k}: {missed_kind[k]} missed of {per_kind[k]}" for k in EDIT_KINDS)
        + (f"; missed on {', '.join(pages[i].id for i in missed[:10])}" if missed else "")
        + (f"; no edit applied to {', '.join(not_applicable)}" if not_applicable else "")
        + f"; {excluded_note}; edit recheck {edit_seconds:.1f} s",
    )
    noise_ratio = figure(
        "noise_recheck_ratio",
        churn_seconds / first_seconds,
        "<= 0.7",
        "ratio",
        f"{scope}: churn recheck of {len(kept)} pages {churn_seconds:.1f} s "
        f"({churn['fetched']} fetched) vs first crawl {first_seconds:.1f} s "
        f"({first['new_articles']} new articles)",
    )
    return [false_versions, missed_versions, noise_ratio]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_PAGES} pages only")
    args = parser.parse_args()
    measure(require_corpus_or_exit(), args.quick)


if __name__ == "__main__":
    main()
