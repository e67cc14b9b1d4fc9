"""Everything that differs between SQLite and PostgreSQL: the full-text search index.

SQLite uses an FTS5 table with external content (the text lives once, in ``versions``);
the storage code adds each new version to it in the same transaction that stores the
version. PostgreSQL keeps a ``tsvector`` of each version in a generated column,
``versions.search_vector``, under its language's text-search configuration (stemmed, stop
words left out), with a GIN index over it; the database keeps both.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DatabaseError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from storage.errors import BadQuery
from storage.search_query import SEARCH_HELP, shown_query, to_postgresql_each

# Marks around matched words in snippets; replaced by each output (bold, <mark>, **).
MATCH_START = "\x02"
MATCH_END = "\x03"
SNIPPET_WORDS = 24

# Revision 0001's PostgreSQL index (one configuration for every language); 0004 replaced it.
_PG_DOCUMENT_0001 = "to_tsvector('simple', coalesce(title, '') || ' ' || text)"

# The text-search configuration of stock PostgreSQL for each language a version can state
# (its primary subtag, as crawler/extract.py stores it). Any other language, or none, gets
# "simple": every word as it is written, lower-cased, none left out.
# A version's vector is made when the row is written, so a change here needs a migration
# that re-creates versions.search_vector (as 0004 made it), or old rows keep the old words.
PG_SEARCH_CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
PG_FALLBACK_CONFIG = "simple"
# Every configuration a version's vector can be made with, the fallback first.
PG_CONFIGS = (PG_FALLBACK_CONFIG, *sorted(set(PG_SEARCH_CONFIGS.values())))
# A search on PostgreSQL ranks the newest this many versions its query matches (all of them,
# when fewer match). Ranking reads each ranked version's words, so a common word's cost
# would grow with the archive; bounded, it stays flat (benchmarks/search_scaling.py:
# "government" over 100,000 versions took 700 ms ranking its 10,946 matches, 45 ms
# ranking 2,000). SQLite's FTS5 ranks inside its index and needs no such bound.
PG_RANKED_MATCHES = 2000


def pg_by_language(language: str, choices: dict[str, str], otherwise: str) -> str:
    """A CASE over the primary subtag of the SQL expression ``language`` ("en-GB", "en_GB"
    and "EN" are "en"); immutable, so a generated column can use it."""
    subtag = f"lower(split_part(replace({language}, '_', '-'), '-', 1))"
    arms = " ".join(f"WHEN '{code}' THEN {choices[code]}" for code in sorted(choices))
    return f"CASE {subtag} {arms} ELSE {otherwise} END"


def pg_config_of(language: str) -> str:
    """The regconfig of a version stating ``language`` (an SQL expression)."""
    return pg_by_language(
        language,
        {code: f"'{config}'::regconfig" for code, config in PG_SEARCH_CONFIGS.items()},
        f"'{PG_FALLBACK_CONFIG}'::regconfig",
    )


def pg_readings(query: str) -> tuple[str, dict[str, str]]:
    """The columns of a ``q`` CTE holding ``query`` read under every configuration (one
    ``q_<config>`` tsquery each), and their parameters; BadQuery when it is malformed."""
    per_config, params = to_postgresql_each(query, PG_CONFIGS)
    return ", ".join(f"{sql} AS q_{config}" for config, sql in per_config.items()), params


def pg_own_reading(language: str) -> str:
    """The reading in the ``q`` CTE that a version stating ``language`` (an SQL expression)
    is held to: the one its own words were indexed under."""
    return pg_by_language(
        language,
        {code: f"q.q_{config}" for code, config in PG_SEARCH_CONFIGS.items()},
        f"q.q_{PG_FALLBACK_CONFIG}",
    )


def versions_matching(session: Session, query: str, version_ids: Sequence[int]) -> set[int]:
    """The versions among ``version_ids`` that ``query`` finds, as `mediawatch search`
    finds them; with no ids, only checks that the query can be read (BadQuery if not)."""
    if session.get_bind().dialect.name == "postgresql":
        columns, params = pg_readings(query)  # BadQuery when malformed
        if not version_ids:
            return set()
        ids = ",".join(str(int(id_)) for id_ in version_ids)
        session.execute(text("SET LOCAL client_min_messages = warning"))  # stop-word NOTICEs
        rows = session.execute(
            text(
                f"WITH q AS (SELECT {columns}) SELECT v.id FROM versions v, q"
                f" WHERE v.id IN ({ids}) AND v.search_vector @@ ({pg_own_reading('v.language')})"
            ),
            params,
        )
        return {int(row[0]) for row in rows}
    ids = ",".join(str(int(id_)) for id_ in version_ids) or "NULL"
    try:
        # FTS5 reads the query even when no row can match, so an empty id list checks it.
        rows = session.execute(
            text(
                f"SELECT rowid FROM versions_fts WHERE versions_fts MATCH :q AND +rowid IN ({ids})"
            ),
            {"q": query},
        )
        return {int(row[0]) for row in rows}
    except OperationalError as exc:  # how FTS5 reports a malformed query
        raise BadQuery(_fts5_message(query, exc)) from exc


def language_search_ddl() -> list[str]:
    """PostgreSQL (revision 0004): each version's words under its own language's
    configuration, in a generated column with a GIN index; the single-configuration index
    of 0001 goes."""
    document = "coalesce(title, '') || ' ' || text"
    return [
        "DROP INDEX IF EXISTS ix_versions_search",
        "ALTER TABLE versions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
        f"(to_tsvector({pg_config_of('language')}, {document})) STORED",
        "CREATE INDEX ix_versions_search ON versions USING GIN (search_vector)",
    ]


def drop_language_search_ddl() -> list[str]:
    """Undo language_search_ddl: back to revision 0001's index."""
    return [
        "DROP INDEX IF EXISTS ix_versions_search",
        "ALTER TABLE versions DROP COLUMN IF EXISTS search_vector",
        *search_index_ddl("postgresql"),
    ]


