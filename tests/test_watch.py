"""Watch terms: which new versions match a watch (storage/alerts.py), recorded with the
versions in one transaction, on SQLite and PostgreSQL; and `mediawatch articles --watch`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import Engine, select

from alerts.rules import check_watches
from cli.main import cli
from config import ConfigError, load_config
from storage.alerts import AlertRules, HookRule, Term, WatchRule, positive_terms, snippet
from storage.archive import Archive, FetchedPage
from storage.models import WatchMatch, WebhookDelivery

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
FERRY = "https://news.example/2026/11/harbour-ferry.html"
BANKS = "https://news.example/2026/11/bank-merger.html"
WEATHER = "https://other.example/2026/11/storm.html"
FERRY_TEXT = (
    "The council voted on Tuesday to raise ferry fares by 12 percent from January.\n\n"
    "Commuters on the island route objected, saying the harbour crossing was already the "
    "most expensive in the region. The operator said fuel costs had doubled since spring."
)
BANK_TEXT = (
    "The regulator approved the merger of two regional banks on Tuesday.\n\n"
    "The combined lender must sell forty branches and keep cash machines running."
)
STORM_TEXT = "A storm closed the harbour and cancelled every ferry crossing on Friday."


def page(url: str, text: str, *, source: str = "news", at: int = 0, title: str = "") -> FetchedPage:
    return FetchedPage(
        url=url,
        source=source,
        fetched_at=T0 + timedelta(hours=at),
        http_status=200,
        extracted={"title": title or url.rsplit("/", 1)[-1], "text": text, "language": "en"},
    )


def matches(engine: Engine) -> list[tuple[str, str, int, str]]:
    """(watch, article URL, version number, kind) of every recorded match, in order."""
    with Archive(engine).sessions() as session:
        rows = session.scalars(select(WatchMatch).order_by(WatchMatch.id)).all()
        return [(m.watch, m.article.url, m.version.number, m.kind) for m in rows]


# --- pure helpers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("ferry", [Term("ferry")]),
        ("Ferry AND fares", [Term("ferry"), Term("fares")]),
        ('"harbour crossing" OR bus', [Term("harbour"), Term("crossing"), Term("bus")]),
        ("ferry NOT storm", [Term("ferry")]),
        ("ferry NOT (storm OR strike) fares", [Term("ferry"), Term("fares")]),
        ("ferr*", [Term("ferr", prefix=True)]),
        ("title:Café", [Term("cafe")]),
    ],
)
def test_positive_terms_leave_out_what_is_under_not(query: str, terms: list[Term]) -> None:
    assert positive_terms(query) == terms


def test_snippet_is_a_short_passage_around_the_matched_word() -> None:
    passage = snippet(FERRY_TEXT, [Term("fuel")])
    assert "fuel costs had doubled" in passage
    assert len(passage) <= 210 and passage.startswith("…") and "\n" not in passage
    # An edit's snippet starts from the changed word even when the term occurs earlier.
    text = "Ferry news. " + "Filler words here. " * 20 + "The ferry sank."
    assert snippet(text, [Term("ferry")]).startswith("Ferry news.")
    edited = len(text) - len("ferry sank.")
    assert "ferry sank" in snippet(text, [Term("ferry")], [(edited, len(text))])


# --- matching, in the storing transaction ----------------------------------------------


def test_new_articles_match_with_search_semantics_and_sources(engine: Engine) -> None:
    rules = AlertRules(
        watches=(
            WatchRule("ferries", "ferry AND fares"),
            WatchRule("not-storms", "harbour NOT storm"),
            WatchRule("prefix", "merg*"),
            WatchRule("news-only", "ferry", frozenset({"news"})),
        )
    )
    Archive(engine, alerts=rules).store_many(
        [
            page(FERRY, FERRY_TEXT),
            page(BANKS, BANK_TEXT),
            page(WEATHER, STORM_TEXT, source="other"),
        ]
    )
    found = set(matches(engine))
    assert found == {
        ("ferries", FERRY, 1, "new"),
        ("not-storms", FERRY, 1, "new"),  # the storm story says "harbour" but also "storm"
        ("prefix", BANKS, 1, "new"),
        ("news-only", FERRY, 1, "new"),  # not the other source's ferry story
    }
    with Archive(engine).sessions() as session:
        ferry = session.scalar(select(WatchMatch).where(WatchMatch.watch == "ferries"))
        assert ferry is not None and "ferry fares" in ferry.snippet


def test_an_edit_matches_only_when_its_changed_words_touch_the_query(engine: Engine) -> None:
    archive = Archive(engine, alerts=AlertRules(watches=(WatchRule("fuel", "fuel OR diesel"),)))
    archive.store(page(FERRY, FERRY_TEXT.replace("fuel costs", "costs")))  # no match at first
    # An edit elsewhere in an article that matches: not news about fuel.
    archive.store(page(FERRY, FERRY_TEXT.replace("fuel costs", "costs") + " More.", at=1))
    assert matches(engine) == []
    # The edit that brings in the word is.
    edited = FERRY_TEXT + " More."
    archive.store(page(FERRY, edited, at=2))
    assert matches(engine) == [("fuel", FERRY, 3, "edit")]
    # An edit of an article that matched all along, touching other words: no new match.
    archive.store(page(FERRY, edited.replace("Tuesday", "Monday"), at=3))
    # An edit that removes the watched word touches it too (the story changed about fuel).
    archive.store(page(FERRY, edited.replace("fuel costs", "fuel and diesel costs"), at=4))
    assert matches(engine) == [("fuel", FERRY, 3, "edit"), ("fuel", FERRY, 5, "edit")]
    with Archive(engine).sessions() as session:
        last = session.scalars(select(WatchMatch).order_by(WatchMatch.id)).all()[-1]
        assert "diesel" in last.snippet


def test_an_edit_that_removes_a_not_word_makes_a_match_only_if_query_words_changed(
    engine: Engine,
) -> None:
    archive = Archive(engine, alerts=AlertRules(watches=(WatchRule("calm", "ferry NOT storm"),)))
    archive.store(page(WEATHER, STORM_TEXT))
    # "storm" goes: the article now matches, but no positive word of the query changed.
    archive.store(page(WEATHER, STORM_TEXT.replace("A storm", "Fog"), at=1))
    assert matches(engine) == []


def test_webhook_deliveries_are_queued_with_the_versions(engine: Engine) -> None:
    hook = "http://127.0.0.1:9/hook"
    rules = AlertRules(
        watches=(WatchRule("ferries", "ferry"),),
        webhooks=(
            HookRule(hook),
            HookRule(hook + "/big", min_words_changed=5),
            HookRule(hook + "/other", sources=frozenset({"other"})),
        ),
    )
    archive = Archive(engine, alerts=rules)
    archive.store_many([page(FERRY, FERRY_TEXT), page(BANKS, BANK_TEXT)])
    archive.store(page(FERRY, FERRY_TEXT.replace("12 percent", "15 percent"), at=1))
    with archive.sessions() as session:
        rows = session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        got = [(r.url, r.payload["url"], r.payload["version"], r.status) for r in rows]
        payloads = {(r.url, r.payload["url"], r.payload["version"]): r.payload for r in rows}
    assert sorted(got) == sorted(
        [
            (hook, FERRY, 1, "pending"),
            (hook, BANKS, 1, "pending"),
            (hook, FERRY, 2, "pending"),
            (hook + "/big", FERRY, 1, "pending"),  # a new article always qualifies
            (hook + "/big", BANKS, 1, "pending"),
        ]  # the one-word edit is under /big's 5 words; /other's source stored nothing
    )
    edit = payloads[(hook, FERRY, 2)]
    assert edit["event"] == "new_version" and edit["versions"] == 2
    assert (edit["words_added"], edit["words_removed"], edit["changed"]) == (1, 1, ["text"])
    assert edit["watches"] == []  # "15" is not "ferry": the edit did not touch the watch
    new = payloads[(hook, FERRY, 1)]
    assert new["event"] == "new_article" and new["source"] == "news"
    assert new["watches"][0]["name"] == "ferries" and "ferry" in new["watches"][0]["snippet"]
    assert datetime.fromisoformat(new["fetched_at"]) == T0  # ISO 8601 with its UTC offset


def test_a_failing_batch_records_no_alert(engine: Engine) -> None:
    """Matches and deliveries commit with the versions or not at all."""
    rules = AlertRules(watches=(WatchRule("ferries", "ferry"),), webhooks=(HookRule("http://x/"),))
    bad = FetchedPage(url=BANKS, source="news", fetched_at=datetime(2026, 11, 1), http_status=200)
    with pytest.raises(ValueError, match="naive datetime"):
        Archive(engine, alerts=rules).store_many([page(FERRY, FERRY_TEXT), bad])
    assert matches(engine) == []
    with Archive(engine).sessions() as session:
        assert session.scalars(select(WebhookDelivery)).all() == []


# --- the command line ------------------------------------------------------------------


def write_config(tmp_path: Path, database_url: str, **extra: Any) -> Path:
    path = tmp_path / "sources.yaml"
    document = {
        "database_url": database_url,
        "sources": [{"name": "news", "feeds": ["https://news.example/rss.xml"]}],
        **extra,
    }
    path.write_text(yaml.safe_dump(document))
    return path


def test_articles_watch_lists_the_matches_newest_first(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    watches = [
        {"name": "ferries", "query": "ferry OR bank*"},
        {"name": "storms", "query": "storm"},
    ]
    config = write_config(tmp_path, database_url, watch=watches)
    rules = AlertRules(watches=tuple(WatchRule(w["name"], w["query"]) for w in watches))
    archive = Archive(engine, alerts=rules)
    archive.store(page(FERRY, FERRY_TEXT))
    archive.store(page(BANKS, BANK_TEXT, at=1))
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--config", str(config), "articles", "--watch", "ferries", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["url"] for row in rows] == [BANKS, FERRY]  # newest match first
    every = json.loads(runner.invoke(cli, ["--config", str(config), "articles", "--json"]).stdout)
    # The same rows as `articles --json` gives.
    assert rows == [next(row for row in every if row["url"] == url) for url in (BANKS, FERRY)]
    result = runner.invoke(
        cli, ["--config", str(config), "articles", "--watch", "storms", "--json"]
    )
    assert result.exit_code == 0 and json.loads(result.stdout) == []

    result = runner.invoke(cli, ["--config", str(config), "articles", "--watch", "ferry"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: no watch named 'ferry' in {config}; the configured watches are: ferries, storms\n"
    )


def test_articles_watch_without_watches_says_how_to_add_one(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, database_url)
    result = CliRunner().invoke(cli, ["--config", str(config), "articles", "--watch", "x"])
    assert result.exit_code == 1
    assert "no watch named 'x'" in result.output and "add one, e.g. watch:" in result.output


def test_a_malformed_watch_query_is_a_config_error_before_any_work(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, database_url, watch=[{"name": "bad", "query": "ferry AND"}])
    with pytest.raises(ConfigError, match=r"watch 'bad': cannot search for 'ferry AND'"):
        check_watches(load_config(config), engine)
    result = CliRunner().invoke(cli, ["--config", str(config), "crawl"])
    assert result.exit_code == 1 and "watch 'bad'" in result.output
