"""The traps real news sites set, each met by a real crawl of the fixture site that sets
it: a version must mean the article changed (SPEC section 3).

Datelines whose time moves, walls served with 200 (consent, bot check, soft 404,
maintenance, rate limit, login), paywall teasers and bodies cut in transport, A/B
headlines, moved URLs and copies at other addresses, articles only in structured data.
Every trap also comes with the real edit that must still make a version.

The traps are set all at once, on two sites of one archive (one crawl is a few seconds
of a child process): the module's crawl runs once per backend and each test reads what
the crawls left (`Trapped`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
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
from tests.backends import FreshArchives
from tests.fixture_site import ArticleSpec, FixtureSite
from tests.test_crawl import cli_json

USER_AGENT = "mediawatch-tests (+https://example.org/contact)"
WALL_KINDS = ("consent", "bot_check", "soft_404", "maintenance", "rate_limit", "login")
UPDATE = "An update was added later."


def public_paths(site: FixtureSite) -> list[str]:
    return sorted(p for p, spec in site.articles.items() if not spec.private)


def new_article(site: FixtureSite) -> ArticleSpec:
    """An article the site publishes after the first crawl."""
    return ArticleSpec(
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


@dataclass
class Trapped:
    """What the crawls of the two trap sites left. `courier` sets datelines and walls
    (and publishes an article behind one); `gazette` sets teasers and cut bodies, an A/B
    headline test, moves, copies and JSON-only pages. `paths` names the article each trap
    was set on; `summaries` holds the first crawl's summary and each recheck's."""

    courier: FixtureSite
    gazette: FixtureSite
    config: Path
    database_url: str
    paths: dict[str, str] = field(default_factory=dict)
    summaries: list[dict[str, Any]] = field(default_factory=list)
    # Read right after the first recheck, while the walls stood.
    status_while_walled: dict[str, Any] = field(default_factory=dict)
    status_text_while_walled: str = ""
    articles_before: dict[str, int] = field(default_factory=dict)
    articles_after_moves: dict[str, int] = field(default_factory=dict)

    def url(self, name: str) -> str:
        site = self.gazette if name.startswith("gazette:") else self.courier
        return site.url(self.paths[name])

    def versions(self, name: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = cli_json(self.config, "versions", self.url(name), "--json")
        return rows

    def outcomes(self, url: str) -> list[tuple[str, str | None]]:
        """(outcome, reason) of every fetch of ``url``, oldest first."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT outcome, error FROM fetches WHERE url = :url ORDER BY id"),
                    {"url": url},
                ).all()
        finally:
            engine.dispose()
        return [(outcome, error) for outcome, error in rows]

    def articles_per_source(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in cli_json(self.config, "articles", "--json"):
            counts[row["source"]] = counts.get(row["source"], 0) + 1
        return counts


def recheck(config: Path, *, discover: bool = False) -> dict[str, Any]:
    return crawl_in_child(config, recheck="all", discover=discover)


@pytest.fixture(scope="module")
def trapped(
    tmp_path_factory: pytest.TempPathFactory, module_archives: FreshArchives
) -> Iterator[Trapped]:
    with FixtureSite() as courier, FixtureSite() as gazette:
        folder = tmp_path_factory.mktemp("traps")
        database_url = module_archives.new(folder)
        config = folder / "sources.yaml"
        sources = [courier.source("courier"), gazette.source("gazette")]
        config.write_text(
            yaml.safe_dump(
                {"database_url": database_url, "user_agent": USER_AGENT, "sources": sources}
            )
        )
        engine = make_engine(database_url)
        upgrade(engine)
        engine.dispose()
        run = Trapped(courier, gazette, config, database_url)
        c, g = public_paths(courier), public_paths(gazette)
        run.paths.update({f"dateline{n}": c[n] for n in range(4)})
        run.paths.update({f"wall:{kind}": c[4 + n] for n, kind in enumerate(WALL_KINDS)})
        run.paths.update(
            {
                f"gazette:{name}": g[n]
                for n, name in enumerate(
                    (
                        "json-ld",
                        "next-data",
                        "teaser",
                        "cut:length",
                        "cut:close",
                        "deleted",
                        "headlines",
                        "moved",
                        "canonical-moved",
                        "copied",
                    )
                )
            }
        )

        # Datelines and JSON-only pages from the start.
        for n in range(4):
            courier.serve_datelines(run.paths[f"dateline{n}"], seed=1)
        gazette.serve_json_only(run.paths["gazette:json-ld"], "json-ld")
        gazette.serve_json_only(run.paths["gazette:next-data"], "next-data")
        run.summaries.append(crawl_in_child(config))
        run.articles_before = run.articles_per_source()

        # Recheck 1: every trap at once, and one real edit (a deleted last paragraph).
        for n in range(4):
            courier.serve_datelines(run.paths[f"dateline{n}"], seed=2)
        for kind in WALL_KINDS:
            courier.serve_wall(run.paths[f"wall:{kind}"], kind)
        ferry = new_article(courier)
        courier.add_article(ferry)
        courier.serve_wall(ferry.path, "consent", lang="de")
        run.paths["walled-new"] = ferry.path
        for name in ("json-ld", "next-data"):
            gazette.churn(run.paths[f"gazette:{name}"], seed=7)
        gazette.serve_teaser(run.paths["gazette:teaser"])
        gazette.cut_body(run.paths["gazette:cut:length"], "length")
        gazette.cut_body(run.paths["gazette:cut:close"], "close")
        deleted = gazette.articles[run.paths["gazette:deleted"]]
        gazette.edit_article(deleted.path, paragraphs=deleted.paragraphs[:-1])
        headlines = gazette.articles[run.paths["gazette:headlines"]]
        gazette.serve_headline_variants(
            headlines.path, [f"{headlines.title}: what it means", headlines.title]
        )
        old = run.paths["gazette:moved"]
        run.paths["gazette:moved:new"] = old.replace(".html", "-updated.html")
        moved_title = gazette.articles[old].title + " (updated)"
        gazette.move_article(old, run.paths["gazette:moved:new"], redirect=True, title=moved_title)
        old = run.paths["gazette:canonical-moved"]
        run.paths["gazette:canonical-moved:new"] = old.replace(".html", "-moved.html")
        gazette.move_article(old, run.paths["gazette:canonical-moved:new"], redirect=False)
        copied = run.paths["gazette:copied"]
        run.paths["gazette:copied:amp"] = copied.replace("/2026/", "/amp/2026/")
        run.paths["gazette:copied:print"] = copied + "?output=print"
        gazette.add_copy(copied, run.paths["gazette:copied:amp"], "amp")
        gazette.add_copy(copied, run.paths["gazette:copied:print"], "print")
        run.summaries.append(recheck(config, discover=True))
        run.status_while_walled = cli_json(config, "status", "--json")
        shown = CliRunner().invoke(cli, ["--config", str(config), "status"])
        assert shown.exit_code == 0, shown.output
        run.status_text_while_walled = shown.stdout
        run.articles_after_moves = run.articles_per_source()

        # Recheck 2: the datelines move again and one sentence gains a date and a time;
        # one wall and the new article's wall go, an edit made meanwhile; a JSON-only
        # page is edited; the A/B test serves its second headline.
        for n in range(4):
            courier.serve_datelines(run.paths[f"dateline{n}"], seed=3)
        dated = courier.articles[run.paths["dateline0"]]
        sentence = dated.paragraphs[1].rstrip(".") + (
            ", the council said at 14:30 on 12 December 2026."
        )
        courier.edit_article(
            dated.path, paragraphs=(dated.paragraphs[0], sentence, *dated.paragraphs[2:])
        )
        reopened = run.paths["wall:consent"]
        courier.clear_trap(reopened)
        courier.edit_article(reopened, paragraphs=(*courier.articles[reopened].paragraphs, UPDATE))
        courier.clear_trap(ferry.path)
        json_ld = gazette.articles[run.paths["gazette:json-ld"]]
        gazette.edit_article(
            json_ld.path,
            paragraphs=(*json_ld.paragraphs[:-1], json_ld.paragraphs[-1] + " More."),
        )
        run.summaries.append(recheck(config))

        # Rechecks 3 and 4: the headlines flip back and forth; nothing else changes.
        run.summaries.append(recheck(config, discover=True))
        run.summaries.append(recheck(config))
        yield run


def test_datelines_whose_time_moves_make_no_version_but_a_dated_edit_does(
    trapped: Trapped,
) -> None:
    assert [len(trapped.versions(f"dateline{n}")) for n in range(4)] == [2, 1, 1, 1]
    first, second = trapped.versions("dateline0")
    shown = cli_json(trapped.config, "show", trapped.url("dateline0"), "--json")
    assert "the council said at 14:30 on 12 December 2026" in shown["text"]
    assert first["version"] == 1 and second["version"] == 2


def test_walls_are_blocked_never_a_version_nor_gone(trapped: Trapped) -> None:
    walled = trapped.summaries[1]
    assert walled["gone"] == 0
    # Six walls, and the new article behind the seventh.
    assert walled["blocked"] == len(WALL_KINDS) + 1
    rows = {row["url"]: row for row in cli_json(trapped.config, "articles", "--json")}
    for kind in WALL_KINDS[1:]:  # the walls that never went
        url = trapped.url(f"wall:{kind}")
        assert rows[url]["status"] == "live" and rows[url]["versions"] == 1, kind
        fetched = trapped.outcomes(url)
        assert fetched[0][0] != "blocked" and len(fetched) == 5, (kind, fetched)
        assert all(outcome == "blocked" and reason for outcome, reason in fetched[1:]), kind


def test_an_edit_made_behind_a_wall_is_one_version_when_the_wall_goes(
    trapped: Trapped,
) -> None:
    rows = trapped.versions("wall:consent")
    assert [v["version"] for v in rows] == [1, 2]
    outcomes = [outcome for outcome, _ in trapped.outcomes(trapped.url("wall:consent"))]
    assert outcomes[1] == "blocked" and "blocked" not in outcomes[2:]


def test_a_new_article_behind_a_wall_is_not_archived_until_the_wall_goes(
    trapped: Trapped,
) -> None:
    assert trapped.summaries[1]["new_articles"] == 0
    assert trapped.summaries[2]["new_articles"] == 1
    url = trapped.url("walled-new")
    assert trapped.outcomes(url)[0][0] == "blocked"
    [first] = trapped.versions("walled-new")
    assert first["title"] == "Ferry timetable changes from Monday"


def test_status_shows_how_many_each_source_had_blocked(trapped: Trapped) -> None:
    sources = {s["name"]: s for s in trapped.status_while_walled["sources"]}
    courier, gazette = sources["courier"], sources["gazette"]
    assert courier["blocked"] == len(WALL_KINDS) + 1 and courier["truncated"] == 0
    assert gazette["blocked"] == 0 and gazette["truncated"] == 3
    latest = courier["last_blocked"]
    assert latest["reason"] and latest["url"] in {
        trapped.url(name) for name in trapped.paths if name.startswith(("wall:", "walled-"))
    }
    recent = trapped.status_while_walled["recent_blocked"]
    assert recent and all(entry["reason"] for entry in recent)
    shown = trapped.status_text_while_walled
    assert "blocked" in shown and "Latest blocked or cut-short fetches" in shown


def test_teasers_and_cut_bodies_are_truncated_but_a_deleted_paragraph_is_a_version(
    trapped: Trapped,
) -> None:
    assert trapped.summaries[1]["truncated"] == 3
    for name in ("teaser", "cut:length", "cut:close"):
        url = trapped.url(f"gazette:{name}")
        outcome, reason = trapped.outcomes(url)[-1]
        assert outcome == "truncated" and reason, (name, reason)
        assert len(trapped.versions(f"gazette:{name}")) == 1, name
    assert [v["version"] for v in trapped.versions("gazette:deleted")] == [1, 2]


def test_ab_headlines_are_each_stored_once_and_shown_as_returns(trapped: Trapped) -> None:
    rows = trapped.versions("gazette:headlines")
    assert [r["version"] for r in rows] == [1, 2]
    assert sum(len(r["returns"]) for r in rows) >= 2
    fetched = [o for o, _ in trapped.outcomes(trapped.url("gazette:headlines"))]
    assert fetched.count("returned") >= 2
    [article] = [
        r
        for r in cli_json(trapped.config, "articles", "--json")
        if r["url"] == trapped.url("gazette:headlines")
    ]
    assert article["headline_test"] is True


def test_a_moved_article_is_one_article_with_its_old_address_as_an_alias(
    trapped: Trapped,
) -> None:
    assert trapped.articles_after_moves["gazette"] == trapped.articles_before["gazette"]
    # The headline edit that came with the new slug is one version; a move alone, none.
    assert [v["version"] for v in trapped.versions("gazette:moved:new")] == [1, 2]
    assert [v["version"] for v in trapped.versions("gazette:canonical-moved:new")] == [1]
    shown = cli_json(trapped.config, "show", trapped.url("gazette:moved"), "--json")
    assert shown["url"] == trapped.url("gazette:moved:new") and shown["version"] == 2
    shown = cli_json(trapped.config, "show", trapped.url("gazette:canonical-moved"), "--json")
    assert shown["url"] == trapped.url("gazette:canonical-moved:new")


def test_copies_at_other_addresses_are_one_article(trapped: Trapped) -> None:
    assert trapped.summaries[1]["copies"] == 2
    assert [v["version"] for v in trapped.versions("gazette:copied")] == [1]
    for copy in ("amp", "print"):
        shown = cli_json(trapped.config, "show", trapped.url(f"gazette:copied:{copy}"), "--json")
        assert shown["url"] == trapped.url("gazette:copied"), copy


def test_articles_only_in_structured_data_are_archived(trapped: Trapped) -> None:
    for name in ("json-ld", "next-data"):
        path = trapped.paths[f"gazette:{name}"]
        first = trapped.versions(f"gazette:{name}")[0]
        assert first["title"] == trapped.gazette.articles[path].title, name
        shown = cli_json(trapped.config, "show", trapped.url(f"gazette:{name}"), "--json")
        assert trapped.gazette.articles[path].paragraphs[-1] in shown["text"], name
    # Churned markup around the data is no version; an edit of the data is one.
    assert [v["version"] for v in trapped.versions("gazette:next-data")] == [1]
    assert [v["version"] for v in trapped.versions("gazette:json-ld")] == [1, 2]


def test_every_crawl_makes_exactly_the_versions_of_the_real_edits(trapped: Trapped) -> None:
    _, walled, reopened, flip, flop = trapped.summaries
    # Recheck 1: the deleted paragraph, the moved article's new headline, the A/B test's
    # first variant. Recheck 2: the dated sentence, the edit behind the wall, the JSON
    # edit (and the new article). Then the headlines flip back to known versions.
    assert walled["new_versions"] == 3, walled
    assert reopened["new_versions"] == 3, reopened
    assert flip["new_versions"] == 0 and flop["new_versions"] == 0, (flip, flop)


def test_the_archive_stays_consistent_through_every_trap(trapped: Trapped) -> None:
    """`mediawatch check` knows the new rows: aliases, returns, blocked and truncated."""
    report = cli_json(trapped.config, "check", "--json")
    assert report["ok"], report["problems"]
