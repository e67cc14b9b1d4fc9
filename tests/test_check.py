"""`mediawatch check` on real archives, SQLite and PostgreSQL: healthy ones pass, and each
kind of damage, made with raw SQL behind the archive's back, is reported by name with exit
status 1."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from sqlalchemy import text

from cli.main import cli
from crawler.child import crawl_in_child
from storage.archive import Archive, FetchedPage
from storage.db import make_engine
from storage.schema import upgrade
from tests.backends import backend, behind_the_archives_back
from tests.fixture_site import FixtureSite

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
BASE = "https://gazette.example/2026/11/"
# Three versions, two, and one.
EDITED = BASE + "ferry-fares.html"
ONCE_EDITED = BASE + "library-hours.html"
SINGLE = BASE + "harbour-lights.html"


@pytest.fixture
def config_file(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "database_url": database_url,
                "sources": [{"name": "gazette", "feeds": ["https://gazette.example/rss.xml"]}],
            }
        )
    )
    return path


def _page(url: str, hours: int, text: str, title: str) -> FetchedPage:
    return FetchedPage(
        url=url,
        source="gazette",
        fetched_at=T0 + timedelta(hours=hours),
        http_status=200,
        raw_html=f"<html><h1>{title}</h1><p>{text}</p></html>".encode(),
        extracted={
            "title": title,
            "authors": ["Maren Olsen"],
            "published": "2026-11-02",
            "text": text,
        },
    )


@pytest.fixture
def archive(config_file: Path, database_url: str) -> Iterator[str]:
    """A healthy archive written by the archive's own batched writes; yields its URL."""
    engine = make_engine(database_url)
    upgrade(engine)
    store = Archive(engine)
    store.store_many(
        [
            _page(EDITED, 0, "Fares will rise by 12 per cent.", "Fares to rise"),
            _page(ONCE_EDITED, 0, "The library opens at nine.", "Library hours"),
            _page(SINGLE, 0, "The harbour lights were repaired.", "Harbour lights"),
        ]
    )
    store.store_many(
        [
            _page(EDITED, 1, "Fares will rise by 15 per cent.", "Fares to rise"),
            _page(ONCE_EDITED, 1, "The library opens at ten.", "Library hours"),
            _page(SINGLE, 1, "The harbour lights were repaired.", "Harbour lights"),
        ]
    )
    store.store_many([_page(EDITED, 2, "Fares will rise by 15 per cent.", "Fares to rise, again")])
    engine.dispose()
    yield database_url


def run_check(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "check", *args])


def damage(database: str, *statements: str) -> None:
    """Raw SQL, as a hand edit or another tool would: no foreign keys enforced. A blob
    written X'..' (SQLite's syntax) is given to PostgreSQL as a bytea literal."""
    with behind_the_archives_back(database) as connection:
        for statement in statements:
            if backend(database) == "postgresql":
                statement = re.sub(r"X'([0-9a-f]*)'", r"'\\x\1'::bytea", statement)
            connection.execute(text(statement))


def query_ids(database: str, sql: str, **params: object) -> list[int]:
    with behind_the_archives_back(database) as connection:
        return [int(found) for found in connection.scalars(text(sql), params)]


def version_id(database: str, url: str, number: int) -> int:
    [found] = query_ids(
        database,
        "SELECT v.id FROM versions v JOIN articles a ON a.id = v.article_id "
        "WHERE a.url = :url AND v.number = :number",
        url=url,
        number=number,
    )
    return found


def test_a_healthy_archive_passes(archive: str, config_file: Path) -> None:
    result = run_check(config_file)
    assert result.exit_code == 0, result.output
    assert result.stdout == "archive OK: 3 articles, 6 versions, 7 fetches checked\n"
    document = json.loads(run_check(config_file, "--json").stdout)
    assert document == {"ok": True, "articles": 3, "versions": 6, "fetches": 7, "problems": []}


