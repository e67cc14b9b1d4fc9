"""The HTML pages: recent edits, articles, sources, an article's timeline, diffs, search,
one version as archived (with its raw HTML in a sandboxed frame), and the watches with
their matches. Server-rendered, no script; every page pages through its rows."""

from __future__ import annotations

import codecs
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from storage import diff as worddiff
from storage import feeds_queries, queries
from storage.archive import decompress_html
from storage.errors import NotFound
from web import render
from web.api import format_cursor, parse_cursor
from web.deps import ArchiveSession, configured_watch, find_article
from web.feeds import source_feed_path, watch_feed_path
from web.security import RAW_HTML_POLICY
from web.templating import templates

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PER_PAGE = 50
SEARCH_PER_PAGE = 20
SEARCH_MAX_PAGES = 25  # the search engine ranks every match; deeper pages mean little


def _page(request: Request, template: str, **context: Any) -> Response:
    return templates.TemplateResponse(request, template, context)


@router.get("/")
def edits(
    request: Request,
    session: ArchiveSession,
    trivial: bool = False,
    source: str | None = None,
    after: str | None = None,
) -> Response:
    rows, following = queries.recent_edits(
        session, limit=PER_PAGE, after=parse_cursor(after), trivial=trivial, source=source
    )
    return _page(
        request,
        "edits.html",
        edits=rows,
        trivial=trivial,
        source=source,
        after=after,
        next_cursor=format_cursor(following),
        feed=source_feed_path(source, trivial),
    )


