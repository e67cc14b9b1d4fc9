"""On PostgreSQL, search reads each version under its own language: an English article is
found by another form of its words, an article of unknown language only by its words as
written. (SQLite's FTS5 index has no stemming: these tests are PostgreSQL's.)"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, text

from storage.archive import Archive, FetchedPage
from storage.dialect import MATCH_END, MATCH_START, postgresql_search
from storage.queries import search
from storage.schema import _alembic_config

T0 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
# The same words in articles that state different languages (None: none stated).
STORIES = {
    "english": ("en", "Polls close", "Voters went to the polls in three elections on Sunday."),
    "english-gb": ("en-GB", "Ferries", "The ferries were running late all week."),
    "unknown": (None, "Polls close", "Voters went to the polls in three elections on Sunday."),
    "unlisted": ("xx", "Polls close", "Voters went to the polls in three elections on Sunday."),
    "german": ("de", "Bundestag", "Die Wahlen zum Bundestag wurden verschoben."),
    "german-unknown": (None, "Bundestag", "Die Wahlen zum Bundestag wurden verschoben."),
}


@pytest.fixture
def pg_engine(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("stemming by language is PostgreSQL's; SQLite's FTS5 matches words as written")
    return engine


@pytest.fixture
def archive(pg_engine: Engine) -> Archive:
    archive = Archive(pg_engine)
    archive.store_many(
        [
            FetchedPage(
                url=f"https://news.example/{key}.html",
                source="news",
                fetched_at=T0,
                http_status=200,
                extracted={"title": title, "authors": [], "text": body, "language": language},
            )
            for key, (language, title, body) in STORIES.items()
        ]
    )
    return archive


def found(archive: Archive, query: str) -> set[str]:
    with archive.sessions() as session:
        results = search(session, query)
    return {r.url.rsplit("/", 1)[1].removesuffix(".html") for r in results}


def test_an_english_article_is_found_by_another_form_of_its_words(archive: Archive) -> None:
    assert found(archive, "election") == {"english"}
    assert found(archive, "running") == {"english-gb"}  # the language "en-GB" is English
    assert found(archive, "runs") == {"english-gb"}
    assert found(archive, "ferry") == {"english-gb"}
    assert found(archive, '"ferry was running"') == {"english-gb"}


def test_an_article_without_a_known_language_matches_words_as_written(archive: Archive) -> None:
    # "xx" is no language PostgreSQL has a configuration for: simple, as for none stated.
    assert found(archive, "elections") == {"english", "unknown", "unlisted"}
    assert found(archive, "election") == {"english"}


def test_a_german_article_is_found_by_a_german_form_of_its_words(archive: Archive) -> None:
    assert found(archive, "Wahl") == {"german"}
    assert found(archive, "Wahlen") == {"german", "german-unknown"}


def test_not_holds_each_article_to_its_own_language(archive: Archive) -> None:
    # Read as written, "running" is not in the English article (its index holds "run");
    # read in English it is: the English article must not be found.
    assert found(archive, "late NOT running") == set()
    assert found(archive, "week NOT runs") == set()
    assert found(archive, "polls NOT elections") == set()
    assert found(archive, "polls NOT election") == {"unknown", "unlisted"}


def test_a_query_of_stop_words_only_works_without_notices(archive: Archive) -> None:
    notices: list[str] = []
    with archive.sessions() as session:
        connection = session.connection().connection.driver_connection
        connection.add_notice_handler(lambda notice: notices.append(notice.message_primary))
        only_stop_words = search(session, "the")
        with_a_phrase = search(session, '"the polls" OR the')
    # English leaves "the" out of its index; the articles read as written keep it.
    assert {r.url.rsplit("/", 1)[1] for r in only_stop_words} == {"unknown.html", "unlisted.html"}
    # In English the phrase is "poll", as written "the" then "polls".
    assert {r.url.rsplit("/", 1)[1] for r in with_a_phrase} == {
        "english.html",
        "unknown.html",
        "unlisted.html",
    }
    assert notices == []


def test_results_keep_their_shape(archive: Archive) -> None:
    with archive.sessions() as session:
        [result] = search(session, "election")
    assert result.title == "Polls close" and result.version == 1 and result.versions == 1
    assert f"{MATCH_START}elections{MATCH_END}" in result.snippet


def test_the_index_is_used(archive: Archive, pg_engine: Engine) -> None:
    with pg_engine.connect() as connection:
        connection.execute(
            text(
                "INSERT INTO versions (article_id, number, fetched_at, authors, text, metadata,"
                " content_hash, changed, words_added, words_removed, raw_html_size, language)"
                " SELECT (SELECT min(id) FROM articles), 100 + g, now(), '[]',"
                " 'filler ' || md5(g::text), '{}', md5(g::text), '[]', 0, 0, 0,"
                " (ARRAY['en', 'de', NULL])[1 + g % 3] FROM generate_series(1, 3000) g"
            )
        )
        connection.commit()
        # As autovacuum would: new rows wait in the GIN index's pending list until then.
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE versions")
        )
    for query in ("elections", '"went to the polls"', "elect* NOT sunday"):
        sql, params = postgresql_search(query, limit=10, source_id=None)
        with pg_engine.connect() as connection:
            # On a table this small the planner may rightly prefer another plan; with
            # table and b-tree scans priced out, a plan without the GIN index (bitmap
            # scans only) means the search condition cannot use it.
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            connection.execute(text("SET LOCAL enable_indexscan = off"))
            plan = "\n".join(connection.execute(text(f"EXPLAIN {sql}"), params).scalars())
        assert "Bitmap Index Scan on ix_versions_search" in plan, plan
        assert "Seq Scan on versions" not in plan, plan


def _alembic(engine: Engine, action: str, revision: str) -> None:
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def _columns(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(
            connection.execute(
                text(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND table_name = 'versions'"
                )
            ).scalars()
        )


def test_migration_down_and_up_keeps_search_working(archive: Archive, pg_engine: Engine) -> None:
    _alembic(pg_engine, "downgrade", "0003")
    assert "search_vector" not in _columns(pg_engine)
    _alembic(pg_engine, "upgrade", "head")
    assert "search_vector" in _columns(pg_engine)
    # Rows stored before the upgrade got their words when the column was added.
    assert found(archive, "election") == {"english"}
    assert found(archive, "elections") == {"english", "unknown", "unlisted"}


def test_a_common_query_is_ranked_among_its_newest_matches(pg_engine: Engine) -> None:
    """Past `ranked` matching versions, the newest are ranked (the cost of ranking stays
    bounded as the archive grows); up to it, every match is, best first."""
    archive = Archive(pg_engine)
    # Story 0, the oldest, says "harbour" most: the best match when every story is ranked.
    archive.store_many(
        [
            FetchedPage(
                url=f"https://news.example/harbour-{n}.html",
                source="news",
                fetched_at=T0,
                http_status=200,
                extracted={
                    "title": f"Story {n}",
                    "authors": [],
                    "text": " ".join(["harbour"] * (5 - n) + ["council", "budget"] * 5),
                    "language": "en",
                },
            )
            for n in range(5)
        ]
    )

    def ranked_stories(ranked: int) -> list[int]:
        sql, params = postgresql_search("harbour", limit=10, source_id=None, ranked=ranked)
        with pg_engine.connect() as connection:
            ids = [row.version_id for row in connection.execute(text(sql), params)]
            urls = {
                row.id: row.url
                for row in connection.execute(
                    text(
                        "SELECT v.id, a.url FROM versions v JOIN articles a ON a.id = v.article_id"
                    )
                )
            }
        return [int(urls[i].rsplit("-", 1)[1].removesuffix(".html")) for i in ids]

    assert ranked_stories(5) == [0, 1, 2, 3, 4]
    assert ranked_stories(100) == [0, 1, 2, 3, 4]
    # Stored in that order, so stories 2, 3 and 4 are the three newest versions.
    assert ranked_stories(3) == [2, 3, 4]