def test_an_archive_made_by_a_real_crawl_passes(tmp_path: Path, database_url: str) -> None:
    with FixtureSite() as site:
        config = tmp_path / "sources.yaml"
        database = database_url
        config.write_text(yaml.safe_dump({"database_url": database, "sources": [site.source()]}))
        engine = make_engine(database)
        upgrade(engine)
        engine.dispose()
        summary = crawl_in_child(config)
        path = sorted(p for p, spec in site.articles.items() if not spec.private)[0]
        spec = site.articles[path]
        site.edit_article(path, paragraphs=(*spec.paragraphs, "A late correction."))
        crawl_in_child(config, recheck="all", discover=False)
    result = run_check(config)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"archive OK: {summary['new_articles']} articles, ")
    assert f"{summary['new_articles'] + 1} versions" in result.stdout


# Each case: raw SQL and the lines `check` must print, each in full or in part; {v1}, {v2}
# and {v3} are the ids of EDITED's versions, {single} SINGLE's article id, {one} the id of
# its only version and {f1}, {f2} the ids of its fetches.
DAMAGE: dict[str, tuple[list[str], list[str]]] = {
    "text edited behind the archive's back": (
        ["UPDATE versions SET text = 'Fares will fall.' WHERE id = {v2}"],
        [
            f"hash: {EDITED} version 2 (version id {{v2}}): content_hash ",
            f"search-index: {EDITED} version 2 (version id {{v2}}): has other words in the "
            "search index than in the archive",
        ],
    ),
    "content hash overwritten": (
        ["UPDATE versions SET content_hash = 'ab' || substr(content_hash, 3) WHERE id = {one}"],
        [f"hash: {SINGLE} version 1 (version id {{one}}): content_hash ab"],
    ),
    "authors changed": (
        ["""UPDATE versions SET authors = '["Someone Else"]' WHERE id = {v1}"""],
        [f"hash: {EDITED} version 1 (version id {{v1}}): content_hash "],
    ),
    "version renumbered": (
        ["UPDATE versions SET number = 7 WHERE id = {v3}"],
        [
            f"numbering: {EDITED}: version_count is 3 but its versions are numbered 1, 2, 7 "
            "(expected 1..3)"
        ],
    ),
    "version count wrong": (
        ["UPDATE articles SET version_count = 1 WHERE url = '" + ONCE_EDITED + "'"],
        [
            f"numbering: {ONCE_EDITED}: version_count is 1 but its versions are numbered 1, 2 "
            "(expected 1..1)"
        ],
    ),
    "version deleted": (
        ["DELETE FROM versions WHERE id = {v2}"],
        [
            f"numbering: {EDITED}: version_count is 3 but its versions are numbered 1, 3 "
            "(expected 1..3)",
            "search-index: version id {v2}: is in the search index but not in the archive",
            f"orphan: {EDITED} (fetch id ",
            "fetch stored version id {v2}, which is not in the archive",
        ],
    ),
    "version missing from the search index": (
        [
            "INSERT INTO versions_fts(versions_fts, rowid, title, text) "
            "SELECT 'delete', id, coalesce(title, ''), text FROM versions WHERE id = {one}"
        ],
        [f"search-index: {SINGLE} version 1 (version id {{one}}): is not in the search index"],
    ),
    "article deleted": (
        ["DELETE FROM articles WHERE url = '" + SINGLE + "'"],
        [
            "orphan: article id {single} version 1 (version id {one}): its article is not in "
            "the archive",
            f"orphan: article id {{single}} (fetch id {{f1}}): fetch of {SINGLE}, but its "
            "article is not in the archive",
            f"(fetch id {{f2}}): fetch of {SINGLE}, but its article is not in the archive",
        ],
    ),
    "source deleted": (
        ["DELETE FROM sources"],
        [f"orphan: {EDITED}: its source (id 1) is not in the archive"],
    ),
    "fetch log lost its version": (
        ["UPDATE fetches SET version_id = NULL WHERE version_id = {v3}"],
        [f"unlogged: {EDITED} version 3 (version id {{v3}}): no fetch in the log stored this"],
    ),
    "raw HTML not zstd": (
        ["UPDATE versions SET raw_html = X'28b52ffd0000dead' WHERE id = {v1}"],
        [f"raw-html: {EDITED} version 1 (version id {{v1}}): raw HTML does not decompress ("],
    ),
    "raw HTML neither zstd nor gzip": (
        ["UPDATE versions SET raw_html = X'3c68746d6c3e' WHERE id = {one}"],
        [f"raw-html: {SINGLE} version 1 (version id {{one}}): raw HTML does not decompress ("],
    ),
    "raw HTML size wrong": (
        ["UPDATE versions SET raw_html_size = raw_html_size + 1 WHERE id = {one}"],
        [f"raw-html: {SINGLE} version 1 (version id {{one}}): raw HTML decompresses to "],
    ),
}


