"""Article text that a page holds only in its structured data, not in its HTML.

Some news pages are rendered in the browser: their HTML body is a shell, and the article
is in data embedded in the page for the script that renders it. :func:`structured_paragraphs`
finds it there, as a list of paragraphs (``[]`` when there is no convincing body):

1. **JSON-LD** ``articleBody`` (``<script type="application/ld+json">``, also inside
   ``@graph``, lists and nested objects): the body the page declares. It wins unless it
   looks cut short (an ellipsis, a sentence that stops), as sites that show only a
   teaser to search engines write it; then the scripts' bodies compete with it.
2. **JSON in inline scripts**: ``application/json`` scripts (Next.js's
   ``__NEXT_DATA__``...) and JSON in scripts' code (``window.__INITIAL_STATE__ = {...}``,
   ``window["__RQ_..."].push({...})``, ``JSON.parse("...")``). Only the values under
   body-ish keys are decoded, found by the keys' endings with ``str.find``: a page's
   whole state can be megabytes, and decoding it all would cost ten times as much.
   Next.js's streamed payload (``self.__next_f.push([1,"..."])``) is put back together,
   so that a ``"contentHtml": "$24"`` reference reaches the text row it names.

In that data, every long string under a body-ish key (``articleBody``, ``body``,
``content``, ``contentHtml``, ``html``, ``text``, ``story``...) is a candidate, and so is
all the text of an object or list under such a key, gathered in order: bodies stored as
rich-text trees (``"body": [{"type": "p", "content": [{"text": "..."}]}, ...]``), or as a
list of blocks. Captions, credits, related articles, teasers and the like
(:data:`_SKIP_KEYS`) are not gathered. An HTML string becomes paragraphs as the main
extractor would see it (block elements and ``<br>`` break paragraphs; scripts, figures,
captions and credits are left out); plain text splits at blank lines (at line breaks when
it has none). A candidate counts when it reads as prose: long enough, mostly letters,
several sentences (a JSON-LD body may have none), not mostly URLs (those it prints are
left out of the rest of the test), not code, nor a text that begins as JSON or code. Of
those the one with the most letters wins, weighed by how many of the page's title and
description words it holds (a teaser, or a related article's body, is shorter or about
something else); a candidate from a script must hold 40 % of them at least, unless it
sits beside the page's own headline in the data (the article object holding both), when
it counts as holding them all and need not be written in sentences. When a candidate
with nearly as many letters is part of the winner, that tighter one is taken: the body
rather than the page state around it.

The page is hostile input: JSON is decoded, never run as JavaScript; scripts with a
``src`` are not read; how many scripts and how much of their text are read, how many
values are decoded, how far failed decodes go, how deep and how many values are walked
and how long an HTML string may be are all capped (:data:`_MAX_SCRIPTS` and the rest), so
that a 5 MB page costs some tens of milliseconds at most. Nothing here raises for what a
page holds, and the same tree always gives the same paragraphs.
"""

from __future__ import annotations

import functools
import html
import json
import re
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints
from lxml.html import HtmlElement, fragment_fromstring  # type: ignore[import-untyped]

__all__ = [
    "MIN_BODY_CHARS",
    "count_sentences",
    "holds_the_title",
    "json_ld_paragraphs",
    "script_paragraphs",
    "structured_paragraphs",
]

# A body is at least this long (its paragraphs' characters) and has this many sentences.
MIN_BODY_CHARS = 200
_MIN_SENTENCES = 3
# At most this share of its non-space characters are URLs' (more is a list of links),
# and at most this share are code's ({ } = ; < > | \ are rare in prose, CSS and JS are
# full of them); the URLs left out (a shopping list or a story citing its sources prints
# them), at least this share of the rest are letters.
_MAX_URL_SHARE = 0.5
_MIN_LETTER_SHARE = 0.6
_MAX_CODE_SHARE = 0.02
# A candidate from a script holds at least this share of the title's and description's
# words, when the page has any: long prose in a script that has nothing to do with the
# page is another article (a related one, a teaser) or a notice. Read from the scripts of
# the 439 corpus pages (whether their HTML has the text or not), the candidate chosen
# without this floor was another text or a fragment (token F1 under 0.5 against the
# article) in 10 of the 12 cases under 0.4, and the article (F1 0.8 or more) in 49 of
# the 55 at 0.4 or more.
_MIN_SCRIPT_OVERLAP = 0.4
# A candidate that is part of the best one and has this share of its score is taken
# instead: the article's body rather than the object around it.
_TIGHTER_SHARE = 0.85

