"""Faults, caused for real: a `mediawatch crawl` process against a site that misbehaves.

Two crawls of the fault site (`tests/fault_site.py`) carry every fault:

- the *recheck* crawl: the Courier's articles are archived by a clean crawl, then each
  archived URL fails in its own way (503 with Retry-After, 500, a server that never
  answers, a reset mid-body, a short body, a redirect loop, a redirect off the allowed
  domains, an image, a 50 MB page, an empty 200, binary garbage as text/html);
- the *discovery* crawl: broken RSS, Atom and sitemap XML, a gzip bomb (as a .xml.gz
  file and as Content-Encoding: gzip), a section page with 20,000 links, and new
  articles in windows-1252, Shift_JIS, under a wrong charset, and with `<script>` and
  quotes in their text.

Each crawl runs once per module (a fixture); the tests below assert on what it left:
the exit code, the fetch log, the archive, the site's request logs and the peak memory
of the crawl process. Faults other tests already cover: an 11 MB page and a PDF
(test_crawl.py), decoding rules (test_extract.py), feed and sitemap parsing
(test_discovery.py).
"""

from __future__ import annotations

import html
import itertools
import json
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from cli.main import cli
from crawler.discovery import MAX_LINKS_PER_PAGE
from crawler.newssite import NewsSite, Resource
from storage.db import make_engine
from storage.models import Fetch
from storage.schema import upgrade
from tests.backends import FreshArchives
from tests.fault_site import (
    FaultSite,
    Hang,
    ResetMidBody,
    ShortBody,
    Streamed,
    binary_garbage,
    gzip_bomb,
    legacy_page,
    section_with_links,
    serve_off_domain,
)

USER_AGENT = "mediawatch-tests (+https://example.org/contact)"
TIMEOUT_S = 2  # DOWNLOAD_TIMEOUT of the crawls below: a hung server costs 3 x this
MB = 1024 * 1024

# The crawl in a fresh interpreter, as `mediawatch crawl --json`, with the download
# timeout and retry back-off shortened through crawler.settings (which the crawl reads
# when it starts; no environment hook exists), then the process's own peak RSS.
_CRAWL = f"""
import resource, runpy, sys
import crawler.settings as settings
settings.DOWNLOAD_TIMEOUT = {TIMEOUT_S}
settings.RETRY_BACKOFF_BASE = 0.1
settings.RETRY_BACKOFF_MAX = 2.0
sys.argv = ["mediawatch", "--config", sys.argv[1], "crawl", "--json", *sys.argv[2:]]
code = 0
try:
    runpy.run_module("cli", run_name="__main__")
except SystemExit as done:
    code = done.code
print("peak-rss-kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


@dataclass
class Crawl:
    exit_code: int
    summary: dict[str, Any]
    peak_mb: float  # the crawl process's own high-water RSS (extraction workers excluded)
    stderr: str


def crawl(config: Path, *args: str) -> Crawl:
    done = subprocess.run(
        [sys.executable, "-c", _CRAWL, str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    peak = re.findall(r"^peak-rss-kb (\d+)$", done.stderr, re.MULTILINE)
    assert peak, done.stderr[-3000:]
    summary = json.loads(done.stdout) if done.returncode == 0 else {}
    return Crawl(done.returncode, summary, int(peak[-1]) / 1024, done.stderr)


def write_config(path: Path, source: Mapping[str, object], archives: FreshArchives) -> Path:
    database = archives.new(path.parent)
    path.write_text(
        yaml.safe_dump({"database_url": database, "user_agent": USER_AGENT, "sources": [source]})
    )
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    return path


def cli_json(config: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def fetch_log(config: Path) -> dict[str, list[tuple[str, str | None]]]:
    """Every article URL's fetches, oldest first: (outcome, error)."""
    database = yaml.safe_load(config.read_text())["database_url"]
    engine = make_engine(database)
    try:
        with Session(engine) as session:
            rows = session.execute(select(Fetch.url, Fetch.outcome, Fetch.error).order_by(Fetch.id))
            log: dict[str, list[tuple[str, str | None]]] = {}
            for url, outcome, error in rows:
                log.setdefault(url, []).append((outcome, error))
            return log
    finally:
        engine.dispose()


def readable(reason: str | None) -> bool:
    """A reason a user can read: one line, no Python or Twisted object reprs."""
    return bool(reason) and not re.search(
        r"Failure|Traceback|<twisted|<class|<\d{3} |<GET |\[<|object at 0x|\n", reason or ""
    )


