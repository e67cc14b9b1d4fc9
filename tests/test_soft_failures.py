"""storage.soft_failures: when a page that answered 200 is not a version of its article."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crawler.reading import read_page
from storage.changes import ArticleContent
from storage.soft_failures import cut_short, judge, page_record, shared_share

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


def test_a_login_wall_over_the_article_s_headline_is_blocked() -> None:
    # What extraction keeps of the wall is a line of the article (its headline, over the
    # login form): it is all in the archived text, and too short to be the article.
    page = (
        b"<html><head><title>Ferry fares to rise | The Harbour Gazette</title></head><body>"
        b"<article><h2>Paragraph 3: the harbour authority said on Monday</h2>"
        b"<form action='/login'><p>Log in to continue reading.</p>"
        b"<input name='email'><button>Log in</button></form></article></body></html>"
    )
    read = read_page(page, "https://news.example/ferry.html", None)
    text = (read["article"] or {}).get("text")
    assert text is not None and len(text) < 200 and shared_share(text, ARTICLE) >= 0.5
    assert read["signals"]["wall"]["kind"] == "login"
    verdict = judge(previous=ARTICLE, text=text, signals=read["signals"])
    assert verdict is not None and verdict.outcome == "blocked"


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


# ------------------------------------------------- pages cut where extraction kept other text


def _page(*blocks: str, footer: str = "<footer>© The Harbour Gazette</footer>") -> bytes:
    body = "".join(blocks)
    return (
        "<html><head><title>Ferry fares to rise</title></head><body>"
        "<header><a href='/'>The Harbour Gazette</a></header>"
        f"<article><h1>Ferry fares to rise</h1>{body}</article>{footer}</body></html>"
    ).encode()


def _p(n: int) -> str:
    return f"<p>{PARAGRAPHS[n]}</p>"


def _read(page: bytes) -> tuple[str, dict[str, Any]]:
    """What the archive gets of a page: its text, made canonical, and its signals."""
    read = read_page(page, "https://news.example/ferry.html", None)
    text = ArticleContent.of(None, [], None, (read["article"] or {}).get("text")).text
    return text, read["signals"]


BOX = (
    "<div class='offer'><h2>Subscribe to continue reading</h2>"
    "<p>Get unlimited access to our journalism for just £1 a week.</p>"
    "<p>Already a subscriber? <a href='/login'>Log in</a></p></div>"
)


def test_a_teaser_that_leaves_part_of_the_article_below_its_box_is_truncated() -> None:
    """A paywall cuts the paragraphs but leaves the article's list below its box; the
    text runs on past the box, so only the page tells where the archived text stops."""
    items = "<ul>" + "".join(f"<li>{PARAGRAPHS[n]}</li>" for n in (5, 6)) + "</ul>"
    archived, before = _read(_page(*map(_p, range(5)), items, _p(7)))
    text, teaser = _read(_page(_p(0), _p(1), BOX, items))
    assert text != archived
    verdict = judge(previous=archived, text=text, signals=teaser, archived=page_record(before))
    assert verdict is not None and verdict.outcome == "truncated"
    assert "subscribe to continue reading" in verdict.reason
    # The same page without its box is an edit that deleted paragraphs.
    edited, signals = _read(_page(_p(0), _p(1), items))
    assert (
        judge(previous=archived, text=edited, signals=signals, archived=page_record(before)) is None
    )


def test_a_call_to_subscribe_the_archived_page_showed_too_proves_nothing() -> None:
    """A site that prints its offer below every story: deleting the last paragraph is
    an edit; a teaser's other call, where the text stops, is still a teaser."""
    archived, before = _read(_page(*map(_p, range(8)), BOX))
    edited, signals = _read(_page(*map(_p, range(7)), BOX))
    assert (
        judge(previous=archived, text=edited, signals=signals, archived=page_record(before)) is None
    )
    stop = "<p>This article is for subscribers only.</p>"
    text, teaser = _read(_page(_p(0), _p(1), stop, BOX, _p(7)))
    verdict = judge(previous=archived, text=text, signals=teaser, archived=page_record(before))
    assert verdict is not None and "for subscribers only" in verdict.reason