# Bounds on the work done on one page, several times what any of the 439 corpus pages
# needs (at most 237 scripts, 851 KB of script text, 62 objects and lists decoded and
# 17,340 JSON values walked, failed decodes up to 29,728 characters in).
_MAX_SCRIPTS = 1_000  # looked at, in page order
_MAX_SCRIPT_CHARS = 2_000_000  # of one script
_MAX_READ_CHARS = 4_000_000  # of all scripts together
_MAX_DECODE_ATTEMPTS = 300  # JSON objects and lists decoded, and decodes failed
# A failed decode costs as many characters as lie before where it failed (its error
# message counts the lines up to there), so the characters of failed decodes are capped.
_MAX_FAILED_CHARS = 10_000_000
_MAX_DEPTH = 100  # of the JSON walked
_MAX_NODES = 50_000  # JSON values walked
_MAX_GATHERS = 8  # objects or lists whose text is gathered, on one value
_MAX_CANDIDATES = 32  # candidates turned into paragraphs (the longest)
_MAX_CONVERTED_CHARS = 1_000_000  # of those that are strings, together
_SAMPLE_CHARS = 5_000  # of a candidate, to tell prose
_MAX_WORD_LOOKS = 50  # places a title word is looked at in a candidate
_MAX_HTML_CHARS = 500_000  # of one candidate string
_MAX_LIST_ITEMS = 5_000  # of one list
_MAX_KEY_CHARS = 40
# A body beside the page's headline: the last "headline" or "title" this many characters
# before it at most, as long as this at least when it is a part of the page's title.
_HEADLINE_WINDOW = 2_000
_MIN_HEADLINE_CHARS = 15
_HEADLINE_KEY = re.compile(r'"(?:headline|title)"\s*:\s*("(?:[^"\\]|\\.){1,500}")')

# Keys (lower-cased, letters only) whose string value may be an article body.
# fmt: off
_BODY_KEYS = frozenset({
    "articlebody", "articlecontent", "articlehtml", "articletext", "body", "bodycontent",
    "bodyhtml", "bodytext", "content", "contentbody", "contenthtml", "contenttext",
    "fulltext", "html", "htmlbody", "htmlcontent", "maincontent", "richtext", "story",
    "storybody", "storyhtml", "storytext", "text",
})
# Keys whose object or list value may hold the body as blocks or a rich-text tree.
_BLOCK_KEYS = _BODY_KEYS | frozenset({
    "blocks", "bodyblocks", "components", "contentblocks", "contentelements", "elements",
    "paragraphs", "sprinkledbody",
})
# Keys of the strings gathered from such a tree.
_LEAF_KEYS = _BODY_KEYS | frozenset({"children", "value"})
# Keys of what is not the article's text, in its data or around it.
_SKIP_KEYS = frozenset({
    "ad", "ads", "advert", "advertisement", "author", "authors", "breadcrumb",
    "breadcrumbs", "byline", "caption", "captions", "comments", "credit", "credits",
    "footer", "gallery", "header", "image", "images", "media", "menu", "meta", "metadata",
    "nav", "navigation", "newsletter", "photo", "photos", "promo", "promos",
    "recommendations", "recommended", "related", "relatedarticles", "relatedcontent",
    "seo", "sidebar", "tags", "teaser", "teasers", "thumbnail", "video", "videos",
})
# fmt: on
_KEY_LETTERS = re.compile(r"[^a-z]")

# How the keys of :data:`_BLOCK_KEYS` end in JSON, with the closing quote and the colon
# (serialisers write no space before it), as they are spelled: camelCase, snake_case,
# lower case, "bodyHTML".
# fmt: off
_KEY_ENDINGS = (
    'ody":', 'ontent":', 'ext":', 'tml":', 'TML":', 'tory":', 'locks":', 'lements":',
    'onents":', 'aphs":',
)
# fmt: on
_JSON_PARSE = "JSON.parse("
_FLIGHT_PUSH = "__next_f.push([1,"
# A row of Next.js's streamed payload: "<hex id>:" then a text row "T<hex bytes>,<text>"
# or a JSON value (after a tag such as "I" or "HL") up to the line's end.
_FLIGHT_ROW = re.compile(rb"([0-9a-fA-F]{0,8}):")
_FLIGHT_TEXT = re.compile(rb"T([0-9a-fA-F]{1,8}),")
_FLIGHT_REFERENCE = re.compile(r"\$([0-9a-fA-F]{1,8})")
# A JsonML element: ["p", {attributes}, ...children].
_JSONML_TAG = re.compile(r"[a-z][a-z0-9]{0,9}")

