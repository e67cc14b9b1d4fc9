"""Properties of change detection and diffs, over generated articles (hypothesis).

tests/test_changes.py pins normalise() idempotent on any text and lists, one case each,
the differences the fingerprint ignores and the edits it must see; tests/test_diff.py
rebuilds both texts from word_diff on any text. This file states the SPEC section 3 rule
as properties of whole articles, with every kind of noise piled on at once:

- the fingerprint ignores exactly what a reader cannot see (whitespace runs, line
  endings, NFC vs NFD, invisible characters, repeated authors, one instant written in
  two time zones) and the page's volatile fields (the modified date, description, tags,
  site name, encoding, extractor), and
- it changes on any edit a reader can see: one word, one punctuation mark, the case of
  a letter, a paragraph, the title, an author, the stated publication date;
- a diff of two versions, title and paragraphs included, as `diff --format json` prints
  it, rebuilds both versions, and its word counts account for every word.
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from storage.archive import Archive, FetchedPage
from storage.changes import (
    INVISIBLE,
    ArticleContent,
    changed_fields,
    fingerprint,
    normalise,
    normalise_authors,
    normalise_line,
)
from storage.db import make_engine
from storage.diff import article_document, diff_json, word_diff, words
from storage.schema import upgrade
from tests.backends import FreshArchives

# --- generated articles ------------------------------------------------------------------

# Letters and digits of many scripts: Latin with accents, Greek, Cyrillic, Arabic, Hebrew,
# Devanagari, CJK, Hangul; some have canonical decompositions, so NFD differs from NFC.
LETTERS = st.characters(
    categories=("Lu", "Ll", "Lo", "Nd"),
    exclude_characters=INVISIBLE,
)


def _stable(word: str) -> bool:
    """A word that normalisation leaves alone, and that the diff reads as words."""
    return bool(word) and normalise_line(word) == word and bool(words(word))


WORD = (
    st.text(LETTERS, min_size=1, max_size=8)
    .map(lambda w: unicodedata.normalize("NFC", w))
    .filter(_stable)
)
PUNCTUATION = st.sampled_from([".", ",", "!", "?", ";", ":", "…", "”", "»"])
SENTENCE = st.tuples(st.lists(WORD, min_size=1, max_size=12), PUNCTUATION).map(
    lambda parts: " ".join(parts[0]) + parts[1]
)
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=3).map(" ".join)
AUTHOR = st.lists(WORD, min_size=1, max_size=3).map(" ".join)


@dataclass(frozen=True)
class Article:
    """An article as a reader sees it: already in canonical form."""

    title: str
    authors: tuple[str, ...]
    published: str | None
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    def content(self) -> ArticleContent:
        return ArticleContent.of(self.title, self.authors, self.published, self.text)


PUBLISHED = st.one_of(
    st.none(),
    st.dates(min_value=datetime(1990, 1, 1).date()).map(lambda d: d.isoformat()),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)).map(
        lambda moment: moment.replace(microsecond=0, tzinfo=UTC).isoformat()
    ),
)


@st.composite
def articles(draw: st.DrawFn) -> Article:
    authors = draw(st.lists(AUTHOR, max_size=3, unique_by=str.casefold))
    return Article(
        title=draw(SENTENCE),
        authors=tuple(authors),
        published=draw(PUBLISHED),
        paragraphs=tuple(draw(st.lists(PARAGRAPH, min_size=1, max_size=5))),
    )


def test_generated_articles_are_already_canonical() -> None:
    """The premise of the properties below: a generated article normalises to itself."""

    @given(articles())
    @settings(max_examples=200, deadline=None)
    def check(article: Article) -> None:
        content = article.content()
        assert (content.title, content.text) == (article.title, article.text)
        assert content.authors == article.authors
        assert normalise(article.text) == article.text

    check()


# A draw function: the composite strategies' draw, or st.data()'s draw in a test.
Draw = Callable[[st.SearchStrategy[Any]], Any]

# --- noise a reader cannot see -------------------------------------------------------------

SPACE_RUNS = [" ", "  ", "\t", " \t ", "\u00a0", "\u2009", "\u202f", "\u3000", "\u2003 "]
PARAGRAPH_BREAKS = ["\n", "\r\n", "\r", "\n\n\n", "\r\n\r\n", "\n \n", "\u2029", "\n\u00a0\n"]


def _respace(text: str, draw: Draw) -> str:
    """Every space a run of some other whitespace."""
    return "".join(draw(st.sampled_from(SPACE_RUNS)) if char == " " else char for char in text)


def _sprinkle(text: str, draw: Draw) -> str:
    """Invisible characters at some positions (before a combining mark too)."""
    positions = draw(st.sets(st.integers(0, len(text)), max_size=6))
    out = []
    for index in range(len(text) + 1):
        if index in positions:
            out.append(draw(st.sampled_from(INVISIBLE)))
        if index < len(text):
            out.append(text[index])
    return "".join(out)


def _noisy(text: str, draw: Draw) -> str:
    text = _sprinkle(_respace(text, draw), draw)
    if draw(st.booleans()):
        text = unicodedata.normalize("NFD", text)
    edges = st.sampled_from(["", " ", "\n", "\u00a0\t", "\ufeff"])
    before: str = draw(edges)
    after: str = draw(edges)
    return before + text + after


def _same_instant(published: str | None, draw: Draw) -> str | None:
    """The stated date written another way that names the same day or instant."""
    if published is None:
        blank: str | None = draw(st.sampled_from([None, "", "  "]))
        return blank
    if "T" not in published:
        return f" {published} "
    moment = datetime.fromisoformat(published)
    offset = timedelta(minutes=draw(st.integers(-12 * 60, 14 * 60)))
    return moment.astimezone(timezone(offset)).isoformat()


@st.composite
def with_invisible_noise(draw: st.DrawFn) -> tuple[Article, dict[str, Any]]:
    """An article, and the same article as a sloppy page might give it, field by field."""
    article = draw(articles())
    separators = [draw(st.sampled_from(PARAGRAPH_BREAKS)) for _ in article.paragraphs]
    text = "".join(
        _noisy(paragraph, draw) + separator
        for paragraph, separator in zip(article.paragraphs, separators, strict=True)
    )
    authors = [_noisy(name, draw) for name in article.authors]
    repeat: bool = draw(st.booleans())
    if authors and repeat:
        # A repeat in other case ("I" is not "ı" upper-cased back: only true repeats).
        shouted = article.authors[0].upper()
        same = shouted.casefold() == article.authors[0].casefold()
        authors.append(shouted if same and draw(st.booleans()) else "  ")
    if len(authors) >= 2 and draw(st.booleans()):
        authors = [f"{authors[0]}; {authors[1]}", *authors[2:]]  # trafilatura's "A; B"
    noisy = {
        "title": _noisy(article.title, draw),
        "authors": authors,
        "published": _same_instant(article.published, draw),
        "text": text,
    }
    return article, noisy


@given(with_invisible_noise())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_fingerprint_ignores_what_a_reader_cannot_see(
    case: tuple[Article, dict[str, Any]],
) -> None:
    article, noisy = case
    sloppy = ArticleContent.of(**noisy)

    assert changed_fields(article.content(), sloppy) == []
    assert fingerprint(sloppy) == fingerprint(article.content())


# --- edits a reader can see ----------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    field: str
    article: Article


def _replace_word(text: str, draw: Draw, make: st.SearchStrategy[str]) -> str:
    """text with one of its words swapped for what make draws (it may be anything)."""
    spans = [(m, word) for m, word in enumerate(text.split(" "))]
    index, _ = draw(st.sampled_from(spans))
    parts = text.split(" ")
    parts[index] = draw(make)
    return " ".join(parts)


def _text_edits(article: Article, draw: Draw) -> str:
    paragraphs = list(article.paragraphs)
    at = draw(st.integers(0, len(paragraphs) - 1))
    kind = draw(st.sampled_from(["word", "punctuation", "case", "add", "drop", "split"]))
    paragraph = paragraphs[at]
    if kind == "word":
        paragraphs[at] = _replace_word(paragraph, draw, WORD)
    elif kind == "punctuation":
        mark = draw(PUNCTUATION.filter(lambda p: p != paragraph[-1]))
        paragraphs[at] = paragraph[:-1] + mark
    elif kind == "case":
        swapped = paragraph.swapcase()
        assume(normalise(swapped) != paragraph)
        paragraphs[at] = swapped
    elif kind == "add":
        paragraphs.insert(draw(st.integers(0, len(paragraphs))), draw(PARAGRAPH))
    elif kind == "drop":
        assume(len(paragraphs) > 1)
        del paragraphs[at]
    else:  # one paragraph split in two: a reader sees the new break
        cut = [i for i, char in enumerate(paragraph) if char == " "]
        assume(cut)
        where = draw(st.sampled_from(cut))
        paragraphs[at : at + 1] = [paragraph[:where], paragraph[where + 1 :]]
    return "\n\n".join(paragraphs)


@st.composite
def with_one_visible_edit(draw: st.DrawFn) -> tuple[Article, Edit]:
    article = draw(articles())
    field = draw(st.sampled_from(["title", "authors", "published", "text"]))
    if field == "title":
        edited = replace(article, title=_replace_word(article.title, draw, WORD))
    elif field == "authors":
        authors = list(article.authors)
        kind = draw(st.sampled_from(["add", "drop", "rename", "reorder"]))
        if kind == "add" or not authors:
            authors.insert(draw(st.integers(0, len(authors))), draw(AUTHOR))
        elif kind == "drop":
            del authors[draw(st.integers(0, len(authors) - 1))]
        elif kind == "rename":
            at = draw(st.integers(0, len(authors) - 1))
            authors[at] = _replace_word(authors[at], draw, WORD)
        else:
            authors = draw(st.permutations(authors))
        edited = replace(article, authors=normalise_authors(authors))
    elif field == "published":
        edited = replace(article, published=draw(PUBLISHED))
    else:
        text = _text_edits(article, draw)
        edited = replace(article, paragraphs=tuple(text.split("\n\n")))
    assume(getattr(edited.content(), field) != getattr(article.content(), field))
    return article, Edit(field, edited)


@given(with_one_visible_edit())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_fingerprint_sees_every_edit_a_reader_can_see(case: tuple[Article, Edit]) -> None:
    article, edit = case

    assert changed_fields(article.content(), edit.article.content()) == [edit.field]
    assert fingerprint(edit.article.content()) != fingerprint(article.content())


def test_an_edit_hidden_in_noise_is_still_seen() -> None:
    """Noise on top of a real edit neither hides the edit nor adds another field."""

    @given(with_one_visible_edit(), st.data())
    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def check(case: tuple[Article, Edit], data: st.DataObject) -> None:
        article, edit = case
        noisy_text = _noisy(edit.article.text, data.draw)
        sloppy = ArticleContent.of(
            _noisy(edit.article.title, data.draw),
            [_noisy(name, data.draw) for name in edit.article.authors],
            _same_instant(edit.article.published, data.draw),
            noisy_text,
        )
        assert changed_fields(article.content(), sloppy) == [edit.field]

    check()


# --- the archive: volatile fields never make a version ------------------------------------

VOLATILE = st.fixed_dictionaries(
    {
        "modified": st.one_of(st.none(), st.datetimes().map(lambda d: d.isoformat())),
        "description": st.one_of(st.none(), st.text(max_size=40)),
        "sitename": st.one_of(st.none(), st.text(max_size=20)),
        "tags": st.lists(st.text(max_size=10), max_size=3),
        "language": st.sampled_from([None, "en", "de", "ja"]),
        "encoding": st.sampled_from(["utf-8", "windows-1252", "shift_jis"]),
        "extractor": st.sampled_from(["trafilatura", "baseline"]),
    }
)


@pytest.fixture(scope="module")
def engine(
    tmp_path_factory: pytest.TempPathFactory, module_archives: FreshArchives
) -> Iterator[Engine]:
    """One archive for the module's property tests, on each backend in turn."""
    folder: Path = tmp_path_factory.mktemp("properties")
    database = make_engine(module_archives.new(folder))
    upgrade(database)
    yield database
    database.dispose()


