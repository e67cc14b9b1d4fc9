"""Change detection: normalisation, fingerprints, changed fields, word counts, minor/major."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.changes import (
    FIELDS,
    INVISIBLE,
    MAJOR,
    MINOR,
    ArticleContent,
    changed_fields,
    classify_change,
    fingerprint,
    normalise,
    normalise_authors,
    normalise_date,
    normalise_line,
    text_similarity,
    word_counts,
)

TITLE = "Parliament passes the budget"
AUTHORS = ("Jane Doe", "John Roe")
PUBLISHED = "2024-03-05"
TEXT = (
    "The parliament passed the budget on Tuesday after a long debate that ran late into "
    "the night, with members of every party taking the floor.\n\n"
    "The vote was 312 to 290. The opposition called it a disgrace and promised to fight "
    "the spending cuts in the committees, where the details are still to be settled.\n\n"
    "The finance minister said the government would now move quickly. Pensions and "
    "schools would be protected, she added, while defence and transport would see "
    "their budgets frozen for at least two years.\n\n"
    "Unions have called a demonstration for Saturday in front of the parliament building, "
    "and several city councils have said they will join the protest."
)
BASE = ArticleContent.of(TITLE, AUTHORS, PUBLISHED, TEXT)


def content(**changes: object) -> ArticleContent:
    """BASE with some fields given raw (before normalisation)."""
    fields: dict[str, object] = {
        "title": TITLE,
        "authors": AUTHORS,
        "published": PUBLISHED,
        "text": TEXT,
    }
    fields.update(changes)
    return ArticleContent.of(
        fields["title"],  # type: ignore[arg-type]
        fields["authors"],  # type: ignore[arg-type]
        fields["published"],  # type: ignore[arg-type]
        fields["text"],  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(content(text=TEXT.replace(" ", "  ")), id="double-spaces"),
        pytest.param(content(text=TEXT.replace(" ", " \t ")), id="tabs"),
        pytest.param(
            content(text="  " + TEXT.replace("\n\n", " \n\n  ") + "\n"), id="line-edge-spaces"
        ),
        pytest.param(content(text=TEXT.replace("\n\n", "\n")), id="single-newlines"),
        pytest.param(content(text=TEXT.replace("\n\n", "\n\n\n\n")), id="extra-blank-lines"),
        pytest.param(content(text=TEXT.replace("\n\n", "\r\n\r\n")), id="crlf"),
        pytest.param(content(text=TEXT.replace("\n\n", "\r")), id="cr"),
        pytest.param(
            content(text=TEXT.replace("\n\n", "\u2029")), id="unicode-paragraph-separator"
        ),
        pytest.param(content(text=TEXT.replace("312 to", "312\u00a0to")), id="nbsp"),
        pytest.param(content(text=TEXT.replace("312 to", "312\u202fto")), id="narrow-nbsp"),
        pytest.param(content(text=TEXT.replace(" ", "\u2009")), id="thin-spaces"),
        pytest.param(content(text=TEXT.replace("budget", "bud\u200bget")), id="zero-width-space"),
        pytest.param(content(text=TEXT.replace("debate", "de\u00adbate")), id="soft-hyphen"),
        pytest.param(
            content(text=TEXT.replace("long", "lo\u200d\u200cng")), id="zero-width-joiners"
        ),
        pytest.param(content(text="\ufeff" + TEXT), id="byte-order-mark"),
        pytest.param(content(text=TEXT.replace("vote", "vo\u2060te")), id="word-joiner"),
        pytest.param(content(text=TEXT.replace("The", "\u200eThe")), id="bidi-mark"),
        pytest.param(content(title=f"  {TITLE}\u00a0"), id="title-spaces"),
        pytest.param(content(title=TITLE.replace(" ", "\n")), id="title-newlines"),
        pytest.param(content(authors=["  Jane   Doe ", "John\u00a0Roe"]), id="author-spaces"),
        pytest.param(content(authors=["Jane Doe; John Roe"]), id="authors-joined"),
        pytest.param(
            content(authors=["Jane Doe", "", "JANE DOE", "John Roe"]), id="author-repeats"
        ),
        pytest.param(content(published=" 2024-03-05 "), id="date-spaces"),
        pytest.param(content(published="20240305"), id="date-basic-format"),
    ],
)
def test_invisible_differences_keep_the_fingerprint(variant: ArticleContent) -> None:
    assert variant == BASE
    assert fingerprint(variant) == fingerprint(BASE)
    assert changed_fields(BASE, variant) == []


NFC = "Café in Zürich, naïve coöperation, Ångström"


def test_nfd_and_nfc_are_the_same_text() -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", NFC)
    assert nfd != NFC
    assert fingerprint(ArticleContent.of(nfd, [nfd], None, nfd)) == fingerprint(
        ArticleContent.of(NFC, [NFC], None, NFC)
    )


@pytest.mark.parametrize(
    ("variant", "fields"),
    [
        pytest.param(content(text=TEXT.replace("Tuesday", "Wednesday")), ["text"], id="one-word"),
        pytest.param(content(text=TEXT.replace("312", "313")), ["text"], id="one-digit"),
        pytest.param(content(text=TEXT.replace("290.", "290!")), ["text"], id="punctuation"),
        pytest.param(content(text=TEXT.replace("The vote", "the vote")), ["text"], id="case"),
        pytest.param(content(text=TEXT + "\n\nA new paragraph."), ["text"], id="paragraph-added"),
        pytest.param(content(text=TEXT), [], id="identical"),
        pytest.param(content(title=TITLE + "!"), ["title"], id="title"),
        pytest.param(content(authors=[*AUTHORS, "Max Mustermann"]), ["authors"], id="author-added"),
        pytest.param(content(authors=AUTHORS[::-1]), ["authors"], id="authors-reordered"),
        pytest.param(content(authors=[]), ["authors"], id="authors-removed"),
        pytest.param(content(published="2024-03-06"), ["published"], id="date-changed"),
        pytest.param(content(published=None), ["published"], id="date-removed"),
        pytest.param(
            content(title="Budget passes", published="2024-03-06", text=TEXT + " Really."),
            ["title", "published", "text"],
            id="several",
        ),
    ],
)
def test_changed_fields_and_fingerprint(variant: ArticleContent, fields: list[str]) -> None:
    assert changed_fields(BASE, variant) == fields
    assert (fingerprint(variant) != fingerprint(BASE)) == bool(fields)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (ArticleContent.of("a", [], None, ""), ArticleContent.of("", [], None, "a")),
        (ArticleContent.of("", ["a, b"], None, ""), ArticleContent.of("", ["a", "b"], None, "")),
        (ArticleContent.of("", [], None, ""), ArticleContent.of("", [], "", "")),
        (ArticleContent.of('a","b', [], None, ""), ArticleContent.of("a", ["b"], None, "")),
        (ArticleContent.of("", [], "null", ""), ArticleContent.of("", [], None, "")),
    ],
)
def test_fingerprint_encoding_is_unambiguous(first: ArticleContent, second: ArticleContent) -> None:
    if first == second:  # "" and None dates normalise alike; that is intended
        assert fingerprint(first) == fingerprint(second)
    else:
        assert fingerprint(first) != fingerprint(second)


def test_fingerprint_is_sha256_of_the_fields_only() -> None:
    """Pinned: changing the encoding would make a new version of every archived article."""
    article = ArticleContent.of(" Title ", ["Ann Lee"], "2024-01-02", "Körper\n\ntext")
    expected = hashlib.sha256(
        '["Title",["Ann Lee"],"2024-01-02","Körper\\n\\ntext"]'.encode()
    ).hexdigest()
    assert fingerprint(article) == expected
    assert FIELDS == ("title", "authors", "published", "text")


def test_constructor_normalises_like_of() -> None:
    raw = ArticleContent(f"{TITLE}\u200b", ["Jane Doe; John Roe"], " 2024-03-05", TEXT + "\r\n")  # type: ignore[arg-type]
    assert raw == BASE
    assert raw.authors == AUTHORS
    assert fingerprint(raw) == fingerprint(BASE)
    assert ArticleContent.of(None, [], None, None) == ArticleContent("", (), None, "")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("   \n\n \t ", ""),
        ("One", "One"),
        ("  a  b\tc  ", "a b c"),
        ("a\nb", "a\n\nb"),
        ("a\r\nb\rc\u2028d\u2029e\x0bf\x0cg\x85h", "a\n\nb\n\nc\n\nd\n\ne\n\nf\n\ng\n\nh"),
        ("a\n \n\u00a0\n\nb", "a\n\nb"),
        ("x\u00a0y\u2007z\u3000w\u202fv", "x y z w v"),
        ("in\u200bvis\u200ci\u200db\u2060l\ufeffe\u00ad!", "invisible!"),
        ("nul\x00l\x07ed", "nulled"),
        ("e\u0301", "é"),
        ("e\u200b\u0301", "é"),
        ("\u212b", "Å"),  # ANGSTROM SIGN has the canonical decomposition of Å
        ("ﬁne", "ﬁne"),  # ligatures are compatibility, not canonical, forms: kept
        ("“quotes” — dash", "“quotes” — dash"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


TRICKY = [
    "",
    "\n",
    " \u00a0 ",
    "\u200b",
    "a\u200b \u200bb",
    "\u0301start with a combining mark",
    "a \u0301",
    "x\n\u0301",
    "e\u00ad\u0301",
    "\u1100\u200b\u1161",  # Hangul jamo that compose once the invisible character is gone
    "\u1100 \u1161",
    "a\r\n\r\n\r\nb",
    "\x1c\x1d\x1e\x1f",
    "\u2028\u2029\u0085",
    "tab\t\tand\u3000ideographic",
    "\ufeff\ufeff",
    "مرحبا\u200f بالعالم",
    "👨\u200d👩\u200d👧",
]


@pytest.mark.parametrize("raw", TRICKY)
def test_normalise_is_idempotent_on_tricky_strings(raw: str) -> None:
    once = normalise(raw)
    assert normalise(once) == once
    assert normalise_line(normalise_line(raw)) == normalise_line(raw)
    assert not set(once) & set(INVISIBLE)


@given(st.text(max_size=100))
@settings(max_examples=500, deadline=None)
def test_normalise_is_idempotent(raw: str) -> None:
    once = normalise(raw)
    assert normalise(once) == once
    assert normalise_line(normalise_line(raw)) == normalise_line(raw)
    assert "\n\n\n" not in once and "  " not in once and once == once.strip()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([], ()),
        (["Jane Doe"], ("Jane Doe",)),
        (["  Jane\u00a0 Doe "], ("Jane Doe",)),
        (["", "  ", "\u200b"], ()),
        (["B", "A"], ("B", "A")),
        (["Jane Doe", "jane doe", "JANE DOE"], ("Jane Doe",)),
        (["A; B", "C;", ";D"], ("A", "B", "C", "D")),
        (("Zoë",), ("Zoë",)),
    ],
)
def test_normalise_authors(raw: list[str], expected: tuple[str, ...]) -> None:
    assert normalise_authors(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("2024-03-05", "2024-03-05"),
        (" 2024-03-05\n", "2024-03-05"),
        ("20240305", "2024-03-05"),
        ("2024-03-05T10:30:00", "2024-03-05T10:30:00"),
        ("2024-03-05 10:30", "2024-03-05T10:30:00"),
        ("2024-03-05T10:30:00+01:00", "2024-03-05T09:30:00+00:00"),
        ("2024-03-05T09:30:00Z", "2024-03-05T09:30:00+00:00"),
        ("2024-03-05T23:30:00-02:00", "2024-03-06T01:30:00+00:00"),
        ("Tue, 05 Mar 2024 09:30:00 GMT", "2024-03-05T09:30:00+00:00"),
        ("March 5, 2024", "March 5, 2024"),
        ("2024-02-30", "2024-02-30"),  # not a date: kept as written, so a fix still shows
    ],
)
def test_normalise_date(raw: str | None, expected: str | None) -> None:
    assert normalise_date(raw) == expected


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("", "", (0, 0)),
        ("same words", "same words", (0, 0)),
        ("The cat sat.", "The dog sat.", (1, 1)),
        ("The cat sat.", "The cat sat on the mat.", (3, 0)),
        ("The cat sat on the mat.", "The cat sat.", (0, 3)),
        ("One. Two.", "One, two!", (1, 1)),
        ("", "Four words right here", (4, 0)),
        ("Gone now", "", (0, 2)),
        ("Para one.\n\nPara two.", "Para one.\n\nNew para.\n\nPara two.", (2, 0)),
        ("He said no.", "He said, no.", (0, 0)),
    ],
)
def test_word_counts(old: str, new: str, expected: tuple[int, int]) -> None:
    assert word_counts(old, new) == expected


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        pytest.param(content(text=TEXT.replace("debate", "debtae")), MINOR, id="typo-swap"),
        pytest.param(content(text=TEXT.replace("government", "goverment")), MINOR, id="typo-drop"),
        pytest.param(content(text=TEXT.replace("the night", "teh night")), MINOR, id="short-swap"),
        pytest.param(content(text=TEXT.replace("members", "memebrs")), MINOR, id="swap"),
        pytest.param(content(text=TEXT.replace("290.", "290;")), MINOR, id="punctuation"),
        pytest.param(content(text=TEXT.replace("The vote", "the vote")), MINOR, id="case"),
        pytest.param(
            content(text=TEXT.replace("the budget", "the the budget")),
            MINOR,
            id="doubled-word-added",
        ),
        pytest.param(
            content(text=TEXT.replace("debate", "debtae").replace("quickly", "quikly")),
            MINOR,
            id="two-typos",
        ),
        pytest.param(content(text=TEXT.replace("\n\n", " ", 1)), MINOR, id="paragraphs-joined"),
        pytest.param(content(), MINOR, id="no-change"),
        pytest.param(content(text=TEXT.replace("Tuesday", "Wednesday")), MAJOR, id="word-replaced"),
        pytest.param(content(text=TEXT.replace("312", "313")), MAJOR, id="number"),
        pytest.param(content(text=TEXT.replace("would now", "would not")), MAJOR, id="now-not"),
        pytest.param(content(text=TEXT.replace("would", "would not", 1)), MAJOR, id="word-added"),
        pytest.param(content(text=TEXT.replace(" protected", " unprotected")), MAJOR, id="prefix"),
        pytest.param(content(text=TEXT.replace("she added", "he added")), MAJOR, id="she-he"),
        pytest.param(content(text=TEXT.replace("Saturday", "Sunday")), MAJOR, id="day"),
        pytest.param(content(text=TEXT.replace(" long", "")), MAJOR, id="word-removed"),
        pytest.param(
            content(text=TEXT + " The session ended at midnight."), MAJOR, id="sentence-added"
        ),
        pytest.param(
            content(text=TEXT.replace(" The opposition called it a disgrace", "")),
            MAJOR,
            id="sentence-removed",
        ),
        pytest.param(
            content(
                text=TEXT.replace("debate", "debtae")
                .replace("quickly", "quikly")
                .replace("finance", "fniance")
                .replace("opposition", "oppositoin")
            ),
            MAJOR,
            id="four-typos",
        ),
        pytest.param(content(title=TITLE.lower()), MAJOR, id="title-case"),
        pytest.param(content(authors=[*AUTHORS, "Max Mustermann"]), MAJOR, id="author-added"),
        pytest.param(content(published="2024-03-06"), MAJOR, id="date-changed"),
    ],
)
def test_classify_change(variant: ArticleContent, expected: str) -> None:
    assert classify_change(BASE, variant) == expected


def test_one_typo_in_a_short_text_is_major() -> None:
    """A short text (a breaking-news stub) falls under the similarity threshold at once."""
    old = ArticleContent.of("T", [], None, "Explosion reported near the central station.")
    new = ArticleContent.of("T", [], None, "Explosion reported near the centrl station.")
    assert text_similarity(old.text, new.text) < 0.97
    assert classify_change(old, new) == MAJOR


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("", "", 1.0),
        ("a b c d", "a b c d", 1.0),
        ("a b c d", "a b x d", 0.75),
        ("a b", "", 0.0),
        ("", "a b", 0.0),
    ],
)
def test_text_similarity(old: str, new: str, expected: float) -> None:
    assert text_similarity(old, new) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("the the budget", "the budget", MINOR),
        ("the budget", "the the budget", MINOR),
        ("the budget budget passed", "the budget passed", MINOR),
        ("the new budget", "the budget", MAJOR),
        ("the budget", "the new budget", MAJOR),
    ],
)
def test_doubled_words_are_typos(old: str, new: str, expected: str) -> None:
    padding = " ".join(f"filler{n}" for n in range(200))
    before = ArticleContent.of("T", [], None, f"{padding} {old} {padding}")
    after = ArticleContent.of("T", [], None, f"{padding} {new} {padding}")
    assert classify_change(before, after) == expected
