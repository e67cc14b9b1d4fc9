"""Search on a growing archive: the fast path gives what ranking every match gives.

``storage.dialect`` ranks matching versions in FTS5 and looks up only a window of the
best ones in ``versions``; it falls back to grouping every match when the window holds
too few articles, and looks past the window for a newer matching version. These tests
compare it with the plain query that groups every match, on archives made by the real
``store_page``, in the cases where the window is not enough.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, select, text
from sqlalchemy.engine import Connection

from storage.archive import Archive, FetchedPage
from storage.dialect import WINDOW_PER_RESULT, index_versions, search_versions
from storage.models import Article, Source, Version
from storage.queries import search

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

# Every match ranked and grouped by article: what search returned before the window.
EVERY_MATCH = """
    WITH hits AS MATERIALIZED (
        SELECT rowid AS id, bm25(versions_fts, 2.0, 1.0) AS rank
        FROM versions_fts WHERE versions_fts MATCH :q
    )
    SELECT max(v.id) AS version_id, min(hits.rank) AS rank
    FROM hits
    JOIN versions v ON v.id = hits.id
    JOIN articles a ON a.id = v.article_id
    WHERE a.source_id = coalesce(:source_id, a.source_id)
    GROUP BY v.article_id
    ORDER BY rank, v.article_id
    LIMIT :limit
"""


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: these tests are about the FTS5 ranking window of storage/dialect.py;
    PostgreSQL ranks with its own query."""
    return f"sqlite:///{tmp_path / 'archive.db'}"


def fetched(url: str, body: str, hour: int, source: str = "news") -> FetchedPage:
    return FetchedPage(
        url=url,
        source=source,
        fetched_at=T0 + timedelta(hours=hour),
        http_status=200,
        raw_html=f"<html><body><p>{body}</p></body></html>".encode(),
        extracted={"title": url.rsplit("/", 1)[-1], "text": body, "authors": []},
    )


def filler(n: int) -> str:
    """``n`` distinct plain words, so that every text has its own length and rank."""
    return " ".join(f"word{i}" for i in range(n))


def store(
    engine: Engine, stories: Sequence[tuple[str, Sequence[str]]], source: str = "news"
) -> None:
    """Each (url, versions' texts) as a story fetched once per version, in order."""
    archive = Archive(engine)
    for url, bodies in stories:
        for hour, body in enumerate(bodies):
            archive.store(fetched(url, body, hour, source))


