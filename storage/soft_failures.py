"""When a page that answered 200 is not a version of its article: walls and cut bodies.

A version must mean that the article changed (SPEC section 3). Some answers are not the
article at all, or not all of it, and storing them would make versions no editor made:

* ``blocked``: the page is a wall in front of the article (a consent or cookie wall, a
  bot check, a soft 404, a maintenance or rate-limit page, a login wall). The signals
  that hold up, any one of which is enough: the page says what such pages say
  (``crawler/walls.py``, read in the extraction worker) and shares little with the
  archived article; the same text came back for several addresses of the source in one
  crawl; or the text shares almost nothing with the archived article *and* is a fraction
  of its length.
* ``truncated``: the page holds the start of the archived article and stops: a paywall
  teaser (a call to subscribe right after the text, or structured data that says the
  article is not free), a body cut in transport (the page never reaches its
  ``</html>``, where the archived page did), or a text that breaks off mid-paragraph
  with an ellipsis. A real edit that deletes the last paragraphs is none of these, so it
  still makes a version.

Either way the fetch is recorded with its outcome and reason, the article keeps its
last version and status, and it is tried again with backoff (``storage/recheck.py``).

Pure functions over plain values; ``storage/archive.py`` calls :func:`judge`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from storage.diff import words

__all__ = ["REPEATED_TEXT_URLS", "Verdict", "cut_short", "judge", "shared_share"]

# A wall shares less than this share of its word pairs with the archived article; a real
# edit, even a big one, keeps most of them. Guards every phrase-based verdict against a
# real article that merely talks like a wall.
MAX_WALL_SHARE = 0.5
# Without any phrase: a text sharing less than this with the archived one...
MAX_UNRELATED_SHARE = 0.1
# ...and no longer than this share of it is not the article either.
MAX_UNRELATED_LENGTH = 0.25
# The same text for this many different addresses of one source in one crawl is a page
# the site serves instead of its articles.
REPEATED_TEXT_URLS = 5
# ...when that text is short, as such pages are; a long text at several addresses is one
# story published more than once, not a wall.
MAX_REPEATED_CHARS = 20_000
# A teaser or a cut body keeps at most this share of the archived article's words...
MAX_KEPT_SHARE = 0.9
# ...and with only structured data to say it is paywalled, at most this share.
MAX_KEPT_SHARE_NOT_FREE = 0.5
# Paragraphs a teaser may add after the text it keeps (the call to subscribe), and how
# long each may be.
MAX_EXTRA_PARAGRAPHS = 2
MAX_EXTRA_CHARS = 300
_ELLIPSES = ("…", "...", "[…]", "(…)")


@dataclass(frozen=True)
class Verdict:
    """What a fetch is instead of a version: ``"blocked"`` or ``"truncated"``, and why."""

    outcome: str
    reason: str


def shared_share(new: str, old: str) -> float:
    """Share of ``new``'s word pairs (bigrams, case-folded) that ``old`` holds too: 1.0
    for a text that is all in the old one, near 0 for an unrelated one. One-word texts
    compare their word."""
    new_words = [w.casefold() for w in words(new)]
    old_words = [w.casefold() for w in words(old)]
    if len(new_words) < 2:
        return 1.0 if set(new_words) <= set(old_words) else 0.0
    new_pairs = set(pairwise(new_words))
    old_pairs = set(pairwise(old_words))
    return len(new_pairs & old_pairs) / len(new_pairs)


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def _without_ellipsis(paragraph: str) -> tuple[str, bool]:
    for mark in _ELLIPSES:
        if paragraph.endswith(mark):
            return paragraph[: -len(mark)].rstrip(), True
    return paragraph, False


def cut_short(old: str, new: str) -> tuple[float, bool] | None:
    """How much of ``old`` a ``new`` text that is its beginning keeps: ``(share of old's
    words kept, whether it breaks off mid-paragraph with an ellipsis)``; None when
    ``new`` is not ``old`` cut short.

    ``new`` is ``old`` cut short when its paragraphs are old's first ones, the last of
    them possibly cut mid-paragraph, followed by at most :data:`MAX_EXTRA_PARAGRAPHS`
    short paragraphs of its own (a teaser's call to subscribe), and it lacks at least
    one of old's paragraphs or most of one.
    """
    old_paragraphs, new_paragraphs = _paragraphs(old), _paragraphs(new)
    kept = 0
    while (
        kept < len(new_paragraphs)
        and kept < len(old_paragraphs)
        and new_paragraphs[kept] == old_paragraphs[kept]
    ):
        kept += 1
    rest = new_paragraphs[kept:]
    kept_text = old_paragraphs[:kept]
    broken_off = False
    if rest and kept < len(old_paragraphs):
        start, ellipsis = _without_ellipsis(rest[0])
        if start and old_paragraphs[kept].startswith(start) and start != old_paragraphs[kept]:
            kept_text.append(start)
            broken_off = ellipsis
            rest = rest[1:]
    if not kept_text or len(rest) > MAX_EXTRA_PARAGRAPHS:
        return None
    if any(len(p) > MAX_EXTRA_CHARS for p in rest):
        return None
    old_words = len(words(old))
    share = len(words("\n\n".join(kept_text))) / old_words if old_words else 1.0
    if share >= 1.0:
        return None
    return share, broken_off


def judge(
    *,
    previous: str | None,
    text: str | None,
    signals: Mapping[str, Any] | None,
    repeats: int = 1,
    archived: Mapping[str, Any] | None = None,
) -> Verdict | None:
    """Whether a fetched page is not a version of its article, and why; None when it is.

    ``previous`` is the text of the article's current version (None for a new article),
    ``text`` the page's extracted text (None when extraction found none), ``signals``
    what the extraction worker saw (``crawler/reading.py``), ``repeats`` how many
    addresses of the source gave this same text in this crawl, ``archived`` what the
    archived version's page showed (``{"complete", "paywall", "not_free"}``; None when not
    known): a page that was a teaser already is not cut by its paywall now, and a page
    that never reached its ``</html>`` says nothing by not reaching it now.
    """
    signals = signals or {}
    share = shared_share(text, previous) if text and previous else None
    wall = signals.get("wall")
    if wall and (share is None or share < MAX_WALL_SHARE):
        return Verdict("blocked", str(wall.get("reason") or wall.get("kind")))
    if (
        text
        and repeats >= REPEATED_TEXT_URLS
        and len(text) <= MAX_REPEATED_CHARS
        and (share is None or share < MAX_WALL_SHARE)
    ):
        return Verdict(
            "blocked",
            f"the same text came back for {repeats} addresses of this source in one crawl"
            " (a page served instead of the articles)",
        )
    if previous and not text and signals.get("paywall"):
        return Verdict("truncated", f"paywall with no article text: {signals['paywall']}")
    if not (previous and text):
        return None
    assert share is not None
    if share < MAX_UNRELATED_SHARE and len(text) <= MAX_UNRELATED_LENGTH * len(previous):
        return Verdict(
            "blocked",
            f"the page shares almost nothing with the archived article ({share:.0%} of its"
            f" word pairs) and is {len(text) / len(previous):.0%} of its length",
        )
    cut = cut_short(previous, text)
    if cut is None:
        return None
    kept, broken_off = cut
    before = archived or {}
    size = f"it keeps {kept:.0%} of the archived text"
    if signals.get("paywall") and not before.get("paywall") and kept < MAX_KEPT_SHARE:
        return Verdict("truncated", f"paywall teaser: {signals['paywall']}; {size}")
    if signals.get("complete") is False and before.get("complete") and kept < MAX_KEPT_SHARE:
        return Verdict("truncated", f"body cut short: the page ends before </html>; {size}")
    if broken_off and kept < MAX_KEPT_SHARE:
        return Verdict("truncated", f"teaser: the text breaks off mid-paragraph; {size}")
    if signals.get("not_free") and not before.get("not_free") and kept <= MAX_KEPT_SHARE_NOT_FREE:
        return Verdict("truncated", f"paywall teaser: isAccessibleForFree is false; {size}")
    return None