def search_index_ddl(dialect_name: str) -> list[str]:
    """The search index as revision 0001 made it."""
    if dialect_name == "sqlite":
        return [
            "CREATE VIRTUAL TABLE versions_fts USING fts5("
            "title, text, content='versions', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')"
        ]
    if dialect_name == "postgresql":
        return [f"CREATE INDEX ix_versions_search ON versions USING GIN ({_PG_DOCUMENT_0001})"]
    return []


def drop_search_index_ddl(dialect_name: str) -> list[str]:
    if dialect_name == "sqlite":
        return ["DROP TABLE IF EXISTS versions_fts"]
    if dialect_name == "postgresql":
        return ["DROP INDEX IF EXISTS ix_versions_search"]
    return []


def index_version(session: Session, version_id: int, title: str | None, body: str) -> None:
    """Add a newly stored version to the search index (SQLite; PostgreSQL does it itself)."""
    index_versions(session, [(version_id, title, body)])


def index_versions(session: Session, versions: Iterable[tuple[int, str | None, str]]) -> None:
    """Add stored versions, as (id, title, text), to the search index in one statement."""
    if session.get_bind().dialect.name == "sqlite":
        rows = [{"id": id_, "title": title or "", "text": body} for id_, title, body in versions]
        if rows:
            session.execute(
                text("INSERT INTO versions_fts(rowid, title, text) VALUES (:id, :title, :text)"),
                rows,
            )


def unindex_versions(session: Session, versions: Iterable[tuple[int, str | None, str]]) -> None:
    """Take versions, as (id, title, text) as they were indexed, out of the search index
    before they are deleted. SQLite's FTS5 table keeps only its index (the text is the
    versions table's): FTS5 must be told the indexed words to forget them. PostgreSQL's
    index is the versions table's own and goes with the row."""
    rows = [{"id": id_, "title": title or "", "text": body} for id_, title, body in versions]
    if rows and session.get_bind().dialect.name == "sqlite":
        session.execute(
            text(
                "INSERT INTO versions_fts(versions_fts, rowid, title, text)"
                " VALUES ('delete', :id, :title, :text)"
            ),
            rows,
        )


