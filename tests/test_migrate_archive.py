"""`mediawatch migrate-archive`: a real crawled archive copied into a fresh database (a
SQLite file, and PostgreSQL when MEDIAWATCH_TEST_POSTGRES_URL is set) reads the same
through every command; a target that cannot take it is refused and left as it was."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, make_url, select, text

from cli.main import cli
from crawler.child import crawl_in_child
from crawler.newssite import Resource
from storage import leases
from storage.db import make_engine, make_sessionmaker
from storage.migrate import TABLE_ORDER, VERIFIED, migrate_archive, tables
from storage.models import Fetch, Version
from storage.schema import HEAD_REVISION, upgrade
from tests.fixture_site import FixtureSite

USER_AGENT = "mediawatch-tests (+https://example.org/contact)"
UNREACHABLE = "postgresql+psycopg://mediawatch@127.0.0.1:1/archive"


class Source:
    """The archive to migrate: a real crawl of the fixture site, with edits (articles with
    two and three versions), a page gone, a page that errors, and a daemon's lease."""

    def __init__(self, site: FixtureSite, folder: Path) -> None:
        self.site = site
        self.config = folder / "sources.yaml"
        self.url = f"sqlite:///{folder / 'archive.db'}"
        self.config.write_text(
            yaml.safe_dump(
                {"database_url": self.url, "user_agent": USER_AGENT, "sources": [site.source()]}
            )
        )
        engine = make_engine(self.url)
        upgrade(engine)
        paths = sorted(path for path, spec in site.articles.items() if not spec.private)
        self.edited, self.twice, self.gone, self.error = paths[:4]
        # A word no other article has, edited out later: search must still find version 1.
        self.removed_word = "Quokkafest"
        kept = site.articles[self.edited].paragraphs
        site.edit_article(self.edited, paragraphs=(f"{self.removed_word} opens today.", *kept))
        crawl_in_child(self.config)
        site.edit_article(self.edited, paragraphs=("REDACTED opens today.", *kept))
        site.edit_article(self.twice, title="A headline, corrected")
        crawl_in_child(self.config, recheck="all", discover=False)
        # Cut down to its first paragraph and a new one (a body replaced whole by a line
        # that shares nothing with it is what a wall looks like, not an edit).
        lead = site.articles[self.twice].paragraphs[0]
        site.edit_article(self.twice, paragraphs=(lead, "Only this paragraph was added."))
        site.remove_article(self.gone, status=410)
        site.site.set(self.error, Resource(b"%PDF-1.7 not a page", content_type="application/pdf"))
        crawl_in_child(self.config, recheck="all", discover=False)
        with make_sessionmaker(engine).begin() as session:
            now = datetime.now(UTC)
            assert leases.acquire(session, "crawl:courier", "host:1:ab", now=now, ttl=timedelta(1))
        engine.dispose()

    def urls(self, path: str) -> str:
        return self.site.url(path)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    with FixtureSite() as site:
        yield Source(site, tmp_path_factory.mktemp("source"))


def run(config: Path, *args: str, database: str | None = None) -> Result:
    options = ["--database", database] if database else []
    return CliRunner().invoke(cli, ["--config", str(config), *options, *args])


def output(config: Path, *args: str, database: str | None = None) -> str:
    result = run(config, *args, database=database)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def migrate(source: Source, target: str) -> Result:
    return run(source.config, "migrate-archive", "--to", target)