@pytest.fixture(scope="module")
def off_domain() -> Iterator[NewsSite]:
    with serve_off_domain() as site:
        yield site


# ------------------------------------------------------------------ the recheck crawl


@dataclass
class Rechecked:
    site: FaultSite
    config: Path
    clean: Crawl
    edited: Crawl  # the recheck that gave every article a second version
    faulted: Crawl
    paths: dict[str, str]  # fault name -> the archived article path that commits it
    expected: dict[str, str]  # article path -> the error its fetch must record (a regex)

    def outcome(self, path: str) -> str:
        """What the fetch of ``path`` must be: a body cut in transport is "truncated" (the
        start of the article, not all of it), every other fault an "error"."""
        cut = {self.paths[name] for name in CUT_IN_TRANSPORT}
        return "truncated" if path in cut else "error"


UPDATE = "Update: this article was amended after publication to correct a figure."

# Each fault an archived article's URL commits on its recheck, and the reason its fetch
# must record (a regex). A fault is a Resource to serve, or a Fault of tests.fault_site.
RECHECK_FAULTS: dict[str, tuple[Any, str]] = {
    # Retry-After: 1 is longer than the shortened back-off, so it sets the pace.
    "503": (
        Resource(b"busy", status=503, headers={"Retry-After": "1"}, etag=False),
        r"^HTTP 503 Service Unavailable$",
    ),
    "500": (Resource(b"oops", status=500, etag=False), r"^HTTP 500 Internal Server Error$"),
    "hang": (Hang(), r"^timed out waiting for the server$"),
    "reset": (ResetMidBody(), r"^the server reset the connection mid-page"),
    "short": (ShortBody(), r"^the server sent less than it announced"),
    "loop": (
        Resource(b"", status=302, etag=False, headers={"Location": "/loop/elsewhere"}),
        r"^too many redirects",
    ),
    "off-domain": (None, r"^redirected off the allowed domains \('127\.0\.0\.2'\)$"),
    "image": (
        Resource(b"\x89PNG\r\n\x1a\n" + bytes(2000), content_type="image/png"),
        r"^not an HTML page \(image/png\)$",
    ),
    "50mb": (
        Streamed(50 * MB, content_length=False),
        r"^page larger than the download size limit \(10 MB\); refused while downloading$",
    ),
    "empty": (Resource(b""), r"^empty page$"),
    "garbage": (
        Resource(binary_garbage(), content_type="text/html"),
        r"^no article text found on the page$",
    ),
}
# The faults that cut a body short in transport.
CUT_IN_TRANSPORT = ("reset", "short")


@pytest.fixture(scope="module")
def rechecked(
    tmp_path_factory: pytest.TempPathFactory, off_domain: NewsSite, module_archives: FreshArchives
) -> Iterator[Rechecked]:
    with FaultSite() as site:
        folder = tmp_path_factory.mktemp("recheck")
        config = write_config(folder / "sources.yaml", site.source(), module_archives)
        clean = crawl(config)
        articles = sorted(p for p, spec in site.articles.items() if not spec.private)
        for path in articles:
            site.edit_article(path, paragraphs=(*site.articles[path].paragraphs, UPDATE))
        edited = crawl(config, "--recheck", "all", "--no-discover")
        assert len(articles) == len(RECHECK_FAULTS)
        paths = dict(zip(RECHECK_FAULTS, articles, strict=True))
        served = site.site
        for name, (how, _) in RECHECK_FAULTS.items():
            if name == "off-domain":
                off = Resource(b"", status=301, headers={"Location": off_domain.url("/")})
                served.set(paths[name], off)
            elif isinstance(how, Resource):
                served.set(paths[name], how)
            else:
                served.fault(paths[name], how)
        served.redirect("/loop/elsewhere", paths["loop"])
        served.clear_log()
        faulted = crawl(config, "--recheck", "all", "--no-discover")
        expected = {paths[name]: reason for name, (_, reason) in RECHECK_FAULTS.items()}
        yield Rechecked(site, config, clean, edited, faulted, paths, expected)


