"""crawler.noise: what boilerplate is dropped, what article text is kept, and, on real
corpus pages, that churning boilerplate makes no version while every real edit does."""

from __future__ import annotations

import random
from concurrent.futures import ProcessPoolExecutor

import pytest
from lxml.etree import SubElement  # type: ignore[import-untyped]  # lxml ships no type hints
from lxml.html import HtmlElement, document_fromstring, tostring  # type: ignore[import-untyped]  # lxml ships no type hints

from crawler.extract import Extracted, extract
from crawler.noise import (
    boilerplate_name,
    dateline_time,
    drop_noise_paragraphs,
    is_box_title,
    is_call_to_action,
    is_dateline,
    is_meta_line,
    is_noise_paragraph,
    read_more_rest,
    strip_boilerplate,
)
from storage.changes import ArticleContent, fingerprint
from tests.churn import EDIT_KINDS, EditNotApplicable, apply_edit, inject_churn
from tests.corpus import corpus_pages, require_corpus

# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "value",
    [
        "related-stories",
        "c-article-related-articles u-clearfix",
        "most-read",
        "mostRead",
        "most_popular",
        "shareBar",
        "social-share",
        "ad-slot",
        "ad",
        "top-ad-container",
        "newsletter-signup",
        "sign-up-box",
        "outbrain-widget",
        "OUTBRAIN",
        "taboola-below-article",
        "sponsored-content",
        "recirculation-module",
        "see-also",
        "you-may-also-like",
        "story-body promo",
    ],
)
def test_boilerplate_names(value: str) -> None:
    assert boilerplate_name(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "article-shared",  # "shared" is not "share"
        "main-ad-free",  # an ad-free page, not an ad
        "header",  # "ad" inside a word
        "loaded shadow adobe",
        "headline",
        "admin-bar",
        "article-body story-text",
        "social-media-embed",  # an embedded post is article content
        "article-teaser",  # sites call their own lead a teaser
        "subscription-content",  # ...and their paywalled body "subscription"
        "readability",
    ],
)
def test_not_boilerplate_names(value: str) -> None:
    assert not boilerplate_name(value)


# ---------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    "text",
    [
        "3,482 shares",
        "5.2K views · 45 comments",
        "11,578 shares Share 75,676 views",
        "Comments (12)",
        "Updated 5 minutes ago",
        "Last updated 2 hours ago",
        "an hour ago",
        "just now",
        "vor 3 Minuten",
        "Zuletzt aktualisiert: vor 5 Min.",
        "hace 2 horas",
        "Actualizado hace 3 minutos",
        "il y a 5 minutes",
        "Mis à jour il y a 3 min",
        "há 3 horas",
        "3 minuti fa",
        "5 minuten geleden",
        "för 5 minuter sedan",
        "for 3 timer siden",
        "5 minut temu",
        "před 5 minutami",
        "5 dakika önce",
        "5 минут назад",
        "5分前",
        "5분 전",
        "Advertisement",
        "Anzeige",
        "Story continues below advertisement",
        "171,424 lectures · 170.4K vues",
    ],
)
def test_meta_lines(text: str) -> None:
    assert is_meta_line(text)
    assert is_noise_paragraph(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Share",
        "Updated",
        "The post had 3,482 shares by noon.",
        "12 shares of the company were sold on Monday.",
        "The storm hit the coast 5 minutes ago, officials said.",
        "Vor 3 Minuten hatte der Zug den Bahnhof verlassen.",
        "In 2019, 45 people were injured.",
        "He declined to comment.",
        "Ad hoc committee meets again",
        "5 " * 100 + "minutes ago",  # far too long to be a label
    ],
)
def test_not_meta_lines(text: str) -> None:
    assert not is_meta_line(text)


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("Read more: Storm hits coast", "Storm hits coast"),
        ("READ MORE: Storm hits coast", "Storm hits coast"),
        ("Lesen Sie auch: Sturm trifft die Küste", "Sturm trifft die Küste"),
        ("Leia também: Tempestade atinge a costa", "Tempestade atinge a costa"),
        ("Lire aussi : La tempête frappe la côte", "La tempête frappe la côte"),
        ("Breaking: Storm hits coast", "Storm hits coast"),
        ("Related Storm hits coast", "Storm hits coast"),  # whether it is a link: caller's
        ("Moreover, the storm hit the coast", None),
        ("Reading more books is good for you", None),
        ("The minister said: read more", None),
    ],
)
def test_read_more_rest(text: str, rest: str | None) -> None:
    assert read_more_rest(text) == rest


