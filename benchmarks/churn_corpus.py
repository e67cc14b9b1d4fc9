"""Boilerplate churn, the traps news sites set, and real edits, on all 439 corpus pages,
through real crawls.

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

Then the traps of ``tests/traps.py``, each kind on a loopback site and a source of its own
in the same archive, every page naming its own address as canonical. The kinds run in
lockstep: in each phase every kind with a step left serves it, and one ``crawl --recheck
all`` (with discovery) of those kinds' sources reads them all; a false version is one
where the article did not change, a missed edit a real edit without a new version:

- dateline: datelines of load 1, first crawl; of load 2 (false); a dated sentence edited
  under those of load 3 (missed);
- soft_failure: every page answers a wall (the six kinds in turn, in its language), and 50
  new URLs first answer one (false: new versions and versions of the new URLs; also the
  articles now "gone", the fetch outcomes and ``status --json``); the real pages back,
  each with one real edit (missed);
- cut_body: a paywall teaser (half the pages with three kept paragraphs or more) or a body
  cut in transport (Content-Length announced or not), under new boilerplate (false); the
  page whole but for its last paragraph (missed);
- ab_headline: headline (every fourth page: lede) B, a real change, then A, B, A (false:
  versions beyond two; ``versions --json`` returns); a one-word edit of A (missed);
- moved_url: a new slug with a 301 from the old, only the new in the sitemap (false: new
  versions and articles; ``show OLD_URL --json`` must still answer), moved again with a
  headline edit (missed), AMP and print copies of 50 pages in the sitemap (false);
- structured_data: new URLs whose body is only in JSON-LD or ``__NEXT_DATA__`` (pages with
  no text, token F1 against the ground truth), new boilerplate (false), one word of the
  JSON text edited (missed).

They print ``churn_<kind>_false_versions`` and ``churn_<kind>_missed_versions`` (target
0), and churn_soft_failure_gone_articles, churn_moved_url_lost_addresses,
churn_structured_data_no_text (target 0) and churn_structured_data_f1.

``--quick`` uses the first 100 pages.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import statistics
import tempfile
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from common import (
    LOAD_SEED,
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

from crawler.newssite import NewsSite, Resource, SitemapEntry, sitemap_urlset
from tests.churn import (
    EDIT_KINDS,
    EditNotApplicable,
    apply_edit,
    body_spans,
    inject_churn,
    page_language,
)
from tests.corpus import CorpusPage, token_f1
from tests.traps import (
    JSON_STYLES,
    WALL_KINDS,
    copy_page,
    edit_dated_sentence,
    edit_structured_word,
    headline_variants,
    inject_datelines,
    json_only_page,
    lede_variants,
    move_page,
    paywall_teaser,
    remove_last_paragraph,
    site_name_of,
    title_of,
    wall_page,
)

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
    with tempfile.TemporaryDirectory() as folder:
        rows, plain_texts = measure_boilerplate(pages, htmls, quick, Path(folder))
        rows += measure_traps(pages, htmls, quick, Path(folder), plain_texts)
    return rows


def measure_boilerplate(
    pages: list[CorpusPage], htmls: list[str], quick: bool, folder: Path
) -> tuple[list[dict[str, Any]], list[str]]:
    """The three boilerplate figures, and the text the first crawl kept of each page."""
    site = serve_pages(
        [page_load(h, p, i, FIRST) for i, (h, p) in enumerate(zip(htmls, pages, strict=True))]
    )
    try:
        config = make_archive(folder, site)
        first_seconds, first = timed_crawl(config)
        stored = versions(config)
        urls = [site.url(page_path(i)) for i in range(len(pages))]
        kept = [i for i, url in enumerate(urls) if stored.get(url, (0, ""))[0] == 1]
        excluded = [pages[i].id for i in sorted(set(range(len(pages))) - set(kept))]

        for i in kept:
            serve_page(site, i, page_load(htmls[i], pages[i], i, CHURN))
        churn_seconds, churn = timed_crawl(config, "--recheck", "all", "--no-discover")
        after_churn = versions(config)
        # Two corpus pages of one story name one canonical: the archive may keep them as
        # one article, and the address of the other is then no longer an article's.
        false_pages = [pages[i].id for i in kept if after_churn.get(urls[i], (1, ""))[0] != 1]

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
    merged = [i for i in kept if urls[i] not in after_churn or urls[i] not in after_edit]
    merged_note = (
        f"; {len(merged)} page(s) the archive merged into the article of another page with "
        f"the same canonical left out ({', '.join(pages[i].id for i in merged)})"
        if merged
        else ""
    )
    edited_pages = sorted(set(kinds) - set(merged))
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
        + f"; {excluded_note}{merged_note}; edit recheck {edit_seconds:.1f} s",
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
    plain_texts = [stored.get(url, (0, ""))[1] for url in urls]
    return [false_versions, missed_versions, noise_ratio], plain_texts


# -------------------------------------------------------------------------------- traps

TRAPS = ("dateline", "soft_failure", "cut_body", "ab_headline", "moved_url", "structured_data")
NEW_WALL_URLS = 50  # article URLs whose first answer is a wall
COPIES = 50  # pages given an AMP or print copy
HTML = "text/html"


@dataclass(frozen=True)
class Stored:
    """One archived article as the SQLite archive holds it."""

    id: int
    source: str
    versions: int
    status: str
    first: str  # the text of version 1


class Archive:
    """The run's archive: read with SQL, and with `mediawatch` commands run in this process
    (click's runner, to spare a process start-up per command)."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.database = config.parent / "archive.db"

    def state(self) -> dict[str, Stored]:
        with sqlite3.connect(self.database) as connection:
            rows = connection.execute(
                "SELECT a.url, a.id, s.name, a.status, COUNT(v.id),"
                " MAX(CASE WHEN v.number = 1 THEN v.text END)"
                " FROM articles a JOIN sources s ON s.id = a.source_id"
                " LEFT JOIN versions v ON v.article_id = a.id GROUP BY a.id"
            ).fetchall()
        return {
            url: Stored(article, source, count, status, text or "")
            for url, article, source, status, count, text in rows
        }

    def fetch_mark(self) -> int:
        """The id of the last fetch logged so far."""
        with sqlite3.connect(self.database) as connection:
            return int(connection.execute("SELECT COALESCE(MAX(id), 0) FROM fetches").fetchone()[0])

    def outcomes(self, since: int) -> dict[str, Counter[str]]:
        """Per source, the outcomes of the fetches logged after fetch `since`."""
        with sqlite3.connect(self.database) as connection:
            rows = connection.execute(
                "SELECT s.name, f.outcome, COUNT(*) FROM fetches f"
                " JOIN articles a ON a.id = f.article_id JOIN sources s ON s.id = a.source_id"
                " WHERE f.id > ? GROUP BY s.name, f.outcome",
                (since,),
            ).fetchall()
        found: dict[str, Counter[str]] = {}
        for source, outcome, count in rows:
            found.setdefault(source, Counter())[outcome] = count
        return found

    def command(self, *args: str) -> Any:
        """The JSON a `mediawatch --config CONFIG ARGS... --json` prints, None if it fails."""
        from click.testing import CliRunner

        from cli.main import cli

        result = CliRunner().invoke(cli, ["--config", str(self.config), *args, "--json"])
        if result.exit_code != 0:
            return None
        try:
            return json.loads(result.stdout)
        except ValueError:
            return None


def versions_of(state: Mapping[str, Stored], *urls: str) -> int:
    """How many versions the articles at ``urls`` hold together."""
    return sum(state[url].versions for url in urls if url in state)


def article_changes(
    before: Mapping[str, Stored],
    after: Mapping[str, Stored],
    source: str,
    skip: Collection[int] = (),
) -> tuple[int, int]:
    """What one crawl added to a source: (new articles, new versions of the articles it
    had before, but those in ``skip``). Counted by article id, so that an article whose
    address changed is not a new one, and one merged into another takes nothing away."""
    old = {row.id: row.versions for row in before.values() if row.source == source}
    new = {row.id: row.versions for row in after.values() if row.source == source}
    added = sum(article not in old for article in new)
    grown = sum(
        max(0, count - old[article])
        for article, count in new.items()
        if article in old and article not in skip
    )
    return added, grown


def status_counts(archive: Archive, source: str) -> dict[str, int]:
    """The blocked and truncated counts `mediawatch status --json` gives a source."""
    for entry in (archive.command("status") or {}).get("sources", []):
        if entry.get("name") == source:
            return {k: entry[k] for k in ("blocked", "truncated") if k in entry}
    return {}


def ascii_slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "story"


def shown(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items())) or "none"


