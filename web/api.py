"""The JSON API under /api/: the shapes of the command line's `--json` (SPEC section 2),
from the same storage.queries functions, so the two cannot drift apart.

The models below document those shapes in the OpenAPI schema (/openapi.json); they let
extra fields through, as the SPEC allows fields to be added.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from storage import diff as worddiff
from storage import feeds_queries, queries
from web.deps import ArchiveSession, configured_watch, find_article

router = APIRouter(prefix="/api", tags=["api"])

MAX_PAGE = 1000  # rows per request, at most

Url = Annotated[str, Query(description="The article's URL or canonical URL, as archived.")]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow")


class ArticleRow(_Shape):
    url: str
    canonical_url: str | None
    source: str
    title: str | None
    status: Literal["live", "gone", "error"]
    versions: int
    first_seen: str
    last_checked: str | None
    last_changed: str | None
    current_version: int = Field(
        description="The version the page showed last (an earlier one after an A/B flip)"
    )
    headline_test: bool = Field(
        description="The page went back and forth between versions (A/B headlines)"
    )
    aliases: list[str] = Field(description="Other addresses: moved from, copies")


class VersionReturn(_Shape):
    fetched_at: str
    from_version: int = Field(description="The version the page showed before it")


class VersionRow(_Shape):
    version: int = Field(description="1 = the first version")
    fetched_at: str
    title: str | None
    content_hash: str
    changed: list[str] = Field(description="The fields that changed: title, text, ...")
    words_added: int
    words_removed: int
    returns: list[VersionReturn] = Field(
        description="When the page came back to this version (A/B headlines, reverts)"
    )


class VersionDocument(_Shape):
    url: str
    version: int
    fetched_at: str
    title: str | None
    authors: list[str]
    published: str | None
    text: str
    language: str | None
    content_hash: str


class DiffOp(_Shape):
    op: Literal["equal", "insert", "delete"]
    text: str


class DiffDocument(_Shape):
    url: str
    from_: int = Field(alias="from")
    to: int
    ops: list[DiffOp]
    words_added: int
    words_removed: int


class SearchRow(_Shape):
    url: str
    source: str
    title: str | None
    version: int = Field(description="The best-matching version of the article")
    versions: int
    fetched_at: str
    snippet: str


class EditRow(_Shape):
    url: str
    source: str
    title: str | None
    version: int
    versions: int
    fetched_at: str
    changed: list[str]
    change_kind: str | None = Field(description='"minor" (a typo fix) or "major"')
    words_added: int
    words_removed: int


class EditsPage(_Shape):
    edits: list[EditRow]
    next: str | None = Field(description="Give as `after` for the next page; null on the last")


class WatchMatchRow(_Shape):
    url: str
    source: str
    title: str | None = Field(description="The title of the version that matched")
    version: int
    versions: int
    kind: Literal["new", "edit"] = Field(description='"new" article or "edit" of one')
    snippet: str = Field(description="The matching passage, plain text")
    matched_at: str
    fetched_at: str


class WatchPage(_Shape):
    watch: str
    query: str
    matches: list[WatchMatchRow]


@router.get("/articles", response_model=list[ArticleRow])
def articles(
    session: ArchiveSession,
    source: Annotated[list[str] | None, Query(description="Only these sources.")] = None,
    status: Literal["live", "gone", "error"] | None = None,
    changed: Annotated[bool, Query(description="Only articles with two or more versions.")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """`mediawatch articles --json`, most recently changed first, a page at a time."""
    return queries.article_rows(
        session, sources=source or (), status=status, changed=changed, limit=limit, offset=offset
    )


@router.get("/versions", response_model=list[VersionRow])
def versions(session: ArchiveSession, url: Url) -> list[dict[str, Any]]:
    """`mediawatch versions URL --json`: oldest first."""
    return queries.version_rows(session, find_article(session, url))


@router.get("/show", response_model=VersionDocument)
def show(
    session: ArchiveSession,
    url: Url,
    version: Annotated[int | None, Query(ge=1, description="Default: the latest.")] = None,
) -> dict[str, Any]:
    """`mediawatch show URL [--version N] --json`."""
    article = find_article(session, url)
    return queries.version_document(article, queries.get_version(session, article, version))


@router.get("/diff", response_model=DiffDocument, response_model_by_alias=True)
def diff(
    session: ArchiveSession,
    url: Url,
    from_: Annotated[int | None, Query(alias="from", ge=1, description="Default: to - 1.")] = None,
    to: Annotated[int | None, Query(ge=1, description="Default: the latest.")] = None,
) -> dict[str, object]:
    """`mediawatch diff URL [--from N] [--to M] --format json`."""
    article = find_article(session, url)
    older, newer = queries.diff_versions(session, article, from_, to)
    ops = worddiff.word_diff(
        worddiff.article_document(older.title, older.text),
        worddiff.article_document(newer.title, newer.text),
    )
    return worddiff.diff_json(article.url, older.number, newer.number, ops)


@router.get("/search", response_model=list[SearchRow])
def search(
    session: ArchiveSession,
    q: Annotated[str, Query(description='Words, "phrases", AND, OR, NOT, prefix*.')],
    source: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 50,
) -> list[dict[str, Any]]:
    """`mediawatch search QUERY --json`: best match first."""
    return queries.search_rows(queries.search(session, q, source=source, limit=limit))


@router.get("/status")
def status(session: ArchiveSession) -> dict[str, Any]:
    """`mediawatch status --json`: sources, counts, the last crawls, the latest errors."""
    return queries.status_document(session)


@router.get("/edits", response_model=EditsPage)
def edits(
    session: ArchiveSession,
    trivial: Annotated[bool, Query(description="Include minor edits (typo fixes).")] = False,
    source: str | None = None,
    after: Annotated[str | None, Query(description="`next` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> dict[str, Any]:
    """The newest edits (versions after the first) across the archive, newest first."""
    rows, following = queries.recent_edits(
        session, limit=limit, after=parse_cursor(after), trivial=trivial, source=source
    )
    return {"edits": rows, "next": format_cursor(following)}


@router.get("/watch/{name}", response_model=WatchPage)
def watch(
    request: Request,
    session: ArchiveSession,
    name: str,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """The matches of a watch from the config, newest first; 404 for a name not in it."""
    found = configured_watch(request, name)
    rows = feeds_queries.watch_match_rows(session, found.name, limit=limit, offset=offset)
    return {"watch": found.name, "query": found.query, "matches": rows}


def format_cursor(cursor: queries.EditsCursor | None) -> str | None:
    return f"{cursor.fetched_at.isoformat()}~{cursor.version_id}" if cursor else None


def parse_cursor(value: str | None) -> queries.EditsCursor | None:
    """The cursor ``format_cursor`` made; 400 for anything else."""
    if value is None:
        return None
    when, _, version_id = value.rpartition("~")
    try:
        fetched_at = datetime.fromisoformat(when)
        if fetched_at.tzinfo is None:
            raise ValueError("no UTC offset")
        return queries.EditsCursor(fetched_at, int(version_id))
    except ValueError:
        raise HTTPException(400, f"after={value!r} is not a page cursor") from None