@pytest.mark.parametrize(
    ("text", "noise"),
    [
        ("Read more: Storm hits coast", True),
        ("Lesen Sie auch: Sturm trifft die Küste", True),
        ("Read more: the minister explained her plan in detail on Monday.", False),
        ("Related stories are rare in this column", False),  # no separator
        ("Storm hits coast", False),
    ],
)
def test_noise_paragraph_lead_ins(text: str, noise: bool) -> None:
    assert is_noise_paragraph(text) is noise


def test_drop_noise_paragraphs_keeps_order_and_real_text() -> None:
    paragraphs = [
        "A storm hit the coast on Tuesday.",
        "Updated 5 minutes ago",
        "Crews worked through the night, 5 minutes ago they said.",
        "3,482 shares",
    ]
    assert drop_noise_paragraphs(paragraphs) == [paragraphs[0], paragraphs[2]]


@pytest.mark.parametrize(
    ("text", "call"),
    [
        ("Sign up", True),
        ("Subscribe for free", True),
        ("Jetzt anmelden", True),
        ("Suscríbete", True),
        ("Inscreva-se ›", True),
        ("Sign up for the course before Monday", False),
        ("subscribers", False),
    ],
)
def test_calls_to_action(text: str, call: bool) -> None:
    assert is_call_to_action(text) is call


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Related", True),
        ("Most read", True),
        ("Mehr zum Thema", True),
        ("Lo más leído", True),
        ("Das könnte Sie auch interessieren", True),
        ("Wie wichtig ist der Handelspartner Iran?", False),
        ("Related matters in court", False),
    ],
)
def test_box_titles(text: str, title: bool) -> None:
    assert is_box_title(text) is title


# ---------------------------------------------------------------------------- datelines


@pytest.mark.parametrize(
    "text",
    [
        # en
        "Updated 14:32 GMT, 3 November 2026",
        "Last updated: 3 Nov 2026 at 14:32",
        "Published 3 hours ago",
        "First published on Mon 3 Nov 2026 09.14 GMT",
        "Nov. 3, 2026 2:32 p.m. ET",
        "Posted on November 3rd, 2026 at 2:32 pm",
        "PUBLISHED: 09:14, Tue, Nov 3, 2026 | UPDATED: 14:32, Tue, Nov 3, 2026",
        "Published 3 Nov 2026 09:14, updated 14:32",
        "2026-11-03T14:32:00Z",
        # de
        "Aktualisiert am 03.11.2026, 14:32 Uhr",
        "Stand: 03.11.2026 14:32 Uhr",
        "Di., 03.11.2026, 14 Uhr",
        "Veröffentlicht am 3. November 2026 um 14:32",
        # es, fr, it, pt
        "Actualizado: 03/11/2026 14:32 h",
        "3 de noviembre de 2026, 14:32 h",
        "Mis à jour le 3 novembre 2026 à 14h32",
        "Publié le 03/11/2026 - 14:32 UTC+1",
        "Aggiornato il 3 novembre 2026 alle 14:32",
        "martedì 3 novembre 2026",
        "Atualizado em 03/11/2026 às 14h32",
        "terça-feira, 3 de novembro de 2026 às 14:32",
        # nl, sv, da, no
        "Bijgewerkt op 3 november 2026, 14:32",
        "Uppdaterad 3 november 2026 14.32",
        "Publicerad 3 nov 2026 kl 09.14 Uppdaterad kl 14.32",
        "Opdateret 3. november 2026 kl. 14.32",
        "Publisert 03.11.2026, kl. 09.14 Oppdatert 03.11.2026, kl. 14.32",
        # pl, cs, tr, ru
        "Zaktualizowano: 03.11.2026, 14:32",
        "3 listopada 2026 r., godz. 14:32",
        "Aktualizováno 3. listopadu 2026 14:32",
        "3. 11. 2026 14:32",
        "Güncelleme: 03.11.2026 14:32",
        "3 Kasım 2026 Salı 14:32",
        "Обновлено 3 ноября 2026, 14:32",
        "3 ноября 2026 г., 14:32 МСК",
        # ja, ko, zh
        "更新日時：2026年11月3日 14時32分",
        "2026年11月3日(火) 14:32",
        "11/3(火) 14:32配信",
        "입력 2026.11.03 14:32",
        "2026년 11월 3일 오후 2시 32분",
        "发布时间：2026-11-03 14:32",
        "2026年11月03日 14:32 发布",
        # bare dates and times
        "Monday 3 November 2026 14:32",
        "03.11.2026 | 14:32",
        "3 November 2026",
        "Nov. 3, 14:32",
        "Updated 14:32",
        "3 November 2026 · 1,234 shares",
        # written as a sentence, or after a place
        "This article was last updated on November 9, 2026 at 11:28 PM PT",
        "Dieser Artikel wurde zuletzt aktualisiert am 03.11.2026 um 14:32 Uhr",
        "Madrid - 29 oct 2026 - 03:58 CET",
        "Berlin, 3. November 2026, 14:32 Uhr",
        "New York, Nov. 3, 2026 2:32 p.m. ET",
        # two stamps, each with its lead word ("수정" is "edited", not the weekday 수)
        "입력 2026.11.25 08:32 수정 2026.11.25 13:10",
    ],
)
def test_datelines(text: str) -> None:
    assert is_dateline(text)
    assert is_noise_paragraph(text)


