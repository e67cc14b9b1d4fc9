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
  still makes a version. On a cut page extraction may keep something else than the
  article's start (another block, a JSON-LD body, what a teaser left of the article
  below its box), so the page's own text is read too: one that ends in the middle of
  the archived text, or shows its start and then a call to subscribe that the archived
  page did not show. A body from the page's data that holds the archived article
  (edited, at most), where the archived text came from the page's data too, is the
  article, whatever the page shows of it (a client-rendered page shows a teaser of the
  body its data holds).

Either way the fetch is recorded with its outcome and reason, the article keeps its
last version and status, and it is tried again with backoff (``storage/recheck.py``).

Pure functions over plain values; ``storage/archive.py`` calls :func:`judge`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from itertools import accumulate, pairwise
from typing import Any

from storage.diff import word_spans, words

__all__ = [
    "REPEATED_TEXT_URLS",
    "Verdict",
    "cut_in_page",
    "cut_short",
    "judge",
    "page_record",
    "shared_share",
]

# A wall shares less than this share of its word pairs with the archived article; a real
# edit, even a big one, keeps most of them. Guards every phrase-based verdict against a
# real article that merely talks like a wall.
MAX_WALL_SHARE = 0.5
# ...unless the text is too short to be an article's body at all (the headline a login
# form shows), when sharing the headline's words says nothing.
MIN_ARTICLE_CHARS = 200
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
# How much of a paragraph a page must show to have begun it (and broken off).
MIN_BEGUN_CHARS = 40
MIN_BEGUN_WORDS = 6
# Without a call to subscribe that says the text stops, a page that shows at most this
# share of the archived article is a teaser only with one of these words within
# TEASER_WINDOW_CHARS after what it shows (a teaser's box, in the corpus languages).
MAX_KEPT_SHARE_HINTED = 0.5
TEASER_WINDOW_CHARS = 1500
# fmt: off
TEASER_HINTS = (
    "subscri", "abonn", " abo ", "abo-", "-abo", "suscri", "assin", "abbon", "prenumer",
    "log in", "login", "sign in", "sign up", "register", "registr", "member", "premium",
    "unlock", "continue reading", "keep reading", "weiterlesen", "lire la suite",
    "seguir leyendo", "continua a leggere", "continuar lendo", "lees verder", "läs vidare",
    "les videre", "læs videre", "czytaj dalej", "číst dál", "anmelden", "connexion",
    "iniciar sesión", "accedi", "entrar",
)
# fmt: on
# Paragraphs a teaser may add after the text it keeps (the call to subscribe), and how
# long each may be.
MAX_EXTRA_PARAGRAPHS = 3
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
    """How much of ``old`` a ``new`` text that is it cut short keeps: ``(share of old's
    words kept, whether it breaks off mid-paragraph with an ellipsis)``; None when
    ``new`` is not ``old`` cut short.

    ``new`` is ``old`` cut short when it is old's first paragraphs (the last of them
    possibly cut mid-paragraph), then at most :data:`MAX_EXTRA_PARAGRAPHS` short
    paragraphs of its own (a teaser's call to subscribe), then old's last paragraphs, if
    any (what the page prints after every article, which extraction may keep: a comments
    link, a copyright line); and it lacks at least one of old's paragraphs or most of one.
    """
    old_paragraphs, new_paragraphs = _paragraphs(old), _paragraphs(new)
    kept = 0
    while (
        kept < len(new_paragraphs)
        and kept < len(old_paragraphs)
        and new_paragraphs[kept] == old_paragraphs[kept]
    ):
        kept += 1
    # The same last paragraphs, after the gap (never reaching into the kept start).
    tail = 0
    while (
        tail < len(new_paragraphs) - kept
        and tail < len(old_paragraphs) - kept - 1
        and new_paragraphs[-1 - tail] == old_paragraphs[-1 - tail]
    ):
        tail += 1
    rest = new_paragraphs[kept : len(new_paragraphs) - tail]
    kept_text = old_paragraphs[:kept] + old_paragraphs[len(old_paragraphs) - tail :]
    broken_off = False
    begins = kept > 0  # with the article's beginning
    if rest and kept < len(old_paragraphs):
        start, ellipsis = _without_ellipsis(rest[0])
        if start and old_paragraphs[kept].startswith(start) and start != old_paragraphs[kept]:
            kept_text.append(start)
            broken_off = ellipsis
            begins = True
            rest = rest[1:]
    if not begins:
        return None
    if len(rest) > MAX_EXTRA_PARAGRAPHS or any(len(p) > MAX_EXTRA_CHARS for p in rest):
        return None
    old_words = len(words(old))
    share = len(words("\n\n".join(kept_text))) / old_words if old_words else 1.0
    if share >= 1.0:
        return None
    return share, broken_off


