"""What counts as a change to an article (SPEC section 3), as pure functions.

An article's content is four fields: title, authors, stated publication date and body
text (:data:`FIELDS`). They are normalised first (:class:`ArticleContent` does it on
construction), so differences no reader can see never make a version: Unicode
composition (NFC vs NFD), invisible characters (zero-width spaces and joiners, byte-order
marks, soft hyphens, bidi marks), non-breaking and other Unicode spaces, runs of spaces,
line endings, and blank lines. The :func:`fingerprint` of the normalised fields is what
the archive compares: a new version is stored when, and only when, it differs. Anything
else a page carries (fetch time, "last modified", the extractor's own date or hash) is
left out on purpose.

:func:`classify_change` then tells a typo fix ("minor") from an edit a reader would care
about ("major"), so that the command line can hide the trivial ones.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from storage.diff import DiffOp, count_words, word_diff, words

__all__ = [
    "FIELDS",
    "INVISIBLE",
    "MAJOR",
    "MINOR",
    "MINOR_MAX_WORDS",
    "MINOR_MIN_SIMILARITY",
    "ArticleContent",
    "changed_fields",
    "classify_change",
    "fingerprint",
    "normalise",
    "normalise_authors",
    "normalise_date",
    "normalise_line",
    "text_similarity",
    "word_counts",
]

FIELDS: tuple[str, ...] = ("title", "authors", "published", "text")

MINOR = "minor"
MAJOR = "major"
# A minor change touches at most this many words of the text (a word replaced counts once)...
MINOR_MAX_WORDS = 3
# ...leaves at least this share of the words in place (2 * kept / (old + new words), as
# difflib's ratio), so in a short text even one word is major...
MINOR_MIN_SIMILARITY = 0.97
# ...and every changed word is a misspelling of the one it replaces: one letter inserted,
# deleted, replaced, or two neighbours swapped ("goverment", "recieve"). In words of up
# to TYPO_SHORT_WORD letters only a swap counts ("teh"), since one letter there flips
# the meaning ("now" -> "not", "in" -> "is"). A prefix added or dropped ("lawful" ->
# "unlawful") and any change to a number are never typos: a changed figure is news...
TYPO_MAX_EDITS = 1
TYPO_SHORT_WORD = 4
# ...or a doubled word removed or added ("the the"). Words added or removed outright
# ("not") are always major.

# Invisible characters: formatting characters that renderers hide (soft hyphen, zero-width
# space/non-joiner/joiner, word joiner, invisible operators, bidi marks, embeddings and
# isolates, byte-order mark, Mongolian vowel separator, combining grapheme joiner, Arabic
# letter mark) and the C0 control characters that are not whitespace (NUL cannot even be
# stored in PostgreSQL text). CMSs and extractors add and drop these between two loads
# of the same page. Dropping zero-width joiners splits emoji sequences (👨‍👩‍👧 becomes three
# faces); for change detection that is the lesser evil.
INVISIBLE: str = (
    "\u00ad\u034f\u061c\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff"
    + "".join(chr(c) for c in range(0x20) if not chr(c).isspace())
    + "\x7f"
)
_DROP_INVISIBLE = str.maketrans(dict.fromkeys(INVISIBLE))
# Python's \s: ASCII whitespace, NBSP, the Unicode spaces U+2000-U+200A, narrow NBSP,
# ideographic space and the other Unicode whitespace.
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Body text in its canonical form: what a reader sees, nothing more.

    Unicode NFC; :data:`INVISIBLE` characters dropped; every kind of space and tab a
    single ``" "``; lines stripped; every line ending (LF, CRLF, CR, U+2028, U+2029 ...)
    treated alike. Every non-blank line is a paragraph, and paragraphs are joined with
    exactly ``"\\n\\n"``: a single line break counts as a paragraph break, because
    trafilatura writes one paragraph a line, and a ``<br>`` turned into a ``<p>`` is no edit.
    Idempotent: ``normalise(normalise(x)) == normalise(x)``.
    """
    text = unicodedata.normalize("NFC", text.translate(_DROP_INVISIBLE))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def normalise_line(text: str) -> str:
    """A one-line field (title, author name) in canonical form: all whitespace one space."""
    text = unicodedata.normalize("NFC", text.translate(_DROP_INVISIBLE))
    return _SPACES.sub(" ", text).strip()


def normalise_authors(authors: Sequence[str]) -> tuple[str, ...]:
    """Author names, normalised, in their order, empties and repeats (any case) dropped.

    Names joined with ``;`` are split, as trafilatura gives several authors as one
    ``"A; B"`` string: ``["A; B"]`` and ``["A", "B"]`` are the same authors.
    """
    seen: set[str] = set()
    result: list[str] = []
    for entry in authors:
        for name in entry.split(";"):
            name = normalise_line(name)
            key = name.casefold()
            if name and key not in seen:
                seen.add(key)
                result.append(name)
    return tuple(result)