@dataclass(frozen=True)
class SearchHit:
    version_id: int
    rank: float
    snippet: str


def search_versions(
    session: Session, query: str, *, limit: int, source_id: int | None = None
) -> list[SearchHit]:
    """Each matching article once, best first: ranked by its best-ranked matching version,
    shown by its newest matching version (text later edited out is found too)."""
    if not query.strip():
        raise BadQuery(f"the search query is empty; {SEARCH_HELP}")
    if session.get_bind().dialect.name == "postgresql":
        return _search_postgresql(session, query, limit=limit, source_id=source_id)
    return _search_sqlite(session, query, limit=limit, source_id=source_id)


# How many of the best-ranked matching versions are read per result wanted: an article
# appears once for each of its versions that matches, so a few per result.
WINDOW_PER_RESULT = 8

# The window straight from FTS5: a CTE or a join around it costs more than a second query.
# (Not "AS rank": FTS5 tables have a hidden column of that name, ranked with other weights.)
_TOP_VERSIONS = """
    SELECT rowid, bm25(versions_fts, 2.0, 1.0) AS score
    FROM versions_fts WHERE versions_fts MATCH :q
    ORDER BY score LIMIT :window
"""
# bm25() only works in the query that does the MATCH; the materialised CTE keeps it there.
_TOP_ARTICLES = """
    WITH hits AS MATERIALIZED (
        SELECT rowid AS id, bm25(versions_fts, 2.0, 1.0) AS rank
        FROM versions_fts WHERE versions_fts MATCH :q
    )
    SELECT v.article_id, min(hits.rank) AS rank, max(v.number) AS number
    FROM hits
    JOIN versions v ON v.id = hits.id
    JOIN articles a ON a.id = v.article_id
    WHERE a.source_id = coalesce(:source_id, a.source_id)
    GROUP BY v.article_id
    ORDER BY rank, v.article_id
    LIMIT :limit
"""


@dataclass
class _Match:
    """A matching article: its best rank, and its newest version known to match."""

    article_id: int
    rank: float
    number: int


def _search_sqlite(
    session: Session, query: str, *, limit: int, source_id: int | None
) -> list[SearchHit]:
    try:
        # For one source, the best versions overall may all be other sources': that
        # source's matches are grouped whole.
        matches = None if source_id is not None else _best_in_window(session, query, limit)
        newest_known = matches is None
        if matches is None:
            matches = _best_of_all(session, query, limit, source_id)
        if not matches:
            return []
        shown = _newest_matching_versions(session, query, matches, newest_known)
    except OperationalError as exc:
        raise BadQuery(_fts5_message(query, exc)) from exc
    hits = []
    for match in matches:
        if match.article_id in shown:  # always, unless the index and versions disagree
            _, version_id, snippet = shown[match.article_id]
            hits.append(SearchHit(version_id, match.rank, snippet))
    return hits


def _best_in_window(session: Session, query: str, limit: int) -> list[_Match] | None:
    """The ``limit`` best-ranked articles, found among the best-ranked matching versions
    only; None when those hold fewer articles than wanted but there are more matches.

    FTS5 ranks every match either way, but only the window is looked up in ``versions``:
    the joins and the grouping, not the ranking, made a search slow on a big archive.
    An article's first row in rank order (ties by article id) carries its best rank, so
    the first ``limit`` articles of the window are the best ``limit`` of all.
    """
    window = limit * WINDOW_PER_RESULT
    ranked = session.execute(text(_TOP_VERSIONS), {"q": query, "window": window}).all()
    if not ranked:
        return []
    ids = ",".join(str(int(version_id)) for version_id, _ in ranked)
    versions = {
        version_id: (article_id, number)
        for version_id, article_id, number in session.execute(
            text(f"SELECT id, article_id, number FROM versions WHERE id IN ({ids})")
        )
    }
    rows = sorted(
        (float(rank), *versions[version_id])
        for version_id, rank in ranked
        if version_id in versions
    )
    found: dict[int, _Match] = {}
    for rank, article_id, number in rows:
        match = found.get(article_id)
        if match is not None:
            match.number = max(match.number, number)
        elif len(found) < limit:
            found[article_id] = _Match(article_id, rank, number)
    if len(found) < limit and len(ranked) == window:
        return None
    return list(found.values())


