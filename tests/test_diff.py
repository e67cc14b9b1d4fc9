"""Word-level diffs: exact ops, the reconstruction invariant, counts and the three renderings."""

from __future__ import annotations

import itertools
import json
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.diff import DiffOp, count_words, diff_json, render_html, render_text, word_diff

D = DiffOp


def old_of(ops: list[DiffOp]) -> str:
    return "".join(o.text for o in ops if o.op != "insert")


def new_of(ops: list[DiffOp]) -> str:
    return "".join(o.text for o in ops if o.op != "delete")


def assert_well_formed(old: str, new: str, ops: list[DiffOp]) -> None:
    """The contract every diff keeps, whatever the input."""
    assert old_of(ops) == old
    assert new_of(ops) == new
    assert all(o.text for o in ops), "no empty ops"
    for first, second in itertools.pairwise(ops):
        assert first.op != second.op, "adjacent ops of one kind are merged"
        assert (first.op, second.op) != ("insert", "delete"), "a delete comes before its insert"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param("", "", [], id="both-empty"),
        pytest.param("Same text.", "Same text.", [D("equal", "Same text.")], id="identical"),
        pytest.param(
            "The cat sat on the mat.",
            "The dog sat on the mat.",
            [
                D("equal", "The "),
                D("delete", "cat"),
                D("insert", "dog"),
                D("equal", " sat on the mat."),
            ],
            id="one-word-changed",
        ),
        pytest.param(
            "world is round.",
            "The world is round.",
            [D("insert", "The "), D("equal", "world is round.")],
            id="insert-at-start",
        ),
        pytest.param(
            "The world is round",
            "The world is round, mostly",
            [D("equal", "The world is round"), D("insert", ", mostly")],
            id="insert-at-end",
        ),
        pytest.param(
            "The world is round.",
            "The world is round. Officially.",
            [D("equal", "The world is round."), D("insert", " Officially.")],
            id="sentence-appended",
        ),
        pytest.param(
            "One.\n\nThree.",
            "One.\n\nTwo.\n\nThree.",
            [D("equal", "One.\n\n"), D("insert", "Two.\n\n"), D("equal", "Three.")],
            id="paragraph-added",
        ),
        pytest.param(
            "One.\n\nTwo.\n\nThree.",
            "One.\n\nThree.",
            [D("equal", "One.\n\n"), D("delete", "Two.\n\n"), D("equal", "Three.")],
            id="paragraph-removed",
        ),
        pytest.param(
            "One.\n\nTwo.",
            "One.",
            [D("equal", "One."), D("delete", "\n\nTwo.")],
            id="last-paragraph-removed",
        ),
        pytest.param(
            "He said no.",
            "He said, no.",
            [D("equal", "He said"), D("insert", ","), D("equal", " no.")],
            id="punctuation-only",
        ),
        pytest.param(
            "Ministers met in Zürich.",
            "Ministers met in Genève.",
            [
                D("equal", "Ministers met in "),
                D("delete", "Zürich"),
                D("insert", "Genève"),
                D("equal", "."),
            ],
            id="unicode-words",
        ),
        pytest.param(
            "東京で会議が開かれた。",
            "大阪で会議が開かれた。",
            [D("delete", "東京"), D("insert", "大阪"), D("equal", "で会議が開かれた。")],
            id="cjk-by-character",
        ),
        pytest.param(
            "Emoji 🎉 party",
            "Emoji 🎈 party",
            [D("equal", "Emoji "), D("delete", "🎉"), D("insert", "🎈"), D("equal", " party")],
            id="emoji",
        ),
        pytest.param(
            "",
            "Brand new text.",
            [D("insert", "Brand new text.")],
            id="empty-old",
        ),
        pytest.param(
            "Gone text.",
            "",
            [D("delete", "Gone text.")],
            id="empty-new",
        ),
        pytest.param(
            "The old man left.",
            "A young woman left.",
            [D("delete", "The old man"), D("insert", "A young woman"), D("equal", " left.")],
            id="consecutive-words-one-change",
        ),
        pytest.param(
            "It cost 2,000 euros.",
            "It cost 3,000 euros.",
            [
                D("equal", "It cost "),
                D("delete", "2,000"),
                D("insert", "3,000"),
                D("equal", " euros."),
            ],
            id="number-is-one-word",
        ),
        pytest.param(
            "a well-known fact",
            "a little-known fact",
            [
                D("equal", "a "),
                D("delete", "well-known"),
                D("insert", "little-known"),
                D("equal", " fact"),
            ],
            id="hyphenated-word",
        ),
    ],
)
def test_word_diff_ops(old: str, new: str, expected: list[DiffOp]) -> None:
    ops = word_diff(old, new)
    assert ops == expected
    assert_well_formed(old, new, ops)