@pytest.mark.parametrize(
    "text",
    [
        # sentences with a date or a time
        "The council will meet again at 14:30 on 12 December 2026.",
        "Am 3. November 2026 trat der Rat zusammen.",
        "Le 3 novembre 2026, le conseil a voté.",
        # a date beside other words: a headline, a byline, a label of what follows
        "Match report: 3 November 2026 derby",
        "By Jane Smith, 3 November 2026",
        "Jane Smith, Madrid - 3 November 2026 14:32",
        "The Minister, 14:30",
        "3 November 2026: the day the council voted",
        "July 15, 1960:",
        # numbers that are not dates or times
        "2026",
        "12.5",
        "1,234",
        "14.32",
        "13/13/2026",
        # a time alone, or a day without its year: a schedule's or a timeline's entry
        "14:30",
        "14:30 GMT",
        "Monday, 14:30",
        "Nov. 3",
        "3. November",
        # two moments without a lead word: a range
        "14:30-16:00",
        "3 November 2026 - 4 November 2026",
        "12–14 November 2026",
        # too long to be a dateline
        "Updated " + "3 November 2026, " * 8,
        "",
    ],
)
def test_not_datelines(text: str) -> None:
    assert not is_dateline(text)
    assert not is_noise_paragraph(text)


@pytest.mark.parametrize(
    ("text", "needs_lead", "dateline"),
    [
        ("3 November 2026", True, False),  # a list item or a table cell: a schedule's entry
        ("Updated 3 November 2026 14:32", True, True),
        ("3 November 2026", False, True),
    ],
)
def test_datelines_in_lists_need_a_lead_word(text: str, needs_lead: bool, dateline: bool) -> None:
    assert is_dateline(text, needs_lead=needs_lead) is dateline


