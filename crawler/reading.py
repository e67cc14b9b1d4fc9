"""What a fetched page says, read once in an extraction worker: its article, and whether
it is the article at all.

:func:`read_page` is what the crawl's process pool runs for every fetched page. It
decodes and parses the body once; :mod:`crawler.extract` takes the article from the
tree, and :mod:`crawler.walls` looks at the same tree for what tells a wall or a paywall
from the article. The result is a plain dict, to travel back from the worker:

    {"article": Extracted.to_dict() or None, "signals": {...}}

with these signals (each present, None when the page shows nothing of the kind):

* ``wall``: ``{"kind", "reason"}`` when the page is a consent or cookie wall, a bot
  check, a soft 404, a maintenance or rate-limit page or a login wall;
* ``paywall``: a call to subscribe where a teaser puts it (in or right after the
  article's last paragraphs), when the article is short enough to be a teaser
  (``MAX_TEASER_CHARS``) or there is none; ``paywall_page`` and ``calls``: whether the
  page shows one anywhere, and which; ``not_free``: its structured data says
  ``isAccessibleForFree: false``;
* ``visible``: the page's text as a reader sees it, and ``after``: what it shows right
  after the article;
* ``complete``: whether the body reaches its ``</body>`` or ``</html>``: a page cut in
  transport without a Content-Length to tell does not;
* ``canonical``: the page's ``<link rel=canonical>``, normalised as article URLs are
  (absent when it has none).

Deciding what the signals mean for the archive (a ``blocked`` or ``truncated`` fetch,
or a version) needs what was archived before, so ``storage/soft_failures.py`` does it.
"""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from crawler.extract import Extracted, ParsedPage, extract_parsed, parse_page
from crawler.structured import MIN_BODY_CHARS
from crawler.urls import normalise_url
from crawler.walls import Wall, detect_wall, not_free, paywall_calls, paywall_evidence
from storage.changes import INVISIBLE

__all__ = ["MAX_TEASER_CHARS", "html_complete", "read_page"]

LOGGER = logging.getLogger(__name__)

# An article this long is not looked at for paywall phrases: a teaser is the first few
# paragraphs, and reading a long page's whole text for them would cost every page.
MAX_TEASER_CHARS = 3000
# Walls are small pages; of a page without article text this much visible text is read.
_VISIBLE_CHARS = 40_000
# How far from the end of the body its closing tags are looked for: pages put scripts,
# tracking pixels and comments after them.
_TAIL_BYTES = 256 * 1024
# A call to subscribe counts when it comes within this much visible text after the
# article's last paragraph (found by its last characters).
_AFTER_TEXT_CHARS = 1500
_TAIL_MATCH_CHARS = 80
_INVISIBLE = ("script", "style", "noscript", "template")
_CLOSING_TAGS = (b"</html", b"</body")
# Soft hyphens and the like, which a reader does not see and the archived text (made
# canonical, storage/changes.py) does not hold: the page's text is compared with it.
_DROP_INVISIBLE = str.maketrans(dict.fromkeys(INVISIBLE))


def html_complete(body: bytes) -> bool:
    """Whether the page reaches its end: a ``</body>`` or ``</html>`` near its end and
    after its last paragraph (a stray ``<html></html>`` in a menu above the article does
    not make a page cut below it whole)."""
    tail = body[max(0, len(body) - _TAIL_BYTES) :].lower()
    last_paragraph = tail.rfind(b"</p>")
    return any(tail.find(tag, last_paragraph + 1) >= 0 for tag in _CLOSING_TAGS)


def read_page(body: bytes, url: str | None, declared_encoding: str | None) -> dict[str, Any]:
    """The article of a fetched page and the signals above; never raises for a bad page."""
    signals: dict[str, Any] = {"wall": None, "paywall": None, "complete": html_complete(body)}
    try:
        page = parse_page(body, declared_encoding)
        if page is None:
            return {"article": None, "signals": signals}
        title, headline = _title(page), _headline(page)
        article = extract_parsed(page, url=url)
        signals.update(_signals(page, article, title, headline))
    except Exception:
        # A parser bug on one page must not take the worker (and its queue) down.
        LOGGER.exception("extraction failed for %s", url)
        return {"article": None, "signals": signals}
    if article is not None and article.canonical_url:
        signals["canonical"] = normalise_url(article.canonical_url)
    return {"article": article.to_dict() if article else None, "signals": signals}