_IDS_SHOWN = 12  # pages named in a figure's detail


class Trap:
    """One kind of trap on a loopback site of its own (one source of the config), served
    to the crawls phase by phase: `serve` before the crawl of a phase, `observe` after."""

    name = ""
    phases = 0

    def __init__(self, pages: list[CorpusPage], htmls: list[str], archive: Archive) -> None:
        self.pages, self.archive = pages, archive
        self.site = NewsSite().start()
        self.site.set("/robots.txt", Resource(b"User-agent: *\nAllow: /\n", "text/plain"))
        self.originals = htmls
        self.paths = self.first_paths()
        # Each page names its own address here as canonical (og:url, JSON-LD url too), as
        # a site does; the corpus pages name their publishers', which the archive already
        # holds from the boilerplate figures: every page would be a copy of one there.
        self.htmls = [move_page(html, self.url(i)) for i, html in enumerate(htmls)]
        self.kept: list[int] = []  # pages the first crawl stored a version of
        self.kept_text: dict[int, str] = {}
        self.outcomes: dict[int, Counter[str]] = {}
        self.seconds: dict[int, float] = {}

    def first_paths(self) -> dict[int, str]:
        return {i: page_path(i) for i in range(len(self.pages))}

    def source(self) -> dict[str, Any]:
        return {"name": self.name, "sitemaps": [self.site.url("/sitemap.xml")]}

    def url(self, i: int) -> str:
        return self.site.url(self.paths[i])

    def set(self, path: str, body: str | bytes | Resource) -> None:
        if isinstance(body, str):
            body = body.encode()
        self.site.set(path, body if isinstance(body, Resource) else Resource(body, HTML))

    def publish(self, extra: Sequence[str] = ()) -> None:
        """The sitemap: every page at its current path, and ``extra`` paths."""
        paths = [*self.paths.values(), *extra]
        entries = [SitemapEntry(self.site.url(path)) for path in paths]
        self.site.set("/sitemap.xml", Resource(sitemap_urlset(entries).encode(), "application/xml"))

    def first_seen(self, state: Mapping[str, Stored]) -> None:
        for i in self.paths:
            stored = state.get(self.url(i))
            if stored is not None and stored.versions >= 1:
                self.kept.append(i)
                self.kept_text[i] = stored.first

    def grew(self, before: Mapping[str, Stored], after: Mapping[str, Stored], i: int) -> bool:
        return versions_of(after, self.url(i)) > versions_of(before, self.url(i))

    def serve(self, phase: int) -> None:
        raise NotImplementedError

    def observe(self, phase: int, before: dict[str, Stored], after: dict[str, Stored]) -> None:
        raise NotImplementedError

    def figures(self, scope: str) -> list[dict[str, Any]]:
        raise NotImplementedError

    def excluded(self) -> str:
        left_out = len(self.pages) - len(self.kept)
        return f"; {left_out} page(s) without a first version left out" if left_out else ""

    def timing(self) -> str:
        seconds = " / ".join(f"{self.seconds[p]:.1f}" for p in sorted(self.seconds))
        return f"its phases' crawls (shared with the other kinds) {seconds} s"

    def outcome_note(self, phase: int) -> str:
        return f"fetch outcomes: {shown(self.outcomes.get(phase, Counter()))}"

    def ids(self, indexes: Sequence[int]) -> str:
        """The corpus ids of the pages a figure counts (the first few), to look into."""
        if not indexes:
            return ""
        more = f" and {len(indexes) - _IDS_SHOWN} more" if len(indexes) > _IDS_SHOWN else ""
        return f" ({', '.join(self.pages[i].id for i in indexes[:_IDS_SHOWN])}{more})"


