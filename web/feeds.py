"""Atom feeds: the recent edits (all sources, or one), and each watch's matches.

Every entry is an edit (a version after the first) or a watch match, newest first, the
same rows the HTML pages show. The XML is built with :mod:`xml.etree.ElementTree`, which
escapes ``&``, ``<`` and ``>`` in every text and attribute; archived text may also hold
characters XML 1.0 forbids outright (NUL and the other C0 controls), which no escaping
can carry, so :func:`xml_text` strips them first. Archived text and titles go out as
``type="text"``; the one HTML content (the diff summary) is built from escaped pieces by
:func:`edit_html` and then escaped once more as XML text, as Atom's ``type="html"`` wants.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from storage import diff as worddiff
from storage import feeds_queries, queries
from storage.feeds_queries import Texts
from web.deps import ArchiveSession, configured_watch
from web.render import link_target
from web.templating import href

router = APIRouter(prefix="/feeds", include_in_schema=False)

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
ENTRIES = 50  # a feed reader wants what is new, not the archive
EXCERPT_CHARS = 300  # of inserted (and of deleted) words, per entry
SUMMARIES_KEPT = 2000  # edits a running app remembers the diff summary of
# Fixed: an id must never change, whoever serves the feed under whatever host name.
TAG = "tag:mediawatch,2026:"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Characters XML 1.0 does not allow at all, not even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What may stand in a tag URI's specific part (RFC 4151) besides letters and digits.
_TAG_SAFE = "-._~!$&'()*+,;=:@/?"


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (ElementTree escapes the rest)."""
    return _NOT_XML.sub("", text)


def tag_uri(*parts: str | int) -> str:
    """A tag: URI (RFC 4151) made of ``parts``, each percent-encoded where it must be."""
    return TAG + ":".join(quote(str(part), safe=_TAG_SAFE) for part in parts)


def rfc3339(iso_time: str | None) -> str:
    """An ISO time from the archive (always UTC) as RFC 3339, e.g. 2026-11-02T08:00:00Z."""
    when = datetime.fromisoformat(iso_time) if iso_time else EPOCH
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Entry:
    id: str
    title: str
    link: str
    updated: str  # an ISO time from the archive
    author: str
    summary: str
    content_html: str | None = None
    related: str | None = None  # the article as published, if it is a web URL
    categories: list[str] = field(default_factory=list)


@dataclass
class Feed:
    id: str
    title: str
    subtitle: str
    self_link: str
    alternate: str
    entries: Sequence[Entry]


