"""Everything that differs between SQLite and PostgreSQL: the full-text search index.

SQLite uses an FTS5 table with external content (the text lives once, in ``versions``);
the storage code adds each new version to it in the same transaction that stores the
version. PostgreSQL uses a GIN index over a ``tsvector`` expression, kept by the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from storage.errors import BadQuery

# Marks around matched words in snippets; replaced by each output (bold, <mark>, **).
MATCH_START = "\x02"
MATCH_END = "\x03"
SNIPPET_WORDS = 24

_PG_DOCUMENT = "to_tsvector('simple', coalesce(title, '') || ' ' || text)"

SEARCH_HELP = 'use words, "quoted phrases", AND, OR, NOT, and prefix* (e.g. Iran AND "oil price")'


def search_index_ddl(dialect_name: str) -> list[str]:
    if dialect_name == "sqlite":
        return [
            "CREATE VIRTUAL TABLE versions_fts USING fts5("
            "title, text, content='versions', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')"
        ]
    if dialect_name == "postgresql":
        return [f"CREATE INDEX ix_versions_search ON versions USING GIN ({_PG_DOCUMENT})"]
    return []


def drop_search_index_ddl(dialect_name: str) -> list[str]:
    if dialect_name == "sqlite":
        return ["DROP TABLE IF EXISTS versions_fts"]
    if dialect_name == "postgresql":
        return ["DROP INDEX IF EXISTS ix_versions_search"]
    return []


def index_version(session: Session, version_id: int, title: str | None, body: str) -> None:
    """Add a newly stored version to the search index (SQLite; PostgreSQL does it itself)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text("INSERT INTO versions_fts(rowid, title, text) VALUES (:id, :title, :text)"),
            {"id": version_id, "title": title or "", "text": body},
        )


@dataclass(frozen=True)
class SearchHit:
    version_id: int
    rank: float
    snippet: str


def search_versions(
    session: Session, query: str, *, limit: int, source_id: int | None = None
) -> list[SearchHit]:
    """The best-ranked matching version of each matching article, best first."""
    if not query.strip():
        raise BadQuery(f"the search query is empty; {SEARCH_HELP}")
    if session.get_bind().dialect.name == "postgresql":
        return _search_postgresql(session, query, limit=limit, source_id=source_id)
    return _search_sqlite(session, query, limit=limit, source_id=source_id)


def _search_sqlite(
    session: Session, query: str, *, limit: int, source_id: int | None
) -> list[SearchHit]:
    source_filter = "AND a.source_id = :source_id" if source_id is not None else ""
    # Rank every matching version, keep each article's newest match, then fetch snippets
    # for just those (snippet() needs the FTS cursor, so it cannot run after the GROUP BY).
    # bm25() only works in the query that does the MATCH, hence the materialised CTE.
    ranked = f"""
        WITH hits AS MATERIALIZED (
            SELECT rowid AS id, bm25(versions_fts, 2.0, 1.0) AS rank
            FROM versions_fts WHERE versions_fts MATCH :q
        )
        SELECT max(v.id) AS version_id, min(hits.rank) AS rank
        FROM hits
        JOIN versions v ON v.id = hits.id
        JOIN articles a ON a.id = v.article_id
        WHERE 1 = 1 {source_filter}
        GROUP BY v.article_id
        ORDER BY rank
        LIMIT :limit
    """
    params: dict[str, object] = {"q": query, "limit": limit, "source_id": source_id}
    try:
        rows = session.execute(text(ranked), params).all()
        if not rows:
            return []
        ids = ",".join(str(int(r.version_id)) for r in rows)
        snippets: dict[int, str] = dict(
            session.execute(
                text(
                    "SELECT rowid, snippet(versions_fts, 1, :start, :end, '…', :words) "
                    f"FROM versions_fts WHERE versions_fts MATCH :q AND rowid IN ({ids})"
                ),
                {"q": query, "start": MATCH_START, "end": MATCH_END, "words": SNIPPET_WORDS},
            ).all()
        )
    except OperationalError as exc:
        raise BadQuery(_fts5_message(query, exc)) from exc
    return [SearchHit(r.version_id, float(r.rank), snippets.get(r.version_id, "")) for r in rows]


def _fts5_message(query: str, exc: OperationalError) -> str:
    detail = str(exc.orig) if exc.orig is not None else str(exc)
    detail = re.sub(r"^fts5: ", "", detail)
    return f"cannot search for {query!r}: {detail}; {SEARCH_HELP}"


def _search_postgresql(
    session: Session, query: str, *, limit: int, source_id: int | None
) -> list[SearchHit]:
    source_filter = "AND a.source_id = :source_id" if source_id is not None else ""
    sql = f"""
        WITH q AS (SELECT websearch_to_tsquery('simple', :q) AS query),
        hits AS (
            SELECT DISTINCT ON (v.article_id) v.id, v.title, v.text,
                   ts_rank({_PG_DOCUMENT}, q.query) AS rank
            FROM versions v JOIN articles a ON a.id = v.article_id, q
            WHERE {_PG_DOCUMENT} @@ q.query {source_filter}
            ORDER BY v.article_id, v.number DESC
        )
        SELECT hits.id AS version_id, hits.rank,
               ts_headline('simple', hits.text, q.query,
                           'StartSel=' || :start || ',StopSel=' || :end || ',MaxWords=' || :words)
                   AS snippet
        FROM hits, q ORDER BY hits.rank DESC LIMIT :limit
    """
    params = {
        "q": query,
        "limit": limit,
        "source_id": source_id,
        "start": MATCH_START,
        "end": MATCH_END,
        "words": SNIPPET_WORDS,
    }
    try:
        rows = session.execute(text(sql), params).all()
    except ProgrammingError as exc:
        raise BadQuery(f"cannot search for {query!r}: {exc.orig}; {SEARCH_HELP}") from exc
    return [SearchHit(r.version_id, -float(r.rank), r.snippet) for r in rows]