class Datelines(Trap):
    """In-body datelines whose times move between loads, then an edit of a dated sentence."""

    name, phases = "dateline", 3

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.false: list[int] = []
        self.edited: dict[int, str] = {}
        self.missed: list[int] = []
        self.not_applicable = 0

    def load(self, html: str, i: int, number: int) -> str:
        return inject_datelines(html, LOAD_SEED * number + i, reference=self.pages[i].text)

    def serve(self, phase: int) -> None:
        if phase == 0:
            for i, html in enumerate(self.htmls):
                self.set(self.paths[i], self.load(html, i, 1))
            self.publish()
        elif phase == 1:
            for i in self.kept:
                self.set(self.paths[i], self.load(self.htmls[i], i, 2))
        elif phase == 2:
            for i in self.kept:
                try:
                    edited = edit_dated_sentence(self.htmls[i], i, self.kept_text[i])
                except EditNotApplicable:
                    self.not_applicable += 1
                    continue
                grown = len(edited) > len(self.htmls[i]) + 20
                self.edited[i] = "sentence added" if grown else "date changed"
                self.set(self.paths[i], self.load(edited, i, 3))

    def observe(self, phase: int, before: dict[str, Stored], after: dict[str, Stored]) -> None:
        if phase == 0:
            self.first_seen(after)
        elif phase == 1:
            self.false = [i for i in self.kept if self.grew(before, after, i)]
        elif phase == 2:
            self.missed = [i for i in self.edited if not self.grew(before, after, i)]

    def figures(self, scope: str) -> list[dict[str, Any]]:
        ways = Counter(self.edited.values())
        missed_ways = Counter(self.edited[i] for i in self.missed)
        return [
            figure(
                "churn_dateline_false_versions",
                len(self.false),
                "0",
                "versions",
                f"{scope}: {len(self.kept)} pages with 1-3 datelines (tests/traps.py), served "
                f"again with the times of another load: {len(self.false)} new versions"
                + self.ids(self.false)
                + f"; {self.outcome_note(1)}{self.excluded()}",
            ),
            figure(
                "churn_dateline_missed_versions",
                len(self.missed),
                "0",
                "pages",
                f"{scope}: {len(self.edited)} pages with a dated sentence edited under the "
                "datelines of a third load: "
                + ", ".join(f"{way}: {missed_ways[way]} missed of {n}" for way, n in ways.items())
                + self.ids(self.missed)
                + (
                    f"; no dated edit applied to {self.not_applicable}"
                    if self.not_applicable
                    else ""
                )
                + f"; {self.timing()}",
            ),
        ]