def _best_of_all(session: Session, query: str, limit: int, source_id: int | None) -> list[_Match]:
    """The ``limit`` best-ranked articles (of one source), grouping every match."""
    params = {"q": query, "limit": limit, "source_id": source_id}
    rows = session.execute(text(_TOP_ARTICLES), params).all()
    return [_Match(article_id, float(rank), number) for article_id, rank, number in rows]


def _newest_matching_versions(
    session: Session, query: str, matches: list[_Match], newest_known: bool
) -> dict[int, tuple[int, int, str]]:
    """Each article's newest matching version, as (number, version id, snippet).

    Unless ``newest_known``, a version newer than the newest one seen to match may match
    too (it ranked outside the window): those are candidates as well.
    """
    known = {m.article_id: m.number for m in matches}
    articles = ",".join(str(article_id) for article_id in known)
    candidates: dict[int, tuple[int, int]] = {}  # version id -> (article id, number)
    for version_id, article_id, number in session.execute(
        text(f"SELECT id, article_id, number FROM versions WHERE article_id IN ({articles})")
    ):
        if number == known[article_id] or (number > known[article_id] and not newest_known):
            candidates[version_id] = (article_id, number)
    # The unary + keeps FTS5 from seeking each rowid (a seek visits every segment of the
    # index): one pass over the matches, snippets made only for the candidates.
    ids = ",".join(str(version_id) for version_id in candidates)
    rows = session.execute(
        text(
            "SELECT rowid, snippet(versions_fts, 1, :start, :end, '…', :words) "
            f"FROM versions_fts WHERE versions_fts MATCH :q AND +rowid IN ({ids})"
        ),
        {"q": query, "start": MATCH_START, "end": MATCH_END, "words": SNIPPET_WORDS},
    )
    newest: dict[int, tuple[int, int, str]] = {}
    for version_id, snippet in rows:
        article_id, number = candidates[version_id]
        if article_id not in newest or number > newest[article_id][0]:
            newest[article_id] = (number, version_id, snippet)
    return newest


def _fts5_message(query: str, exc: OperationalError) -> str:
    detail = str(exc.orig) if exc.orig is not None else str(exc)
    detail = re.sub(r"^fts5: ", "", detail)
    return f"cannot search for {shown_query(query)}: {detail}; {SEARCH_HELP}"


def _search_postgresql(
    session: Session, query: str, *, limit: int, source_id: int | None
) -> list[SearchHit]:
    sql, params = postgresql_search(query, limit=limit, source_id=source_id)
    try:
        # A query word that is a stop word in some language ("the") reads as nothing under
        # that configuration, and PostgreSQL says so in a NOTICE for each: expected, so
        # not sent (psycopg drops notices unless asked for them; psql would print them).
        # SET LOCAL ends with this transaction.
        session.execute(text("SET LOCAL client_min_messages = warning"))
        rows = session.execute(text(sql), params).all()
    except ProgrammingError as exc:
        raise BadQuery(f"cannot search for {query!r}: {exc.orig}; {SEARCH_HELP}") from exc
    return [SearchHit(r.version_id, -float(r.rank), r.snippet) for r in rows]