def normalise_date(value: str | None) -> str | None:
    """The stated publication date in ISO 8601; ``None`` for none.

    A date stays a date (``"2024-03-05"``). A date and time keeps its precision; with a
    UTC offset it is converted to UTC, so one instant written in two time zones is one
    date (``"2024-03-05T10:00:00+01:00"`` -> ``"2024-03-05T09:00:00+00:00"``). RFC 2822
    dates (``"Tue, 05 Mar 2024 09:00:00 GMT"``) are read too. Anything else is kept as
    written, whitespace normalised, so that a change to it still shows.
    """
    if value is None:
        return None
    text = normalise_line(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return _iso(datetime.fromisoformat(text))
    except ValueError:
        pass
    try:
        return _iso(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return text


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat() if moment.tzinfo else moment.isoformat()


@dataclass(frozen=True)
class ArticleContent:
    """The fields of an article that make a version, always normalised.

    Construction normalises every field (it is idempotent, so normalised values pass
    through unchanged); :meth:`of` also accepts ``None`` for a missing title or text.
    """

    title: str
    authors: tuple[str, ...]
    published: str | None
    text: str

    def __post_init__(self) -> None:
        # Normalising here, not only in of(), means no ArticleContent can hold raw values
        # and make a fingerprint differ by invisible characters.
        object.__setattr__(self, "title", normalise_line(self.title))
        object.__setattr__(self, "authors", normalise_authors(self.authors))
        object.__setattr__(self, "published", normalise_date(self.published))
        object.__setattr__(self, "text", normalise(self.text))

    @classmethod
    def of(
        cls,
        title: str | None,
        authors: Sequence[str],
        published: str | None,
        text: str | None,
    ) -> ArticleContent:
        """Content from extracted values, missing ones as ``None``."""
        return cls(title or "", tuple(authors), published, text or "")


def fingerprint(content: ArticleContent) -> str:
    """SHA-256 (hex) of the normalised fields, and of nothing else.

    The fields are encoded as one compact JSON array (title, author list, date or null,
    text) so no two different contents encode alike, whatever characters they hold.
    """
    encoded = json.dumps(
        [content.title, list(content.authors), content.published, content.text],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def changed_fields(old: ArticleContent, new: ArticleContent) -> list[str]:
    """The names of the fields that differ, in :data:`FIELDS` order."""
    return [name for name in FIELDS if getattr(old, name) != getattr(new, name)]


def word_counts(old_text: str, new_text: str) -> tuple[int, int]:
    """``(words added, words removed)`` between two texts, from their word diff."""
    return count_words(word_diff(old_text, new_text))


def text_similarity(old_text: str, new_text: str, ops: Sequence[DiffOp] | None = None) -> float:
    """Share of words kept: ``2 * kept / (old words + new words)``; 1.0 for two empty texts."""
    if ops is None:
        ops = word_diff(old_text, new_text)
    old_words = len(words(old_text))
    total = old_words + len(words(new_text))
    if total == 0:
        return 1.0
    _, removed = count_words(ops)
    return 2 * max(0, old_words - removed) / total


def classify_change(old: ArticleContent, new: ArticleContent) -> str:
    """``"minor"`` for a typo-level fix of the text, ``"major"`` for anything else.

    Minor means: title, authors and date unchanged; at most :data:`MINOR_MAX_WORDS` words
    changed; text similarity at least :data:`MINOR_MIN_SIMILARITY`; and every changed
    word a misspelling of the word it replaces, a change of case or a doubled word, or
    only punctuation changed. A word added or removed, a figure changed or a sentence
    rewritten is major. Two identical contents are "minor" (there is nothing to show).
    """
    if changed_fields(old, new) not in ([], ["text"]):
        return MAJOR
    ops = word_diff(old.text, new.text)
    added, removed = count_words(ops)
    if max(added, removed) > MINOR_MAX_WORDS:
        return MAJOR
    if text_similarity(old.text, new.text, ops) < MINOR_MIN_SIMILARITY:
        return MAJOR
    return MINOR if all(_is_typo_fix(hunk) for hunk in _hunks(ops)) else MAJOR


def _hunks(ops: Sequence[DiffOp]) -> list[tuple[list[str], list[str], str, str]]:
    """Each changed stretch as (old words, new words, word before it, word after it)."""
    hunks = []
    for index, op in enumerate(ops):
        if op.op == "equal" or (index and ops[index - 1].op != "equal"):
            continue
        deleted = op.text if op.op == "delete" else ""
        inserted = op.text if op.op == "insert" else ""
        after_index = index + 1
        if op.op == "delete" and after_index < len(ops) and ops[after_index].op == "insert":
            inserted = ops[after_index].text
            after_index += 1
        before = words(ops[index - 1].text)[-1:] if index else []
        after = words(ops[after_index].text)[:1] if after_index < len(ops) else []
        hunks.append((words(deleted), words(inserted), "".join(before), "".join(after)))
    return hunks


def _is_typo_fix(hunk: tuple[list[str], list[str], str, str]) -> bool:
    old_words, new_words, before, after = hunk
    if len(old_words) == len(new_words):
        return all(_is_misspelling(a, b) for a, b in zip(old_words, new_words, strict=True))
    # A doubled word dropped ("the the" -> "the") or added.
    changed = old_words or new_words
    if (old_words and new_words) or len(changed) != 1:
        return False
    return changed[0].casefold() in (before.casefold(), after.casefold())


def _is_misspelling(old: str, new: str) -> bool:
    """True when ``new`` is ``old`` with a typo-sized edit, or only its case, changed."""
    a, b = old.casefold(), new.casefold()
    if a == b:
        return True
    if any(c.isdigit() for c in a + b) or a.endswith(b) or b.endswith(a):
        return False
    if max(len(a), len(b)) <= TYPO_SHORT_WORD:
        return sorted(a) == sorted(b) and _edit_distance(a, b) == 1
    return _edit_distance(a, b) <= TYPO_MAX_EDITS


def _edit_distance(a: str, b: str) -> int:
    """Letters inserted, deleted, replaced or swapped with a neighbour (Damerau, OSA)."""
    if abs(len(a) - len(b)) > TYPO_MAX_EDITS:
        return abs(len(a) - len(b))
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