_HTML_TAG = re.compile(r"<(?:p|br|div|h[1-6]|ul|ol|li|blockquote|section|span|strong|em|a)\b")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
# Placeholders a renderer replaces (an ad slot): "$$ARTICLEAD$$", "{{ad}}".
_PLACEHOLDER = re.compile(r"\$\$[A-Za-z0-9_]{1,40}\$\$|\{\{[^{}\n]{1,60}\}\}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Letters, with the vowel signs and other combining marks of Indic and Thai scripts
# (not letters to Python's re, and a third of the characters of Hindi prose).
_LETTERS = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f\u0900-\u0963\u0966-\u0dff\u0e00-\u0e7f])+")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[。！？।]|[.!?…](?=[\s\"'”’»)\]]|$)")  # । ends a Hindi sentence
_INLINE_MARKS = frozenset(",.;:!?)]»”’…")
_ENDS_SENTENCE = re.compile(r"[.!?。！？।\"'”’»)\]]\s*$")
_ELLIPSIS = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*$")
_URL = re.compile(r"(?:https?:)?//\S+|www\.\S+")
_CODE = re.compile(r"[{}=;<>|\\]")
# A text that begins as JSON or as a script's code is data, however much prose its
# strings hold (a JSON-LD block kept as a string, a page's state).
_DATA_START = re.compile(r'\s*(?:[\[{]\s*["\[{]|(?:var|let|const|window|self)\b)')
_WORD = re.compile(r"(?:\w|[\u0300-\u036f\u0900-\u0963\u0966-\u0dff\u0e00-\u0e7f])+")  # as _LETTERS
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Elements of an HTML body that are not its text.
# fmt: off
_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "figure", "figcaption", "picture",
    "img", "svg", "video", "audio", "button", "form", "object", "embed", "select",
    "textarea", "input", "aside", "nav",
)
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl",
    "dt", "dd", "blockquote", "pre", "section", "article", "header", "footer", "table",
    "thead", "tbody", "tr", "td", "th", "caption", "main", "address",
})
# fmt: on
# A class or id naming a caption or a credit ("caption", "image-credit", "photo_copyright").
_CAPTION_NAME = re.compile(r"(?:^|[\s_-])(?:caption|credit|copyright)s?(?:$|[\s_-])", re.I)


@dataclass
class _Budget:
    """What is left of the work one page may cost."""

    chars: int = _MAX_READ_CHARS
    attempts: int = _MAX_DECODE_ATTEMPTS
    failed_chars: int = _MAX_FAILED_CHARS
    nodes: int = _MAX_NODES


@dataclass
class _Choice:
    """A candidate body as paragraphs, and how much it looks like the article's."""

    paragraphs: list[str]
    score: float


# ---------------------------------------------------------------------------- public


def json_ld_paragraphs(
    tree: HtmlElement, *, title: str | None = None, description: str | None = None
) -> list[str]:
    """Paragraphs of the page's JSON-LD ``articleBody`` (the likeliest one if several),
    or [] when it has none that reads like an article."""
    bodies = _json_ld_bodies(tree, _Budget())
    choice = _choose(bodies, _reference(title, description), 0.0, declared=True)
    return choice.paragraphs if choice is not None else []


def structured_paragraphs(
    tree: HtmlElement, *, title: str | None = None, description: str | None = None
) -> list[str]:
    """Paragraphs of the article body the page holds in its structured data (JSON-LD
    first, then JSON in inline scripts), or [] when there is none that reads like an
    article. ``title`` and ``description`` (the page's) tell its own body from others."""
    budget = _Budget()
    reference = _reference(title, description)
    declared = _choose(_json_ld_bodies(tree, budget), reference, 0.0, declared=True)
    if declared is not None and not _looks_cut(declared.paragraphs):
        return declared.paragraphs
    floor = _MIN_SCRIPT_OVERLAP if reference else 0.0
    bodies, owned = _script_bodies(_inline_scripts(tree, budget), budget, title)
    found = _choose(bodies, reference, floor, owned=owned)
    if found is None or (declared is not None and declared.score >= found.score):
        found = declared
    return found.paragraphs if found is not None else []