@router.get("/articles")
def articles(
    request: Request,
    session: ArchiveSession,
    source: str | None = None,
    status: Literal["live", "gone", "error"] | None = None,
    changed: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if source is not None:
        queries.source_id(session, source)  # an unknown source is a 404, not an empty list
    rows = queries.article_rows(
        session,
        sources=[source] if source else (),
        status=status,
        changed=changed,
        limit=PER_PAGE + 1,
        offset=(page - 1) * PER_PAGE,
    )
    return _page(
        request,
        "articles.html",
        articles=rows[:PER_PAGE],
        source=source,
        status=status,
        changed=changed,
        page=page,
        has_next=len(rows) > PER_PAGE,
        feed=source_feed_path(source) if source else None,
    )


@router.get("/sources")
def sources(request: Request, session: ArchiveSession) -> Response:
    return _page(request, "sources.html", status=queries.status_document(session))


@router.get("/article")
def article(request: Request, session: ArchiveSession, url: str) -> Response:
    found = find_article(session, url)
    history = queries.timeline(session, found)
    rows = history.rows
    titles = {row["version"]: row["title"] for row in rows}
    # The timeline, newest first: each version, and each return to an earlier one.
    events = [{"kind": "version", **row} for row in rows]
    events += [
        {
            "kind": "return",
            "fetched_at": back["fetched_at"],
            "version": to,
            "from_version": back["from_version"],
            "title": titles.get(to),
        }
        for to, backs in ((row["version"], row["returns"]) for row in rows)
        for back in backs
    ]
    events.sort(key=lambda e: (e["fetched_at"] or "", e["kind"] == "return"), reverse=True)
    return _page(
        request,
        "article.html",
        article=found,
        source=found.source.name,
        title=rows[-1]["title"] if rows else (found.hints or {}).get("title"),
        events=events,
        variants=history.variants,
        returns=len(history.returns),
        aliases=queries.aliases_of(session, [found.id]).get(found.id, []),
    )


@router.get("/diff")
def diff(
    request: Request,
    session: ArchiveSession,
    url: str,
    from_: Annotated[int | None, Query(alias="from", ge=1)] = None,
    to: Annotated[int | None, Query(ge=1)] = None,
    view: Literal["inline", "side"] = "inline",
) -> Response:
    found = find_article(session, url)
    older, newer = queries.diff_versions(session, found, from_, to)
    ops = worddiff.word_diff(
        worddiff.article_document(older.title, older.text),
        worddiff.article_document(newer.title, newer.text),
    )
    added, removed = worddiff.count_words(ops)
    return _page(
        request,
        "diff.html",
        article=found,
        older=older,
        newer=newer,
        view=view,
        added=added,
        removed=removed,
        inline=render.inline_diff(ops) if view == "inline" else None,
        rows=render.side_by_side(ops) if view == "side" else None,
        numbers=range(1, found.version_count + 1),
    )


@router.get("/search")
def search(
    request: Request,
    session: ArchiveSession,
    q: str = "",
    source: str | None = None,
    page: Annotated[int, Query(ge=1, le=SEARCH_MAX_PAGES)] = 1,
) -> Response:
    results: list[queries.SearchResult] = []
    has_next = False
    if q.strip():
        found = queries.search(session, q, source=source, limit=page * SEARCH_PER_PAGE + 1)
        results = found[(page - 1) * SEARCH_PER_PAGE : page * SEARCH_PER_PAGE]
        has_next = len(found) > page * SEARCH_PER_PAGE and page < SEARCH_MAX_PAGES
    return _page(
        request,
        "search.html",
        q=q,
        source=source,
        page=page,
        has_next=has_next,
        results=[(r, render.snippet_html(r.snippet)) for r in results],
    )


@router.get("/version")
def version(
    request: Request,
    session: ArchiveSession,
    url: str,
    v: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    found = find_article(session, url)
    shown = queries.get_version(session, found, v)
    document = queries.version_document(found, shown)
    return _page(
        request,
        "version.html",
        article=found,
        document=document,
        paragraphs=[p for p in document["text"].split("\n\n") if p.strip()],
        has_raw=shown.raw_html is not None,
    )


@router.get("/raw")
def raw(session: ArchiveSession, url: str, v: Annotated[int, Query(ge=1)]) -> Response:
    """The page as fetched, inert: a CSP sandbox without scripts, and nothing loaded."""
    found = find_article(session, url)
    stored = queries.get_version(session, found, v)
    if stored.raw_html is None:
        raise NotFound(f"{found.url} version {v} was archived without its raw HTML")
    encoding = _known_encoding(stored.meta.get("encoding"))
    return Response(
        decompress_html(stored.raw_html),
        media_type="text/html",
        headers={
            "content-type": "text/html" + (f"; charset={encoding}" if encoding else ""),
            "content-security-policy": RAW_HTML_POLICY,
            "x-frame-options": "SAMEORIGIN",
        },
    )


def watch_path(name: str) -> str:
    return f"/watch/{quote(name, safe='')}"


@router.get("/watches")
def watches(request: Request, session: ArchiveSession) -> Response:
    """The config's watches, with how many matches each has and its feed."""
    configured = list(request.app.state.watches.values())
    summaries = feeds_queries.watch_summaries(session, [w.name for w in configured])
    return _page(
        request,
        "watches.html",
        watches=[(w, summaries[w.name]) for w in configured],
        watch_path=watch_path,
        watch_feed_path=watch_feed_path,
    )


@router.get("/watch/{name}")
def watch(
    request: Request,
    session: ArchiveSession,
    name: str,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """A watch's matches, newest first: a configured watch without any shows none; a
    name not in the config is a 404."""
    found = configured_watch(request, name)
    rows = feeds_queries.watch_match_rows(
        session, found.name, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE
    )
    return _page(
        request,
        "watch.html",
        watch=found,
        matches=rows[:PER_PAGE],
        page=page,
        per_page=PER_PAGE,
        has_next=len(rows) > PER_PAGE,
        feed=watch_feed_path(found.name),
        watch_path=watch_path,
    )


def _known_encoding(name: object) -> str | None:
    """``name`` if Python knows it as a text encoding (never a header injection)."""
    if not isinstance(name, str) or not name.replace("-", "").replace("_", "").isalnum():
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None