def _page(url: str, at: datetime, fields: dict[str, Any], last_modified: str) -> FetchedPage:
    return FetchedPage(
        url=url,
        source="props",
        fetched_at=at,
        http_status=200,
        last_modified=last_modified,
        extracted=fields,
    )


def test_volatile_fields_and_noise_never_make_a_version_but_an_edit_does(engine: Engine) -> None:
    urls = (f"https://props.example/{n}" for n in itertools.count())
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)

    @given(with_invisible_noise(), VOLATILE, VOLATILE, with_one_visible_edit())
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def check(
        case: tuple[Article, dict[str, Any]],
        first: dict[str, Any],
        second: dict[str, Any],
        edited: tuple[Article, Edit],
    ) -> None:
        article, noisy = case
        url = next(urls)
        # One crawl per example: within one crawl, the same short text at many addresses
        # is a page served instead of the articles (storage/soft_failures.py).
        archive = Archive(engine)
        stored = archive.store(_page(url, start, {**_fields(article), **first}, "Mon, 02 Nov 2026"))
        assert (stored.outcome, stored.version) == ("new", 1)

        # The same article again, noisy, with other volatile fields and HTTP dates.
        again = archive.store(
            _page(url, start + timedelta(hours=1), {**noisy, **second}, "Tue, 03 Nov 2026")
        )
        assert again.outcome == "unchanged"

        # One real edit (of another generated article, on the same URL) makes version 2.
        base, edit = edited
        archive.store(
            _page(
                url + "/e",
                start,
                {**first, **_fields(base)},
                "Mon, 02 Nov 2026",
            )
        )
        changed = archive.store(
            _page(url + "/e", start + timedelta(hours=2), {**second, **_fields(edit.article)}, "")
        )
        assert (changed.outcome, changed.version, changed.changed) == (
            "changed",
            2,
            [edit.field],
        )

    check()