def test_drop_noise_paragraphs_keeps_list_items_and_table_rows_with_dates() -> None:
    paragraphs = [
        "The council met on Tuesday.",
        "Updated 14:32 GMT, 3 November 2026",
        "- 3 November 2026",  # trafilatura's text of a list, or of a table row
        "| 14:30 |",
        "- Updated 14:32 GMT, 3 November 2026",
    ]
    assert drop_noise_paragraphs(paragraphs) == paragraphs[0:1] + paragraphs[2:4]


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("Updated 14:32 GMT, 3 November 2026", "2026-11-03T14:32:00+00:00"),
        ("Last updated: 3 Nov 2026 at 14:32", "2026-11-03T14:32:00"),
        ("First published on Mon 3 Nov 2026 09.14 GMT", "2026-11-03T09:14:00+00:00"),
        ("Nov. 3, 2026 2:32 p.m. ET", "2026-11-03T14:32:00-05:00"),  # after the clocks change
        ("Oct. 30, 2026 2:32 p.m. ET", "2026-10-30T14:32:00-04:00"),  # ...and before
        ("Nov. 3, 2026 12:05 a.m. PT", "2026-11-03T00:05:00-08:00"),
        ("Updated 3:45 PM EDT Nov 3, 2026", "2026-11-03T15:45:00-04:00"),
        ("11/03/2026 2:32 PM EST", "2026-11-03T14:32:00-05:00"),  # m/d/y: a US zone
        ("Actualizado: 03/11/2026 14:32 h", "2026-11-03T14:32:00"),  # d/m/y otherwise
        ("Stand: 03.11.2026 14:32 Uhr", "2026-11-03T14:32:00"),
        ("03.11.2026 14:32 MEZ", "2026-11-03T14:32:00+01:00"),
        ("Sat 3 Oct 2026 14.32 CEST", "2026-10-03T14:32:00+02:00"),
        ("UPDATED: 3 NOV 2026 14:32 BST", "2026-11-03T14:32:00+01:00"),
        ("Publié le 03/11/2026 - 14:32 UTC+1", "2026-11-03T14:32:00+01:00"),
        ("Mis à jour le 3 novembre 2026 à 14h32", "2026-11-03T14:32:00"),
        ("Atualizado em 03/11/2026 às 14h32", "2026-11-03T14:32:00"),
        ("Aggiornato il 3 novembre 2026 alle 14:32", "2026-11-03T14:32:00"),
        ("Bijgewerkt op 3 november 2026, 14:32", "2026-11-03T14:32:00"),
        ("Uppdaterad 3 november 2026 14.32", "2026-11-03T14:32:00"),
        ("Zaktualizowano: 03.11.2026, 14:32", "2026-11-03T14:32:00"),
        ("Aktualizováno 3. listopadu 2026 14:32", "2026-11-03T14:32:00"),
        ("Güncelleme: 03.11.2026 14:32", "2026-11-03T14:32:00"),
        ("Обновлено 3 ноября 2026, 14:32", "2026-11-03T14:32:00"),
        ("3 ноября 2026 г., 14:32 МСК", "2026-11-03T14:32:00+03:00"),
        ("更新日時：2026年11月3日 14時32分", "2026-11-03T14:32:00"),
        ("입력 2026.11.03 14:32", "2026-11-03T14:32:00"),
        ("2026년 11월 3일 오후 2시 32분", "2026-11-03T14:32:00"),
        ("发布时间：2026-11-03 14:32:05", "2026-11-03T14:32:05"),
        ("2026-11-03T14:32:00Z", "2026-11-03T14:32:00+00:00"),
        ("3 Nov 2026 14:32 -05:00", "2026-11-03T14:32:00-05:00"),
        ("Updated 14:32 IST, 3 November 2026", "2026-11-03T14:32:00"),  # which IST?
        ("Monday 3 November 2026", "2026-11-03"),
        ("03.11.26", "2026-11-03"),
        # several moments: the latest; a time alone takes the day before it
        (
            "Published 3 Nov 2026 09:14 GMT Updated 4 Nov 2026 14:32 GMT",
            "2026-11-04T14:32:00+00:00",
        ),
        ("Updated 4 Nov 2026 14:32 | Published 3 Nov 2026 09:14", "2026-11-04T14:32:00"),
        ("Published 3 Nov 2026 09:14, updated 14:32", "2026-11-03T14:32:00"),
        # no moment to give
        ("Published 3 hours ago", None),
        ("vor 3 Minuten", None),
        ("Updated 14:32", None),  # which day?
        ("Nov. 3, 14:32", None),  # which year?
        ("31.02.2026", None),
        ("The council will meet again at 14:30 on 12 December 2026.", None),
        ("By Jane Smith, 3 November 2026", None),
    ],
)
def test_dateline_time(text: str, moment: str | None) -> None:
    assert dateline_time(text) == moment


# ---------------------------------------------------------------------------- tree

INTRO = "A powerful storm hit the coast on Tuesday, flooding streets and cutting power."
OUTRO = "Emergency crews worked through the night to clear fallen trees from the roads."
HEADLINES = (
    '<li><a href="/2026/11/a.html">Council approves the new housing plan</a></li>'
    '<li><a href="/2026/11/b.html">Rail operator delays the timetable change</a></li>'
    '<li><a href="/2026/11/c.html">Farmers warn over the water price increase</a></li>'
)