RECONSTRUCTION_CASES = [
    ("", "x"),
    (" ", ""),
    ("\n\n", "a"),
    ("  leading and trailing  ", "leading and trailing"),
    ("a\r\nb", "a\nb"),
    ("tab\tseparated", "tab separated"),
    ("«Quoted» — he said…", '"Quoted" - he said...'),
    ("x" * 50, "x" * 49),
    ("a " * 300, "a " * 299 + "b "),
    ("the " * 500 + "end", "the " * 250 + "middle " + "the " * 250 + "end"),
    ("e\u0301 combining", "é combining"),
    ("zero\u200bwidth", "zerowidth"),
    ("한국어 문장입니다", "한국어 문장이었습니다"),
    ("مرحبا بالعالم", "مرحبا يا عالم"),
    ("data_underscore x", "data x"),
    ("end.\n\nNext", "end. Next"),
    ("1. 2. 3.", "1, 2, 3,"),
]


@pytest.mark.parametrize(("old", "new"), RECONSTRUCTION_CASES)
def test_reconstruction_on_tricky_inputs(old: str, new: str) -> None:
    assert_well_formed(old, new, word_diff(old, new))
    assert_well_formed(new, old, word_diff(new, old))


@given(st.text(max_size=200), st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_reconstruction_on_any_text(old: str, new: str) -> None:
    assert_well_formed(old, new, word_diff(old, new))


VOCABULARY = ["the", "cat", "sat", ",", ".", " ", "\n\n", "naïve", "東", "2,000", "-", "well-known"]


@given(
    st.lists(st.sampled_from(VOCABULARY), max_size=150),
    st.lists(st.tuples(st.integers(0, 150), st.sampled_from([*VOCABULARY, ""])), max_size=10),
)
@settings(max_examples=300, deadline=None)
def test_reconstruction_on_edited_text(tokens: list[str], edits: list[tuple[int, str]]) -> None:
    """Similar texts, the usual case: a few tokens replaced in a text full of repeats."""
    edited = list(tokens)
    for position, token in edits:
        if edited:
            edited[position % len(edited)] = token
    old, new = "".join(tokens), "".join(edited)
    assert_well_formed(old, new, word_diff(old, new))


def long_text(rng: random.Random, words: int) -> list[str]:
    vocabulary = [f"word{n}" for n in range(600)]
    return [rng.choice(vocabulary) for _ in range(words)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_long_texts_give_a_minimal_diff(seed: int) -> None:
    """Past the size where patience anchoring takes over, scattered edits are still found
    exactly: every replaced word is one word removed and one added, nothing more."""
    rng = random.Random(seed)
    old_words = long_text(rng, 3000)
    new_words = list(old_words)
    positions = rng.sample(range(0, 3000, 7), 25)  # never adjacent
    for n, position in enumerate(positions):
        new_words[position] = f"edit{n}"
    old, new = " ".join(old_words), " ".join(new_words)
    ops = word_diff(old, new)
    assert_well_formed(old, new, ops)
    assert count_words(ops) == (25, 25)
    assert sorted(o.text for o in ops if o.op == "insert") == sorted(f"edit{n}" for n in range(25))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(
            "the " * 10_000, "the " * 5_000 + "cat " + "the " * 5_000, id="one-word-repeated"
        ),
        pytest.param(
            " ".join(long_text(random.Random(4), 10_000)),
            " ".join(long_text(random.Random(5), 10_000)),
            id="unrelated",
        ),
    ],
)
def test_large_worst_cases_stay_fast(old: str, new: str) -> None:
    """Inputs that make an exact SequenceMatcher quadratic (minutes) still take well under
    a second; the budget is generous so a busy machine does not fail it."""
    start = time.perf_counter()
    ops = word_diff(old, new)
    assert time.perf_counter() - start < 5
    assert_well_formed(old, new, ops)


@pytest.mark.parametrize(
    ("ops", "expected"),
    [
        ([], (0, 0)),
        ([D("equal", "nothing changed here")], (0, 0)),
        ([D("equal", "a "), D("delete", "b"), D("insert", "c"), D("equal", " d")], (1, 1)),
        ([D("insert", "Two new words.")], (3, 0)),
        ([D("delete", "One, two; three!"), D("insert", " ")], (0, 3)),
        ([D("insert", ", .!? —")], (0, 0)),
        ([D("insert", "don't well-known 2,000")], (3, 0)),
        ([D("delete", "東京")], (0, 2)),
    ],
)
def test_count_words(ops: list[DiffOp], expected: tuple[int, int]) -> None:
    assert count_words(ops) == expected


