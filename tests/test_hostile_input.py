"""Hostile input to the command line and the config: one clear line, a non-zero exit, no traceback.

tests/test_config.py covers the config's keys and values one by one (unknown keys, bad
types, bad regexes, file: and javascript: URLs, malformed YAML) and tests/test_cli.py the
commands' everyday errors; this file covers what a careless or hostile user can hand
mediawatch besides: files that are not YAML text, paths that are folders or sit under
files, database URLs that name nothing usable, search syntax FTS5 refuses, export targets
that cannot be written, and regexes that would backtrack for ever.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from pydantic import ValidationError

from cli.main import cli
from config import Source
from storage.archive import Archive, FetchedPage
from storage.db import make_engine
from storage.schema import upgrade
from tests.backends import backend

REPO = Path(__file__).resolve().parent.parent
STORY_URL = "https://gazette.example/2026/11/ferry-fares.html"
ONE_SOURCE = "sources:\n  - name: gazette\n    feeds: ['https://gazette.example/rss.xml']\n"


@pytest.fixture
def config_file(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(f"database_url: '{database_url}'\n" + ONE_SOURCE)
    return path


@pytest.fixture
def archive(config_file: Path) -> Iterator[Path]:
    """An archive holding one story, so that searches and exports have work to do."""
    engine = make_engine(database_url_of(config_file))
    upgrade(engine)
    Archive(engine).store(
        FetchedPage(
            url=STORY_URL,
            source="gazette",
            fetched_at=datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
            http_status=200,
            raw_html=b"<html><p>Fares will rise.</p></html>",
            extracted={
                "title": "Fares to rise",
                "authors": ["Maren Olsen"],
                "published": "2026-11-02",
                "text": "Fares will rise by 12 per cent. The council objected.",
            },
        )
    )
    engine.dispose()
    yield config_file


def database_url_of(config_file: Path) -> str:
    return str(yaml.safe_load(config_file.read_text())["database_url"])


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_one_clear_line(result: Result, *expected: str) -> None:
    """Exit 1, no traceback, and exactly one line on stderr holding every expected part."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for part in expected:
        assert part in lines[0]


def mediawatch(*args: str, limit_file_size: int | None = None) -> subprocess.CompletedProcess[str]:
    """A real `python -m cli` process: what a user's shell sees, traceback or not."""

    def limits() -> None:
        if limit_file_size is not None:
            # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG: a real
            # "file too large" from the kernel, as on a full disk or a quota.
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
        timeout=120,
        preexec_fn=limits,
    )


