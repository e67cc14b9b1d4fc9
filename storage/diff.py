"""Word-level diffs between two versions of an article's text, and their renderings.

A diff is a list of :class:`DiffOp`. Joining the text of every op except the inserts gives
the old text back exactly, and every op except the deletes the new text::

    >>> ops = word_diff("The minister resigned.", "The minister did not resign.")
    >>> render_text(ops, color=False)
    'The minister [-resigned-]{+did not resign+}.'

How it works, and why it is fast: the texts are cut into *words* (letters and digits,
including inner hyphens, apostrophes and digit separators such as ``2,000`` or ``10:30``;
every Chinese or Japanese character is a word of its own) each carrying the punctuation and
whitespace after it. Only the words are aligned, so a 10,000-word article is a sequence of
10,000 items, not 20,000. The alignment is a patience diff: words that occur exactly once
in both texts anchor it (their longest increasing run, so moved text cannot tangle it), and
the short stretches between anchors go to :class:`difflib.SequenceMatcher`. That keeps
SequenceMatcher away from long sequences full of repeated words, where it is slow without
``autojunk`` and, with it, ignores frequent words and misaligns. Then the differences are
made precise again: a word kept with different punctuation after it shows only the
punctuation change, and common leading and trailing tokens are trimmed from every changed
stretch.
"""

from __future__ import annotations

import bisect
import difflib
import html
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DiffOp",
    "count_words",
    "diff_json",
    "render_html",
    "render_text",
    "tokenize",
    "word_diff",
    "word_spans",
    "words",
]

OpKind = Literal["equal", "insert", "delete"]

# Chinese and Japanese are written without spaces; a "word" there would be a whole
# sentence, so every ideograph or kana is a word of its own (as in tests/corpus.py).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LETTERS = rf"[^\W{_CJK}]+"
# Inner hyphens, apostrophes and digit/time/date separators stay inside a word, so that
# "well-known", "don't", "2,000", "10:30" and "1/2" each change as one word.
_WORD = rf"{_LETTERS}(?:[-'’.,:/]{_LETTERS})*|(?=\w)[{_CJK}]"
_WORD_RE = re.compile(_WORD)
# Fine tokens: a word, a run of whitespace, or one other character.
_TOKEN_RE = re.compile(rf"{_WORD}|\s+|.", re.DOTALL)
# Coarse tokens: an optional word and everything up to the next word (every letter or
# digit starts a word, so that is every non-word character).
_COARSE_RE = re.compile(rf"({_WORD})?(\W*)")

# Stretches whose size product is at most this go straight to SequenceMatcher without
# autojunk: small enough to be quick, and then it finds the best alignment.
_SMALL = 4096
# Patience diff recurses into the stretches between anchors; beyond this depth (only
# reached by pathological inputs) SequenceMatcher takes the rest.
_MAX_DEPTH = 32

_GREEN = "\x1b[32m"
_RED = "\x1b[31m"
_RESET = "\x1b[m"
_PILCROW = "¶"


@dataclass(frozen=True)
class DiffOp:
    """One piece of a diff: text both versions share, or text only one of them has."""

    op: OpKind
    text: str


def tokenize(text: str) -> list[str]:
    """Fine tokens of ``text``: words, whitespace runs and single other characters."""
    return _TOKEN_RE.findall(text)