CHANGED = [
    D("equal", "Prices "),
    D("delete", "rose"),
    D("insert", "fell"),
    D("equal", " sharply.\n\n"),
    D("insert", "Analysts were surprised.\n\n"),
    D("equal", "End."),
]


@pytest.mark.parametrize(
    ("ops", "color", "expected"),
    [
        (
            CHANGED,
            False,
            "Prices [-rose-]{+fell+} sharply.\n\n{+Analysts were surprised.+}\n\nEnd.",
        ),
        (
            CHANGED,
            True,
            "Prices \x1b[31mrose\x1b[m\x1b[32mfell\x1b[m sharply.\n\n"
            "\x1b[32mAnalysts were surprised.\x1b[m\n\nEnd.",
        ),
        ([D("equal", "a b")], True, "a b"),
        (
            [D("equal", "end."), D("delete", "\n\n"), D("insert", " "), D("equal", "Next")],
            False,
            "end.[-¶-]\n\n{+ +}Next",
        ),
        ([D("delete", "one\ntwo")], False, "[-one-]\n[-two-]"),
    ],
)
def test_render_text(ops: list[DiffOp], color: bool, expected: str) -> None:
    assert render_text(ops, color=color) == expected


def test_render_text_plain_has_no_escape_codes() -> None:
    assert "\x1b" not in render_text(word_diff("a b c", "a x c"), color=False)


def test_render_html_paragraphs() -> None:
    assert render_html(CHANGED) == (
        "<p>Prices <del>rose</del><ins>fell</ins> sharply.</p>\n"
        "<p><ins>Analysts were surprised.</ins></p>\n"
        "<p>End.</p>"
    )


def test_render_html_closes_tags_around_paragraph_breaks() -> None:
    ops = [D("equal", "Kept."), D("insert", " Added.\n\nAnother.")]
    assert render_html(ops) == "<p>Kept.<ins> Added.</ins></p>\n<p><ins>Another.</ins></p>"


SCRIPT = '<script>alert("x")</script>'


@pytest.mark.parametrize("kind", ["equal", "insert", "delete"])
def test_render_html_escapes_every_kind_of_text(kind: str) -> None:
    op = DiffOp(kind, f"{SCRIPT} & 'quoted'")  # type: ignore[arg-type]
    tag = {"insert": "ins", "delete": "del"}.get(kind)
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;"
    expected = f"<{tag}>{escaped}</{tag}>" if tag else escaped
    assert render_html([op]) == f"<p>{expected}</p>"


def test_render_html_of_a_real_diff_has_no_raw_markup() -> None:
    ops = word_diff(f'Safe "text" {SCRIPT}', f'Safer "text" <b onmouseover="x">{SCRIPT}')
    rendered = render_html(ops)
    assert "<script" not in rendered and "<b " not in rendered and '"' not in rendered
    for tag in ("<p>", "</p>", "<ins>", "</ins>", "<del>", "</del>"):
        rendered = rendered.replace(tag, "")
    assert "<" not in rendered and ">" not in rendered


def test_diff_json_shape() -> None:
    ops = word_diff("The cat sat.", "The black cat sat down.")
    document = diff_json("https://example.com/a", 1, 2, ops)
    assert list(document) == ["url", "from", "to", "ops", "words_added", "words_removed"]
    assert document == {
        "url": "https://example.com/a",
        "from": 1,
        "to": 2,
        "ops": [
            {"op": "equal", "text": "The "},
            {"op": "insert", "text": "black "},
            {"op": "equal", "text": "cat sat"},
            {"op": "insert", "text": " down"},
            {"op": "equal", "text": "."},
        ],
        "words_added": 2,
        "words_removed": 0,
    }
    assert json.loads(json.dumps(document)) == document


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (0, "…\n\nP3 [-old-]{+new+}\n\n…"),
        (1, "…\n\nP2 same\n\nP3 [-old-]{+new+}\n\nP4 same\n\n…"),
        (9, "P0 same\n\nP1 same\n\nP2 same\n\nP3 [-old-]{+new+}\n\nP4 same\n\nP5 same\n\nP6 same"),
    ],
)
def test_render_text_context_elides_unchanged_paragraphs(context: int, expected: str) -> None:
    old = "\n\n".join(f"P{i} {'old' if i == 3 else 'same'}" for i in range(7))
    new = old.replace("P3 old", "P3 new")
    assert render_text(word_diff(old, new), color=False, context=context) == expected