def _page(block: str) -> HtmlElement:
    return document_fromstring(
        f"<html><body><article><h1>Storm hits coast</h1><p>{INTRO}</p>{block}"
        f"<p>{OUTRO}</p></article></body></html>"
    )


def _text(tree: HtmlElement) -> str:
    return " ".join(tree.text_content().split())


@pytest.mark.parametrize(
    ("block", "rule", "gone"),
    [
        pytest.param(
            '<p><strong>Read more:</strong> <a href="/2026/11/x.html">Other headline</a></p>',
            "read-more",
            "Other headline",
            id="read-more-teaser",
        ),
        pytest.param(
            '<p><a href="/2026/11/x.html">Council approves new housing plan after debate</a></p>',
            "links",
            "Council approves",
            id="bare-teaser-link",
        ),
        pytest.param("<p>Updated 12 minutes ago</p>", "meta", "minutes ago", id="updated-ago"),
        pytest.param(
            '<div><time datetime="">vor 3 Minuten</time></div>', "meta", "Minuten", id="vor"
        ),
        pytest.param("<div><span>3,482</span> shares</div>", "meta", "shares", id="counter"),
        pytest.param("<p>5.2K views · 45 comments</p>", "meta", "views", id="two-counters"),
        pytest.param(
            f"<div><h3>Most read</h3><ol>{HEADLINES}</ol></div>",
            "links",
            "Most read",
            id="most-read-list",
        ),
        pytest.param(
            "<div><p>Get the morning briefing in your inbox every weekday.</p>"
            '<form action="/n"><input type="email" name="e"><button>Sign up</button></form></div>',
            "field",
            "briefing",
            id="newsletter-form",
        ),
        pytest.param(
            "<p>Our free newsletter: the top stories every evening in your inbox. "
            '<a href="/newsletters">Subscribe</a></p>',
            "signup",
            "newsletter",
            id="newsletter-call",
        ),
        pytest.param(
            f'<aside class="related-articles"><h3>See more</h3><ul>{HEADLINES}</ul></aside>',
            "name",
            "See more",
            id="named-related",
        ),
        pytest.param(
            '<div class="ad-slot" id="ad-8f3a"><script>adq.push("8f3a")</script></div>'
            '<div class="ad-slot" id="ad-9b1c"><span>Advertisement</span></div>',
            "name",  # the empty slot by its name, the labelled one by its label ("meta")
            "Advertisement",
            id="named-ad",
        ),
        pytest.param(
            '<div data-slot="8f3a"><span>Anzeige</span></div>', "meta", "Anzeige", id="ad-label"
        ),
    ],
)
def test_strip_boilerplate_drops(block: str, rule: str, gone: str) -> None:
    tree = _page(block)
    removed = strip_boilerplate(tree)
    assert gone not in _text(tree)
    assert rule in {r.rule for r in removed}
    assert INTRO in _text(tree) and OUTRO in _text(tree)


@pytest.mark.parametrize(
    ("block", "kept"),
    [
        pytest.param(
            '<p>It also <a href="https://nato.example/plans">co-ordinates military plans and '
            "carries out joint exercises</a>.</p>",
            "co-ordinates military plans",
            id="sentence-around-link",
        ),
        pytest.param(
            "<p>The storm reached the harbour 5 minutes ago, officials said.</p>",
            "5 minutes ago, officials said",
            id="time-in-sentence",
        ),
        pytest.param(
            "<p>The video had 3,482 shares and 5.2K views by noon.</p>",
            "3,482 shares",
            id="numbers-in-sentence",
        ),
        pytest.param("<p>He declined to comment.</p>", "declined to comment", id="short"),
        pytest.param(
            '<div class="article-shared"><p>Shared ownership <a href="/x">schemes</a> grew.</p>'
            "</div>",
            "Shared ownership schemes grew.",
            id="article-shared",
        ),
        pytest.param(
            '<div id="main-ad-free"><p>Readers of the ad-free edition saw the story.</p></div>',
            "ad-free edition",
            id="main-ad-free",
        ),
        pytest.param(
            '<div class="article-promo"><h2>She woke up a different person and became a '
            "songwriter.</h2></div>",
            "became a songwriter",
            id="named-but-no-links",
        ),
        pytest.param(
            '<h2><a href="/2026/11/x.html">A linked sub-headline of a teaser</a></h2>',
            "linked sub-headline",
            id="linked-heading",
        ),
        pytest.param(
            '<ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul>',
            "World",
            id="menu-left-to-trafilatura",
        ),
        pytest.param(
            "<p><strong>Related:</strong> the council met again on Monday evening.</p>",
            "the council met again",
            id="lead-in-without-link",
        ),
    ],
)
def test_strip_boilerplate_keeps(block: str, kept: str) -> None:
    tree = _page(block)
    strip_boilerplate(tree)
    assert kept in _text(tree)