def postgresql_search(
    query: str, *, limit: int, source_id: int | None, ranked: int = PG_RANKED_MATCHES
) -> tuple[str, dict[str, Any]]:
    """The SQL of a search on PostgreSQL and its parameters; BadQuery when malformed.

    Rows: the version to show of each matching article (its newest matching one), its
    rank (its best-ranked matching version's) and a snippet, best first. A query that
    matches more than ``ranked`` versions is ranked among the newest of them (see
    PG_RANKED_MATCHES).
    """
    source_filter = "AND a.source_id = :source_id" if source_id is not None else ""
    # The query is parsed in mediawatch's syntax (FTS5's), so that it means the same here
    # as on SQLite, and a malformed one is refused the same way. Its words are read under
    # every configuration a version can have been indexed with: the index finds the
    # versions that match any of those readings, and each version is then held to the one
    # its own words were made with: else "late NOT running" would find an English article
    # that says "running late" (its index holds "run"), through the simple reading's
    # "running".
    columns, words = pg_readings(query)
    readings = ", ".join(f"q_{config}" for config in PG_CONFIGS)
    own_query = pg_own_reading("v.language")
    # The steps, each bounded by what it must read:
    # - any_reading: the distinct readings ORed into one query (29 configurations read most
    #   words alike). It is materialised, so the planner cannot see the query and plans
    #   the GIN index scan it should: told "government" | "government" | ... it would
    #   guess that most rows match and read every row's words instead.
    # - candidates: the ids the index gives, the newest `ranked` of them; the
    #   words of a version (a large value kept out of line) are read only from here on.
    # - matching, best: each candidate held to its own language's reading, ranked; per
    #   article, its best rank and newest matching version; the best `limit` articles.
    # - then the text, for snippets of those articles only.
    sql = f"""
        WITH q AS MATERIALIZED (SELECT {columns}),
        any_reading AS MATERIALIZED (
            SELECT string_agg(DISTINCT '(' || reading::text || ')', ' | ')::tsquery AS query
            FROM q, unnest(ARRAY[{readings}]) AS reading
            WHERE reading::text <> ''
        ),
        candidates AS MATERIALIZED (
            SELECT v.id FROM versions v JOIN articles a ON a.id = v.article_id, any_reading
            WHERE v.search_vector @@ any_reading.query {source_filter}
            ORDER BY v.id DESC LIMIT :ranked
        ),
        matching AS (
            SELECT v.article_id, v.number, ts_rank(v.search_vector, own.query) AS rank
            FROM candidates JOIN versions v ON v.id = candidates.id, q,
                 LATERAL (SELECT {own_query} AS query) own
            WHERE v.search_vector @@ own.query
        ),
        best AS (
            SELECT article_id, max(rank) AS rank, max(number) AS number
            FROM matching GROUP BY article_id
            ORDER BY rank DESC, article_id LIMIT :limit
        )
        SELECT v.id AS version_id, best.rank,
               ts_headline({pg_config_of("v.language")}, v.text, own.query,
                           'StartSel=' || :start || ',StopSel=' || :end || ',MaxWords=' || :words)
                   AS snippet
        FROM best JOIN versions v ON v.article_id = best.article_id AND v.number = best.number,
             q, LATERAL (SELECT {own_query} AS query) own
        ORDER BY best.rank DESC, best.article_id
    """
    params: dict[str, Any] = {
        **words,
        "limit": limit,
        "ranked": ranked,
        "source_id": source_id,
        "start": MATCH_START,
        "end": MATCH_END,
        "words": SNIPPET_WORDS,
    }
    return sql, params