def assert_process_one_clear_line(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    for part in expected:
        assert part in lines[0]


# --- the config file -------------------------------------------------------------------

CONFIG_FILES = [
    pytest.param(
        bytes(range(256)) * 8,
        "is a binary file, not YAML text (byte 128); save the config as UTF-8 text",
        id="binary-garbage",
    ),
    pytest.param(
        "sources:\n  - name: café\n".encode("latin-1"),
        "is not UTF-8 text (byte 22); save the config as UTF-8 text",
        id="latin-1",
    ),
    pytest.param(
        ONE_SOURCE.encode("utf-16"),
        "is UTF-16 text, not UTF-8 (byte 0); save the config as UTF-8 text",
        id="utf-16",
    ),
    pytest.param(
        b"sources:\n  - name: gazette\x00\n",
        "line 2: the control character U+0000 is not allowed in YAML; delete it",
        id="nul-byte",
    ),
    pytest.param(
        b"sources: " + b"[" * 5000,
        "the YAML is nested too deeply to read",
        id="nested-too-deeply",
    ),
    pytest.param(
        b"sources: !!python/object/apply:os.system ['echo hacked']\n",
        "could not determine a constructor for the tag"
        " 'tag:yaml.org,2002:python/object/apply:os.system'",
        id="python-object-tag",
    ),
    pytest.param(
        b"# " + b"x" * 1_000_001 + b"\n" + ONE_SOURCE.encode(),
        "is larger than 1 MB, too large to be a config",
        id="too-large",
    ),
]


@pytest.mark.parametrize(("content", "message"), CONFIG_FILES)
def test_a_config_that_is_not_yaml_text_is_one_clear_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "sources.yaml"
    path.write_bytes(content)

    result = run("--config", str(path), "articles")

    assert_one_clear_line(result, f"{path}: ", message)


def test_a_config_path_under_a_file_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    path = tmp_path / "a-file" / "sources.yaml"

    result = run("--config", str(path), "articles")

    assert_one_clear_line(result, f"{path}: no such file (a part of the path is a file")


def test_a_config_directory_named_by_the_environment_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner(env={"MEDIAWATCH_CONFIG": str(tmp_path)}).invoke(cli, ["articles"])

    assert_one_clear_line(result, f"{tmp_path}: is a directory, not a file")


def test_a_config_directory_given_with_the_option_is_one_clear_line(tmp_path: Path) -> None:
    assert_one_clear_line(run("--config", str(tmp_path), "articles"), "is a directory")


def test_hostile_config_files_reach_no_traceback_in_a_real_process(tmp_path: Path) -> None:
    for name, content in [("nul.yaml", b"sources:\x00\n"), ("deep.yaml", b"[" * 5000)]:
        path = tmp_path / name
        path.write_bytes(content)
        assert_process_one_clear_line(mediawatch("--config", str(path), "status"), str(path))


@pytest.mark.parametrize(
    ("key", "url", "scheme"),
    [
        ("feeds", "data:text/xml;base64,PHJzcz4=", "data"),
        ("sitemaps", "ftp://example.com/sitemap.xml", "ftp"),
        ("pages", "FILE:///etc/passwd", "file"),
        ("pages", "mailto:news@example.com", "mailto"),
    ],
)
def test_urls_with_other_schemes_are_refused(
    tmp_path: Path, key: str, url: str, scheme: str
) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(f"sources:\n  - name: gazette\n    {key}: ['{url}']\n")

    result = run("--config", str(path), "crawl")

    assert result.exit_code == 1
    assert f"sources[0].{key}[0]: '{url}' uses the {scheme}: scheme;" in result.stderr
    assert "only http:// and https:// addresses can be crawled" in result.stderr


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a|aa)+$",  # 'aaaa' splits as a+a+a+a, aa+aa, a+aa+a, ...
        r"(a|a)+$",  # the same alternative twice
        r"^https://x\.com/(ab|ba|a)+$",  # 'aba' is ab+a and a+ba
        r"/(?:\d\d|\d\d\d)+\.html",  # fixed-length digit runs of 2 and 3 share 6-digit runs
        r"/(0|1|01|10)+/",
    ],
)
def test_repeated_alternatives_that_split_a_text_two_ways_are_refused(pattern: str) -> None:
    with pytest.raises(ValidationError, match="alternatives that can split the same text"):
        Source.model_validate({"name": "x", "pages": ["https://x.com/"], "article_urls": pattern})


@pytest.mark.parametrize(
    "pattern",
    [
        r"^https://x\.com/(news|sport|world)/",
        r"(story|section)+",
        r"(?:/\d{4})+/",
        r"(?:\.|\.html)+$",  # '.html' is not made of '.' and '.html'
        r"(a|b)+",
        r"(ab|ba)+",
    ],
)
def test_repeated_alternatives_that_split_one_way_are_accepted(pattern: str) -> None:
    source = Source.model_validate(
        {"name": "x", "pages": ["https://x.com/"], "article_urls": pattern}
    )

    assert source.article_urls is not None and source.article_urls.pattern == pattern