def test_sub_headline_stays_when_a_list_beside_it_goes() -> None:
    tree = _page(
        f"<div><h2>Wie wichtig ist der Handelspartner Iran?</h2><ul>{HEADLINES}</ul></div>"
    )
    strip_boilerplate(tree)
    assert "Handelspartner Iran" in _text(tree)
    assert "Council approves" not in _text(tree)


def test_paragraph_stays_when_a_promo_beside_it_goes() -> None:
    real = "The alliance does not have its own army, but members can act together."
    tree = _page(
        f"<div><p>{real}</p><p>Our free newsletter, every evening in your inbox. "
        '<a href="/newsletters">Subscribe</a></p></div>'
    )
    strip_boilerplate(tree)
    assert real in _text(tree)
    assert "newsletter" not in _text(tree)


def test_box_title_goes_with_its_list() -> None:
    tree = _page(f"<h3>Most read</h3><ul>{HEADLINES}</ul>")
    assert {r.rule for r in strip_boilerplate(tree)} == {"title", "links"}
    assert "Most read" not in _text(tree)


def test_headline_block_and_tail_text_survive() -> None:
    tree = document_fromstring(
        '<html><body><div class="share-header"><h1>Storm hits coast</h1>'
        '<a href="/share">Share this story</a></div>'
        "<div>Text before.<p>Updated 5 minutes ago</p>Text after the label.</div></body></html>"
    )
    strip_boilerplate(tree)
    assert "Storm hits coast" in _text(tree)  # the block holds the <h1>: never removed
    assert "Text after the label." in _text(tree)  # a removed block's tail is kept
    assert "minutes ago" not in _text(tree)


def test_strip_boilerplate_survives_deep_nesting() -> None:
    # Built by hand: lxml's parser stops at 255 levels, trees made by code do not.
    tree = document_fromstring("<html><body></body></html>")
    inner = tree.find("body")
    for _ in range(5_000):  # deeper than Python's recursion limit
        inner = SubElement(inner, "div")
    SubElement(inner, "p").text = "Updated 5 minutes ago"
    SubElement(inner, "p").text = INTRO
    strip_boilerplate(tree)
    texts = [p.text for p in tree.iter("p")]
    assert texts == [INTRO]


@pytest.mark.parametrize(
    ("block", "rules", "gone", "kept"),
    [
        pytest.param(  # a script's text is not the block's: the label alone is left
            '<p>Updated 5 minutes ago<script>var views = "a long sentence of code";</script></p>',
            ["meta"],
            "minutes ago",
            "",
            id="script-text-not-read",
        ),
        pytest.param(  # an <h1> hidden in a <noscript> does not shield the block around it
            '<div class="related-links"><noscript><h1>Hidden headline</h1></noscript>'
            '<a href="/2026/11/x.html">Council approves new housing plan</a></div>',
            ["name"],
            "Council approves",
            "",
            id="noscript-h1-hidden",
        ),
        pytest.param(  # ...but one beside a <noscript> does
            '<div class="related-links"><noscript><p>Enable scripts</p></noscript>'
            '<h1>Second headline</h1><a href="/2026/11/x.html">Council approves plan</a></div>',
            [],
            "",
            "Second headline",
            id="h1-beside-noscript",
        ),
        pytest.param(  # rules still reach blocks inside an invisible element
            '<noscript><div class="ad-slot"><a href="/ads/click"><img src="/a.gif"></a></div>'
            "</noscript>",
            ["name"],
            "ad-slot",
            "",
            id="inside-noscript",
        ),
    ],
)
def test_invisible_elements_hide_their_content(
    block: str, rules: list[str], gone: str, kept: str
) -> None:
    # _measure raises the h1/field/button flags and the "holds a script" flag from the
    # few elements that have them upwards; these pin where that climb must stop.
    tree = _page(block)
    removed = strip_boilerplate(tree)
    assert [r.rule for r in removed] == rules
    html = tostring(tree, encoding="unicode")
    if gone:
        assert gone not in html
    assert kept in html
    assert INTRO in _text(tree) and OUTRO in _text(tree)


