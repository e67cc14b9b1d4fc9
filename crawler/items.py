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