def atom_document(feed: Feed) -> bytes:
    """``feed`` as an Atom 1.0 document (RFC 4287), UTF-8, with the XML declaration."""
    root = ET.Element("feed", xmlns=ATOM)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        child = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
        if text is not None:
            child.text = xml_text(text)
        return child

    add(root, "id", feed.id)
    add(root, "title", feed.title)
    add(root, "subtitle", feed.subtitle)
    newest = max((entry.updated for entry in feed.entries), default=None, key=rfc3339)
    add(root, "updated", rfc3339(newest))
    add(root, "link", rel="self", type="application/atom+xml", href=feed.self_link)
    add(root, "link", rel="alternate", type="text/html", href=feed.alternate)
    add(add(root, "author"), "name", "mediawatch")
    add(root, "generator", "mediawatch")
    for entry in feed.entries:
        item = add(root, "entry")
        add(item, "id", entry.id)
        add(item, "title", entry.title)
        add(item, "updated", rfc3339(entry.updated))
        add(item, "link", rel="alternate", type="text/html", href=entry.link)
        if entry.related:
            add(item, "link", rel="related", href=entry.related)
        add(add(item, "author"), "name", entry.author)
        for term in entry.categories:
            add(item, "category", term=term)
        add(item, "summary", entry.summary)
        if entry.content_html is not None:
            add(item, "content", entry.content_html, type="html")
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def atom_response(request: Request, feed: Feed) -> Response:
    """The feed, with an ETag; a 304 and no body when the reader already has this one
    (feed readers poll, and most send If-None-Match)."""
    document = atom_document(feed)
    etag = '"' + hashlib.sha256(document).hexdigest()[:32] + '"'
    headers = {"etag": etag, "cache-control": "no-cache"}
    asked = request.headers.get("if-none-match", "")
    if etag in (tag.strip().removeprefix("W/") for tag in asked.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(document, media_type=MEDIA_TYPE, headers=headers)


def source_feed_path(source: str | None, trivial: bool = False) -> str:
    """The path of the edits feed of ``source`` (None: of every source)."""
    path = f"/feeds/sources/{quote(source, safe='')}.atom" if source else "/feeds/edits.atom"
    return href(path, trivial=trivial)


def watch_feed_path(name: str) -> str:
    return f"/feeds/watch/{quote(name, safe='')}.atom"


def absolute(request: Request, path: str, **params: Any) -> str:
    """The app's own ``path`` as an absolute URL, from the address the request came to."""
    return str(request.base_url).rstrip("/") + href(path, **params)


# --- what an edit changed ----------------------------------------------------------------


def excerpt(ops: Sequence[worddiff.DiffOp], kind: str, limit: int = EXCERPT_CHARS) -> str:
    """The text of the ``kind`` ops ("insert" or "delete"), spaces squeezed, pieces joined
    with " … ", cut at about ``limit`` characters."""
    pieces = [" ".join(op.text.split()) for op in ops if op.op == kind]
    joined = " … ".join(piece for piece in pieces if piece)
    return joined if len(joined) <= limit else joined[:limit].rstrip() + " …"


@dataclass(frozen=True)
class EditSummary:
    counts: str  # e.g. "+7 −0 words; changed: text"
    inserted: str
    deleted: str

    def text(self) -> str:
        lines = [self.counts]
        lines += [f"Added: {self.inserted}"] if self.inserted else []
        lines += [f"Removed: {self.deleted}"] if self.deleted else []
        return "\n".join(lines)


def edit_summary(edit: dict[str, Any], older: Texts | None, newer: Texts | None) -> EditSummary:
    """What ``edit`` (a recent_edits row) changed: its word counts and changed fields, and
    short excerpts of the words added and removed (when both texts are at hand)."""
    counts = f"+{edit['words_added']} −{edit['words_removed']} words"
    if edit["changed"]:
        counts += "; changed: " + ", ".join(edit["changed"])
    if edit["change_kind"]:
        counts += f" ({edit['change_kind']})"
    if older is None or newer is None:
        return EditSummary(counts, "", "")
    ops = worddiff.word_diff(
        worddiff.article_document(older.title, older.text),
        worddiff.article_document(newer.title, newer.text),
    )
    return EditSummary(counts, excerpt(ops, "insert"), excerpt(ops, "delete"))


def edit_html(summary: EditSummary) -> str:
    """The summary as an HTML fragment; every archived word in it escaped."""
    parts = [f"<p>{html.escape(summary.counts)}</p>"]
    if summary.inserted:
        parts.append(f"<p>Added: <ins>{html.escape(summary.inserted)}</ins></p>")
    if summary.deleted:
        parts.append(f"<p>Removed: <del>{html.escape(summary.deleted)}</del></p>")
    return "".join(parts)


class SummaryCache:
    """The diff summaries of the edits served lately, by (URL, version, fetched_at).

    Diffing two long texts is what a feed costs (tens of milliseconds an edit), a stored
    version never changes, and readers poll the same 50 edits again and again: so each
    edit is diffed once while it stays in the feeds. Requests run in a thread pool, hence
    the lock."""

    def __init__(self, size: int = SUMMARIES_KEPT) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, int, str], EditSummary] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, str]) -> EditSummary | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, int, str], summary: EditSummary) -> None:
        with self._lock:
            self._items[key] = summary
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _summaries(
    session: Session, edits: Sequence[dict[str, Any]], cache: SummaryCache
) -> list[EditSummary]:
    """The summary of each edit: from the cache, or diffed from texts read in one query."""
    keys = [(e["url"], e["version"], e["fetched_at"]) for e in edits]
    known = {key: cache.get(key) for key in keys}
    missing = {
        (url, n) for (url, number, _), s in known.items() if s is None for n in (number - 1, number)
    }
    texts = feeds_queries.version_texts(session, missing)
    summaries = []
    for edit, key in zip(edits, keys, strict=True):
        summary = known[key]
        if summary is None:
            url, number, _ = key
            summary = edit_summary(edit, texts.get((url, number - 1)), texts.get((url, number)))
            cache.put(key, summary)
        summaries.append(summary)
    return summaries