def test_extract_drops_teaser_between_paragraphs() -> None:
    """The fixture site's case: a "Read more:" teaser inside the body is not article text."""
    paragraphs = [f"{INTRO} ({n})" for n in range(4)]
    teaser = (
        '<p class="read-more"><strong>Read more:</strong> '
        '<a href="/2026/11/other.html">Other headline</a></p>'
    )
    page = (
        "<html><body><article><h1>Storm hits coast</h1>"
        f"<p>{paragraphs[0]}</p><p>{paragraphs[1]}</p>{teaser}<p>Updated 3 minutes ago</p>"
        f"<p>{paragraphs[2]}</p><div><span>1,234</span> shares</div><p>{paragraphs[3]}</p>"
        "</article></body></html>"
    )
    result = extract(page.encode())
    assert result is not None
    assert result.text == "\n\n".join(paragraphs)


SENTENCE_WITH_DATE = "The council will meet again at 14:30 on 12 December 2026, the mayor said."


def _dateline_page(moment: str, day: int = 3, meeting: str = "12 December 2026") -> str:
    """An article with datelines between and after its paragraphs, as <p>, <div> and
    <time>, each stating ``moment`` (a time of day) on ``day`` (of November 2026)."""
    paragraphs = [f"{INTRO} ({n})" for n in range(4)]
    return (
        "<html><body><article><h1>Storm hits coast</h1>"
        f'<p class="dateline">Updated {moment} GMT, {day} November 2026</p>'
        f"<p>{paragraphs[0]}</p>"
        f"<div>Stand: {day:02d}.11.2026 {moment} Uhr</div>"
        f"<p>{paragraphs[1]}</p>"
        f'<time datetime="2026-11-{day:02d}T{moment}:00Z">{day} November 2026 {moment}</time>'
        f"<p>{paragraphs[2]}</p>"
        f"<p>The council will meet again at 14:30 on {meeting}, the mayor said.</p>"
        f"<span><time>Nov. {day}, 2026 {moment} ET</time></span>"
        f"<p>{paragraphs[3]}</p>"
        f'<div class="meta"><span>Mis à jour le</span> <time>{day} novembre 2026 à {moment}'
        "</time></div></article></body></html>"
    )


def test_strip_boilerplate_removes_datelines() -> None:
    tree = document_fromstring(_dateline_page("14:32"))
    removed = strip_boilerplate(tree)
    assert sorted((r.rule, r.element.tag) for r in removed) == [
        ("dateline", tag) for tag in ("div", "div", "p", "span", "time")
    ]
    text = _text(tree)
    assert "14:32" not in text and "Stand" not in text and "Mis à jour" not in text
    assert SENTENCE_WITH_DATE in text
    assert INTRO in text
    assert next(tree.iter("time"), None) is None  # its datetime goes too: it moves as well


@pytest.mark.parametrize(
    ("block", "kept"),
    [
        pytest.param(
            "<p>Am 3. November 2026 trat der Rat zusammen.</p>", "trat der Rat", id="sentence"
        ),
        pytest.param(
            "<p>By Jane Smith, <time>3 November 2026</time></p>", "Jane Smith", id="byline"
        ),
        pytest.param(
            "<p>Match report: <time>3 November 2026</time> derby</p>", "derby", id="headline"
        ),
        pytest.param("<p>Read it on <time>3 November 2026</time> here</p>", "2026", id="inline"),
        pytest.param(
            "<p>Read it on <span><b><time>3 November 2026 14:32</time></b></span> here</p>",
            "14:32",
            id="nested-inline",
        ),
        pytest.param("<p>14:30</p>", "14:30", id="time-alone"),
        pytest.param(
            "<ul><li>3 November 2026</li><li>4 November 2026</li></ul>", "4 November", id="list"
        ),
        pytest.param("<ul><li>14:30</li></ul>", "14:30", id="one-item-list"),
        pytest.param(
            "<table><tr><td><time>3 November 2026</time></td><td>Vote</td></tr></table>",
            "3 November 2026",
            id="table-cell",
        ),
        pytest.param(
            "<dl><dt>Next meeting</dt><dd><span>3 November 2026 14:30</span></dd></dl>",
            "14:30",
            id="definition",
        ),
    ],
)
def test_strip_boilerplate_keeps_dates_in_text_and_schedules(block: str, kept: str) -> None:
    tree = _page(block)
    assert "dateline" not in {r.rule for r in strip_boilerplate(tree)}
    assert kept in _text(tree)