def words(text: str) -> list[str]:
    """The words of ``text``, as :func:`word_diff` and :func:`count_words` see them."""
    return _WORD_RE.findall(text)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where each of :func:`words` is in ``text``: its ``(start, end)`` offsets."""
    return [match.span() for match in _WORD_RE.finditer(text)]


def word_diff(old: str, new: str) -> list[DiffOp]:
    """The word-level difference from ``old`` to ``new``.

    Adjacent ops of one kind are merged, in a changed stretch the delete comes before the
    insert, and no op is empty. Identical texts give one ``equal`` op (none when empty).
    """
    if old == new:
        return [DiffOp("equal", old)] if old else []
    a = _coarse_tokens(old)
    b = _coarse_tokens(new)
    ka = [word for word, _ in a]
    kb = [word for word, _ in b]
    pairs: list[tuple[int, int]] = []
    _align(ka, kb, 0, len(ka), 0, len(kb), pairs, 0)
    pairs.append((len(a), len(b)))  # sentinel: the end of both texts

    # Both texts start with the empty word, so the first pair is (0, 0). Between two
    # aligned words, what follows the first of them (its punctuation, then any unaligned
    # words) is one stretch: equal, or changed as a whole, so that "sat." -> "sat down."
    # inserts " down" rather than replacing "." with " down.".
    out = _Builder()
    for (i, j), (next_i, next_j) in itertools.pairwise(pairs):
        out.equal(a[i][0])
        if next_i == i + 1 and next_j == j + 1:  # the common case, kept cheap
            old_between, new_between = a[i][1], b[j][1]
        else:
            old_between = a[i][1] + _join(a[i + 1 : next_i])
            new_between = b[j][1] + _join(b[j + 1 : next_j])
        if old_between == new_between:
            out.equal(old_between)
        else:
            out.change(old_between, new_between)
    return out.finish()


def article_document(title: str | None, text: str) -> str:
    """Headline and body as one document, so that a changed headline shows in a diff and
    counts in its words added and removed."""
    return f"{title}\n\n{text}" if title else text


def count_words(ops: Sequence[DiffOp]) -> tuple[int, int]:
    """``(words added, words removed)``: the words in the insert and in the delete ops."""
    added = sum(len(words(o.text)) for o in ops if o.op == "insert")
    removed = sum(len(words(o.text)) for o in ops if o.op == "delete")
    return added, removed


def render_text(ops: Sequence[DiffOp], *, color: bool, context: int | None = None) -> str:
    """The diff as text, the way ``git diff --word-diff`` shows it.

    Plain: ``[-deleted-]{+inserted+}``. Coloured: deletions red, insertions green (ANSI).
    Markers and colours are closed before every line break and reopened after it, so line
    and paragraph breaks of both versions stay where they are and every line reads on its
    own in a pager. A break that alone was added or removed is marked with a ``¶``.
    With ``context``, only changed paragraphs and that many around each are shown; each
    run of unchanged paragraphs left out becomes one ``…`` line, as in a unified diff.
    """
    text = _render_text(ops, color=color)
    return text if context is None else _with_context(text, context)


def _with_context(text: str, context: int) -> str:
    paragraphs = text.split("\n\n")
    marks = (_GREEN, _RED, "{+", "[-")
    changed = [i for i, p in enumerate(paragraphs) if any(m in p for m in marks)]
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    shown: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        if i in keep:
            shown.append(paragraph)
        elif not shown or shown[-1] != "…":
            shown.append("…")
    return "\n\n".join(shown)


def _render_text(ops: Sequence[DiffOp], *, color: bool) -> str:
    parts: list[str] = []
    for o in ops:
        if o.op == "equal":
            parts.append(o.text)
            continue
        if color:
            start, end = (_GREEN, _RESET) if o.op == "insert" else (_RED, _RESET)
        else:
            start, end = ("{+", "+}") if o.op == "insert" else ("[-", "-]")
        for piece in re.split(r"(\n)", _visible(o)):
            parts.append(piece if piece in ("\n", "") else f"{start}{piece}{end}")
    return "".join(parts)


def render_html(ops: Sequence[DiffOp]) -> str:
    """The diff as an HTML fragment: ``<p>`` paragraphs holding ``<ins>`` and ``<del>``.

    Every piece of text is escaped with :func:`html.escape` (quotes included). A run of two
    or more line breaks, in any op, ends a paragraph, so a paragraph that was added or
    removed shows as a paragraph of its own; a single line break becomes ``<br>``. An
    ``<ins>`` or ``<del>`` that spans a paragraph break is closed before it and reopened
    after it, so the fragment is well-formed. Empty paragraphs are left out. A break that
    alone was added or removed is marked with a ``¶``.
    """
    paragraphs: list[list[str]] = [[]]
    for o in ops:
        tag = {"insert": "ins", "delete": "del"}.get(o.op)
        for piece in re.split(r"(\n{2,})", _visible(o)):
            if piece.startswith("\n\n"):
                if paragraphs[-1]:
                    paragraphs.append([])
            elif piece:
                escaped = html.escape(piece, quote=True).replace("\n", "<br>")
                paragraphs[-1].append(f"<{tag}>{escaped}</{tag}>" if tag else escaped)
    return "\n".join(f"<p>{''.join(p)}</p>" for p in paragraphs if p)


def diff_json(
    url: str, from_version: int, to_version: int, ops: Sequence[DiffOp]
) -> dict[str, object]:
    """The ``diff --format json`` document of the SPEC."""
    added, removed = count_words(ops)
    return {
        "url": url,
        "from": from_version,
        "to": to_version,
        "ops": [{"op": o.op, "text": o.text} for o in ops],
        "words_added": added,
        "words_removed": removed,
    }


def _visible(op: DiffOp) -> str:
    """The op's text, with a pilcrow in front when it is nothing but line breaks: a change
    that only joins or splits paragraphs would otherwise show as no change at all."""
    if op.op != "equal" and not op.text.strip("\n"):
        return _PILCROW + op.text
    return op.text


def _coarse_tokens(text: str) -> list[tuple[str, str]]:
    """``text`` as (word, what follows it) pairs; the first pair's word is always ``""``.

    The empty first word holds whatever comes before the first word, and it anchors the
    start of both texts to each other.
    """
    tokens: list[tuple[str, str]] = []
    for word, sep in _COARSE_RE.findall(text):
        if not word and not sep:  # the empty match at the very end
            continue
        if not tokens and word:
            tokens.append(("", ""))
        tokens.append((word, sep))
    return tokens or [("", "")]


def _join(tokens: Sequence[tuple[str, str]]) -> str:
    return "".join(word + sep for word, sep in tokens)


def _align(
    a: Sequence[str],
    b: Sequence[str],
    alo: int,
    ahi: int,
    blo: int,
    bhi: int,
    pairs: list[tuple[int, int]],
    depth: int,
) -> None:
    """Append to ``pairs`` the (i, j) with ``a[i] == b[j]`` that align the two ranges."""
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        pairs.append((alo, blo))
        alo, blo = alo + 1, blo + 1
    tail = 0
    while ahi > alo and bhi > blo and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi, tail = ahi - 1, bhi - 1, tail + 1
    if alo < ahi and blo < bhi:
        if (ahi - alo) * (bhi - blo) <= _SMALL or depth >= _MAX_DEPTH:
            _align_difflib(a, b, alo, ahi, blo, bhi, pairs)
        else:
            anchors = _unique_anchors(a, b, alo, ahi, blo, bhi)
            if not anchors:
                _align_difflib(a, b, alo, ahi, blo, bhi, pairs)
            else:
                i, j = alo, blo
                for ai, bj in anchors:
                    _align(a, b, i, ai, j, bj, pairs, depth + 1)
                    pairs.append((ai, bj))
                    i, j = ai + 1, bj + 1
                _align(a, b, i, ahi, j, bhi, pairs, depth + 1)
    pairs.extend((ahi + k, bhi + k) for k in range(tail))


def _align_difflib(
    a: Sequence[str],
    b: Sequence[str],
    alo: int,
    ahi: int,
    blo: int,
    bhi: int,
    pairs: list[tuple[int, int]],
) -> None:
    # autojunk only for big stretches without unique words, where exactness costs too much.
    big = (ahi - alo) * (bhi - blo) > _SMALL
    matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=big)
    for i, j, size in matcher.get_matching_blocks():
        pairs.extend((alo + i + k, blo + j + k) for k in range(size))


def _unique_anchors(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Positions of words found exactly once in each range, longest run in the same order."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1}
    candidates = [
        (i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == 1 and a[i] in where_b
    ]
    return _longest_increasing(candidates)


def _longest_increasing(candidates: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``candidates`` (sorted by i) whose j also increase."""
    tails: list[int] = []  # tails[k]: smallest j ending an increasing run of length k + 1
    tail_index: list[int] = []  # the candidate index of that j
    previous: list[int] = []
    for index, (_, j) in enumerate(candidates):
        k = bisect.bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[k] = j
            tail_index[k] = index
        previous.append(tail_index[k - 1] if k else -1)
    run: list[tuple[int, int]] = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        run.append(candidates[index])
        index = previous[index]
    run.reverse()
    return run