# --- the database URL ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "'nonsense' is not a database URL; write e.g. sqlite:///"),
        ("foo://bar", "SQLAlchemy knows no database called 'foo'; write e.g. sqlite:///"),
        ("mysql://user@127.0.0.1/x", "the Python module 'MySQLdb' is not installed"),
        ("sqlite:////proc/mediawatch/archive.db", "cannot create the folder /proc/mediawatch"),
        (
            "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "the archive database failed: connection failed",
        ),
    ],
)
def test_a_bad_database_url_is_one_clear_line(config_file: Path, url: str, message: str) -> None:
    result = run("--config", str(config_file), "--database", url, "articles")

    assert_one_clear_line(result, message)


def test_a_database_path_under_a_file_is_one_clear_line(config_file: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    url = f"sqlite:///{tmp_path / 'a-file' / 'archive.db'}"

    result = run("--config", str(config_file), "--database", url, "init")

    assert_one_clear_line(result, "a part of its folder path is a file")


def test_a_file_that_is_not_a_database_is_one_clear_line(config_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    other.write_bytes(b"These are my notes, not a database. " * 200)

    done = mediawatch("--config", str(config_file), "--database", f"sqlite:///{other}", "status")

    assert_process_one_clear_line(
        done, "file is not a database", "is not a SQLite archive; point it at the archive"
    )


# --- search ----------------------------------------------------------------------------

SEARCH_HELP = 'use words, "quoted phrases", AND, OR, NOT, and prefix*'


SQLITE_ONLY = "field filters (title:) and NEAR groups work on SQLite archives only"


# Each query, and the message on SQLite (FTS5's own parser, explained) and on PostgreSQL
# (mediawatch's parser of the same syntax).
@pytest.mark.parametrize(
    ("query", "on_sqlite", "on_postgresql"),
    [
        (
            '"ferry fares',
            "unterminated string; " + SEARCH_HELP,
            "a double quote is not closed; " + SEARCH_HELP,
        ),
        ('ferry "', "unterminated string", "a double quote is not closed"),
        ("OR", 'syntax error near "OR"', "OR needs a word or phrase on each side"),
        ("NOT", 'syntax error near "NOT"', "NOT needs a word or phrase on each side"),
        (
            "fares AND",
            "cannot search for 'fares AND': syntax error",
            "cannot search for 'fares AND': it ends where a word or phrase should follow",
        ),
        ("NEAR(", "cannot search for 'NEAR(': syntax error", SQLITE_ONLY),
        ("(fares", "cannot search for '(fares': syntax error", "a '(' is not closed"),
        (
            "*",
            "'*' ends a prefix and needs letters before it, as in ferr*",
            "'*' ends a prefix and needs letters before it",
        ),
        (
            "byline:olsen",
            "there is no field 'byline' (a word before ':' or after '-' names a",
            SQLITE_ONLY,
        ),
        (
            "fares -council",
            "there is no field 'council'",
            "a word after '-' names a field on SQLite archives; to leave 'council' out, write"
            " NOT council",
        ),
        ("fares\x00council", "contains a NUL character", "contains a NUL character"),
        ("fares " * 400, *["characters long, more than 2000; search for a few words"] * 2),
    ],
)
def test_search_syntax_errors_are_one_clear_line(
    archive: Path, query: str, on_sqlite: str, on_postgresql: str
) -> None:
    result = run("--config", str(archive), "search", query)

    message = on_sqlite if backend(database_url_of(archive)) == "sqlite" else on_postgresql
    assert_one_clear_line(result, message)
    assert len(result.stderr) < 400  # a long query is cut in the message, not echoed whole


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("title:fares", True),  # the columns that exist can be named
        ("text:council", True),
        ("NEAR(fares council, 10)", True),
        ("fare*", True),
        ("\u200b", False),  # invisible: nothing to find, but not an error
        ("😀", False),
    ],
)
def test_valid_but_unusual_searches_work(archive: Path, query: str, found: bool) -> None:
    result = run("--config", str(archive), "search", query, "--json")

    fts5_syntax = ":" in query or "NEAR" in query
    if backend(database_url_of(archive)) == "postgresql" and fts5_syntax:
        assert_one_clear_line(result, SQLITE_ONLY)  # FTS5's own syntax
        return
    assert result.exit_code == 0, result.stderr
    assert (STORY_URL in result.stdout) is found