def test_strip_boilerplate_removes_a_dateline_in_a_body_wrapped_in_a_span() -> None:
    # Some sites put the whole body in a <span>: its paragraphs still end the line.
    tree = _page(
        f"<span class='post-body'><p>{INTRO} (1)</p><span><time>Updated 14:32 GMT, 3 November"
        f" 2026</time></span> <p>{INTRO} (2)</p></span>"
    )
    assert [(r.rule, r.element.tag) for r in strip_boilerplate(tree)] == [("dateline", "span")]
    assert "14:32" not in _text(tree) and f"{INTRO} (2)" in _text(tree)


def test_strip_boilerplate_removes_a_dateline_list_item_with_a_lead_word() -> None:
    tree = _page("<ul><li>Updated 14:32 GMT, 3 November 2026</li></ul>")
    assert [r.rule for r in strip_boilerplate(tree)] == ["dateline"]
    assert "14:32" not in _text(tree)


def test_extract_ignores_a_moving_dateline_but_not_an_edited_date() -> None:
    first = extract(_dateline_page("14:32").encode())
    later = extract(_dateline_page("16:05").encode())
    next_day = extract(_dateline_page("09:10", day=4).encode())
    edited = extract(_dateline_page("16:05", meeting="13 December 2026").encode())
    assert first is not None and later is not None and next_day is not None
    assert edited is not None
    assert later.text == first.text == next_day.text
    # the page states no date in its metadata: none is read from its datelines either
    assert later.published == first.published == next_day.published
    assert SENTENCE_WITH_DATE in first.text
    assert "14:32" not in first.text and "Stand" not in first.text
    assert edited.text != first.text
    assert "13 December 2026" in edited.text


# ---------------------------------------------------------------------------- corpus

# Every third page: about 150 pages, 7 extractions each, in 20-30 s on two processes.
SAMPLE_STEP = 3
CHURN_SEEDS = (1, 2)


def _fingerprint(result: Extracted | None) -> str | None:
    if result is None:
        return None
    return fingerprint(
        ArticleContent.of(result.title, result.authors, result.published, result.text)
    )


def _churn_and_edits(index: int) -> tuple[str, list[int], list[str], list[str]]:
    """One corpus page: (id, churn seeds that changed the fingerprint, edit kinds that did
    not, edit kinds with no place on the page). Nothing to check if nothing is extracted."""
    page = corpus_pages()[index]
    html = page.html_bytes().decode("utf-8")

    def extracted(source: str) -> Extracted | None:
        return extract(source.encode(), url=page.url)

    def churned(source: str, seed: int) -> Extracted | None:
        return extracted(inject_churn(source, 1_000 * seed + index, reference=page.text))

    base = churned(html, 0)
    if base is None:
        return page.id, [], [], []
    expected = _fingerprint(base)
    false = [seed for seed in CHURN_SEEDS if _fingerprint(churned(html, seed)) != expected]
    missed, not_applicable = [], []
    for offset, kind in enumerate(EDIT_KINDS):
        try:
            edited = apply_edit(html, kind, random.Random(index), base.text)
        except EditNotApplicable:
            not_applicable.append(kind)
            continue
        if _fingerprint(churned(edited, 10 + offset)) == expected:
            missed.append(kind)
    return page.id, false, missed, not_applicable


@pytest.mark.corpus
def test_corpus_churn_makes_no_version_and_every_edit_does() -> None:
    require_corpus()
    sample = range(0, len(corpus_pages()), SAMPLE_STEP)
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_churn_and_edits, sample, chunksize=2))
    assert len(results) > 100
    false = {pid: seeds for pid, seeds, _, _ in results if seeds}
    missed = {pid: kinds for pid, _, kinds, _ in results if kinds}
    not_applicable = {pid: kinds for pid, _, _, kinds in results if kinds}
    assert false == {}
    assert missed == {}
    assert not_applicable == {}