def holds_the_title(
    paragraphs: list[str], *, title: str | None = None, description: str | None = None
) -> bool:
    """Whether a body holds as many of the title's and description's words as one from a
    script must to pass as the page's (:data:`_MIN_SCRIPT_OVERLAP`; True without them)."""
    reference = _reference(title, description)
    return not reference or _overlap(reference, "\n\n".join(paragraphs)) >= _MIN_SCRIPT_OVERLAP


def script_paragraphs(
    tree: HtmlElement, *, title: str | None = None, description: str | None = None
) -> list[str]:
    """Paragraphs of the article body the page holds in JSON in its inline scripts (its
    JSON-LD aside), or [] when there is none that reads like this page's article."""
    budget = _Budget()
    reference = _reference(title, description)
    floor = _MIN_SCRIPT_OVERLAP if reference else 0.0
    bodies, owned = _script_bodies(_inline_scripts(tree, budget), budget, title)
    found = _choose(bodies, reference, floor, owned=owned)
    return found.paragraphs if found is not None else []


# ---------------------------------------------------------------------------- reading


def _json_ld_bodies(tree: HtmlElement, budget: _Budget) -> list[str]:
    """Every ``articleBody`` in the page's JSON-LD (a list of strings joined)."""
    found: list[str] = []
    for number, script in enumerate(tree.iter("script")):
        if number >= _MAX_SCRIPTS:
            break
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        stack = [_loads(_read(script, budget), budget)]
        while stack and budget.nodes > 0:
            item = stack.pop()
            budget.nodes -= 1 + (len(item) if isinstance(item, dict | list) else 0)
            if isinstance(item, list):
                stack.extend(reversed(item[:_MAX_LIST_ITEMS]))
            elif isinstance(item, dict):
                body = item.get("articleBody")
                if isinstance(body, list):
                    body = "\n\n".join(part for part in body if isinstance(part, str))
                if isinstance(body, str) and len(body) >= MIN_BODY_CHARS:
                    found.append(body)
                stack.extend(v for v in reversed(item.values()) if isinstance(v, dict | list))
    return found


def _inline_scripts(tree: HtmlElement, budget: _Budget) -> Iterator[str]:
    """The text of each inline script that may hold data (JSON, or code with JSON in it)."""
    for number, script in enumerate(tree.iter("script")):
        if number >= _MAX_SCRIPTS:
            return
        if script.get("src") is not None:
            continue
        kind = (script.get("type") or "").strip().lower()
        if kind == "application/ld+json":
            continue
        if kind and "json" not in kind and "javascript" not in kind and kind != "module":
            continue  # templates (text/html, text/x-template), other languages
        text = _read(script, budget)
        if text:
            yield text


def _read(script: HtmlElement, budget: _Budget) -> str:
    """A script's text, up to what the budget leaves (a cut JSON value fails to decode);
    "" for one too short to hold a body (but not for a piece of Next.js's stream)."""
    text = script.text or ""
    limit = min(_MAX_SCRIPT_CHARS, budget.chars)
    if limit <= 0 or (len(text) < MIN_BODY_CHARS and _FLIGHT_PUSH not in text):
        return ""
    text = text[:limit]
    budget.chars -= len(text)
    return text


_DECODER = json.JSONDecoder(strict=False)  # raw control characters in strings are common


def _decode(text: str, start: int, budget: _Budget) -> tuple[Any, int] | None:
    """The JSON value at ``start`` in ``text`` and where it ends, or None."""
    if budget.attempts <= 0 or budget.failed_chars <= 0:
        return None
    budget.attempts -= 1
    try:
        value, end = _DECODER.raw_decode(text, start)
    except ValueError as error:
        budget.failed_chars -= getattr(error, "pos", start)
        return None
    except RecursionError:  # nested deeper than the interpreter's stack
        budget.failed_chars -= len(text)
        return None
    if isinstance(value, str):
        # Strings cost what they are long, and the search goes on after each: what
        # they cost together is bounded by the text read.
        budget.attempts += 1
    return value, end


def _loads(text: str, budget: _Budget) -> Any:
    """A whole JSON document, or None when it is not one."""
    if not text:
        return None
    decoded = _decode(text, len(text) - len(text.lstrip()), budget)
    if decoded is None or text[decoded[1] :].strip(" \t\r\n;"):
        return None
    return decoded[0]