def test_a_teaser_that_breaks_off_a_short_first_paragraph_is_truncated() -> None:
    """The teaser keeps two words of a short standfirst and "…": too few to tell the
    paragraph by, but the ellipsis right before the box tells the cut."""
    standfirst = "<p>Passengers face higher fares from January</p>"
    archived, before = _read(_page(standfirst, *map(_p, range(8))))
    text, teaser = _read(_page("<p>Passengers face…</p>", BOX, _p(5), _p(6)))
    verdict = judge(previous=archived, text=text, signals=teaser, archived=page_record(before))
    assert verdict is not None and verdict.outcome == "truncated"
    assert "ellipsis" in verdict.reason


def test_a_body_cut_in_transport_is_read_off_where_the_page_stops() -> None:
    """A pull quote of a later paragraph stands above the cut, and extraction kept it
    among the first: neither the text nor the page is the archived text's beginning
    alone, but the page stops in the middle of a word of it, as a cut body does."""
    quote = f"“{PARAGRAPHS[6]}”"
    shown = [PARAGRAPHS[0], quote, *PARAGRAPHS[1:3], PARAGRAPHS[3][:57]]
    page = "Home News " + " ".join(shown)
    text = "\n\n".join(shown)
    cut = signals(complete=False, visible=page)
    verdict = judge(previous=ARTICLE, text=text, signals=cut, archived={"complete": True})
    assert verdict is not None and verdict.outcome == "truncated"
    assert "in the middle of the archived text" in verdict.reason
    # A whole page with the same text ends with its footer: that is an edit.
    whole = signals(visible=f"{page} Comments are closed. © The Harbour Gazette")
    assert judge(previous=ARTICLE, text=text, signals=whole, archived={"complete": True}) is None


def test_a_page_that_never_reached_its_end_is_cut_only_mid_paragraph() -> None:
    """The site never sends </html>: a page that stops within a paragraph was cut, one
    that stops after a whole paragraph is an edit that deleted the ones after it."""
    no_end = "<p>Comments are closed.</p>"
    page = "Home News " + " ".join(PARAGRAPHS[:4])
    never = {"complete": False}
    cut = signals(complete=False, visible=page + " " + PARAGRAPHS[4][:70])
    verdict = judge(previous=ARTICLE, text=no_end, signals=cut, archived=never)
    assert verdict is not None and verdict.outcome == "truncated"
    edited = "\n\n".join(PARAGRAPHS[:4])
    shorter = signals(complete=False, visible=page)
    assert judge(previous=ARTICLE, text=edited, signals=shorter, archived=never) is None


def test_an_edit_of_a_client_rendered_page_behind_its_teaser_is_a_version() -> None:
    """A page renders its article from its JSON-LD and shows a teaser of it above a call
    to subscribe, on every load. The text is the body the data holds: an edit of it is a
    version, however little of it the page shows."""

    def page(body: str) -> bytes:
        data = json.dumps(
            {"@type": "NewsArticle", "headline": "Ferry fares to rise", "articleBody": body}
        )
        shown = body.split("\n\n")[0][:90] + "…"
        html = _page(f"<p>{shown}</p>", BOX).decode()
        return html.replace(
            "</head>", f'<script type="application/ld+json">{data}</script></head>'
        ).encode()

    archived, before = _read(page(ARTICLE))
    assert archived == ARTICLE
    edited_body = ARTICLE.replace("sailings.", "timetables.", 1)
    edited, after = _read(page(edited_body))
    assert edited == edited_body
    assert (
        judge(previous=archived, text=edited, signals=after, archived=page_record(before)) is None
    )


def test_a_teaser_whose_json_ld_holds_the_body_in_other_words_is_truncated() -> None:
    """The archived text is what the whole page showed; the teaser's extraction takes the
    body its JSON-LD declares, which differs from that text in its details. That is no
    edit: the page is a teaser of the archived article."""
    declared = ARTICLE.replace("sailings.", "sailings (timetables).", 2)
    data = json.dumps(
        {"@type": "NewsArticle", "headline": "Ferry fares to rise", "articleBody": declared}
    )
    script = f'<script type="application/ld+json">{data}</script></head>'
    archived, before = _read(_page(*map(_p, range(8))))
    assert archived == ARTICLE and not before["from_data"]
    text, teaser = _read(_page(_p(0), _p(1), BOX).decode().replace("</head>", script).encode())
    assert text == declared and teaser["from_data"]
    verdict = judge(previous=archived, text=text, signals=teaser, archived=page_record(before))
    assert verdict is not None and verdict.outcome == "truncated"