def test_a_crawl_of_failing_pages_finishes_and_exits_0(rechecked: Rechecked) -> None:
    assert rechecked.clean.exit_code == 0, rechecked.clean.stderr[-3000:]
    assert rechecked.faulted.exit_code == 0, rechecked.faulted.stderr[-3000:]
    summary = rechecked.faulted.summary
    assert summary["status"] == "finished"
    assert summary["errors"] == len(rechecked.expected) - len(CUT_IN_TRANSPORT)
    assert summary["truncated"] == len(CUT_IN_TRANSPORT)
    assert summary["new_versions"] == summary["new_articles"] == 0
    # Each failure is in the fetch log with its reason; the terminal is not flooded with
    # Scrapy's own warnings about the same pages.
    assert "data loss" not in rechecked.faulted.stderr
    assert "max size" not in rechecked.faulted.stderr


def test_every_failing_url_is_in_the_fetch_log_with_a_readable_reason(
    rechecked: Rechecked,
) -> None:
    log = fetch_log(rechecked.config)
    reasons = {}
    for path, pattern in rechecked.expected.items():
        outcome, error = log[rechecked.site.url(path)][-1]
        reasons[path] = error
        assert outcome == rechecked.outcome(path), (path, outcome, error)
        assert error and re.search(pattern, error), (path, error)
        assert readable(error), (path, error)
    # The fault's own wording, not a shared catch-all.
    assert len(set(reasons.values())) == len(reasons), reasons


def test_archived_articles_keep_their_versions_when_their_urls_fail(rechecked: Rechecked) -> None:
    assert rechecked.edited.summary["new_versions"] == len(rechecked.expected)
    for path in rechecked.expected:
        url = rechecked.site.url(path)
        versions = cli_json(rechecked.config, "versions", url, "--json")
        assert [v["version"] for v in versions] == [1, 2], path
        first = cli_json(rechecked.config, "show", url, "--version", "1", "--json")
        latest = cli_json(rechecked.config, "show", url, "--json")
        assert latest["version"] == 2
        assert rechecked.site.articles[path].paragraphs[0] in first["text"]
        assert UPDATE not in first["text"] and UPDATE in latest["text"]


def test_retries_back_off_and_honour_retry_after(rechecked: Rechecked) -> None:
    busy = rechecked.site.requests_for(rechecked.paths["503"])
    assert len(busy) == 3  # RETRY_TIMES = 2
    gaps = [later.time - earlier.time for earlier, later in itertools.pairwise(busy)]
    assert min(gaps) >= 0.9, gaps  # Retry-After: 1, not the 0.1 s back-off
    hung = rechecked.site.requests_for(rechecked.paths["hang"])
    assert len(hung) == 3  # a timeout is retried too, and each attempt gives up


def test_nothing_off_domain_is_fetched(rechecked: Rechecked, off_domain: NewsSite) -> None:
    assert rechecked.site.requests_for(rechecked.paths["off-domain"])  # the redirect was served ...
    assert off_domain.requests == []  # ... and not followed


def test_a_redirect_loop_is_given_up_on(rechecked: Rechecked) -> None:
    loop = rechecked.site.requests_for(rechecked.paths["loop"])
    hops = loop + rechecked.site.requests_for("/loop/elsewhere")
    assert len(hops) == 21, len(hops)  # the first request and REDIRECT_MAX_TIMES (20) more


def test_a_50_mb_page_is_refused_while_downloading(rechecked: Rechecked) -> None:
    sent = rechecked.site.site.streamed[rechecked.paths["50mb"]]
    assert sent < 50 * MB  # the crawler hung up ...
    # ... and never held much more than its 10 MB limit.
    assert rechecked.faulted.peak_mb < rechecked.clean.peak_mb + 40, (
        rechecked.faulted.peak_mb,
        rechecked.clean.peak_mb,
    )


# ---------------------------------------------------------------- the discovery crawl