class _Builder:
    """Collects diff pieces and merges them as they come: equal runs into one op, each
    changed run into one delete followed by one insert, empty pieces dropped."""

    def __init__(self) -> None:
        self._ops: list[DiffOp] = []
        self._equal: list[str] = []
        self._deleted: list[str] = []
        self._inserted: list[str] = []

    def equal(self, text: str) -> None:
        if not text:
            return
        if self._deleted or self._inserted:
            self._flush_change()
        self._equal.append(text)

    def change(self, old: str, new: str) -> None:
        """A changed stretch; its common leading and trailing tokens stay equal."""
        ta, tb = tokenize(old), tokenize(new)
        start = 0
        while start < len(ta) and start < len(tb) and ta[start] == tb[start]:
            start += 1
        end = 0
        while end < len(ta) - start and end < len(tb) - start and ta[-1 - end] == tb[-1 - end]:
            end += 1
        self.equal("".join(ta[:start]))
        deleted = "".join(ta[start : len(ta) - end])
        inserted = "".join(tb[start : len(tb) - end])
        if deleted or inserted:
            self._flush_equal()
            if deleted:
                self._deleted.append(deleted)
            if inserted:
                self._inserted.append(inserted)
        self.equal("".join(ta[len(ta) - end :]))

    def finish(self) -> list[DiffOp]:
        self._flush_equal()
        self._flush_change()
        return self._ops

    def _flush_equal(self) -> None:
        if self._equal:
            self._ops.append(DiffOp("equal", "".join(self._equal)))
            self._equal.clear()

    def _flush_change(self) -> None:
        if self._deleted:
            self._ops.append(DiffOp("delete", "".join(self._deleted)))
            self._deleted.clear()
        if self._inserted:
            self._ops.append(DiffOp("insert", "".join(self._inserted)))
            self._inserted.clear()