class SoftFailures(Trap):
    """Walls answered with 200 instead of the article, on known and on new URLs."""

    name, phases = "soft_failure", 3

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.new_paths = [
            f"/2026/11/new-{j:04d}.html" for j in range(min(NEW_WALL_URLS, len(self.pages)))
        ]
        self.walls: dict[int, str] = {}
        self.false: list[int] = []
        self.new_with_versions = 0
        self.new_versions = 0
        self.new_stored_kinds: Counter[str] = Counter()
        self.gone = 0
        self.statuses: Counter[str] = Counter()
        self.status_counts: dict[str, int] = {}
        self.edited: dict[int, str] = {}
        self.missed: list[int] = []
        self.recovered = 0

    def wall(self, j: int, kind: str, seed: int) -> Resource:
        html = self.htmls[j]
        page = wall_page(
            kind,
            page_language(html),
            seed,
            site_name=site_name_of(html, urlsplit(self.pages[j].url).hostname or "News"),
            article_title=title_of(html) or None,
        )
        headers = {"Cache-Control": "private, no-store"}
        return Resource(page.encode(), "text/html; charset=utf-8", etag=False, headers=headers)

    def serve(self, phase: int) -> None:
        if phase == 0:
            for i, html in enumerate(self.htmls):
                self.set(self.paths[i], html)
            self.publish()
        elif phase == 1:
            for i in self.kept:
                self.walls[i] = WALL_KINDS[i % len(WALL_KINDS)]
                self.set(self.paths[i], self.wall(i, self.walls[i], i))
            for j, path in enumerate(self.new_paths):
                self.set(path, self.wall(j, WALL_KINDS[j % len(WALL_KINDS)], 10_000 + j))
            self.publish(self.new_paths)
        elif phase == 2:
            for i in self.kept:
                try:
                    kind, edited = edit_page(self.htmls[i], self.kept_text[i], first_kind=i, seed=i)
                except EditNotApplicable:
                    continue
                self.edited[i] = kind
                self.set(self.paths[i], edited)
            for j, path in enumerate(self.new_paths):
                self.set(path, move_page(self.originals[j], self.site.url(path)))

    def observe(self, phase: int, before: dict[str, Stored], after: dict[str, Stored]) -> None:
        if phase == 0:
            self.first_seen(after)
        elif phase == 1:
            self.false = [i for i in self.kept if self.grew(before, after, i)]
            new_urls = [self.site.url(path) for path in self.new_paths]
            self.new_versions = versions_of(after, *new_urls)
            self.new_with_versions = sum(versions_of(after, url) > 0 for url in new_urls)
            self.new_stored_kinds = Counter(
                WALL_KINDS[j % len(WALL_KINDS)]
                for j, url in enumerate(new_urls)
                if versions_of(after, url) > 0
            )
            mine = [row for row in after.values() if row.source == self.name]
            self.statuses = Counter(row.status for row in mine)
            self.gone = self.statuses["gone"]
            self.status_counts = status_counts(self.archive, self.name)
        elif phase == 2:
            self.missed = [i for i in self.edited if not self.grew(before, after, i)]
            new_urls = [self.site.url(path) for path in self.new_paths]
            self.recovered = sum(versions_of(after, url) == 1 for url in new_urls)

    def figures(self, scope: str) -> list[dict[str, Any]]:
        per_kind = Counter(self.walls.values())
        false_kind = Counter(self.walls[i] for i in self.false)
        edit_kinds = Counter(self.edited.values())
        missed_kinds = Counter(self.edited[i] for i in self.missed)
        return [
            figure(
                "churn_soft_failure_false_versions",
                len(self.false) + self.new_versions,
                "0",
                "versions",
                f"{scope}: {len(self.kept)} archived pages answered 200 with a wall in their "
                f"language (tests/traps.py), recheck all: {len(self.false)} new versions ("
                + ", ".join(f"{k} {false_kind[k]}/{per_kind[k]}" for k in WALL_KINDS)
                + f"); {len(self.new_paths)} new URLs whose first answer is a wall: "
                f"{self.new_versions} versions stored on {self.new_with_versions} "
                f"({shown(self.new_stored_kinds)}); "
                f"{self.outcome_note(1)}; article statuses {shown(self.statuses)}; status --json "
                f"counts {shown(self.status_counts) if self.status_counts else 'not reported'}"
                f"{self.excluded()}",
            ),
            figure(
                "churn_soft_failure_gone_articles",
                self.gone,
                "0",
                "articles",
                f"{scope}: articles whose status became 'gone' while their pages answered walls",
            ),
            figure(
                "churn_soft_failure_missed_versions",
                len(self.missed),
                "0",
                "pages",
                f"{scope}: the real pages back after the walls, with one real edit each: "
                + ", ".join(f"{k}: {missed_kinds[k]} missed of {n}" for k, n in edit_kinds.items())
                + f"; the {len(self.new_paths)} new URLs got their first version on "
                f"{self.recovered}; {self.outcome_note(2)}; {self.timing()}",
            ),
        ]