def _same_start(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` start with alike."""
    same = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        same += 1
    return same


def _plain(text: str) -> str:
    """A text's words alone, case-folded: what a paragraph and the page it is on share,
    whatever the markup made of its lists and tables ("- item", "| cell |")."""
    return " ".join(word.casefold() for word in words(text))


def cut_in_page(old: str, visible: str) -> tuple[float, bool] | None:
    """:func:`cut_short` read off what the page shows (``visible``: its text) rather than
    off what extraction kept of it, which on a teaser may be something else (a caption,
    a login form): the page shows old's first paragraphs (the last of them perhaps only
    begun) and none of the rest. Paragraphs of fewer than :data:`MIN_BEGUN_WORDS` words
    (a caption, "Comments") prove nothing either way: such words are found anywhere.
    None when the page shows all of old or nothing of its beginning."""
    paragraphs = [_plain(p) for p in _paragraphs(old)]
    page = _plain(visible)
    long = [len(p.split()) >= MIN_BEGUN_WORDS for p in paragraphs]
    shown = [not is_long or p in page for p, is_long in zip(paragraphs, long, strict=True)]
    kept = 0
    while kept < len(paragraphs) and shown[kept]:
        kept += 1
    if kept == len(paragraphs):
        return None
    kept_text = paragraphs[:kept]
    start = " ".join(paragraphs[kept].split()[:MIN_BEGUN_WORDS])
    end = " ".join(paragraphs[kept].split()[-MIN_BEGUN_WORDS:])
    at = page.find(start)
    if at >= 0 and page.find(end, at) >= 0:
        return None  # its end follows its start: edited within, not cut
    if at >= 0:
        kept_text.append(start)
    if not any(long[: len(kept_text)]):
        return None
    if any(
        is_long and p in page
        for p, is_long in zip(paragraphs[kept + 1 :], long[kept + 1 :], strict=True)
    ):
        return None
    old_words = len(words(old))
    share = len(" ".join(kept_text).split()) / old_words if old_words else 1.0
    broken_off = at >= 0 and _breaks_off(_paragraphs(old)[kept], visible)
    return (share, broken_off) if share < 1.0 else None


def _breaks_off(paragraph: str, visible: str) -> bool:
    """Whether the page shows the start of ``paragraph`` and an ellipsis right where it
    stops following it, as a teaser that breaks off mid-sentence does."""
    page = " ".join(visible.split())
    at = page.find(paragraph[:MIN_BEGUN_CHARS])
    if at < 0:
        return False
    same = _same_start(page[at : at + len(paragraph)], paragraph)
    return page[at + same : at + same + 5].lstrip().startswith(_ELLIPSES)


@dataclass(frozen=True)
class _Page:
    """A page's text (whitespace made single spaces) and its words, case-folded: where
    each is in the text (``spans``) and where each starts in ``plain``, the words joined
    by spaces (what :func:`_plain` makes of a paragraph, to be found in it)."""

    text: str
    words: list[str]
    spans: list[tuple[int, int]]
    starts: list[int]
    plain: str

    @classmethod
    def of(cls, visible: str) -> _Page:
        text = " ".join(visible.split())
        spans = word_spans(text)
        page_words = [text[start:end].casefold() for start, end in spans]
        starts, at = [], 0
        for word in page_words:
            starts.append(at)
            at += len(word) + 1
        return cls(text, page_words, spans, starts, " ".join(page_words))

    def plain_before(self, offset: int) -> str:
        """``plain`` up to the words that end by ``offset`` of the text."""
        count = bisect_right([end for _, end in self.spans], offset)
        return self.plain[: self.starts[count - 1] + len(self.words[count - 1])] if count else ""

    def text_offset(self, plain_end: int) -> int:
        """Where in the text the word that ends at ``plain_end`` of ``plain`` ends."""
        return self.spans[bisect_right(self.starts, plain_end - 1) - 1][1]


def _shown_start(old: str, page: _Page, until: int) -> tuple[float, int] | None:
    """How much of ``old`` the page shows from its start before offset ``until`` of its
    text, and where that part ends there: ``(share of old's words, offset)``.

    Read as :func:`cut_in_page` reads it, old's paragraphs in turn up to the first the
    page does not show there (and the words of that one it shows right after the one
    before), but whatever of old the page shows further on: a teaser may leave a subhead,
    a list or a caption of the article below its box, and some pages carry the whole
    text in a hidden block too. None when the page shows none of old's beginning there,
    or all of old."""
    plain = page.plain_before(until)
    total = max(len(words(old)), 1)
    seen, end = 0, -1  # end: where in `plain` the part shown so far ends
    for paragraph in _paragraphs(old):
        wanted = _plain(paragraph)
        if len(wanted.split()) < MIN_BEGUN_WORDS:
            seen += len(wanted.split())  # proves nothing either way (see cut_in_page)
            continue
        # Further on first: a page may show a paragraph twice (a summary at the top).
        at = plain.find(wanted, max(end, 0))
        if at < 0:
            at = plain.find(wanted)
        if at < 0:
            begun = _begun(wanted.split(), page, plain, end)
            if begun is not None:
                seen += begun[0]
                end = begun[1]
            elif end < 0:
                # Nothing shown yet: the extractor may have put first a block the page
                # shows after the article (a promotion), which a teaser leaves out.
                continue
            break
        seen += len(wanted.split())
        end = at + len(wanted)
    else:
        return None  # every paragraph is there (or none)
    if end < 0:
        return None
    return min(seen / total, 1.0), page.text_offset(end)


def _same_word(shown: str, wanted: str, *, first: bool) -> bool:
    """Whether a word of the page is the paragraph's word; its first may be glued to
    what the page shows before it ("SaveFriday": a button and the text, no space)."""
    return shown.endswith(wanted) if first else shown == wanted


def _broken_off_before(old: str, page: _Page, until: int) -> float | None:
    """The share of ``old`` the page keeps when, right before offset ``until`` of its text
    (within :data:`MAX_EXTRA_CHARS`), it breaks one of old's paragraphs off with an
    ellipsis: the words before the ellipsis are that paragraph's first words (at least
    two: a teaser may keep only a few words of a short first paragraph, too few for
    :func:`_shown_start` to tell). None without such a break."""
    before = page.text[:until]
    mark = max(((before.rfind(m), m) for m in _ELLIPSES), key=lambda found: found[0])
    if mark[0] < 0 or until - mark[0] - len(mark[1]) > MAX_EXTRA_CHARS:
        return None
    shown = page.plain_before(mark[0]).split()
    total, seen = max(len(words(old)), 1), 0
    for paragraph in map(_plain, _paragraphs(old)):
        wanted = paragraph.split()
        for count in range(min(len(wanted) - 1, len(shown)), 1, -1):
            if shown[1 - count :] == wanted[1:count] and _same_word(
                shown[-count], wanted[0], first=True
            ):
                return (seen + count) / total
        seen += len(wanted)
    return None


def _shows_no_paragraph(old: str, page: _Page) -> bool:
    """Whether the page shows none of ``old``'s paragraphs long enough to tell (and old
    has one)."""
    long = [p for p in map(_plain, _paragraphs(old)) if len(p.split()) >= MIN_BEGUN_WORDS]
    return bool(long) and not any(p in page.plain for p in long)


def _begun(paragraph: list[str], page: _Page, plain: str, after: int) -> tuple[int, int] | None:
    """How many of a paragraph's words (plain) ``plain`` shows from its start soon after
    its offset ``after`` (anywhere when nothing was shown before), and where they end
    there; None when fewer than :data:`MIN_BEGUN_WORDS`. Only soon after: a page may
    link to the story with its opening words further down."""
    start = " ".join(paragraph[:MIN_BEGUN_WORDS])
    if after < 0:
        at = plain.find(start)
    else:
        at = plain.find(start, after, after + TEASER_WINDOW_CHARS + len(start))
    if at < 0:
        return None
    first = bisect_right(page.starts, at) - 1
    same = 0
    while (
        same < len(paragraph)
        and first + same < len(page.words)
        and page.starts[first + same] < len(plain)
        and _same_word(page.words[first + same], paragraph[same], first=same == 0)
    ):
        same += 1
    if same < MIN_BEGUN_WORDS:
        return None
    last = first + same - 1
    return same, page.starts[last] + len(page.words[last])


def ends_inside(old: str, visible: str) -> tuple[float, bool] | None:
    """Where a page whose text stops in the middle of ``old``'s stops: ``(share of old's
    words it shows, whether it stops inside one of old's paragraphs)``. Its last words
    are words of old that old goes on after (the very last perhaps only the start of
    one: a cut may break a word): a body cut in transport stops there, a whole page ends
    with its footer. None when the page does not end inside old."""
    tail = [w.casefold() for w in words(visible)[-MIN_BEGUN_WORDS:]]
    if len(tail) < MIN_BEGUN_WORDS:
        return None
    paragraphs = [[w.casefold() for w in words(p)] for p in _paragraphs(old)]
    old_words = [w for paragraph in paragraphs for w in paragraph]
    plain = " ".join(old_words)
    # The last word may be the start of old's word only: the cut may fall inside it.
    at = f" {plain}".find(f" {' '.join(tail)}")
    if at < 0:
        return None
    kept = plain[:at].count(" ") + len(tail) - 1
    if old_words[kept] == tail[-1]:
        kept += 1  # the last word is whole
    if kept >= len(old_words):
        return None
    ends = set(accumulate(len(paragraph) for paragraph in paragraphs))
    return kept / len(old_words), kept not in ends


def hints_in(text: str) -> list[str]:
    """The :data:`TEASER_HINTS` in ``text``."""
    lowered = " ".join(text.split()).lower()
    return [hint for hint in TEASER_HINTS if hint in lowered]


def teaser_hint(old: str, visible: str, kept: float, usual: Collection[str] = ()) -> str | None:
    """A word of a call to subscribe or to log in ("subscribe", "Abo", "log in",
    "continue reading") on the page within a little way after the part of ``old`` it
    still shows (the first ``kept`` share of it): where a teaser's box is, whatever it
    says exactly. ``usual``: the words the archived page had after the whole article (a
    site's own "Sign in" below every story), which prove nothing. None without one."""
    page = " ".join(visible.split()).lower()
    end, seen, total = 0, 0, max(len(words(old)), 1)
    for paragraph in _paragraphs(old):
        found = page.find(paragraph[:MIN_BEGUN_CHARS].lower())
        if found < 0 or seen / total >= kept:
            break
        end = found + len(paragraph)
        seen += len(words(paragraph))
    window = page[end : end + TEASER_WINDOW_CHARS]
    return next((h for h in TEASER_HINTS if h in window and h not in usual), None)


def page_record(signals: Mapping[str, Any]) -> dict[str, Any]:
    """What a version keeps of what its page showed, for :func:`judge` to read as
    ``archived`` when a later page is shorter: whether it reached its ``</html>``, showed
    a call to subscribe after the text (``paywall``) or anywhere (``paywall_page``; which
    ones: ``calls``), said it was not free, which :data:`TEASER_HINTS` it had right
    after the article, and whether its text was a body from its data (``from_data``)."""
    record = {
        "complete": bool(signals.get("complete", True)),
        "paywall": bool(signals.get("paywall")),
        "paywall_page": bool(signals.get("paywall_page")),
        "not_free": bool(signals.get("not_free")),
        "hints": hints_in(str(signals.get("after") or "")),
        "from_data": bool(signals.get("from_data")),
    }
    if "calls" in signals:
        record["calls"] = sorted({str(call[0]) for call in signals["calls"]})
    return record


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
    shares: list[float] = []

    def share() -> float:
        """How much of the text the archived one holds (read once, only when asked:
        most pages are told without it)."""
        if not shares:
            shares.append(shared_share(text, previous) if text and previous else 0.0)
        return shares[0]

    wall = signals.get("wall")
    if wall and (
        not (text and previous) or len(text) < MIN_ARTICLE_CHARS or share() < MAX_WALL_SHARE
    ):
        return Verdict("blocked", str(wall.get("reason") or wall.get("kind")))
    if (
        text
        and repeats >= REPEATED_TEXT_URLS
        and len(text) <= MAX_REPEATED_CHARS
        and (not previous or share() < MAX_WALL_SHARE)
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
    if len(text) >= len(previous) and not signals.get("visible"):
        return None  # neither a fraction of the article nor its beginning
    if (
        signals.get("from_data")
        and (archived or {}).get("from_data")
        and shared_share(previous, text) > MAX_KEPT_SHARE
    ):
        # The page's data held the archived article's body and holds it still (edited,
        # at most), whatever the page shows: a client-rendered page shows a teaser of
        # it. A body from data where the archived text was the HTML's is not trusted so:
        # a teaser's JSON-LD body differs from the archived article in its details.
        return None
    cut = _cut_verdict(previous, text, signals, archived or {})
    if cut is not None:
        return cut
    if len(text) <= MAX_UNRELATED_LENGTH * len(previous) and share() < MAX_UNRELATED_SHARE:
        return Verdict(
            "blocked",
            f"the page shares almost nothing with the archived article ({share():.0%} of its"
            f" word pairs) and is {len(text) / len(previous):.0%} of its length",
        )
    return None


def _cut_verdict(
    previous: str, text: str, signals: Mapping[str, Any], before: Mapping[str, Any]
) -> Verdict | None:
    """``truncated`` when the page holds the archived article's beginning only, and
    something says it was cut (see the module docstring)."""
    visible = str(signals.get("visible") or "")
    cut = cut_short(previous, text)
    if cut is None and visible:
        cut = cut_in_page(previous, visible)
    if cut is not None:
        verdict = _cut_shape_verdict(previous, cut, signals, before)
        if verdict is not None:
            return verdict
    return _cut_page_verdict(previous, visible, signals, before) if visible else None


def _cut_shape_verdict(
    previous: str,
    cut: tuple[float, bool],
    signals: Mapping[str, Any],
    before: Mapping[str, Any],
) -> Verdict | None:
    """For a text or a page that is the archived article's beginning and nothing more of
    it: whether anything says it was cut."""
    kept, broken_off = cut
    size = f"it keeps {kept:.0%} of the archived text"
    if signals.get("paywall") and not _usual_calls(signals, before) and kept < MAX_KEPT_SHARE:
        return Verdict("truncated", f"paywall teaser: {signals['paywall']}; {size}")
    if signals.get("complete") is False and before.get("complete") and kept < MAX_KEPT_SHARE:
        return Verdict("truncated", f"body cut short: the page ends before </html>; {size}")
    if broken_off and kept < MAX_KEPT_SHARE:
        return Verdict("truncated", f"teaser: the text breaks off mid-paragraph; {size}")
    if signals.get("not_free") and not before.get("not_free") and kept <= MAX_KEPT_SHARE_NOT_FREE:
        return Verdict("truncated", f"paywall teaser: isAccessibleForFree is false; {size}")
    visible = signals.get("visible")
    if visible and kept <= MAX_KEPT_SHARE_HINTED:
        hint = teaser_hint(previous, str(visible), kept, before.get("hints", ()))
        if hint is not None:
            return Verdict("truncated", f"teaser: the page says {hint.strip()!r} after it; {size}")
    return None


def _cut_page_verdict(
    previous: str, visible: str, signals: Mapping[str, Any], before: Mapping[str, Any]
) -> Verdict | None:
    """Read off the page alone, whatever extraction made of it (on a cut page it may
    take another block, a JSON-LD body, or the article with what a teaser left of it
    below the box): a page that ends inside the archived text where the archived page
    reached its ``</html>``, or that stops showing it where a call to subscribe stands
    that the archived page did not show."""
    if signals.get("complete") is False:
        inside = ends_inside(previous, visible)
        # Where the archived page never reached its </html> either, only a stop within a
        # paragraph tells a cut from an edit that deleted the paragraphs after it.
        if inside is not None and (before.get("complete") or inside[1]):
            return Verdict(
                "truncated",
                "body cut short: the page ends before </html>, in the middle of the archived"
                f" text; it keeps {inside[0]:.0%} of it",
            )
    page: _Page | None = None
    for phrase, at, nearby in signals.get("calls") or ():
        if _usual(str(phrase), before):
            continue
        page = page or _Page.of(visible)
        if not nearby and _shows_no_paragraph(previous, page):
            return Verdict(
                "truncated",
                f"paywall: the page says {phrase!r} and shows none of the archived text's"
                " paragraphs",
            )
        broken = _broken_off_before(previous, page, int(at))
        if broken is not None and broken < MAX_KEPT_SHARE:
            return Verdict(
                "truncated",
                f"paywall teaser: the page breaks the archived text off with an ellipsis and"
                f" says {phrase!r}; it keeps {broken:.0%} of it",
            )
        # What the page shows of the article before the call, wherever the rest is.
        shown = _shown_start(previous, page, int(at))
        if shown is None or int(at) - shown[1] > TEASER_WINDOW_CHARS:
            continue
        # A call that sites also show beside full articles ("Start your free trial")
        # counts only where the page stops showing the article, not between its
        # paragraphs, as a promotion may stand, and like the calls in the text, only
        # before most of the article. One that says the text stops here ("This article
        # is for subscribers only") is believed wherever it stops it.
        if nearby and (
            shown[0] >= MAX_KEPT_SHARE or _shown_start(previous, page, len(page.text)) != shown
        ):
            continue
        return Verdict(
            "truncated",
            f"paywall teaser: the page says {phrase!r} where the archived text stops;"
            f" it keeps {shown[0]:.0%} of it",
        )
    return None


def _usual(phrase: str, before: Mapping[str, Any]) -> bool:
    """Whether the archived page showed this call to subscribe too, so that it proves
    nothing (a record from before calls were kept: whether it showed any)."""
    if "calls" in before:
        return phrase in before["calls"]
    return bool(before.get("paywall") or before.get("paywall_page"))


def _usual_calls(signals: Mapping[str, Any], before: Mapping[str, Any]) -> bool:
    """Whether every call to subscribe the page shows, the archived page showed too."""
    calls = [str(call[0]) for call in signals.get("calls") or ()]
    if "calls" in before and calls:
        return all(_usual(phrase, before) for phrase in calls)
    return bool(before.get("paywall") or before.get("paywall_page"))
