"""The ASGI app: ``create_app(engine)`` wires the pages, the API, the Atom feeds, the
stylesheet, the security headers and the error pages together."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from config import Watch
from storage.db import make_engine, make_sessionmaker
from storage.errors import ArchiveError, BadQuery, NotFound, NotInitialised
from storage.schema import require_current
from web import api, feeds, pages
from web.security import InertJSONResponse, SecurityHeaders
from web.templating import templates

STATIC = Path(__file__).parent / "static"

# What each archive error means over HTTP.
_STATUS = {NotFound: 404, BadQuery: 400, NotInitialised: 503}


def create_app(archive: Engine | str, watches: Sequence[Watch] = ()) -> FastAPI:
    """The web app over ``archive`` (an engine, or a database URL), which must be
    initialised: NotInitialised otherwise, as every command says it. ``watches`` are the
    config's saved searches: each gets a page and an Atom feed of its matches."""
    engine = make_engine(archive) if isinstance(archive, str) else archive
    require_current(engine)
    app = FastAPI(
        title="mediawatch",
        summary="Read-only archive of news articles and every version of them.",
        description="The JSON API answers with the shapes of the command line's `--json`.",
        # Swagger UI and ReDoc load script from a CDN, which the CSP forbids; the schema
        # itself is at /openapi.json.
        docs_url=None,
        redoc_url=None,
        default_response_class=InertJSONResponse,
    )
    app.state.sessions = make_sessionmaker(engine)
    app.state.watches = {watch.name: watch for watch in watches}
    app.state.edit_summaries = feeds.SummaryCache()
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(feeds.router)
    app.add_exception_handler(ArchiveError, _archive_error)  # type: ignore[arg-type]
    return app


async def _archive_error(request: Request, exc: ArchiveError) -> Response:
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
    if request.url.path.startswith("/api/"):
        return InertJSONResponse({"detail": str(exc)}, status_code=status)
    return templates.TemplateResponse(
        request, "error.html", {"message": str(exc), "status": status}, status_code=status
    )
