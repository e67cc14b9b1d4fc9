"""What the spider hands to the archive pipeline for each article URL it fetched."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleFetch:
    """One fetch of one article URL, before extraction.

    ``body`` is None for failures and for 304/404/410 answers, which need no extraction.
    """

    url: str
    source: str
    fetched_at: float  # epoch seconds
    http_status: int | None = None
    duration_ms: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    body: bytes | None = None
    declared_encoding: str | None = None
    error: str | None = None
    found_via: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)
    # Where the request ended up after redirects (normalised), when not at ``url``, and
    # whether every redirect on the way was permanent (301 or 308): the article moved.
    final_url: str | None = None
    permanent_redirect: bool = False
    # The transport said the body was cut short (a Content-Length not met, a reset).
    cut: bool = False