# Damage to SQLite's FTS5 tables; PostgreSQL's index is a generated column that cannot drift.
SQLITE_SEARCH_INDEX_DAMAGE = {"version missing from the search index"}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_each_kind_of_damage_is_reported_by_name(
    archive: str, config_file: Path, case: str
) -> None:
    on_postgresql = backend(archive) == "postgresql"
    if on_postgresql and case in SQLITE_SEARCH_INDEX_DAMAGE:
        pytest.skip("PostgreSQL keeps its search index itself: there is no index to damage")
    ids = {
        "v1": version_id(archive, EDITED, 1),
        "v2": version_id(archive, EDITED, 2),
        "v3": version_id(archive, EDITED, 3),
        "one": version_id(archive, SINGLE, 1),
    }
    [ids["single"]] = query_ids(archive, "SELECT id FROM articles WHERE url = :url", url=SINGLE)
    ids["f1"], ids["f2"] = query_ids(
        archive,
        "SELECT f.id FROM fetches f JOIN articles a ON a.id = f.article_id "
        "WHERE a.url = :url ORDER BY f.id",
        url=SINGLE,
    )
    statements, expected = DAMAGE[case]
    if on_postgresql:  # the search index follows the versions there, whatever was done
        expected = [line for line in expected if not line.startswith("search-index: ")]
    damage(archive, *(statement.format(**ids) for statement in statements))
    result = run_check(config_file)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    for fragment in expected:
        fragment = fragment.format(**ids)
        assert any(fragment in line for line in lines), (fragment, lines)
    assert "archive OK" not in result.stdout
    assert "found (3 articles," in result.stderr or "found (2 articles," in result.stderr
    # --json names the same problems, and stdout holds that document only.
    as_json = run_check(config_file, "--json")
    assert as_json.exit_code == 1
    document = json.loads(as_json.stdout)
    assert document["ok"] is False
    assert [p["message"] for p in document["problems"]] == lines


def test_problems_name_the_version_in_json(archive: str, config_file: Path) -> None:
    v2 = version_id(archive, EDITED, 2)
    damage(archive, f"UPDATE versions SET content_hash = 'x' WHERE id = {v2}")
    document = json.loads(run_check(config_file, "--json").stdout)
    [problem] = document["problems"]
    assert problem["kind"] == "hash"
    assert (problem["url"], problem["version"], problem["version_id"]) == (EDITED, 2, v2)


def test_every_problem_is_reported_not_only_the_first(archive: str, config_file: Path) -> None:
    damage(
        archive,
        "UPDATE versions SET content_hash = 'x'",
        "UPDATE articles SET version_count = version_count + 1",
    )
    result = run_check(config_file)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert sum(line.startswith("hash: ") for line in lines) == 6
    assert sum(line.startswith("numbering: ") for line in lines) == 3
    assert "9 problems found" in result.stderr


def test_an_uninitialised_archive_is_a_clear_error(config_file: Path) -> None:
    result = run_check(config_file)
    assert result.exit_code == 1
    assert "not initialised; run `mediawatch init`" in result.output