def _fields(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "authors": list(article.authors),
        "published": article.published,
        "text": article.text,
    }


# --- diffs of whole articles ---------------------------------------------------------------


def _rebuild(document: dict[str, Any]) -> tuple[str, str]:
    ops = document["ops"]
    old = "".join(op["text"] for op in ops if op["op"] in ("equal", "delete"))
    new = "".join(op["text"] for op in ops if op["op"] in ("equal", "insert"))
    return old, new


@given(with_one_visible_edit())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_json_diff_of_two_versions_rebuilds_both(case: tuple[Article, Edit]) -> None:
    article, edit = case
    old = article_document(article.title, article.text)
    new = article_document(edit.article.title, edit.article.text)

    # Through JSON text and back, as a script reading `diff --format json` gets it.
    document = json.loads(json.dumps(diff_json("https://x.example/a", 1, 2, word_diff(old, new))))

    assert _rebuild(document) == (old, new)
    assert (document["from"], document["to"]) == (1, 2)
    # Every word is either kept (in an equal op) or counted as added or removed.
    kept = sum(len(words(op["text"])) for op in document["ops"] if op["op"] == "equal")
    assert kept + document["words_removed"] == len(words(old))
    assert kept + document["words_added"] == len(words(new))


@given(articles())
@settings(max_examples=100, deadline=None)
def test_a_diff_of_a_version_with_itself_is_one_equal_op(article: Article) -> None:
    document = article_document(article.title, article.text)

    result = diff_json("https://x.example/a", 1, 1, word_diff(document, document))

    assert result["ops"] == [{"op": "equal", "text": document}]
    assert (result["words_added"], result["words_removed"]) == (0, 0)


@given(articles(), st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_one_word_replaced_counts_one_word_each_way(article: Article, data: st.DataObject) -> None:
    paragraphs = list(article.paragraphs)
    at = data.draw(st.integers(0, len(paragraphs) - 1))
    parts = paragraphs[at].split(" ")
    index = data.draw(st.integers(0, len(parts) - 1))
    word = words(parts[index])
    assume(len(word) == 1 and parts[index].startswith(word[0]))
    new_word = data.draw(WORD.filter(lambda w: w != word[0] and len(words(w)) == 1))
    parts[index] = new_word + parts[index][len(word[0]) :]
    paragraphs[at] = " ".join(parts)
    old = article_document(article.title, article.text)
    new = article_document(article.title, "\n\n".join(paragraphs))
    assume(words(old) != words(new))

    result = diff_json("https://x.example/a", 1, 2, word_diff(old, new))

    assert (result["words_added"], result["words_removed"]) == (1, 1)
