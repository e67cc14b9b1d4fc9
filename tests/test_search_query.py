"""The search syntax means the same on SQLite (FTS5) and PostgreSQL (parsed into a tsquery),
and a malformed query is refused on both."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from storage.archive import Archive, FetchedPage
from storage.errors import BadQuery
from storage.queries import search
from storage.search_query import to_postgresql

T0 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
STORIES = {
    "ferry": ("Ferry fares rise", "The harbour ferry fares rise by a fifth in March."),
    "bus": ("Bus lanes approved", "Bus lanes on the harbour road were approved."),
    "both": ("Transport plan", "The ferry and the bus will share one ticket."),
    "fair": ("Autumn fair opens", "The fair on the green opens on Saturday."),
}


@pytest.fixture
def archive(engine: Engine) -> Archive:
    archive = Archive(engine)
    archive.store_many(
        [
            FetchedPage(
                url=f"https://news.example/{key}.html",
                source="news",
                fetched_at=T0,
                http_status=200,
                extracted={"title": title, "authors": [], "text": text},
            )
            for key, (title, text) in STORIES.items()
        ]
    )
    return archive


def found(archive: Archive, query: str) -> set[str]:
    with archive.sessions() as session:
        results = search(session, query)
    return {r.url.rsplit("/", 1)[1].removesuffix(".html") for r in results}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ferry", {"ferry", "both"}),
        ("ferry bus", {"both"}),
        ("ferry AND bus", {"both"}),
        ("ferry OR bus", {"ferry", "bus", "both"}),
        ("ferry NOT bus", {"ferry"}),
        ('"ferry fares"', {"ferry"}),
        ('"fares ferry"', set()),
        ("fa*", {"ferry", "fair"}),
        ("(ferry OR fair) AND harbour", {"ferry"}),
        ("harbour NOT (bus OR ticket)", {"ferry"}),
        ("and", {"both"}),  # lower case: a word, not an operator
    ],
)
def test_a_query_finds_the_same_articles_on_both_backends(
    archive: Archive, query: str, expected: set[str]
) -> None:
    assert found(archive, query) == expected


@pytest.mark.parametrize(
    "query",
    ['"ferry fares', "AND", "ferry AND", "OR bus", "(ferry", "ferry)", "*", "ferry NOT"],
)
def test_a_malformed_query_is_refused_on_both_backends(archive: Archive, query: str) -> None:
    with pytest.raises(BadQuery, match="cannot search for"):
        found(archive, query)


def test_the_postgresql_query_binds_every_word_as_a_parameter() -> None:
    # Words never become SQL text: a quote or a backslash in a word stays in its value.
    compiled = to_postgresql("ferry's \"it's\" O'Brien* x\\y OR bus")
    assert not {"ferry", "obrien", "bus", "\\"} & set(re.findall(r"\w+|\\", compiled.sql))
    assert compiled.params == {
        "q0": "ferry's",
        "q1": "it's",
        "q2": "'obrien':*",
        "q3": "x\\y",
        "q4": "bus",
    }
    assert compiled.sql.count("&&") == 3 and compiled.sql.count("||") == 1


def test_field_filters_and_near_are_explained_on_postgresql() -> None:
    for query in ("title:ferry", "NEAR(ferry bus)"):
        with pytest.raises(BadQuery, match="SQLite archives only"):
            to_postgresql(query)