def edit_entries(
    request: Request, session: Session, edits: Sequence[dict[str, Any]]
) -> list[Entry]:
    """One entry per edit, linking to its diff page, with what it changed."""
    cache: SummaryCache = request.app.state.edit_summaries
    entries = []
    for edit, summary in zip(edits, _summaries(session, edits, cache), strict=True):
        url, number = edit["url"], edit["version"]
        entries.append(
            Entry(
                id=tag_uri("edit", f"{url}?v={number}"),
                title=edit["title"] or "(no title)",
                link=absolute(request, "/diff", url=url, to=number),
                updated=edit["fetched_at"],
                author=edit["source"],
                summary=summary.text(),
                content_html=edit_html(summary),
                related=link_target(url),
                categories=[edit["source"]],
            )
        )
    return entries


# --- the feeds ---------------------------------------------------------------------------

Trivial = Annotated[bool, Query(description="Include minor edits (typo fixes).")]


@router.get("/edits.atom")
def edits_feed(request: Request, session: ArchiveSession, trivial: Trivial = False) -> Response:
    """The newest edits across the archive."""
    return _edits_feed(request, session, trivial, None)


@router.get("/sources/{name}.atom")
def source_feed(
    request: Request, session: ArchiveSession, name: str, trivial: Trivial = False
) -> Response:
    """The newest edits of one source; 404 for a source the archive does not know."""
    return _edits_feed(request, session, trivial, name)


def _edits_feed(request: Request, session: Session, trivial: bool, source: str | None) -> Response:
    edits, _ = queries.recent_edits(session, limit=ENTRIES, trivial=trivial, source=source)
    scope = f" of {source}" if source else ""
    # With typo fixes it is another feed (other entries), so it has an id of its own.
    parts = ["edits", *(["source", source] if source else []), *(["trivial"] if trivial else [])]
    return atom_response(
        request,
        Feed(
            id=tag_uri(*parts),
            title=f"mediawatch: recent edits{scope}",
            subtitle="Articles changed after publication, newest first"
            + ("" if trivial else "; typo fixes left out"),
            self_link=str(request.url),
            alternate=absolute(request, "/", source=source, trivial=trivial),
            entries=edit_entries(request, session, edits),
        ),
    )


@router.get("/watch/{name}.atom")
def watch_feed(request: Request, session: ArchiveSession, name: str) -> Response:
    """The newest matches of a configured watch; 404 for a watch not in the config."""
    watch = configured_watch(request, name)
    matches = feeds_queries.watch_match_rows(session, watch.name, limit=ENTRIES)
    return atom_response(
        request,
        Feed(
            id=tag_uri("watch", watch.name),
            title=f"mediawatch: watch {watch.name}",
            subtitle=f"New articles and edits matching {watch.query}",
            self_link=str(request.url),
            alternate=absolute(request, f"/watch/{quote(watch.name, safe='')}"),
            entries=[_match_entry(request, watch.name, match) for match in matches],
        ),
    )


def _match_entry(request: Request, watch: str, match: dict[str, Any]) -> Entry:
    url, number = match["url"], match["version"]
    is_new = match["kind"] == "new"
    link = (
        absolute(request, "/version", url=url, v=number)
        if is_new or number == 1
        else absolute(request, "/diff", url=url, to=number)
    )
    what = "New article" if is_new else f"Edited (v{number - 1} → v{number})"
    return Entry(
        id=tag_uri("watch", watch, f"{url}?v={number}"),
        title=match["title"] or "(no title)",
        link=link,
        updated=match["matched_at"],
        author=match["source"],
        summary=f"{what}: {match['snippet']}",
        related=link_target(url),
        categories=[match["source"], match["kind"]],
    )