def _script_bodies(
    scripts: Iterator[str], budget: _Budget, title: str | None
) -> tuple[list[_Candidate], set[_Candidate]]:
    """Candidate bodies in the JSON of inline scripts, Next.js's stream included, and
    those of them that sit beside the page's own headline (:func:`_beside_headline`)."""
    found: list[_Candidate] = []
    owned: set[_Candidate] = set()
    flight: list[str] = []
    wanted = _folded(title) if title else ""

    def read(document: str) -> None:
        for key, value, at in _keyed_values(document, budget):
            before = len(found)
            _walk(key, value, {}, found, budget)
            if len(found) > before and wanted and _beside_headline(document, at, wanted):
                owned.update(found[before:])

    for text in scripts:
        if "__next_f" in text:
            flight.extend(_strings_after(text, _FLIGHT_PUSH, budget))
        read(text)
        for document in _strings_after(text, _JSON_PARSE, budget):
            read(document)
    if flight:
        texts, rows = _flight_rows("".join(flight))
        for row in rows:
            for key, value, _ in _keyed_values(row, budget):
                _walk(key, value, texts, found, budget)
    return found, owned


def _beside_headline(text: str, at: int, title: str) -> bool:
    """Whether the last headline or title in the JSON before ``at`` (within
    :data:`_HEADLINE_WINDOW` characters) is the page's own ``title`` (folded), or the part
    of it that is not the site's name or a section: the body at ``at`` is then the one
    the page's article object holds, whatever words its title and description use."""
    window = text[max(0, at - _HEADLINE_WINDOW) : at]
    last = None
    for match in _HEADLINE_KEY.finditer(window):
        last = match
    if last is None:
        return False
    try:
        headline = _folded(json.loads(last.group(1)))
    except ValueError:
        return False
    return headline == title or (len(headline) >= _MIN_HEADLINE_CHARS and headline in title)


def _folded(text: str) -> str:
    """A headline as compared: compatibility forms ("…" is "..."), spaces and case folded."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _keyed_values(text: str, budget: _Budget) -> Iterator[tuple[str, Any, int]]:
    """The JSON values under body-ish keys in a script's text (JSON, or code holding
    some), in order, each decoded once: keys inside a decoded value are the walk's.

    Keys are found by the endings of the wanted ones (:data:`_KEY_ENDINGS`) with
    ``str.find``, which goes through a few megabytes in a millisecond or two: a regular
    expression for keys is ten times slower."""
    upcoming = [text.find(ending) for ending in _KEY_ENDINGS]
    position = 0
    while budget.attempts > 0 and budget.failed_chars > 0:
        for index, found in enumerate(upcoming):
            if 0 <= found < position:
                upcoming[index] = text.find(_KEY_ENDINGS[index], position)
        hits = [found for found in upcoming if found >= 0]
        if not hits:
            return
        hit = min(hits)
        index = upcoming.index(hit)
        colon = hit + len(_KEY_ENDINGS[index]) - 1
        position = colon + 1
        opening = text.rfind('"', max(0, hit - _MAX_KEY_CHARS), hit)
        if opening < 1 or text[opening - 1] == "\\":  # no key, or one in an escaped string
            continue
        key = _key(text[opening + 1 : colon - 1])
        start = colon + 1
        while start < len(text) and text[start] in " \t\r\n":
            start += 1
        if key not in _BLOCK_KEYS or text[start : start + 1] not in ('"', "[", "{"):
            continue
        decoded = _decode(text, start, budget)
        if decoded is not None:
            value, position = decoded
            yield key, value, opening


def _strings_after(text: str, marker: str, budget: _Budget) -> Iterator[str]:
    """The JSON strings that follow ``marker`` in a script's code."""
    position = text.find(marker)
    while position >= 0:
        start = position + len(marker)
        while start < len(text) and text[start] in " \t\r\n":
            start += 1
        decoded = _decode(text, start, budget) if text[start : start + 1] == '"' else None
        if decoded is not None and isinstance(decoded[0], str):
            yield decoded[0]
        position = text.find(marker, start)


