"""End-to-end crawls: the real Scrapy engine, in a child process as `mediawatch crawl`,
against the fixture news site on 127.0.0.1, into a real SQLite archive."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli
from crawler.child import crawl_in_child
from crawler.newssite import Resource
from storage.db import make_engine
from storage.schema import upgrade
from tests.fixture_site import FixtureSite

USER_AGENT = "mediawatch-tests (+https://example.org/contact)"


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    with FixtureSite() as started:
        yield started


@pytest.fixture
def config(site: FixtureSite, tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "sources.yaml"
    database = database_url
    path.write_text(
        yaml.safe_dump(
            {"database_url": database, "user_agent": USER_AGENT, "sources": [site.source()]}
        )
    )
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    return path


def cli_json(config: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def article_paths(site: FixtureSite, *, include_private: bool = False) -> set[str]:
    return {path for path, spec in site.articles.items() if include_private or not spec.private}


def test_first_crawl_finds_every_article_by_every_route_politely(
    site: FixtureSite, config: Path
) -> None:
    summary = crawl_in_child(config)
    public = article_paths(site)
    assert summary["new_articles"] == len(public)
    assert summary["errors"] == 0 and summary["discovery_errors"] == 0
    archived = {row["url"] for row in cli_json(config, "articles", "--json")}
    assert archived == site.article_urls()  # every route's own article, none twice
    for route in ("home", "section", "rss", "atom", "rdf", "sitemap", "news_sitemap"):
        assert site.article_urls(route=route) <= archived, route
    # Each article fetched exactly once although most are listed by several routes.
    for path in public:
        assert len(site.requests_for(path)) == 1, path
    # robots.txt was read and obeyed; the user agent is the configured one.
    assert site.requests_for("/robots.txt")
    private = article_paths(site, include_private=True) - public
    assert private and all(not site.requests_for(path) for path in private)
    assert summary["robots_disallowed"] >= 1
    assert {r.header("User-Agent") for r in site.requests} == {USER_AGENT}
    # No link outside the allowed domain, and no tracking-parameter duplicate, was fetched.
    assert not any("utm_" in r.path for r in site.requests)


def test_unchanged_site_rechecks_with_validators_and_stores_nothing(
    site: FixtureSite, config: Path
) -> None:
    crawl_in_child(config)
    site.site.clear_log()
    summary = crawl_in_child(config, recheck="all", discover=False)
    public = article_paths(site)
    assert summary["not_modified"] == len(public)
    assert summary["new_versions"] == summary["new_articles"] == 0
    for path in public:
        [request] = site.requests_for(path)
        assert request.header("If-None-Match") and request.header("If-Modified-Since")
        assert request.status == 304
    assert all(row["versions"] == 1 for row in cli_json(config, "articles", "--json"))


def test_edited_article_gets_version_two_with_the_right_diff(
    site: FixtureSite, config: Path
) -> None:
    crawl_in_child(config)
    path = sorted(article_paths(site))[0]
    spec = site.articles[path]
    first = spec.paragraphs[0]
    word = first.split()[3]
    edited = (first.replace(word, "REDACTED", 1), *spec.paragraphs[1:], "A new last paragraph.")
    site.edit_article(path, paragraphs=edited)
    summary = crawl_in_child(config, recheck="all", discover=False)
    assert summary["new_versions"] == 1
    url = site.url(path)
    versions = cli_json(config, "versions", url, "--json")
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["changed"] == ["text"]
    document = cli_json(config, "diff", url, "--format", "json")
    assert {"op": "insert", "text": "REDACTED"} in document["ops"]
    assert {"op": "delete", "text": word.strip(".,;:")} in document["ops"] or any(
        op["op"] == "delete" and word.strip(".,;:") in op["text"] for op in document["ops"]
    )
    assert any(
        op["op"] == "insert" and "A new last paragraph." in op["text"] for op in document["ops"]
    )


def test_boilerplate_churn_adds_no_version(site: FixtureSite, config: Path) -> None:
    crawl_in_child(config)
    public = sorted(article_paths(site))
    for seed, path in enumerate(public, start=1):
        site.churn(path, seed=seed * 7)  # new teasers, counters, promos, tokens, times
    summary = crawl_in_child(config, recheck="all", discover=False)
    assert summary["not_modified"] == 0  # every page really changed on the wire
    assert summary["new_versions"] == 0, summary
    assert summary["unchanged"] == len(public)


def test_removed_page_is_marked_gone_and_keeps_its_versions(
    site: FixtureSite, config: Path
) -> None:
    crawl_in_child(config)
    path = sorted(article_paths(site))[1]
    site.remove_article(path, status=410)
    summary = crawl_in_child(config, recheck="all", discover=False)
    assert summary["gone"] == 1
    [row] = cli_json(config, "articles", "--status", "gone", "--json")
    assert (row["url"], row["versions"]) == (site.url(path), 1)
    assert cli_json(config, "show", site.url(path), "--json")["version"] == 1


def test_oversized_and_non_html_pages_are_recorded_errors_and_lose_nothing(
    site: FixtureSite, config: Path
) -> None:
    crawl_in_child(config)
    big, pdf = sorted(article_paths(site))[2:4]
    # 11 MB: over the 10 MB download limit, refused while downloading.
    site.site.set(big, Resource(b"<html><body>" + b"<p>word </p>" * 1_000_000 + b"</body></html>"))
    site.site.set(pdf, Resource(b"%PDF-1.7 not a page", content_type="application/pdf"))
    summary = crawl_in_child(config, recheck="all", discover=False)
    assert summary["errors"] == 2 and summary["new_versions"] == 0
    document = cli_json(config, "status", "--json")
    reasons = {e["url"]: e["error"] for e in document["recent_errors"]}
    assert "larger than the download size limit" in reasons[site.url(big)]
    assert reasons[site.url(pdf)] == "not an HTML page (application/pdf)"
    for path in (big, pdf):  # the archived version is kept as it was
        assert cli_json(config, "show", site.url(path), "--json")["version"] == 1


# Run as a script in a fresh interpreter: the crawl, then which modules it loaded.
_CRAWL_THEN_LIST_MODULES = """
import json, runpy, sys
sys.argv = ["mediawatch", "--config", sys.argv[1], "crawl", "--json"]
try:
    runpy.run_module("cli", run_name="__main__")
except SystemExit as done:
    assert not done.code, done.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_the_crawl_process_does_not_import_what_only_other_processes_use(
    site: FixtureSite, config: Path
) -> None:
    # A recheck of an unchanged site is mostly process start-up. Extraction (trafilatura,
    # the boilerplate patterns) runs in the pool workers, migrations (Alembic) in
    # `mediawatch init`, and Scrapy's cookie, remote-control and feed-export components
    # are never used; importing them in the crawl process only slows every crawl down.
    done = subprocess.run(
        [sys.executable, "-c", _CRAWL_THEN_LIST_MODULES, str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["new_articles"] == len(article_paths(site))
    loaded = set(json.loads(done.stderr.strip().splitlines()[-1]))
    unwanted = {"trafilatura", "crawler.extract", "crawler.noise", "alembic", "aiohttp"}
    assert unwanted & loaded == set()
    assert {"tldextract", "warcio"} & loaded == set()
