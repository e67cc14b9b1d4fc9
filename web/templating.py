"""The Jinja2 environment: autoescape always on, and the helpers templates may use."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from web import render


def href(path: str, **params: Any) -> str:
    """``path`` with the given query parameters (None and False left out), URL-encoded."""
    kept = {k: ("1" if v is True else v) for k, v in params.items() if v not in (None, False, "")}
    return f"{path}?{urlencode(kept, doseq=True)}" if kept else path


def short_time(iso_time: str | None) -> str:
    return iso_time[:16].replace("T", " ") + " UTC" if iso_time else "-"


_environment = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,  # every template, whatever its name: archived text is untrusted
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.globals.update(href=href, link_target=render.link_target)
_environment.filters.update(short_time=short_time)

templates = Jinja2Templates(env=_environment)
