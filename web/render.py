"""Pure helpers that turn archived text into safe HTML fragments.

Everything archived is untrusted: every piece of text goes through :func:`html.escape`
before it is wrapped in markup of ours, and the result is marked safe for Jinja2 only
here, so templates never mark anything safe themselves.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markupsafe import Markup

from storage.dialect import MATCH_END, MATCH_START
from storage.diff import DiffOp, render_html

_PARAGRAPH_BREAK = re.compile(r"(\n{2,})")
_PILCROW = "¶"


def escaped(text: str) -> str:
    """``text`` escaped for an HTML element or attribute, line breaks as ``<br>``."""
    return html.escape(text, quote=True).replace("\n", "<br>")


def snippet_html(snippet: str) -> Markup:
    """A search snippet with its match markers as ``<mark>``, everything else escaped."""
    text = html.escape(snippet, quote=True)
    return Markup(text.replace(MATCH_START, "<mark>").replace(MATCH_END, "</mark>"))


def link_target(url: str | None) -> str | None:
    """``url`` if it is safe to link to (http or https), else None: an archived
    ``javascript:`` or ``data:`` URL is shown as text, never made a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def inline_diff(ops: Sequence[DiffOp]) -> Markup:
    """The diff as paragraphs with ``<ins>`` and ``<del>`` (storage.diff escapes the text)."""
    return Markup(render_html(ops))


@dataclass
class _Side:
    paragraphs: list[list[str]] = field(default_factory=lambda: [[]])

    def add(self, piece: str, tag: str | None) -> None:
        escaped_piece = escaped(piece)
        self.paragraphs[-1].append(f"<{tag}>{escaped_piece}</{tag}>" if tag else escaped_piece)

    def new_paragraph(self) -> None:
        if self.paragraphs[-1]:
            self.paragraphs.append([])

    def html(self) -> Markup:
        return Markup("\n".join(f"<p>{''.join(p)}</p>" for p in self.paragraphs if p))


def side_by_side(ops: Sequence[DiffOp]) -> list[tuple[Markup, Markup]]:
    """The diff as rows of (old side, new side): deletions marked on the left, insertions
    on the right. A paragraph break both versions share ends a row, so the two sides of a
    row hold the same stretch of the article and stay level on the page."""
    rows: list[tuple[Markup, Markup]] = []
    old, new = _Side(), _Side()

    def end_row() -> None:
        if any(old.paragraphs) or any(new.paragraphs):
            rows.append((old.html(), new.html()))
        old.paragraphs, new.paragraphs = [[]], [[]]

    for op in ops:
        sides = {"equal": (old, new), "delete": (old,), "insert": (new,)}[op.op]
        tag = {"delete": "del", "insert": "ins"}.get(op.op)
        text = op.text
        if tag and not text.strip("\n"):  # only a break added or removed: make it visible
            for side in sides:
                side.add(_PILCROW, tag)
        for piece in _PARAGRAPH_BREAK.split(text):
            if piece.startswith("\n\n"):
                if op.op == "equal":
                    end_row()
                else:
                    for side in sides:
                        side.new_paragraph()
            elif piece:
                for side in sides:
                    side.add(piece, tag)
    end_row()
    return rows