def every_match(
    engine: Engine, query: str, limit: int, source_id: int | None = None
) -> list[tuple[int, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(EVERY_MATCH), {"q": query, "limit": limit, "source_id": source_id}
        ).all()
    return [(version_id, pytest.approx(rank)) for version_id, rank in rows]


def found(
    engine: Engine, query: str, limit: int, source_id: int | None = None
) -> list[tuple[int, Any]]:
    with Archive(engine).sessions() as session:
        hits = search_versions(session, query, limit=limit, source_id=source_id)
    return [(hit.version_id, hit.rank) for hit in hits]


def version_id(engine: Engine, url: str, number: int) -> int:
    with Archive(engine).sessions() as session:
        return session.scalars(
            select(Version.id)
            .join(Article, Article.id == Version.article_id)
            .where(Article.url == url, Version.number == number)
        ).one()


@contextmanager
def statements_run(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run meanwhile: they tell whether search grouped every match."""
    statements: list[str] = []

    def record(_conn: Connection, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


LIMIT = 3
WINDOW = LIMIT * WINDOW_PER_RESULT


def test_many_single_version_articles_rank_as_when_every_match_is_grouped(
    engine: Engine,
) -> None:
    # More matching articles than the window: the window holds the best of them.
    store(engine, [(f"https://n.example/{i}", [f"harbour {filler(i + 3)}"]) for i in range(40)])
    expected = every_match(engine, "harbour", LIMIT)
    assert len(expected) == LIMIT
    assert found(engine, "harbour", LIMIT) == expected
    assert found(engine, "harbour", 50) == every_match(engine, "harbour", 50)


def test_articles_with_more_matching_versions_than_the_window_fall_back(engine: Engine) -> None:
    # The best-ranked article has more matching versions than the window has rows.
    busy = ("https://n.example/live", [f"harbour harbour {filler(n)}" for n in range(WINDOW + 2)])
    others = [(f"https://n.example/{i}", [f"harbour {filler(i + 50)}"]) for i in range(10)]
    store(engine, [busy, *others])
    with statements_run(engine) as seen:
        result = found(engine, "harbour", LIMIT)
    assert any("GROUP BY" in statement for statement in seen)  # the fallback ran
    assert result == every_match(engine, "harbour", LIMIT)
    assert result[0][0] == version_id(engine, busy[0], WINDOW + 2)  # the newest, not the best


def test_the_newest_matching_version_may_rank_outside_the_window(engine: Engine) -> None:
    # Version 1 ranks first; version 2 holds the word once in a long text and ranks below
    # the window; version 3 no longer holds it. The hit shows version 2.
    edited = (
        "https://n.example/edited",
        ["harbour harbour harbour", f"harbour {filler(400)}", f"ferry {filler(400)}"],
    )
    others = [(f"https://n.example/{i}", [f"harbour {filler(i + 5)}"]) for i in range(WINDOW + 5)]
    store(engine, [edited, *others])
    with statements_run(engine) as seen:
        result = found(engine, "harbour", LIMIT)
    assert not any("GROUP BY" in statement for statement in seen)  # the window was enough
    assert result[0][0] == version_id(engine, edited[0], 2)
    assert result == every_match(engine, "harbour", LIMIT)
    with Archive(engine).sessions() as session:
        [first, *_] = search_versions(session, "harbour", limit=LIMIT)
    assert "word0" in first.snippet  # the snippet of version 2, not of version 1


def test_search_by_source_ranks_only_that_source(engine: Engine) -> None:
    store(engine, [(f"https://a.example/{i}", [f"harbour {filler(i)}"]) for i in range(30)], "a")
    store(engine, [(f"https://b.example/{i}", [f"harbour {filler(i + 1)}"]) for i in range(5)], "b")
    with Archive(engine).sessions() as session:
        b = session.scalars(select(Source.id).where(Source.name == "b")).one()
    result = found(engine, "harbour", LIMIT, source_id=b)
    assert result == every_match(engine, "harbour", LIMIT, source_id=b)
    with Archive(engine).sessions() as session:
        assert [r.source for r in search(session, "harbour", source="b")] == ["b"] * 5


def test_phrases_and_boolean_queries_agree_with_grouping_every_match(engine: Engine) -> None:
    stories = [
        (
            f"https://n.example/{i}",
            [
                f"the prime minister said {filler(i)}",
                f"the prime minister said {filler(i)} harbour" if i % 2 else f"minister {i}",
            ],
        )
        for i in range(WINDOW + 10)
    ]
    store(engine, stories)
    for query in ('"prime minister"', "minister AND harbour", "harbour OR said", "prim*"):
        assert found(engine, query, LIMIT) == every_match(engine, query, LIMIT), query


def test_search_results_show_the_version_and_its_article(engine: Engine) -> None:
    store(engine, [("https://n.example/ferry", ["harbour fares rise", "harbour fares rise more"])])
    with Archive(engine).sessions() as session:
        [result] = search(session, "fares")
    assert (result.url, result.source, result.title) == ("https://n.example/ferry", "news", "ferry")
    assert (result.version, result.versions) == (2, 2)
    assert result.fetched_at == T0 + timedelta(hours=1)
    assert "fares" in result.snippet


def test_bulk_indexed_versions_are_indexed_like_stored_ones(engine: Engine) -> None:
    store(engine, [("https://n.example/stored", ["harbour stored by store_page"])])
    with Archive(engine).sessions.begin() as session:
        session.execute(
            insert(Article),
            [
                {
                    "id": 100 + i,
                    "source_id": 1,
                    "url": f"https://n.example/bulk{i}",
                    "first_seen": T0,
                    "version_count": 1,
                }
                for i in range(3)
            ],
        )
        bulk = [(1000 + i, f"bulk {i}", f"harbour bulk number{i}") for i in range(3)]
        session.execute(
            insert(Version),
            [
                {
                    "id": id_,
                    "article_id": id_ - 900,
                    "number": 1,
                    "fetched_at": T0,
                    "title": title,
                    "authors": [],
                    "text": body,
                    "meta": {},
                    "content_hash": str(id_),
                    "changed": [],
                }
                for id_, title, body in bulk
            ],
        )
        index_versions(session, bulk)
    with engine.begin() as connection:
        # FTS5 compares its index with the text in `versions`: raises if they differ.
        connection.execute(text("INSERT INTO versions_fts(versions_fts) VALUES('integrity-check')"))
        matched = connection.execute(
            text("SELECT rowid FROM versions_fts WHERE versions_fts MATCH 'harbour' ORDER BY 1")
        ).scalars()
        assert list(matched) == [
            version_id(engine, "https://n.example/stored", 1),
            1000,
            1001,
            1002,
        ]
    with Archive(engine).sessions() as session:
        assert {r.title for r in search(session, "number1")} == {"bulk 1"}
