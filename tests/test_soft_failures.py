"""storage.soft_failures: when a page that answered 200 is not a version of its article."""

from __future__ import annotations

from typing import Any

import pytest

from storage.soft_failures import cut_short, judge, shared_share

PARAGRAPHS = [
    f"Paragraph {n}: the harbour authority said on Monday that ferry fares would rise by"
    f" {n + 3} per cent in January, after a review of the operator's costs and sailings."
    for n in range(8)
]
ARTICLE = "\n\n".join(PARAGRAPHS)
CONSENT = (
    "We and our partners store and/or access information on a device, such as cookies."
    " Accept all. Manage preferences."
)


def signals(**values: Any) -> dict[str, Any]:
    return {"wall": None, "paywall": None, "not_free": False, "complete": True, **values}


def test_shared_share() -> None:
    assert shared_share(ARTICLE, ARTICLE) == 1.0
    assert shared_share(PARAGRAPHS[0], ARTICLE) == 1.0
    assert shared_share(CONSENT, ARTICLE) < 0.1
    edited = ARTICLE.replace("Monday", "Tuesday")
    assert shared_share(edited, ARTICLE) > 0.95


@pytest.mark.parametrize(
    ("new", "kept", "broken_off"),
    [
        ("\n\n".join(PARAGRAPHS[:2]), 0.25, False),
        ("\n\n".join(PARAGRAPHS[:2]) + "\n\nSubscribe to continue reading.", 0.25, False),
        ("\n\n".join([*PARAGRAPHS[:2], PARAGRAPHS[2][:60] + "…"]), 0.3, True),
        ("\n\n".join(PARAGRAPHS[:7]), 0.875, False),
        # What the page prints after every article stays after the gap.
        (
            "\n\n".join([*PARAGRAPHS[:2], "Already a subscriber? Log in", PARAGRAPHS[-1]]),
            0.375,
            False,
        ),
    ],
)
def test_cut_short(new: str, kept: float, broken_off: bool) -> None:
    found = cut_short(ARTICLE, new)
    assert found is not None
    assert found[0] == pytest.approx(kept, abs=0.05)
    assert found[1] is broken_off


@pytest.mark.parametrize(
    "new",
    [
        ARTICLE,  # all of it
        "\n\n".join(PARAGRAPHS[1:]),  # the first paragraph deleted: not a beginning
        "\n\n".join(
            [
                *PARAGRAPHS[:3],
                "A paragraph the archived text never had, and long "
                "enough to be a paragraph of the article rather than a call to subscribe;"
                " it goes on and on about the harbour, the fares, the sailings, the "
                "operator's costs and the review that was published in the spring, "
                "so that it is well over three hundred characters long in all.",
            ]
        ),
        CONSENT,
    ],
)
def test_not_cut_short(new: str) -> None:
    assert cut_short(ARTICLE, new) is None


def test_a_wall_is_blocked_with_its_reason() -> None:
    wall = {"kind": "consent", "reason": "consent or cookie wall: the page says 'accept all'"}
    verdict = judge(previous=ARTICLE, text=CONSENT, signals=signals(wall=wall))
    assert verdict is not None and verdict.outcome == "blocked"
    assert "consent" in verdict.reason
    # A new article behind a wall, and a wall without any article text, likewise.
    assert judge(previous=None, text=CONSENT, signals=signals(wall=wall)) is not None
    assert judge(previous=ARTICLE, text=None, signals=signals(wall=wall)) is not None


def test_a_wall_signal_on_the_article_itself_is_not_believed() -> None:
    wall = {"kind": "login", "reason": "login wall"}
    edited = ARTICLE.replace("Monday", "Tuesday")
    assert judge(previous=ARTICLE, text=edited, signals=signals(wall=wall)) is None


def test_the_same_short_text_at_many_addresses_is_blocked() -> None:
    verdict = judge(previous=None, text=CONSENT, signals=signals(), repeats=5)
    assert verdict is not None and verdict.outcome == "blocked"
    assert judge(previous=None, text=CONSENT, signals=signals(), repeats=4) is None
    # An archived article that did not change is that article, however many share it.
    assert judge(previous=CONSENT, text=CONSENT, signals=signals(), repeats=9) is None
    # A long story published at several addresses is a story.
    assert judge(previous=None, text=ARTICLE * 16, signals=signals(), repeats=5) is None