CP1252_TEXT = [
    "Les propriétaires du café « Chez Zoé » ont annoncé des prix “équitables” — 5 € le menu.",
    "Naïve et réservée, la clientèle du quartier a salué l’initiative avec enthousiasme, "
    "même si certains habitués regrettent déjà l’ancienne carte du déjeuner.",
    "Le maire a précisé que la rénovation de la façade coûterait près de 12 000 €, "
    "financés à moitié par la municipalité et à moitié par les commerçants.",
]
SJIS_TEXT = [
    "東京都内では記録的な大雨となり、鉄道の運転見合わせが相次いだ。気象庁は土砂災害に警戒するよう呼びかけている。",
    "都内の主要な駅では帰宅を急ぐ人々で混雑し、一部の路線では運転再開の見通しが立っていない。",
    "専門家は、今後も局地的な激しい雨が続くおそれがあるとして、最新の気象情報に注意するよう求めている。",
]
WRONG_TEXT = [
    "À Genève, l’hôpital cantonal a reçu une dotation supplémentaire de 3 millions de francs.",
    "Selon la direction, les économies réalisées l’an dernier permettront d’ouvrir "
    "deux unités de soins intensifs pédiatriques d’ici à l’été prochain.",
    "Les syndicats se félicitent de l’annonce mais réclament davantage de personnel qualifié, "
    "notamment dans les services d’urgences où l’attente dépasse souvent quatre heures.",
]
SCRIPT_TEXT = [
    "The council's report quoted the attacker's payload verbatim: <script>alert(\"pwned\")"
    "</script> was typed into the comment form more than 4,000 times in one night.",
    'Officials said the "quote-heavy" submissions — with \'single\' and "double" quotes, '
    "ampersands & angle brackets like <b> — were stored as plain text and never run.",
    "The city's web team added that the form now rejects any comment longer than 2,000 "
    "characters and logs each rejection for review by the security office.",
]


def _escaped(paragraphs: list[str]) -> list[str]:
    return [html.escape(text, quote=True) for text in paragraphs]


@dataclass
class Discovery:
    site: FaultSite
    config: Path
    result: Crawl
    articles: dict[str, list[str]]  # path -> expected paragraphs


@pytest.fixture(scope="module")
def discovery(
    tmp_path_factory: pytest.TempPathFactory, module_archives: FreshArchives
) -> Iterator[Discovery]:
    with FaultSite() as site:
        served = site.site
        articles = {
            "/faults/cp1252.html": CP1252_TEXT,
            "/faults/sjis.html": SJIS_TEXT,
            "/faults/wrong-charset.html": WRONG_TEXT,
            "/faults/script.html": SCRIPT_TEXT,
        }
        # windows-1252, declared in the page only; the header names no charset.
        page = legacy_page("Café prices", CP1252_TEXT, "windows-1252", "cp1252")
        served.set("/faults/cp1252.html", Resource(page, content_type="text/html"))
        page = legacy_page("大雨", SJIS_TEXT, "Shift_JIS", "shift_jis")
        served.set("/faults/sjis.html", Resource(page, content_type="text/html"))
        # The header and the page both say UTF-8; the bytes are windows-1252.
        page = legacy_page("Hôpital", WRONG_TEXT, "utf-8", "cp1252")
        served.set("/faults/wrong-charset.html", Resource(page, "text/html; charset=utf-8"))
        served.set(
            "/faults/script.html", legacy_page("Payload", _escaped(SCRIPT_TEXT), "utf-8", "utf-8")
        )
        served.fault("/faults/huge.html", Streamed(50 * MB, content_length=True))

        # Damaged RSS that still lists one story; Atom and a sitemap too broken to read.
        rss = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & bad</title>'
            f"<item><title>Café</title><link>{site.url('/faults/cp1252.html')}</link></item>"
            "<item><title>cut off"
        )
        served.set("/faults/rss.xml", Resource(rss.encode(), "application/rss+xml"))
        atom = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x<'
        served.set("/faults/atom.xml", Resource(atom.encode(), "application/atom+xml"))
        sitemap = (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{site.url('/faults/sjis.html')}</loc></url><url><loc>&broken"
        )
        served.set("/faults/sitemap.xml", Resource(sitemap.encode(), "application/xml"))
        served.set("/faults/garbage-sitemap.xml", Resource(b"<urlset><<<", "application/xml"))
        bomb = gzip_bomb()
        served.set("/faults/bomb.xml.gz", Resource(bomb, "application/x-gzip"))
        encoded = Resource(bomb, "application/xml", headers={"Content-Encoding": "gzip"})
        served.set("/faults/bomb-encoded.xml", encoded)
        first = [
            ("/faults/wrong-charset.html", "Hôpital"),
            ("/faults/script.html", "Payload"),
            ("/faults/huge.html", "Huge"),
        ]
        # Past the page's link budget (MAX_LINKS_PER_PAGE distinct hrefs): never read.
        served.set(
            "/faults/past-the-budget.html", legacy_page("Late", WRONG_TEXT, "utf-8", "utf-8")
        )
        last = [("/faults/past-the-budget.html", "Late")]
        served.set("/faults/everything/", section_with_links(20_000, first, last))

        source = {
            "name": "faults",
            "feeds": [site.url("/faults/rss.xml"), site.url("/faults/atom.xml")],
            "sitemaps": [
                site.url(p)
                for p in (
                    "/faults/sitemap.xml",
                    "/faults/garbage-sitemap.xml",
                    "/faults/bomb.xml.gz",
                    "/faults/bomb-encoded.xml",
                )
            ],
            "pages": [site.url("/faults/everything/")],
            "article_urls": rf"^{re.escape(site.base_url)}/faults/[a-z0-9-]+\.html$",
        }
        folder = tmp_path_factory.mktemp("discovery")
        config = write_config(folder / "sources.yaml", source, module_archives)
        result = crawl(config)
        yield Discovery(site, config, result, articles)