def _flight_rows(stream: str) -> tuple[dict[str, str], list[str]]:
    """Next.js's streamed payload as its text rows (by id) and the text of its other rows."""
    data = stream.encode("utf-8", errors="replace")  # text rows count their length in bytes
    texts: dict[str, str] = {}
    rows: list[str] = []
    position = 0
    while position < len(data):
        line_end = data.find(b"\n", position)
        line_end = len(data) if line_end < 0 else line_end
        row = _FLIGHT_ROW.match(data, position, line_end)
        text_row = _FLIGHT_TEXT.match(data, row.end()) if row is not None else None
        if row is not None and text_row is not None:
            end = text_row.end() + int(text_row[1], 16)
            text = data[text_row.end() : end].decode("utf-8", errors="replace")
            texts[row[1].decode("ascii").lower()] = text
            position = end
            continue
        rows.append(data[position:line_end].decode("utf-8", errors="replace"))
        position = line_end + 1
    return texts, rows


_Candidate = str | tuple[str, ...]  # a string to read, or paragraphs gathered already


def _walk(
    key: str, value: Any, texts: dict[str, str], found: list[_Candidate], budget: _Budget
) -> None:
    """Add to ``found`` the long strings under body-ish keys in a decoded JSON value (found
    under ``key``), and the text of the objects and lists under such keys, gathered in
    one pass (``texts`` resolves Next.js's "$<id>" references)."""
    leaves: list[tuple[str, int]] = []  # strings inside such objects: (text, list number)
    spans: list[list[int]] = []  # [first leaf, end] of each such object
    open_spans = lists = 0
    stack: list[tuple[str, Any, int, int]] = [(key, value, 0, 0)]
    while stack and budget.nodes > 0:
        key, item, depth, in_list = stack.pop()
        budget.nodes -= 1
        if item is _END:
            spans[in_list][1] = len(leaves)
            open_spans -= 1
            continue
        if isinstance(item, str):
            item = _resolved(item, texts)
            if key in _BODY_KEYS and len(item) >= MIN_BODY_CHARS:
                found.append(item)
            if open_spans and key in _LEAF_KEYS and item.strip():
                leaves.append((item, in_list))
            continue
        if depth >= _MAX_DEPTH:
            continue
        if key in _BLOCK_KEYS:
            spans.append([len(leaves), -1])
            stack.append(("", _END, len(spans) - 1, 0))
            open_spans += 1
        children: list[tuple[str, Any, int, int]] = []
        budget.nodes -= len(item)
        if isinstance(item, dict):
            for name, child in item.items():
                if isinstance(child, str):
                    # Short strings outside a body are not even looked at, nor strings
                    # that are not text (a type, a URL) inside one.
                    if len(child) >= MIN_BODY_CHARS or (texts and child[:1] == "$"):
                        children.append((_key(name), child, depth + 1, in_list))
                    elif open_spans and (child_key := _key(name)) in _LEAF_KEYS:
                        children.append((child_key, child, depth + 1, in_list))
                elif isinstance(child, dict | list) and (child_key := _key(name)) not in _SKIP_KEYS:
                    children.append((child_key, child, depth + 1, in_list))
        elif isinstance(item, list):
            lists += 1
            items = item[:_MAX_LIST_ITEMS]
            if len(items) >= 2 and isinstance(items[1], dict) and _is_tag(items[0]):
                items = items[2:]  # a JsonML element: its tag and attributes are not text
            children = [
                ("text" if isinstance(child, str) else "", child, depth + 1, lists)
                for child in items
                if isinstance(child, str | dict | list)
            ]
        stack.extend(reversed(children))
    _add_gathered(leaves, spans, found)


_END = object()  # marks, on the walk's stack, where an object's subtree ends


def _add_gathered(
    leaves: list[tuple[str, int]], spans: list[list[int]], found: list[_Candidate]
) -> None:
    """Add the text of the largest spans of leaves, as paragraphs: consecutive strings
    make one paragraph while they read as runs of it (:func:`_continues`: the runs of a
    rich-text paragraph, a link's text in mid-sentence), and an HTML string is
    paragraphs of its own."""
    sizes = [0]
    for text, _ in leaves:
        sizes.append(sizes[-1] + len(text))
    for span in spans:
        if span[1] < 0:  # the walk stopped inside it
            span[1] = len(leaves)
    wanted = [span for span in spans if sizes[span[1]] - sizes[span[0]] >= MIN_BODY_CHARS]
    wanted.sort(key=lambda span: sizes[span[0]] - sizes[span[1]])  # the largest first
    converted: dict[int, list[str]] = {}
    for start, end in wanted[:_MAX_GATHERS]:
        paragraphs: list[str] = []
        run: list[str] = []
        run_list = -1
        for index in range(start, end):
            text, in_list = leaves[index]
            if _HTML_TAG.search(text):
                paragraphs.extend(_plain_paragraphs(run))
                run.clear()
                if index not in converted:
                    converted[index] = _to_paragraphs(text)
                paragraphs.extend(converted[index])
                continue
            if run and not _continues(run[-1], text, same_list=in_list == run_list):
                paragraphs.extend(_plain_paragraphs(run))
                run.clear()
            if run and not _joins(run[-1], text):
                run.append(" ")
            run.append(text)
            run_list = in_list
        paragraphs.extend(_plain_paragraphs(run))
        found.append(tuple(paragraphs))


