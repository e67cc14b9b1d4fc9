"""The archive commands, through click's runner, on a real SQLite archive."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from warcio.archiveiterator import ArchiveIterator

from cli.main import cli
from config import load_config
from storage.archive import Archive, FetchedPage
from storage.db import make_engine
from storage.schema import upgrade

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
STORY = "https://gazette.example/2026/11/ferry-fares.html?utm_source=rss"
STORY_URL = "https://gazette.example/2026/11/ferry-fares.html"
CANONICAL = "https://www.gazette.example/news/ferry-fares"
OTHER_URL = "https://gazette.example/2026/11/library.html"
TEXT_V1 = "Fares will rise by 12 per cent.\n\nThe council objected on Monday."
TEXT_V2 = "Fares will rise by 15 per cent.\n\nThe council objected on Monday.\n\nA correction."


def fields(title: str, text: str) -> dict[str, Any]:
    return {
        "title": title,
        "authors": ["Maren Olsen"],
        "published": "2026-11-02",
        "language": "en",
        "text": text,
        "canonical_url": CANONICAL,
    }


@pytest.fixture
def config_file(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        f"database_url: '{database_url}'\n"
        "sources:\n"
        "  - name: gazette\n"
        "    feeds: ['https://gazette.example/rss.xml']\n"
    )
    return path


@pytest.fixture
def archive(config_file: Path) -> Iterator[Path]:
    """An archive with an edited story (2 versions), a one-version story, and a gone one."""
    engine = make_engine(load_config(config_file).database_url)
    upgrade(engine)
    store = Archive(engine)

    def fetched(url: str, at: timedelta, **kw: Any) -> FetchedPage:
        return FetchedPage(url=url, source="gazette", fetched_at=T0 + at, http_status=200, **kw)

    store.store(
        fetched(
            STORY_URL,
            timedelta(0),
            extracted=fields("Fares to rise", TEXT_V1),
            raw_html=b"<html><p>v1</p></html>",
        )
    )
    store.store(
        fetched(
            STORY_URL,
            timedelta(hours=1),
            extracted=fields("Fares to rise <sharply>", TEXT_V2),
            raw_html=b"<html><p>v2</p></html>",
        )
    )
    store.store(
        fetched(
            OTHER_URL,
            timedelta(hours=2),
            extracted={
                **fields("Library stays open", "Sunday opening stays."),
                "canonical_url": None,
            },
        )
    )
    store.store(
        FetchedPage(
            url="https://gazette.example/2026/11/gone.html",
            source="gazette",
            fetched_at=T0,
            http_status=404,
        )
    )
    engine.dispose()
    yield config_file


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def test_articles_json_shape(archive: Path) -> None:
    result = run(archive, "articles", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["url"] for r in rows[:2]] == [OTHER_URL, STORY_URL]
    assert set(rows[0]) >= {
        "url",
        "canonical_url",
        "source",
        "title",
        "status",
        "versions",
        "first_seen",
        "last_checked",
        "last_changed",
    }
    story = rows[1]
    assert story["versions"] == 2
    assert story["canonical_url"] == CANONICAL
    assert story["title"] == "Fares to rise <sharply>"
    assert story["first_seen"] == "2026-11-02T08:00:00+00:00"
    assert story["last_changed"] == "2026-11-02T09:00:00+00:00"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--changed"], [STORY_URL]),
        (["--status", "gone"], ["https://gazette.example/2026/11/gone.html"]),
        (["--source", "gazette", "--status", "live"], [OTHER_URL, STORY_URL]),
    ],
)
def test_articles_filters(archive: Path, options: list[str], expected: list[str]) -> None:
    result = run(archive, "articles", *options, "--json")
    assert [r["url"] for r in json.loads(result.stdout)] == expected


def test_articles_table_shows_full_urls(archive: Path) -> None:
    result = run(archive, "articles")
    assert result.exit_code == 0
    assert STORY_URL in result.stdout
    assert "Fares to rise <sharply>" in result.stdout


@pytest.mark.parametrize("url", [STORY, STORY_URL, CANONICAL, STORY_URL + "#comments"])
def test_versions_json_matches_any_form_of_the_url(archive: Path, url: str) -> None:
    result = run(archive, "versions", url, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["version"] for r in rows] == [1, 2]
    assert set(rows[0]) >= {
        "version",
        "fetched_at",
        "title",
        "content_hash",
        "changed",
        "words_added",
        "words_removed",
    }
    assert rows[1]["changed"] == ["title", "text"]
    assert rows[1]["words_added"] >= 3


def test_show_json_latest_and_numbered(archive: Path) -> None:
    latest = json.loads(run(archive, "show", STORY_URL, "--json").stdout)
    assert set(latest) >= {
        "url",
        "version",
        "fetched_at",
        "title",
        "authors",
        "published",
        "text",
        "language",
        "content_hash",
    }
    assert (latest["version"], latest["text"]) == (2, TEXT_V2)
    first = json.loads(run(archive, "show", STORY_URL, "--version", "1", "--json").stdout)
    assert (first["version"], first["authors"], first["text"]) == (1, ["Maren Olsen"], TEXT_V1)


def test_show_text_prints_the_article(archive: Path) -> None:
    result = run(archive, "show", STORY_URL)
    assert "Fares to rise <sharply>" in result.stdout
    assert "A correction." in result.stdout


def test_diff_json_ops_rebuild_both_versions(archive: Path) -> None:
    result = run(archive, "diff", STORY_URL, "--format", "json")
    document = json.loads(result.stdout)
    assert (document["url"], document["from"], document["to"]) == (STORY_URL, 1, 2)
    old = "".join(op["text"] for op in document["ops"] if op["op"] != "insert")
    new = "".join(op["text"] for op in document["ops"] if op["op"] != "delete")
    assert old.endswith(TEXT_V1) and new.endswith(TEXT_V2)
    assert {"op": "insert", "text": "15"} in document["ops"]
    assert document["words_added"] >= 3 and document["words_removed"] >= 1


def test_diff_html_escapes_archived_text(archive: Path) -> None:
    result = run(archive, "diff", STORY_URL, "--format", "html")
    assert "<sharply>" not in result.stdout
    assert "&lt;sharply&gt;" in result.stdout
    assert "<ins>" in result.stdout and "<del>" in result.stdout


def test_diff_text_marks_the_change(archive: Path) -> None:
    result = run(archive, "diff", STORY_URL, "--from", "1", "--to", "2")
    assert result.exit_code == 0
    assert "[-12-]{+15+}" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["versions", "https://nowhere.example/x"], "no archived article has the URL"),
        (["show", STORY_URL, "--version", "7"], "has no version 7; it has versions 1 to 2"),
        (["diff", OTHER_URL], "has only version 1; a diff needs two versions"),
        (["search", '"unbalanced'], "cannot search for"),
        (["search", "AND"], "cannot search for"),
        (["articles", "--source", "nope", "--json"], None),
        (["export", "--source", "nope"], "no source named 'nope'"),
    ],
)
def test_errors_are_one_clear_line(archive: Path, args: list[str], message: str | None) -> None:
    result = run(archive, *args)
    if message is None:  # a filter that matches nothing is not an error
        assert result.exit_code == 0 and json.loads(result.stdout) == []
        return
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_search_finds_ranked_with_snippet(archive: Path) -> None:
    result = run(archive, "search", "council", "--json")
    assert result.exit_code == 0
    [hit] = json.loads(result.stdout)
    assert (hit["url"], hit["version"], hit["versions"]) == (STORY_URL, 2, 2)
    assert "council" in hit["snippet"]


def test_search_finds_text_that_was_edited_out(archive: Path) -> None:
    [hit] = json.loads(run(archive, "search", "12", "--json").stdout)
    assert (hit["url"], hit["version"]) == (STORY_URL, 1)


def test_search_by_source_and_no_match(archive: Path) -> None:
    assert json.loads(run(archive, "search", "library", "--source", "gazette", "--json").stdout)
    result = run(archive, "search", "zeppelin")
    assert result.exit_code == 0
    assert "Nothing matches" in result.stderr


def test_status_json(archive: Path) -> None:
    document = json.loads(run(archive, "status", "--json").stdout)
    [source] = document["sources"]
    assert source == {
        "name": "gazette",
        "articles": 3,
        "live": 2,
        "gone": 1,
        "error": 0,
        "versions": 3,
        "last_fetch": "2026-11-02T10:00:00+00:00",
        "fetch_errors": 0,
        # Added for issue 13: fetches of the last crawls that were not the article.
        "blocked": 0,
        "truncated": 0,
        "last_blocked": None,
    }
    assert (document["articles"], document["versions"]) == (3, 3)
    assert document["recent_blocked"] == []


def test_export_jsonl_and_csv(archive: Path, tmp_path: Path) -> None:
    jsonl = run(archive, "export")
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [(r["url"], r["version"]) for r in records] == [
        (STORY_URL, 1),
        (STORY_URL, 2),
        (OTHER_URL, 1),
    ]
    target = tmp_path / "out.csv"
    result = run(archive, "export", "--format", "csv", "--output", str(target))
    assert result.exit_code == 0
    assert "Exported 3 versions as csv" in result.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert rows[1]["text"] == TEXT_V2 and rows[1]["changed"] == "title,text"


def test_export_warc_holds_the_raw_html(archive: Path, tmp_path: Path) -> None:
    target = tmp_path / "archive.warc.gz"
    assert run(archive, "export", "--format", "warc", "--output", str(target)).exit_code == 0
    with target.open("rb") as stream:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
            for r in ArchiveIterator(stream)
        ]
    responses = [(url, body) for kind, url, body in records if kind == "response"]
    assert responses == [
        (STORY_URL, b"<html><p>v1</p></html>"),
        (STORY_URL, b"<html><p>v2</p></html>"),
    ]
    assert sum(kind == "metadata" for kind, _, _ in records) == 2


def test_export_refuses_to_overwrite(archive: Path, tmp_path: Path) -> None:
    target = tmp_path / "exists.jsonl"
    target.write_text("keep me")
    result = run(archive, "export", "--output", str(target))
    assert result.exit_code == 1
    assert "exists; choose another --output" in result.stderr
    assert target.read_text() == "keep me"
    missing = run(archive, "export", "--output", str(tmp_path / "no" / "dir" / "x.jsonl"))
    assert "folder" in missing.stderr and missing.exit_code == 1


def test_uninitialised_archive_says_run_init(config_file: Path) -> None:
    result = run(config_file, "articles")
    assert result.exit_code == 1
    assert "is not initialised; run `mediawatch init`" in result.stderr


def test_init_then_empty_archive(config_file: Path) -> None:
    first = run(config_file, "init")
    assert first.exit_code == 0 and "Created the archive" in first.stdout
    again = run(config_file, "init")
    assert again.exit_code == 0 and "is up to date" in again.stdout
    empty = run(config_file, "articles")
    assert empty.exit_code == 0
    assert "No articles match. Run `mediawatch crawl`" in empty.stderr
    assert json.loads(run(config_file, "articles", "--json").stdout) == []


def test_bad_config_stops_before_any_work(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - name: x\n    feeds: ['https://a.example/rss']\n    colour: red\n")
    result = run(bad, "init")
    assert result.exit_code == 1
    assert "bad.yaml" in result.stderr and "colour" in result.stderr
    assert not (tmp_path / "data").exists()


def test_database_option_overrides_config(archive: Path, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    result = run(archive, "--database", other, "articles")
    assert result.exit_code == 1
    assert "other.db is not initialised" in result.stderr
    assert run(archive, "--database", other, "init").exit_code == 0
    assert (tmp_path / "other.db").exists()


def test_every_command_is_documented() -> None:
    for name, command in cli.commands.items():
        assert (command.help and "Example" in command.help) or name == "demo", name