def search_index_problems(session: Session) -> list[tuple[int | None, str]]:
    """How the search index disagrees with ``versions``, as (version id, what is wrong);
    the id is None for damage no one version explains. Empty when they agree.

    SQLite: the FTS5 index must hold exactly the stored versions (its ``_docsize`` shadow
    table has one row per indexed version) with exactly their words. FTS5's own
    integrity-check (with rank 1, which compares an external-content index with its
    content) says only whether something is wrong; to name the versions, their words as
    the index holds them are compared with a fresh index of their stored text. PostgreSQL
    keeps its GIN index itself, so there is nothing to disagree.
    """
    if session.get_bind().dialect.name != "sqlite":
        return []
    problems: list[tuple[int | None, str]] = []
    indexed = set(session.scalars(text("SELECT id FROM versions_fts_docsize")))
    stored = set(session.scalars(text("SELECT id FROM versions")))
    problems += [(id_, "is not in the search index") for id_ in sorted(stored - indexed)]
    problems += [
        (id_, "is in the search index but not in the archive") for id_ in sorted(indexed - stored)
    ]
    try:
        session.execute(
            text("INSERT INTO versions_fts(versions_fts, rank) VALUES ('integrity-check', 1)")
        )
        return problems
    except DatabaseError:
        pass  # "database disk image is malformed": find the versions that make it so
    tokenizer = "unicode61 remove_diacritics 2"  # as in search_index_ddl
    for statement in (
        f"CREATE VIRTUAL TABLE temp.check_fts USING fts5(title, text, tokenize='{tokenizer}')",
        "INSERT INTO temp.check_fts(rowid, title, text) SELECT id, coalesce(title, ''), text "
        "FROM versions WHERE id IN (SELECT id FROM versions_fts_docsize)",
        "CREATE VIRTUAL TABLE temp.check_indexed USING fts5vocab(main, versions_fts, instance)",
        "CREATE VIRTUAL TABLE temp.check_expected USING fts5vocab(temp, check_fts, instance)",
    ):
        session.execute(text(statement))
    try:
        mismatched = session.scalars(
            text(
                "SELECT doc FROM (SELECT term, doc, col, offset FROM temp.check_indexed "
                "EXCEPT SELECT term, doc, col, offset FROM temp.check_expected) "
                "UNION SELECT doc FROM (SELECT term, doc, col, offset FROM temp.check_expected "
                "EXCEPT SELECT term, doc, col, offset FROM temp.check_indexed) ORDER BY 1"
            )
        ).all()
    finally:
        for table in ("check_expected", "check_indexed", "check_fts"):
            session.execute(text(f"DROP TABLE temp.{table}"))
    problems += [
        (id_, "has other words in the search index than in the archive")
        for id_ in mismatched
        if id_ in stored  # versions missing from the archive are reported above
    ]
    if not problems:
        problems.append((None, "the search index is damaged (FTS5 integrity-check failed)"))
    return problems


def database_identity(connection: Connection) -> tuple[object, ...] | None:
    """What tells one database from another, as the database itself reports it: two URLs
    that spell one database differently (a relative and an absolute path, a symlink,
    localhost and 127.0.0.1) give the same identity. None when it cannot be told (a
    SQLite database in memory, another backend)."""
    if connection.dialect.name == "sqlite":
        files = {row[1]: row[2] for row in connection.exec_driver_sql("PRAGMA database_list")}
        path = files.get("main")
        if not path:
            return None
        found = os.stat(path)
        return ("sqlite", found.st_dev, found.st_ino)
    if connection.dialect.name == "postgresql":
        # The server's start time tells two servers apart however they are reached.
        row = connection.exec_driver_sql(
            "SELECT pg_postmaster_start_time(), current_database(), current_schema()"
        ).one()
        return ("postgresql", *row)
    return None


def begin_snapshot(connection: Connection) -> None:
    """Make every later read on ``connection``, until its transaction ends, see the
    database as it was at the first one, whatever other processes commit meanwhile.

    Call it first in the connection's transaction. SQLite: the driver opens no transaction
    for reads, so without an explicit BEGIN each query would see a newer state. PostgreSQL:
    READ COMMITTED would do the same; REPEATABLE READ holds one snapshot.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def reset_id_sequences(session: Session, tables: Iterable[str]) -> None:
    """After rows were inserted with their ids given (a copied archive), make each table's
    next id follow the largest one stored.

    PostgreSQL only: a SERIAL column's sequence does not move when ids are given, so the
    next crawl would collide with a copied row. SQLite takes max(rowid) + 1 by itself.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:  # names from storage/models.py, never from a user
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, 'id'), coalesce(max(id), 0) + 1,"
                f" false) FROM {table}"
            ),
            {"table": table},
        )


def insert_ignoring_conflicts(session: Session, model: Any) -> sqlite.Insert | postgresql.Insert:
    """An INSERT into ``model``'s table that can say ON CONFLICT, in the session's dialect
    (both spell it the same; SQLAlchemy has one construct per dialect)."""
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return sqlite.insert(model)
    if name == "postgresql":
        return postgresql.insert(model)
    raise NotImplementedError(f"mediawatch needs SQLite or PostgreSQL, not {name}")
