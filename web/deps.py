"""What the endpoints take from each request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from config import Watch
from crawler.urls import url_variants
from storage import queries
from storage.errors import NotFound
from storage.models import Article


def _session(request: Request) -> Iterator[Session]:
    """A read session per request, closed when the response is sent."""
    with request.app.state.sessions() as opened:
        yield opened


ArchiveSession = Annotated[Session, Depends(_session)]


def find_article(session: Session, url: str) -> Article:
    """The article at ``url`` (or its canonical URL), matched as the CLI matches it."""
    return queries.find_article(session, url_variants(url))


def configured_watch(request: Request, name: str) -> Watch:
    """The watch named ``name`` in the config the app was given; NotFound otherwise."""
    watches: dict[str, Watch] = request.app.state.watches
    if name not in watches:
        known = ", ".join(sorted(watches)) or "none"
        raise NotFound(
            f"no watch named {name!r} in the config (configured watches: {known});"
            " add it to the config's watch list and restart `mediawatch serve`"
        )
    return watches[name]
