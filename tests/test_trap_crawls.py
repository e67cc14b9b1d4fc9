"""The traps real news sites set, each met by a real crawl of the fixture site that sets
it: a version must mean the article changed (SPEC section 3).

Datelines whose time moves, walls served with 200 (consent, bot check, soft 404,
maintenance, rate limit, login), paywall teasers and bodies cut in transport, A/B
headlines, moved URLs and copies at other addresses, articles only in structured data.
Each test also makes the real edit that must still make a version.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from cli.main import cli
from crawler.child import crawl_in_child
from storage.db import make_engine
from storage.schema import upgrade
from tests.fixture_site import ArticleSpec, FixtureSite
from tests.test_crawl import cli_json

USER_AGENT = "mediawatch-tests (+https://example.org/contact)"


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    with FixtureSite() as started:
        yield started


@pytest.fixture
def config(site: FixtureSite, tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        yaml.safe_dump(
            {"database_url": database_url, "user_agent": USER_AGENT, "sources": [site.source()]}
        )
    )
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    return path


def public_paths(site: FixtureSite) -> list[str]:
    return sorted(p for p, spec in site.articles.items() if not spec.private)


def versions_of(config: Path, site: FixtureSite, path: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = cli_json(config, "versions", site.url(path), "--json")
    return rows


def outcomes(config: Path, url: str) -> list[tuple[str, str | None]]:
    """(outcome, reason) of every fetch of ``url``, oldest first."""
    database = yaml.safe_load(config.read_text())["database_url"]
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT outcome, error FROM fetches WHERE url = :url ORDER BY id"),
                {"url": url},
            ).all()
    finally:
        engine.dispose()
    return [(outcome, error) for outcome, error in rows]


def recheck(config: Path, *, discover: bool = False) -> dict[str, Any]:
    return crawl_in_child(config, recheck="all", discover=discover)


def test_datelines_whose_time_moves_make_no_version(site: FixtureSite, config: Path) -> None:
    paths = public_paths(site)[:4]
    for path in paths:
        site.serve_datelines(path, seed=1)
    crawl_in_child(config)
    for path in paths:
        site.serve_datelines(path, seed=2)
    assert recheck(config)["new_versions"] == 0
    # A real edit of a sentence that holds a date and a time is a version.
    path = paths[0]
    spec = site.articles[path]
    dated = spec.paragraphs[1].rstrip(".") + ", the council said at 14:30 on 12 December 2026."
    site.edit_article(path, paragraphs=(spec.paragraphs[0], dated, *spec.paragraphs[2:]))
    site.serve_datelines(path, seed=3)
    assert recheck(config)["new_versions"] == 1
    assert [v["version"] for v in versions_of(config, site, path)] == [1, 2]


def test_walls_are_blocked_never_a_version_nor_gone(site: FixtureSite, config: Path) -> None:
    crawl_in_child(config)
    kinds = ("consent", "bot_check", "soft_404", "maintenance", "rate_limit", "login")
    walled = dict(zip(public_paths(site), kinds, strict=False))
    for path, kind in walled.items():
        site.serve_wall(path, kind)
    summary = recheck(config)
    assert summary["new_versions"] == 0 and summary["gone"] == 0
    assert summary["blocked"] == len(walled)
    rows = {row["url"]: row for row in cli_json(config, "articles", "--json")}
    for path, kind in walled.items():
        assert rows[site.url(path)]["status"] == "live" and rows[site.url(path)]["versions"] == 1
        outcome, reason = outcomes(config, site.url(path))[-1]
        assert outcome == "blocked" and reason, (kind, reason)
    status = cli_json(config, "status", "--json")
    assert status["sources"][0]["blocked"] == len(walled)
    assert status["recent_blocked"] and status["recent_blocked"][0]["reason"]
    # The site lets us in again: an edit made meanwhile is one version.
    path = next(iter(walled))
    site.clear_trap(path)
    spec = site.articles[path]
    site.edit_article(path, paragraphs=(*spec.paragraphs, "An update was added later."))
    summary = recheck(config)
    assert summary["new_versions"] == 1
    assert [v["version"] for v in versions_of(config, site, path)] == [1, 2]


def test_a_new_article_behind_a_wall_is_not_archived_until_the_wall_goes(
    site: FixtureSite, config: Path
) -> None:
    crawl_in_child(config)
    spec = ArticleSpec(
        path="/2026/11/ferry-timetable-changes.html",
        title="Ferry timetable changes from Monday",
        paragraphs=tuple(
            f"The harbour ferry will run a new timetable from Monday, part {n} of the changes"
            " the operator announced after a review of its winter sailings."
            for n in range(4)
        ),
        authors=("Ada Byline",),
        published=site.articles[public_paths(site)[0]].published,
        section="world",
        routes=frozenset({"home", "rss", "sitemap"}),
    )
    site.add_article(spec)
    site.serve_wall(spec.path, "consent", lang="de")
    summary = crawl_in_child(config)
    assert summary["new_articles"] == 0 and summary["blocked"] == 1
    assert outcomes(config, site.url(spec.path))[-1][0] == "blocked"
    site.clear_trap(spec.path)
    assert recheck(config)["new_articles"] == 1
    [first] = versions_of(config, site, spec.path)
    assert first["title"] == spec.title


def test_teasers_and_cut_bodies_are_truncated_but_a_deleted_paragraph_is_a_version(
    site: FixtureSite, config: Path
) -> None:
    crawl_in_child(config)
    teaser, by_length, by_close, edited = public_paths(site)[:4]
    site.serve_teaser(teaser)
    site.cut_body(by_length, "length")
    site.cut_body(by_close, "close")
    spec = site.articles[edited]
    site.edit_article(edited, paragraphs=spec.paragraphs[:-1])
    summary = recheck(config)
    assert summary["truncated"] == 3, summary
    assert summary["new_versions"] == 1
    for path in (teaser, by_length, by_close):
        outcome, reason = outcomes(config, site.url(path))[-1]
        assert outcome == "truncated" and reason, (path, reason)
        assert len(versions_of(config, site, path)) == 1
    assert [v["version"] for v in versions_of(config, site, edited)] == [1, 2]


def test_ab_headlines_are_each_stored_once_and_shown_as_returns(
    site: FixtureSite, config: Path
) -> None:
    crawl_in_child(config)
    path = public_paths(site)[0]
    title = site.articles[path].title
    site.serve_headline_variants(path, [f"{title}: what it means", title])
    for _ in range(4):
        recheck(config)
    rows = versions_of(config, site, path)
    assert [r["version"] for r in rows] == [1, 2]
    assert sum(len(r["returns"]) for r in rows) >= 2
    assert [o for o, _ in outcomes(config, site.url(path))].count("returned") >= 2
    [article] = [r for r in cli_json(config, "articles", "--json") if r["url"] == site.url(path)]
    assert article["headline_test"] is True


def test_a_moved_article_is_one_article_with_its_old_address_as_an_alias(
    site: FixtureSite, config: Path
) -> None:
    crawl_in_child(config)
    before = len(cli_json(config, "articles", "--json"))
    old, other = public_paths(site)[:2]
    new = old.replace(".html", "-updated.html")
    site.move_article(old, new, redirect=True, title=site.articles[old].title + " (updated)")
    other_new = other.replace(".html", "-moved.html")
    site.move_article(other, other_new, redirect=False)
    summary = recheck(config, discover=True)
    articles = cli_json(config, "articles", "--json")
    assert len(articles) == before, [a["url"] for a in articles]
    # The headline edit that came with the new slug is one version; a move alone, none.
    assert [v["version"] for v in versions_of(config, site, new)] == [1, 2]
    assert [v["version"] for v in versions_of(config, site, other_new)] == [1]
    assert summary["new_versions"] == 1
    shown = cli_json(config, "show", site.url(old), "--json")
    assert shown["url"] == site.url(new) and shown["version"] == 2
    assert cli_json(config, "show", site.url(other), "--json")["url"] == site.url(other_new)


def test_copies_at_other_addresses_are_one_article(site: FixtureSite, config: Path) -> None:
    crawl_in_child(config)
    before = len(cli_json(config, "articles", "--json"))
    path = public_paths(site)[0]
    site.add_copy(path, path.replace("/2026/", "/amp/2026/"), "amp")
    site.add_copy(path, path + "?output=print", "print")
    summary = recheck(config, discover=True)
    assert summary["new_articles"] == 0 and summary["new_versions"] == 0
    assert summary["copies"] == 2
    assert len(cli_json(config, "articles", "--json")) == before
    assert cli_json(config, "show", site.url(path.replace("/2026/", "/amp/2026/")), "--json")[
        "url"
    ] == site.url(path)


def test_articles_only_in_structured_data_are_archived(site: FixtureSite, config: Path) -> None:
    json_ld, next_data = public_paths(site)[:2]
    site.serve_json_only(json_ld, "json-ld")
    site.serve_json_only(next_data, "next-data")
    crawl_in_child(config)
    for path in (json_ld, next_data):
        [first] = versions_of(config, site, path)
        shown = cli_json(config, "show", site.url(path), "--json")
        assert site.articles[path].paragraphs[-1] in shown["text"], path
        assert first["title"] == site.articles[path].title
    for path in (json_ld, next_data):
        site.churn(path, seed=7)
    assert recheck(config)["new_versions"] == 0
    spec = site.articles[json_ld]
    site.edit_article(json_ld, paragraphs=(*spec.paragraphs[:-1], spec.paragraphs[-1] + " More."))
    assert recheck(config)["new_versions"] == 1


def test_the_archive_stays_consistent_through_every_trap(site: FixtureSite, config: Path) -> None:
    """`mediawatch check` knows the new rows: aliases, returns, blocked and truncated."""
    crawl_in_child(config)
    paths = public_paths(site)
    site.serve_wall(paths[0], "bot_check")
    site.serve_teaser(paths[1])
    site.serve_headline_variants(paths[2], ["A headline", site.articles[paths[2]].title])
    site.move_article(paths[3], paths[3].replace(".html", "-new.html"))
    for _ in range(3):
        recheck(config, discover=True)
    report = cli_json(config, "check", "--json")
    assert report["ok"], report["problems"]


def test_status_shows_how_many_each_source_had_blocked(site: FixtureSite, config: Path) -> None:
    crawl_in_child(config)
    for path in public_paths(site):
        site.serve_wall(path, "bot_check")
    recheck(config)
    status = cli_json(config, "status", "--json")
    [source] = status["sources"]
    assert source["blocked"] == len(public_paths(site))
    assert "bot check" in (source["last_blocked"]["reason"] or "")
    shown = CliRunner().invoke(cli, ["--config", str(config), "status"], catch_exceptions=False)
    assert shown.exit_code == 0
    assert "blocked" in shown.stdout and "Latest blocked or cut-short fetches" in shown.stdout