def _signals(
    page: ParsedPage, article: Extracted | None, title: str | None, headline: str | None
) -> dict[str, Any]:
    text = article.text if article is not None else ""
    short = article is None or len(text) <= MAX_TEASER_CHARS
    scripts = _json_ld(page) if short else ""  # before _visible_text takes the scripts out
    visible, removed = _visible_text(page)
    # A text too short to be an article's body (a headline over a login form, a caption)
    # says less of what the page is than what the page shows.
    seen = text if len(text) >= MIN_BODY_CHARS else f"{text} {visible} {removed}".strip()
    wall = detect_wall(title, headline, seen, article_chars=len(text))
    calls = paywall_calls(visible)
    return {
        "wall": _wall(wall),
        "paywall": _teaser_call(text, visible, removed, whole_window=short),
        # A call to subscribe anywhere on the page: a site that shows one beside every
        # article says nothing by showing it beside a shorter one (``calls``: each that
        # the page shows, so that a teaser's new box is told from the usual ones).
        "paywall_page": any(not usual for _, _, usual in calls),
        "calls": calls,
        "not_free": not_free(scripts),
        # The text is a body from the page's data, not what its HTML shows (a page
        # rendered in the browser): what the page shows of it says little of a cut.
        "from_data": page.from_data,
        # What the page shows, for the archive to see how much of an archived article it
        # still holds when extraction found something else on a teaser (a caption, a
        # login form), and what it shows right after the article (a site may print
        # "Sign in" below every story): storage/soft_failures.py.
        "visible": visible,
        "after": _after_text(text, visible),
    }


def _after_text(text: str, visible: str) -> str:
    """What the page shows in the first :data:`_AFTER_TEXT_CHARS` after the article."""
    if not text:
        return ""
    last = " ".join(text.rsplit("\n\n", 1)[-1].split())[-_TAIL_MATCH_CHARS:]
    end = visible.rfind(last)
    return visible[end + len(last) : end + len(last) + _AFTER_TEXT_CHARS] if end >= 0 else ""


def _wall(wall: Wall | None) -> dict[str, str] | None:
    return {"kind": wall.kind, "reason": wall.reason()} if wall is not None else None


def _teaser_call(text: str, visible: str, removed: str, *, whole_window: bool) -> str | None:
    """A call to subscribe where a paywall teaser puts it: in the article's last
    paragraphs, in a box extraction took out as boilerplate, or on the page a little way
    past the article's last paragraph (and, for a short article, anywhere after its
    first: not a header's "Already a subscriber?" above it)."""
    if not text:
        return paywall_evidence(visible, nearby=True) or paywall_evidence(removed)
    paragraphs = text.split("\n\n")
    found = paywall_evidence("\n".join(paragraphs[-2:]), nearby=True)
    if found is not None:
        return found
    found = paywall_evidence(removed)
    if found is not None:
        return found
    last = " ".join(paragraphs[-1].split())[-_TAIL_MATCH_CHARS:]
    end = visible.rfind(last)
    if end < 0:
        return None
    start = end
    if whole_window:
        first = visible.find(" ".join(paragraphs[0].split())[:_TAIL_MATCH_CHARS])
        start = first if 0 <= first < end else end
    return paywall_evidence(visible[start : end + len(last) + _AFTER_TEXT_CHARS], nearby=True)


def _title(page: ParsedPage) -> str | None:
    for element in page.tree.iter("title"):
        text = " ".join((element.text_content() or "").split())
        if text:
            return text
    return None


def _headline(page: ParsedPage) -> str | None:
    for element in page.tree.iter("h1"):
        text = " ".join(element.text_content().split())
        if text:
            return text
    return None


def _visible_text(page: ParsedPage) -> tuple[str, str]:
    """What a reader sees of the page: its body's text without scripts, and apart, the
    text of the boilerplate blocks extraction took out of it (a wall's buttons and
    boxes are there; where they stood is not known any more)."""
    body = next(page.tree.iter("body"), page.tree)
    # The tree is this worker's own and extraction is done with it.
    etree.strip_elements(body, *_INVISIBLE, with_tail=False)
    visible = " ".join(body.text_content().translate(_DROP_INVISIBLE).split())[:_VISIBLE_CHARS]
    removed = " ".join(" ".join(r.text for r in page.removed).split())[:_VISIBLE_CHARS]
    return visible, removed


def _json_ld(page: ParsedPage) -> str:
    scripts = (
        script.text or ""
        for script in page.tree.iter("script")
        if (script.get("type") or "").strip().lower() == "application/ld+json"
    )
    return "\n".join(scripts)