class CutBodies(Trap):
    """Paywall teasers and bodies cut in transport, then a real cut of the last paragraph."""

    name, phases = "cut_body", 3

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.groups: dict[int, str] = {}
        self.status_counts: dict[str, int] = {}
        self.false: list[int] = []
        self.edited: list[int] = []
        self.missed: list[int] = []

    def churned(self, html: str, i: int, number: int) -> str:
        return inject_churn(html, LOAD_SEED * number + i, reference=self.pages[i].text)

    def cut(self, i: int) -> Resource | str | None:
        page, kept = self.churned(self.htmls[i], i, CHURN), self.kept_text[i]
        if self.groups[i] == "teaser":
            return paywall_teaser(page, i, kept)
        spans = body_spans(page, kept)
        if not spans:
            return None
        middle = spans[len(spans) // 2]
        cut_at = len(page[: (middle.start + middle.end) // 2].encode())
        close = self.groups[i] == "cut in transport, no Content-Length"
        return Resource(page.encode(), HTML, cut_after=cut_at, close_delimited=close)

    def serve(self, phase: int) -> None:
        if phase == 0:
            for i, html in enumerate(self.htmls):
                self.set(self.paths[i], self.churned(html, i, FIRST))
            self.publish()
        elif phase == 1:
            transport = 0
            for i in self.kept:
                kept_paragraphs = {
                    s.text for s in body_spans(self.htmls[i], self.kept_text[i], whole=True)
                }
                if len(kept_paragraphs) >= 3 and i % 2 == 0:
                    self.groups[i] = "teaser"
                else:
                    self.groups[i] = (
                        "cut in transport, Content-Length announced",
                        "cut in transport, no Content-Length",
                    )[transport % 2]
                    transport += 1
                try:
                    cut = self.cut(i)
                except EditNotApplicable:
                    cut = None
                if cut is None:
                    del self.groups[i]
                else:
                    self.set(self.paths[i], cut)
        elif phase == 2:
            for i in self.kept:
                try:
                    edited = remove_last_paragraph(self.htmls[i], self.kept_text[i])
                except EditNotApplicable:
                    continue
                self.edited.append(i)
                self.set(self.paths[i], self.churned(edited, i, EDIT))

    def observe(self, phase: int, before: dict[str, Stored], after: dict[str, Stored]) -> None:
        if phase == 0:
            self.first_seen(after)
        elif phase == 1:
            self.false = [i for i in self.groups if self.grew(before, after, i)]
            self.status_counts = status_counts(self.archive, self.name)
        elif phase == 2:
            self.missed = [i for i in self.edited if not self.grew(before, after, i)]

    def figures(self, scope: str) -> list[dict[str, Any]]:
        groups = Counter(self.groups.values())
        false_groups = Counter(self.groups[i] for i in self.false)
        return [
            figure(
                "churn_cut_body_false_versions",
                len(self.false),
                "0",
                "versions",
                f"{scope}: {len(self.groups)} archived pages served cut (new boilerplate): "
                + ", ".join(
                    f"{g}: {false_groups[g]} new versions of {n}" for g, n in groups.items()
                )
                + f"; {self.outcome_note(1)}; status --json counts "
                + (shown(self.status_counts) if self.status_counts else "not reported")
                + self.excluded(),
            ),
            figure(
                "churn_cut_body_missed_versions",
                len(self.missed),
                "0",
                "pages",
                f"{scope}: {len(self.edited)} pages whole again but for their last paragraph "
                f"(a real cut): {len(self.missed)} without a new version{self.ids(self.missed)}; "
                f"{self.outcome_note(2)}; {self.timing()}",
            ),
        ]


class Headlines(Trap):
    """A/B tests: headline (or lede) B, then A, B, A again, then a real edit of A."""

    name, phases = "ab_headline", 6

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.variants: dict[int, list[str]] = {}
        self.tested: dict[int, str] = {}
        self.after_b: dict[int, int] = {}
        self.extra: dict[int, int] = {}
        self.returns: list[int] = []  # per page, the returns `versions --json` lists
        self.rows_with_returns = 0
        self.edited: list[int] = []
        self.missed: list[int] = []

    def serve(self, phase: int) -> None:
        if phase == 0:
            for i, html in enumerate(self.htmls):
                self.set(self.paths[i], html)
            self.publish()
        elif phase in (1, 2, 3, 4):
            for i, (a, b) in self.variants.items():
                self.set(self.paths[i], b if phase % 2 else a)
        elif phase == 5:
            for i in self.variants:
                try:
                    edited = apply_edit(self.htmls[i], "word", i, self.kept_text[i])
                except EditNotApplicable:
                    continue
                self.edited.append(i)
                self.set(self.paths[i], edited)

    def observe(self, phase: int, before: dict[str, Stored], after: dict[str, Stored]) -> None:
        if phase == 0:
            self.first_seen(after)
            for i in self.kept:
                html, kept = self.htmls[i], self.kept_text[i]
                tests = (lede_variants, headline_variants) if i % 4 == 3 else (headline_variants,)
                for test in tests:
                    try:
                        a, b = test(html, i, kept, 2)
                    except EditNotApplicable:
                        continue
                    self.variants[i] = [a, b]
                    self.tested[i] = "lede" if test is lede_variants else "headline"
                    break
        elif phase == 1:
            self.after_b = {i: versions_of(after, self.url(i)) - 1 for i in self.variants}
        elif phase == 4:
            self.extra = {i: max(0, versions_of(after, self.url(i)) - 2) for i in self.variants}
            for i in self.variants:
                rows = self.archive.command("versions", self.url(i)) or []
                listed = [
                    row["returns"] for row in rows if isinstance(row, dict) and "returns" in row
                ]
                self.rows_with_returns += bool(listed)
                self.returns.append(sum(len(r) if isinstance(r, list) else int(r) for r in listed))
        elif phase == 5:
            self.missed = [i for i in self.edited if not self.grew(before, after, i)]

    def figures(self, scope: str) -> list[dict[str, Any]]:
        tested = Counter(self.tested.values())
        not_one = sum(count != 1 for count in self.after_b.values())
        false = sum(self.extra.values())
        false_kind: Counter[str] = Counter()
        for i, extra in self.extra.items():
            false_kind[self.tested[i]] += extra
        returned: Counter[str] = Counter()
        for phase in (2, 3, 4):
            returned.update(self.outcomes.get(phase, Counter()))
        return [
            figure(
                "churn_ab_headline_false_versions",
                false,
                "0",
                "versions",
                f"{scope}: {len(self.variants)} pages under an A/B test ("
                + ", ".join(f"{k} {n}" for k, n in tested.items())
                + f"): B (a real change: {len(self.variants) - not_one} got exactly one new "
                f"version, {not_one} did not), then A, B, A: {false} versions beyond 2 ("
                + ", ".join(f"{k} {false_kind[k]}" for k in tested)
                + f"); fetch outcomes of A, B, A: {shown(returned)}; versions --json lists "
                f"{sum(self.returns)} returns on {self.rows_with_returns} pages{self.excluded()}",
            ),
            figure(
                "churn_ab_headline_missed_versions",
                len(self.missed),
                "0",
                "pages",
                f"{scope}: {len(self.edited)} pages with a one-word edit of variant A: "
                f"{len(self.missed)} without a new version; {self.outcome_note(5)}; "
                + self.timing(),
            ),
        ]


class MovedPages(Trap):
    """Articles moved to a new slug (301), moved again with a headline edit, and copied."""

    name, phases = "moved_url", 4

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.history: dict[int, list[str]] = {i: [path] for i, path in self.paths.items()}
        self.current: dict[int, str] = {}
        self.changes: dict[int, tuple[int, int]] = {}  # per crawl: (new articles, versions)
        self.listed: dict[int, int | None] = {}  # after each phase: rows of `articles --json`
        self.lost: dict[int, int] = {}  # after each move: old addresses `show` no longer finds
        self.old_addresses: dict[int, int] = {}
        self.edited: list[int] = []
        self.missed: list[int] = []
        self.copies: list[tuple[str, str]] = []
        self.late: list[int] = []  # missed edits the crawl after archived

    def first_paths(self) -> dict[int, str]:
        self.slugs = {i: ascii_slug(title_of(html)) for i, html in enumerate(self.originals)}
        return {i: f"/2026/11/{self.slugs[i]}-{i:04d}.html" for i in range(len(self.pages))}

    def move(self, i: int, new_path: str, html: str) -> None:
        for old in self.history[i]:
            self.site.redirect(old, self.site.url(new_path), 301)
        self.history[i].append(new_path)
        self.paths[i] = new_path
        self.current[i] = move_page(html, self.site.url(new_path))
        self.set(new_path, self.current[i])

    def serve(self, phase: int) -> None:
        if phase == 0:
            for i, html in enumerate(self.htmls):
                self.current[i] = html
                self.set(self.paths[i], html)
            self.publish()
        elif phase == 1:
            for i in self.kept:
                self.move(i, f"/world/2026/11/{self.slugs[i]}-{i:04d}.html", self.htmls[i])
            self.publish()
        elif phase == 2:
            for i in self.kept:
                try:
                    edited = apply_edit(self.htmls[i], "headline", i, self.kept_text[i])
                except EditNotApplicable:
                    continue
                path = f"/2026/11/{ascii_slug(title_of(edited))}-{i:04d}.html"
                if path in self.history[i]:
                    path = path.replace(".html", "-v2.html")
                self.edited.append(i)
                self.move(i, path, edited)
            self.publish()
        elif phase == 3:
            forms = (
                ("amp", "{}?output=amp"),
                ("amp", "/amp{}"),
                ("print", "{}?print=1"),
                ("print", "/print{}"),
            )
            for c, i in enumerate(self.kept[:COPIES]):
                kind, form = forms[c % len(forms)]
                path = form.format(self.paths[i])
                copy = copy_page(self.current[i], self.url(i), kind, reference=self.pages[i].text)
                self.set(path, copy)
                self.copies.append((kind, path))
            self.publish([path for _, path in self.copies])

    def observe(self, phase: int, before: dict[str, Stored], after: dict[str, Stored]) -> None:
        if phase == 0:
            self.first_seen(after)
        rows = self.archive.command("articles", "--source", self.name)
        self.listed[phase] = len(rows) if isinstance(rows, list) else None
        if phase in (1, 2):
            old = [self.site.url(path) for i in self.kept for path in self.history[i][:-1]]
            self.lost[phase] = sum(self.archive.command("show", url) is None for url in old)
            self.old_addresses[phase] = len(old)
        if phase == 2:
            self.missed = [i for i in self.edited if not self.moved_grew(before, after, i)]
        late_articles: set[int] = set()
        if phase == 3:
            # An edit missed by the crawl after it, archived now, is late, not a copy's doing.
            self.late = [i for i in self.missed if self.moved_grew(before, after, i)]
            late_articles = {
                after[url].id
                for i in self.late
                for url in map(self.site.url, self.history[i])
                if url in after
            }
        if phase:
            self.changes[phase] = article_changes(before, after, self.name, late_articles)

    def moved_grew(self, before: dict[str, Stored], after: dict[str, Stored], i: int) -> bool:
        urls = [self.site.url(path) for path in self.history[i]]
        return versions_of(after, *urls) > versions_of(before, *urls)

    def figures(self, scope: str) -> list[dict[str, Any]]:
        moved_articles, moved_versions = self.changes.get(1, (0, 0))
        again_articles = self.changes.get(2, (0, 0))[0]
        copy_articles, copy_versions = self.changes.get(3, (0, 0))
        listed = " -> ".join(str(self.listed[p]) for p in sorted(self.listed))
        return [
            figure(
                "churn_moved_url_false_versions",
                moved_versions + moved_articles + again_articles + copy_articles + copy_versions,
                "0",
                "versions",
                f"{scope}: {len(self.kept)} archived pages moved to a new slug (301 from the "
                f"old, canonical and sitemap at the new), discovery and recheck all: "
                f"{moved_versions} new versions, {moved_articles} extra articles; moved again "
                f"with a headline edit: {again_articles} extra articles; copies of "
                f"{len(self.copies)} pages ("
                + shown(Counter(kind for kind, _ in self.copies))
                + f", canonical to the article) in the sitemap: {copy_articles} new articles, "
                f"{copy_versions} new versions; articles --json rows after each crawl: {listed}; "
                f"{self.outcome_note(1)}{self.excluded()}",
            ),
            figure(
                "churn_moved_url_lost_addresses",
                sum(self.lost.values()),
                "0",
                "URLs",
                f"{scope}: old addresses `mediawatch show OLD_URL --json` no longer answers: "
                f"{self.lost.get(1, 0)} of {self.old_addresses.get(1, 0)} after the first "
                f"move, {self.lost.get(2, 0)} of {self.old_addresses.get(2, 0)} after the second",
            ),
            figure(
                "churn_moved_url_missed_versions",
                len(self.missed),
                "0",
                "pages",
                f"{scope}: {len(self.edited)} pages moved again with a headline edit (new slug, "
                f"301s from both old addresses): {len(self.missed)} without a new version "
                f"({len(self.late)} of them archived by the next crawl); "
                f"{again_articles} extra articles; {self.outcome_note(2)}; {self.timing()}",
            ),
        ]


class StructuredData(Trap):
    """Client-rendered pages, the text only in JSON-LD or __NEXT_DATA__, as new URLs."""

    name, phases = "structured_data", 3

    def __init__(self, *args: Any, plain_texts: Sequence[str] = ()) -> None:
        super().__init__(*args)
        self.plain_texts = plain_texts
        self.styles = {i: JSON_STYLES[i % 2] for i in range(len(self.pages))}
        self.served: list[int] = []
        self.no_text: list[int] = []
        self.f1: dict[int, float] = {}
        self.false: list[int] = []
        self.edited: list[int] = []
        self.missed: list[int] = []

    def load(self, i: int, number: int, seed: int) -> str:
        page = self.pages[i]
        churned = inject_churn(self.htmls[i], LOAD_SEED * number + i, reference=page.text)
        return json_only_page(churned, seed, page.text, self.styles[i])

    def serve(self, phase: int) -> None:
        if phase == 0:
            for i in range(len(self.pages)):
                try:
                    self.set(self.paths[i], self.load(i, FIRST, 1))
                except EditNotApplicable:  # no body paragraph found: nothing to move
                    del self.paths[i]
                    continue
                self.served.append(i)
            self.publish()
        elif phase == 1:
            for i in self.served:
                self.set(self.paths[i], self.load(i, CHURN, 2))
        elif phase == 2:
            for i in self.served:
                try:
                    self.set(self.paths[i], edit_structured_word(self.load(i, EDIT, 3), i))
                except EditNotApplicable:
                    continue
                self.edited.append(i)

    def observe(self, phase: int, before: dict[str, Stored], after: dict[str, Stored]) -> None:
        if phase == 0:
            self.first_seen(after)
            for i in self.served:
                stored = after.get(self.url(i))
                text = stored.first if stored is not None else ""
                if not text.strip():
                    self.no_text.append(i)
                self.f1[i] = token_f1(text, self.pages[i].text)
        elif phase == 1:
            self.false = [i for i in self.served if self.grew(before, after, i)]
        elif phase == 2:
            self.missed = [i for i in self.edited if not self.grew(before, after, i)]

    def figures(self, scope: str) -> list[dict[str, Any]]:
        def mean_f1(style: str) -> float:
            values = [f for i, f in self.f1.items() if self.styles[i] == style]
            return statistics.fmean(values) if values else 0.0

        plain = [token_f1(self.plain_texts[i], self.pages[i].text) for i in self.served]
        f1 = statistics.fmean(self.f1.values()) if self.f1 else 0.0
        styles = Counter(self.styles[i] for i in self.served)
        no_text = Counter(self.styles[i] for i in self.no_text)
        return [
            figure(
                "churn_structured_data_no_text",
                len(self.no_text),
                "0",
                "pages",
                f"{scope}: {len(self.served)} client-rendered pages (the body only in "
                "structured data) as new URLs: pages the first crawl stored no text of: "
                + ", ".join(f"{s} {no_text[s]} of {n}" for s, n in styles.items())
                + self.ids(self.no_text),
            ),
            figure(
                "churn_structured_data_f1",
                f1,
                ">= 0.9",
                "F1",
                f"{scope}: mean token F1 of the first version against the ground truth: "
                + ", ".join(f"{s} {mean_f1(s):.3f}" for s in styles)
                + (f"; the same pages as HTML: {statistics.fmean(plain):.3f}" if plain else ""),
            ),
            figure(
                "churn_structured_data_false_versions",
                len(self.false),
                "0",
                "versions",
                f"{scope}: the same pages with the boilerplate and ids of another load: "
                f"{len(self.false)} new versions{self.ids(self.false)}; {self.outcome_note(1)}",
            ),
            figure(
                "churn_structured_data_missed_versions",
                len(self.missed),
                "0",
                "pages",
                f"{scope}: {len(self.edited)} pages with one word of the JSON text edited (and "
                f"new boilerplate): {len(self.missed)} without a new version"
                f"{self.ids(self.missed)}; {self.timing()}",
            ),
        ]


def measure_traps(
    pages: list[CorpusPage],
    htmls: list[str],
    quick: bool,
    folder: Path,
    plain_texts: Sequence[str],
) -> list[dict[str, Any]]:
    """Every kind of trap, each on a site and a source of its own in the one archive, in
    lockstep: phase by phase, every kind that has a phase left serves it and one crawl
    (discovery and ``--recheck all``, of those kinds' sources) reads them all."""
    config = folder / "traps.yaml"
    archive = Archive(config)
    traps: list[Trap] = []
    try:
        for kind in (Datelines, SoftFailures, CutBodies, Headlines, MovedPages):
            traps.append(kind(pages, htmls, archive))
        traps.append(StructuredData(pages, htmls, archive, plain_texts=plain_texts))
        corpus = yaml.safe_load((folder / "sources.yaml").read_text())
        corpus["sources"] += [trap.source() for trap in traps]
        config.write_text(yaml.safe_dump(corpus))
        for phase in range(max(trap.phases for trap in traps)):
            active = [trap for trap in traps if phase < trap.phases]
            for trap in active:
                trap.serve(phase)
            before, mark = archive.state(), archive.fetch_mark()
            sources = [arg for trap in active for arg in ("--source", trap.name)]
            seconds, _ = timed_crawl(config, "--recheck", "all", *sources)
            after, outcomes = archive.state(), archive.outcomes(mark)
            for trap in active:
                trap.seconds[phase] = seconds
                trap.outcomes[phase] = outcomes.get(trap.name, Counter())
                trap.observe(phase, before, after)
    finally:
        for trap in traps:
            trap.site.stop()
    scope = f"{len(pages)} corpus pages" + (" (--quick)" if quick else "")
    return [row for trap in traps for row in trap.figures(scope)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_PAGES} pages only")
    args = parser.parse_args()
    measure(require_corpus_or_exit(), args.quick)


if __name__ == "__main__":
    main()