def refused(result: Result, *, copying: bool = False) -> str:
    """The one line a refused migration prints; it must exit 1 without a traceback. A
    refusal comes before any copying; a failed copy prints its progress first."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    *progress, line = result.stderr.strip().splitlines()
    if copying:
        assert all(line.startswith(("copied ", "compared ")) for line in progress)
    else:
        assert not progress
    assert line.startswith("Error: ")
    return line.removeprefix("Error: ")


def row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
                for table in tables()
            }
    finally:
        engine.dispose()


def test_the_migrated_archive_reads_the_same_through_every_command(
    source: Source, database_url: str
) -> None:
    result = migrate(source, database_url)
    assert result.exit_code == 0, result.output
    counts = row_counts(source.url)
    assert row_counts(database_url) == counts
    assert counts["versions"] > counts["articles"] and counts["leases"] == 1
    shown = make_engine(database_url).url.render_as_string(hide_password=True)
    assert result.stdout.startswith(
        f"Copied {source.url} to {shown}: {counts['sources']} source, "
        f"{counts['articles']} articles, {counts['versions']} versions, "
        f"{counts['fetches']} fetches, {counts['crawl_runs']} crawl runs, 1 lease"
    )
    assert result.stdout.strip().endswith(
        "; verified (row counts, content hashes, raw HTML sizes match)."
    )
    # Progress when stderr is not a terminal: one line per table, in the order copied.
    logged = [line.split() for line in result.stderr.splitlines() if line.startswith("copied ")]
    assert [int(words[1]) for words in logged] == [counts[table] for table in TABLE_ORDER]
    assert (
        result.stderr.splitlines()[len(logged)]
        == f"compared {sum(counts.values())} rows with the source"
    )

    def same(*args: str) -> str:
        before = output(source.config, *args)
        assert output(source.config, *args, database=database_url) == before, args
        return before

    articles = json.loads(same("articles", "--json"))
    assert {a["status"] for a in articles} == {"live", "gone", "error"}
    for article in articles:
        versions = json.loads(same("versions", article["url"], "--json"))
        for version in versions:
            same("show", article["url"], "--version", str(version["version"]), "--json")
        for older in range(1, len(versions)):
            pair = ["--from", str(older), "--to", str(older + 1)]
            same("diff", article["url"], *pair, "--format", "json")
    assert len(json.loads(same("versions", source.urls(source.twice), "--json"))) == 3

    def same_hits(query: str) -> list[dict[str, Any]]:
        """The same articles and versions found; snippets only between like databases
        (PostgreSQL's ts_headline cuts them elsewhere than FTS5's snippet)."""
        if make_engine(database_url).dialect.name == "sqlite":
            return list(json.loads(same("search", query, "--json")))
        hits = [
            json.loads(output(source.config, "search", query, "--json", database=database))
            for database in (None, database_url)
        ]
        for found in hits:
            for hit in found:
                del hit["snippet"]
        assert sorted(hits[0], key=str) == sorted(hits[1], key=str), query
        return list(hits[0])

    # Text that was edited out is still found, on both sides, and only in the old version.
    [hit] = same_hits(source.removed_word)
    assert hit["url"] == source.urls(source.edited) and hit["version"] == 1
    [hit] = same_hits("REDACTED")
    assert hit["url"] == source.urls(source.edited) and hit["version"] == 2
    [hit] = same_hits("corrected")
    assert hit["url"] == source.urls(source.twice) and hit["version"] == 3
    # Not "the": PostgreSQL leaves an English stop word out of an English article's index.
    assert len(same_hits("said")) > 1
    exported = same("export", "--format", "jsonl")
    assert len(exported.splitlines()) == counts["versions"]
    same("status", "--json")
    check = run(source.config, "check", database=database_url)
    assert check.exit_code == 0 and check.stdout.startswith("archive OK"), check.output


def test_crawls_into_the_migrated_archive_carry_on_after_the_copied_ids(
    source: Source, database_url: str
) -> None:
    assert migrate(source, database_url).exit_code == 0
    copied = row_counts(database_url)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        last_fetch = int(connection.scalar(select(func.max(Fetch.id))) or 0)
        last_version = int(connection.scalar(select(func.max(Version.id))) or 0)
    source.site.edit_article(source.edited, title="Edited after the move")
    summary = crawl_in_child(source.config, database_url=database_url, recheck="all")
    assert summary["new_versions"] == 1 and summary["errors"] == 1  # the PDF, again
    with engine.connect() as connection:
        new_fetches = connection.scalars(select(Fetch.id).where(Fetch.id > last_fetch)).all()
        new_version = connection.scalar(select(func.max(Version.id)))
    engine.dispose()
    assert len(new_fetches) == row_counts(database_url)["fetches"] - copied["fetches"] > 0
    assert new_version == last_version + 1
    edited = source.urls(source.edited)
    versions = json.loads(
        output(source.config, "versions", edited, "--json", database=database_url)
    )
    assert [v["title"] for v in versions][-1] == "Edited after the move"
    assert len(versions) == 3
    found = json.loads(output(source.config, "search", "Edited", "--json", database=database_url))
    assert [hit["url"] for hit in found] == [source.urls(source.edited)]


def test_the_copy_copies_back_into_sqlite_unchanged(
    source: Source, database_url: str, tmp_path: Path
) -> None:
    # From PostgreSQL when the first copy went there: its server-side cursors are read.
    assert migrate(source, database_url).exit_code == 0
    back = f"sqlite:///{tmp_path / 'back.db'}"
    result = run(source.config, "migrate-archive", "--to", back, "--json", database=database_url)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["tables"] == row_counts(source.url) == row_counts(back)
    assert document["schema_created"] and document["verified"]
    for command in (["articles", "--json"], ["export"], ["search", "the", "--json"]):
        assert output(source.config, *command, database=back) == output(source.config, *command)
    assert run(source.config, "check", database=back).exit_code == 0


def test_a_target_that_holds_an_archive_is_refused_and_left_alone(
    source: Source, database_url: str
) -> None:
    assert migrate(source, database_url).exit_code == 0
    before = (row_counts(database_url), output(source.config, "export", database=database_url))
    line = refused(migrate(source, database_url))
    counts = row_counts(source.url)
    assert line == (
        f"the target {make_engine(database_url).url.render_as_string(hide_password=True)} "
        f"already holds an archive (sources: 1, articles: {counts['articles']}, "
        f"versions: {counts['versions']}, fetches: {counts['fetches']}, "
        f"crawl_runs: {counts['crawl_runs']}, leases: 1); migrate-archive copies into an "
        "empty database only: give --to a new one"
    )
    assert (
        row_counts(database_url),
        output(source.config, "export", database=database_url),
    ) == before


def test_the_archive_itself_is_refused_however_its_url_is_spelled(
    source: Source, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Path(source.url.removeprefix("sqlite:///"))
    link = tmp_path / "link.db"
    link.symlink_to(database)
    monkeypatch.chdir(database.parent)
    digest = hashlib.sha256(database.read_bytes()).hexdigest()
    for spelling in (source.url, "sqlite:///archive.db", f"sqlite:///{link}"):
        line = refused(migrate(source, spelling))
        assert line == f"the target {spelling} is the archive itself; give --to another database"
    assert hashlib.sha256(database.read_bytes()).hexdigest() == digest


def test_a_copy_cannot_be_copied_onto_itself(source: Source, database_url: str) -> None:
    assert migrate(source, database_url).exit_code == 0
    before = output(source.config, "export", database=database_url)
    url = make_url(database_url)
    # The same database by another name: localhost for 127.0.0.1, a path with a detour.
    if url.get_backend_name() == "postgresql":
        other = url.set(host="localhost")
    else:
        database = Path(str(url.database))
        other = url.set(database=str(database.parent / ".." / database.parent.name / database.name))
    for spelling in (database_url, other.render_as_string(hide_password=False)):
        result = run(source.config, "migrate-archive", "--to", spelling, database=database_url)
        shown = make_url(spelling).render_as_string(hide_password=True)
        assert refused(result) == (
            f"the target {shown} is the archive itself; give --to another database"
        )
    assert output(source.config, "export", database=database_url) == before


def test_an_unreachable_or_unusable_target_is_refused_in_one_line(
    source: Source, tmp_path: Path
) -> None:
    line = refused(migrate(source, UNREACHABLE))
    assert line.startswith(f"cannot connect to the target database {UNREACHABLE}: ")
    assert "Connection refused" in line
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    line = refused(migrate(source, f"sqlite:///{blocker / 'archive.db'}"))
    assert line.startswith(f"cannot use {blocker / 'archive.db'} as the archive")
    line = refused(migrate(source, "nosuchdb://x/y"))
    assert "SQLAlchemy knows no database called 'nosuchdb'" in line


def test_a_target_with_a_newer_schema_is_refused(source: Source, engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    target = engine.url.render_as_string(hide_password=False)
    assert refused(migrate(source, target)) == (
        f"the target {engine.url.render_as_string(hide_password=True)} has the schema of "
        f"another mediawatch version (revision 9999; this one makes {HEAD_REVISION}); "
        "give --to a new database"
    )
    assert set(row_counts(target).values()) == {0}


def test_an_uninitialised_source_is_refused_before_the_target_is_touched(
    source: Source, tmp_path: Path
) -> None:
    empty, target = tmp_path / "empty.db", tmp_path / "target.db"
    result = run(
        source.config,
        "migrate-archive",
        "--to",
        f"sqlite:///{target}",
        database=f"sqlite:///{empty}",
    )
    assert refused(result).endswith("is not initialised; run `mediawatch init`")
    assert not target.exists()


# Damage done by the target database itself, after each insert: the copy no longer matches.
_CORRUPT = {
    "sqlite": [
        "CREATE TRIGGER corrupt AFTER INSERT ON versions WHEN NEW.id = 2 BEGIN "
        "UPDATE versions SET content_hash = 'damaged' WHERE id = NEW.id; END"
    ],
    "postgresql": [
        "CREATE FUNCTION corrupt() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.id = 2 THEN NEW.content_hash := 'damaged'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER corrupt BEFORE INSERT ON versions FOR EACH ROW EXECUTE FUNCTION corrupt()",
    ],
}


def test_a_copy_that_does_not_match_is_an_error_and_keeps_nothing(
    source: Source, engine: Engine
) -> None:
    with engine.begin() as connection:
        for statement in _CORRUPT[engine.dialect.name]:
            connection.execute(text(statement))
    target = engine.url.render_as_string(hide_password=False)
    line = refused(migrate(source, target), copying=True)
    shown = engine.url.render_as_string(hide_password=True)
    assert line == (
        f"the copy in {shown} does not match the source (versions id 2: content_hash differs);"
        " nothing was kept there"
    )
    assert set(row_counts(target).values()) == {0}


def test_rows_are_read_and_written_in_batches_with_progress(
    source: Source, database_url: str
) -> None:
    calls: list[tuple[str, int, int]] = []
    source_engine, target_engine = make_engine(source.url), make_engine(database_url)
    try:
        report = migrate_archive(
            source_engine, target_engine, batch=3, progress=lambda *call: calls.append(call)
        )
    finally:
        source_engine.dispose()
        target_engine.dispose()
    total = report.counts["versions"]
    assert [done for table, done, _ in calls if table == "versions"] == [
        *range(0, total, 3),
        total,
    ]
    assert [table for table, done, _ in calls if done == 0] == [*TABLE_ORDER, VERIFIED]
    checked = [done for table, done, _ in calls if table == VERIFIED]
    assert checked[-1] == sum(report.counts.values()) and checked == sorted(checked)
    assert report.schema_created and report.counts == row_counts(source.url)


def test_migrate_archive_is_documented_in_its_help() -> None:
    result = CliRunner().invoke(cli, ["migrate-archive", "--help"])
    assert result.exit_code == 0
    assert "Example: mediawatch migrate-archive --to postgresql+psycopg://" in result.output
    assert "--to URL" in result.output