def _continues(previous: str, following: str, *, same_list: bool) -> bool:
    """Whether a string goes on the paragraph of the one before it: a run of the same
    sentence (a space or a mark between them, a lower-case start), or a string of the
    same list that does not follow a sentence's end."""
    if _joins(previous, following) or following[:1].islower():
        return True
    return same_list and _ENDS_SENTENCE.search(previous) is None


def _joins(previous: str, following: str) -> bool:
    """Whether two runs of a sentence meet as they are (a space or a mark between them)."""
    return previous[-1:].isspace() or following[:1].isspace() or following[:1] in _INLINE_MARKS


def _is_tag(value: Any) -> bool:
    return isinstance(value, str) and _JSONML_TAG.fullmatch(value) is not None


def _key(key: Any) -> str:
    """A key as compared: lower-case letters only ("content_html" -> "contenthtml")."""
    if not isinstance(key, str) or len(key) > _MAX_KEY_CHARS:
        return ""
    return _normal_key(key)


@functools.lru_cache(maxsize=4096)  # pages repeat a few hundred keys many times over
def _normal_key(key: str) -> str:
    return _KEY_LETTERS.sub("", key.lower())


def _resolved(value: str, texts: dict[str, str]) -> str:
    """The text row a Next.js "$<id>" reference names, or the value itself."""
    reference = _FLIGHT_REFERENCE.fullmatch(value) if texts else None
    return texts.get(reference[1].lower(), "") if reference is not None else value


# ---------------------------------------------------------------------------- choosing


def _choose(
    candidates: Sequence[_Candidate],
    reference: frozenset[str],
    floor: float,
    *,
    declared: bool = False,
    owned: Collection[_Candidate] = (),
) -> _Choice | None:
    """The candidate that most looks like the article's body, or None. A ``declared``
    body (JSON-LD's ``articleBody``) need not be written in sentences: some sites write
    theirs as lines without a full stop. Nor need one ``owned`` by the page's article
    object (beside its headline), which holds the title's words however few it uses."""
    # The longest first; of equal length the first found.
    unique = sorted(dict.fromkeys(candidates), key=_size, reverse=True)[:_MAX_CANDIDATES]
    choices: list[_Choice] = []
    converted = 0
    for raw in unique:
        if isinstance(raw, tuple):
            paragraphs = list(raw)
        elif converted < _MAX_CONVERTED_CHARS:
            converted += min(len(raw), _MAX_HTML_CHARS)
            paragraphs = _to_paragraphs(raw)
        else:
            continue
        text = "\n\n".join(paragraphs)
        own = raw in owned
        letters = _prose_letters(text, sentences=0 if declared or own else _MIN_SENTENCES)
        if not letters:
            continue
        share = _overlap(reference, text) if reference and not own else 1.0
        if share >= floor:
            choices.append(_Choice(paragraphs, letters * (0.5 + 0.5 * share)))
    if not choices:
        return None
    best = max(choices, key=lambda choice: choice.score)  # the first of equal ones
    within = set(best.paragraphs)
    for choice in sorted(choices, key=lambda choice: choice.score):
        if choice.score < _TIGHTER_SHARE * best.score:
            continue
        size = sum(map(len, choice.paragraphs))
        if sum(len(p) for p in choice.paragraphs if p in within) >= 0.9 * size:
            return choice
    return best


def _size(candidate: _Candidate) -> int:
    return len(candidate) if isinstance(candidate, str) else sum(map(len, candidate))