# Quoted, FTS5 takes them (and finds nothing); the message once fed them to rich as markup.
@pytest.mark.parametrize("query", ['"[/]"', '"[bold]zeppelin"', 'zeppelin "[link=x]"'])
def test_a_query_that_looks_like_markup_is_shown_as_typed(archive: Path, query: str) -> None:
    result = run("--config", str(archive), "search", query)

    assert result.exit_code == 0, result.output
    assert result.stderr == f"Nothing matches {query!r}.\n"


def test_a_long_query_that_finds_nothing_is_shown_cut(archive: Path) -> None:
    query = "zeppelin " * 100

    result = run("--config", str(archive), "search", query)

    assert result.exit_code == 0
    assert result.stderr.startswith("Nothing matches 'zeppelin zeppelin")
    assert len(result.stderr.strip().splitlines()) == 1 and len(result.stderr) < 100


# --- export ----------------------------------------------------------------------------


def test_export_into_a_folder_is_one_clear_line(archive: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()

    result = run("--config", str(archive), "export", "--output", str(folder))

    assert_one_clear_line(
        result, f"--output {folder} is a folder; give a file name in it, e.g. --output"
    )
    assert list(folder.iterdir()) == []


def test_export_to_an_empty_path_is_one_clear_line(archive: Path) -> None:
    assert_one_clear_line(run("--config", str(archive), "export", "--output", ""), "is a folder")


def test_export_under_a_file_is_one_clear_line(archive: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("keep")

    result = run("--config", str(archive), "export", "--output", str(tmp_path / "a-file" / "x"))

    assert_one_clear_line(result, f"{tmp_path / 'a-file'} is a file, not a folder")


def test_export_where_nothing_can_be_created_is_one_clear_line(archive: Path) -> None:
    # /proc refuses new files even to root, who may write anywhere else.
    result = run("--config", str(archive), "export", "--output", "/proc/archive.jsonl")

    assert_one_clear_line(result, "cannot write /proc/archive.jsonl: ", "choose another --output")


def test_export_to_a_device_that_exists_is_refused(archive: Path) -> None:
    assert_one_clear_line(
        run("--config", str(archive), "export", "--output", "/dev/null"), "/dev/null exists"
    )


def test_an_export_that_runs_out_of_space_leaves_nothing_behind(
    archive: Path, tmp_path: Path
) -> None:
    engine = make_engine(database_url_of(archive))
    long_text = "The council objected to the fares. " * 4000  # 140 kB of JSON to write
    Archive(engine).store(
        FetchedPage(
            url="https://gazette.example/2026/11/long-read.html",
            source="gazette",
            fetched_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
            http_status=200,
            extracted={"title": "A long read", "text": long_text},
        )
    )
    engine.dispose()
    target = tmp_path / "out" / "archive.jsonl"
    target.parent.mkdir()

    # Above SQLite's 32 kB shared-memory file, below the export's size.
    done = mediawatch(
        "--config", str(archive), "export", "--output", str(target), limit_file_size=100_000
    )

    assert_process_one_clear_line(done, f"cannot write {target}: File too large")
    assert list(target.parent.iterdir()) == []  # neither the file nor its .part
    if backend(database_url_of(archive)) == "sqlite":  # the archive itself is untouched
        assert os.path.getsize(archive.parent / "archive.db") > 0


def test_bad_export_targets_reach_no_traceback_in_a_real_process(
    archive: Path, tmp_path: Path
) -> None:
    for target, message in [(tmp_path, "is a folder"), ("/proc/x.jsonl", "cannot write")]:
        done = mediawatch("--config", str(archive), "export", "--output", str(target))
        assert_process_one_clear_line(done, message)