def test_broken_discovery_documents_are_reported_and_the_crawl_goes_on(
    discovery: Discovery,
) -> None:
    result = discovery.result
    assert result.exit_code == 0, result.stderr[-3000:]
    problems = "\n".join(result.summary["discovery_problems"])
    url = discovery.site.url
    expected = {
        "/faults/atom.xml": r"malformed feed XML: line \d+",
        "/faults/garbage-sitemap.xml": r"malformed sitemap XML",
        "/faults/bomb.xml.gz": r"gzipped sitemap inflates past 10 MB; refused",
        "/faults/bomb-encoded.xml": (
            r"page larger than the download size limit \(10 MB\) once decompressed"
        ),
    }
    for path, reason in expected.items():
        assert re.search(rf"^{re.escape(url(path))}: {reason}", problems, re.MULTILINE), (
            path,
            problems,
        )
    assert result.summary["discovery_errors"] == len(expected), problems
    for line in result.summary["discovery_problems"]:
        assert readable(line), line


def test_damaged_feeds_and_sitemaps_still_yield_their_readable_entries(
    discovery: Discovery,
) -> None:
    archived = {row["url"] for row in cli_json(discovery.config, "articles", "--json")}
    url = discovery.site.url
    assert url("/faults/cp1252.html") in archived  # from the damaged RSS
    assert url("/faults/sjis.html") in archived  # from the damaged sitemap


def test_a_gzip_bomb_is_refused_by_its_inflated_size_without_using_memory(
    discovery: Discovery, rechecked: Rechecked
) -> None:
    # Inflated, the bomb is 1 GiB; refused at the 10 MB download limit both ways (counted
    # in 64 KB chunks for .xml.gz), the crawl process grows by far less than that.
    assert discovery.result.peak_mb < rechecked.clean.peak_mb + 40, (
        discovery.result.peak_mb,
        rechecked.clean.peak_mb,
    )


def test_a_section_page_with_20000_links_is_read_within_its_budget(
    discovery: Discovery,
) -> None:
    archived = {row["url"] for row in cli_json(discovery.config, "articles", "--json")}
    url = discovery.site.url
    assert {url("/faults/wrong-charset.html"), url("/faults/script.html")} <= archived
    # Links that do not match article_urls are never fetched, and links past the first
    # MAX_LINKS_PER_PAGE distinct ones are not read at all: a huge page costs bounded time.
    assert MAX_LINKS_PER_PAGE < 20_000
    assert not any(r.path.startswith("/tag/") for r in discovery.site.requests)
    assert not discovery.site.requests_for("/faults/past-the-budget.html")


def test_a_50_mb_page_with_content_length_is_refused_before_its_body(
    discovery: Discovery,
) -> None:
    log = fetch_log(discovery.config)
    [(outcome, error)] = log[discovery.site.url("/faults/huge.html")]
    assert outcome == "error"
    assert error and error.startswith("page larger than the download size limit"), error
    assert readable(error), error
    assert discovery.site.site.streamed["/faults/huge.html"] < 50 * MB


@pytest.mark.parametrize("path", ["cp1252", "sjis", "wrong-charset", "script"])
def test_text_is_stored_in_the_right_characters(discovery: Discovery, path: str) -> None:
    path = f"/faults/{path}.html"
    document = cli_json(discovery.config, "show", discovery.site.url(path), "--json")
    for paragraph in discovery.articles[path]:
        assert paragraph in document["text"], (paragraph, document["text"])
    assert "\ufffd" not in document["text"]