def _prose_letters(text: str, *, sentences: int = _MIN_SENTENCES) -> float:
    """How many letters ``text`` has if it reads as an article's prose (long enough,
    mostly letters, ``sentences`` sentences at least, not mostly URLs, no code), else 0. Shares
    are measured on its start: a long text costs no more than a short one."""
    if len(text) < MIN_BODY_CHARS or _DATA_START.match(text):
        return 0.0
    sample = text[:_SAMPLE_CHARS]
    urls = sum(map(len, _URL.findall(sample)))
    prose = _URL.sub(" ", sample)
    visible = len(prose) - sum(map(len, _SPACE.findall(prose)))
    letters = sum(map(len, _LETTERS.findall(prose)))
    if (
        urls > _MAX_URL_SHARE * (visible + urls)
        or letters < _MIN_LETTER_SHARE * visible
        or len(_SENTENCE_END.findall(prose)) < sentences
        or len(_CODE.findall(sample)) > _MAX_CODE_SHARE * (visible + urls)
    ):
        return 0.0
    return letters * len(text) / len(sample)


def count_sentences(text: str) -> int:
    """How many sentences end in ``text`` (in the scripts of the corpus's languages)."""
    return len(_SENTENCE_END.findall(text))


def _looks_cut(paragraphs: list[str]) -> bool:
    """Whether a body stops short: with an ellipsis, or in mid-sentence."""
    last = paragraphs[-1] if paragraphs else ""
    return _ELLIPSIS.search(last) is not None or _ENDS_SENTENCE.search(last) is None


def _reference(title: str | None, description: str | None) -> frozenset[str]:
    """Words of the page's title and description, to look for in candidates: words of
    four or more characters in ASCII (fewer are mostly "the", "has", "and"), two or more
    in other scripts, and pairs of characters in Chinese and Japanese, which are written
    without spaces."""
    words: set[str] = set()
    for word in _WORD.findall(f"{title or ''} {description or ''}".casefold()):
        if _CJK.search(word):
            words.update(word[i : i + 2] for i in range(len(word) - 1))
        elif len(word) >= (4 if word.isascii() else 2) and not word.isdigit():
            words.add(word)
    return frozenset(words)


def _overlap(reference: frozenset[str], text: str) -> float:
    """The share of the reference's words that start a word of ``text`` (Korean and
    Finnish attach endings; Chinese and Japanese have no spaces to start words at)."""
    folded = text.casefold()
    found = sum(1 for word in reference if _starts_word(folded, word))
    return found / len(reference)


def _starts_word(text: str, word: str) -> bool:
    position = text.find(word)
    for _ in range(_MAX_WORD_LOOKS):
        if position < 0:
            return False
        if position == 0 or not text[position - 1].isalnum() or _CJK.match(word):
            return True
        position = text.find(word, position + 1)
    return False


# ---------------------------------------------------------------------------- paragraphs


def _to_paragraphs(raw: str) -> list[str]:
    """A candidate string as paragraphs: parsed as HTML when it is some, else as text."""
    raw = _PLACEHOLDER.sub(" ", _CONTROL.sub("", raw[:_MAX_HTML_CHARS]))
    if _HTML_TAG.search(raw):
        return _html_paragraphs(raw)
    return _text_paragraphs(html.unescape(raw))


def _plain_paragraphs(run: list[str]) -> list[str]:
    """The runs of one paragraph, as :func:`_to_paragraphs` reads plain text."""
    return _to_paragraphs("".join(run)) if run else []


def _text_paragraphs(text: str) -> list[str]:
    """Plain text split at blank lines, or at line breaks when it has no blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    paragraphs = []
    for block in blocks:
        lines = (" ".join(line.split()) for line in block.split("\n"))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


def _html_paragraphs(markup: str) -> list[str]:
    """An HTML body's text, one paragraph per block; what is not text is left out."""
    try:
        root = fragment_fromstring(markup, create_parent="div")
    except (etree.LxmlError, ValueError):
        return []
    for element in list(root.iter(*_DROP_TAGS)):
        element.drop_tree()
    for element in list(root.iter(etree.Element)):
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        if element is not root and _CAPTION_NAME.search(names):
            element.drop_tree()
    paragraphs: list[str] = []
    pieces: list[str] = []

    def flush() -> None:
        paragraph = " ".join("".join(pieces).split())
        if paragraph:
            paragraphs.append(paragraph)
        pieces.clear()

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag in _BLOCK_TAGS:
            flush()
        if event == "start":
            if tag and element.text:  # a comment's text is not the page's
                pieces.append(element.text)
        elif element is not root and element.tail:
            pieces.append(element.tail)
    flush()
    return paragraphs