def test_an_unrelated_fraction_of_the_article_is_blocked_without_any_phrase() -> None:
    verdict = judge(
        previous=ARTICLE, text="Nothing to see here. Try the home page.", signals=signals()
    )
    assert verdict is not None and verdict.outcome == "blocked"
    # A real rewrite of the story, as long as it was, is a version.
    rewrite = " ".join(f"Rewritten sentence {n} about another matter entirely." for n in range(40))
    assert judge(previous=ARTICLE, text=rewrite, signals=signals()) is None


def test_a_paywall_teaser_is_truncated() -> None:
    teaser = "\n\n".join(PARAGRAPHS[:2])
    verdict = judge(
        previous=ARTICLE,
        text=teaser,
        signals=signals(paywall="the page says 'subscribe to continue reading'"),
    )
    assert verdict is not None and verdict.outcome == "truncated"
    assert "25%" in verdict.reason


def test_a_body_cut_in_transport_is_truncated() -> None:
    cut = "\n\n".join([*PARAGRAPHS[:4], PARAGRAPHS[4][:50]])
    verdict = judge(
        previous=ARTICLE, text=cut, signals=signals(complete=False), archived={"complete": True}
    )
    assert verdict is not None and verdict.outcome == "truncated"
    # ... unless the archived page never reached its </html> either.
    assert judge(previous=ARTICLE, text=cut, signals=signals(complete=False)) is None


def test_deleting_the_last_paragraph_is_a_version() -> None:
    edited = "\n\n".join(PARAGRAPHS[:-1])
    assert (
        judge(previous=ARTICLE, text=edited, signals=signals(), archived={"complete": True}) is None
    )
    # Also on a site whose pages always say "isAccessibleForFree: false".
    assert judge(previous=ARTICLE, text=edited, signals=signals(not_free=True)) is None


def test_a_page_that_was_a_teaser_already_is_edited_not_cut() -> None:
    """A site that only ever shows a teaser: deleting its last paragraph is an edit."""
    teaser = "\n\n".join(PARAGRAPHS[:4])
    call = signals(paywall="the page says 'to read the full story subscribe'")
    shorter = "\n\n".join(PARAGRAPHS[:3])
    assert judge(previous=teaser, text=shorter, signals=call, archived={"paywall": True}) is None
    assert judge(previous=teaser, text=shorter, signals=call, archived={"paywall": False})


def test_a_paywall_with_no_text_at_all_is_truncated() -> None:
    verdict = judge(
        previous=ARTICLE, text=None, signals=signals(paywall="the page says 'weiterlesen mit'")
    )
    assert verdict is not None and verdict.outcome == "truncated"
    assert judge(previous=None, text=None, signals=signals(paywall="x")) is None


def test_a_teaser_is_read_off_the_page_when_extraction_kept_something_else() -> None:
    """On a teaser trafilatura may keep a caption or a login form instead of the lede;
    what the page shows still tells the cut."""
    page = f"Home News {PARAGRAPHS[0]} {PARAGRAPHS[1]} Subscribe now for £1 Sign in Footer"
    caption = "Photo: the harbour at dawn, with the ferry leaving for the islands. (AP)"
    verdict = judge(previous=ARTICLE, text=caption, signals=signals(visible=page))
    assert verdict is not None and verdict.outcome == "truncated"
    assert "subscri" in verdict.reason and "25%" in verdict.reason


def test_a_site_s_usual_sign_in_below_every_story_is_no_teaser() -> None:
    two = "\n\n".join(PARAGRAPHS[:2])
    page = f"Home {PARAGRAPHS[0]} Sign in Register Footer"
    edit = signals(visible=page)
    # The archived page had "sign in" and "register" after the whole article too.
    usual = {"hints": ["sign in", "register"]}
    assert judge(previous=two, text=PARAGRAPHS[0], signals=edit, archived=usual) is None
    assert judge(previous=two, text=PARAGRAPHS[0], signals=edit, archived={}) is not None
