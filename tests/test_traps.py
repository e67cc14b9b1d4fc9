"""The trap generators of tests/traps.py: each changes what it should on real corpus
pages, and only that; every one is deterministic in its seed."""

from __future__ import annotations

import functools
import html as htmlib
import json
import re

import lxml.html
import pytest

from tests import traps
from tests.churn import EditNotApplicable, _masked, _normalise, _visible, body_spans, page_language
from tests.corpus import CorpusPage, corpus_pages, require_corpus

LANGUAGES = ("en", "de", "es", "fr", "ja")
WALL_LANGUAGES = ("en", "de", "es", "fr", "it", "pt", "nl", "sv", "pl", "ru", "ja", "ko")


@functools.cache
def _page(lang: str) -> tuple[CorpusPage, str]:
    """The first corpus page in ``lang`` whose body has four or more paragraphs."""
    # The publishers' own pages first: some aggregator pages say lang="de" of English text.
    for page in sorted(corpus_pages(), key=lambda page: not page.id.startswith("fundus-")):
        html = page.html_bytes().decode("utf-8")
        if page_language(html) == lang and len(body_spans(html, page.text, whole=True)) >= 4:
            return page, html
    raise LookupError(lang)


def corpus_page(lang: str) -> tuple[CorpusPage, str]:
    require_corpus()
    return _page(lang)


def paragraphs(html: str, reference: str) -> list[str]:
    return [span.text for span in body_spans(html, reference, whole=True)]


def visible(html: str) -> str:
    """All text of the page outside scripts, styles and comments, on one line (tags
    dropped as inline tags are, so a paragraph with a link in it reads whole)."""
    text = re.sub(r"<br\b[^>]*>", " ", _masked(html), flags=re.I)
    return _normalise(htmlib.unescape(re.sub(r"<[^>]*>", "", text)))


def insertions(original: str, changed: str) -> list[str]:
    """The lines ``changed`` adds to ``original``; fails when it also removes or alters.
    Each insertion is slid as far left as it goes, as diff tools do, so that an inserted
    ``"\n<p>...</p>\n"`` is found whole rather than as ``"...</p>\n\n<p>"``."""
    added, i, j = [], 0, 0
    while i < len(original):
        if original[i : i + 4096] == changed[j : j + 4096]:
            i, j = i + 4096, j + 4096
            continue
        if original[i] == changed[j]:
            i, j = i + 1, j + 1
            continue
        resume = changed.find(original[i : i + 200], j)
        assert resume > j, f"something of the original is gone near {original[i : i + 80]!r}"
        start, end = j, resume
        while start > 0 and changed[start - 1] == changed[end - 1]:
            start, end = start - 1, end - 1
        added.append(changed[start:end])
        j = resume
    added.append(changed[j:])
    return [line.strip() for chunk in added for line in chunk.split("\n") if line.strip()]


# -- datelines --------------------------------------------------------------------------

DATELINE_WORDS = {
    "en": r"Updated|Published|updated|\d{1,2}:\d\d|\d{4}",
    "de": r"Aktualisiert|Stand|Uhr|Veröffentlicht|Erstellt",
    "es": r"Actualizado|Publicado|CET|de \w+ de",
    "fr": r"Mis à jour|Publié|Modifié|Le \d",
    "ja": r"更新|配信|\d{4}/\d\d/\d\d",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_datelines_only_add_one_to_three_dated_blocks_in_the_pages_language(lang: str) -> None:
    page, html = corpus_page(lang)
    loaded = traps.inject_datelines(html, 7, reference=page.text)
    blocks = insertions(html, loaded)
    assert 1 <= len(blocks) <= 3
    for block in blocks:
        assert re.fullmatch(r"<(p|div|time)\b.*</\1>", block, re.S), block
        assert re.search(r"\d", block) and re.search(DATELINE_WORDS[lang], _visible(block))
    assert paragraphs(loaded, page.text) == paragraphs(html, page.text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_two_loads_have_the_same_datelines_at_other_times(lang: str) -> None:
    page, html = corpus_page(lang)
    first, second = (traps.inject_datelines(html, seed, reference=page.text) for seed in (1, 2))
    assert first == traps.inject_datelines(html, 1, reference=page.text)
    assert first != second

    def skeleton(block: str) -> str:
        return re.sub(r">[^<]*<", "><", re.sub(r'datetime="[^"]*"', "", block))

    assert [skeleton(b) for b in insertions(html, first)] == [
        skeleton(b) for b in insertions(html, second)
    ]


def test_datelines_come_in_many_formats_and_markups() -> None:
    page, html = corpus_page("en")
    blocks = {
        block.strip()
        for layout in range(40)
        for block in insertions(
            html, traps.inject_datelines(html, 1, reference=page.text, layout=layout)
        )
    }
    tags = {re.match(r"<(\w+)", b).group(1) for b in blocks}  # type: ignore[union-attr]
    assert tags == {"p", "div", "time"}
    assert any("class=" not in b for b in blocks) and any("class=" in b for b in blocks)
    assert any("<time datetime=" in b for b in blocks) and any("<span" in b for b in blocks)
    assert len({re.sub(r"\d+", "#", _visible(b)) for b in blocks}) >= 8


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_dated_edit_changes_one_kept_paragraph_with_a_date_or_time(lang: str) -> None:
    page, html = corpus_page(lang)
    for seed in range(6):  # both ways: a sentence added, a written date changed
        edited = traps.edit_dated_sentence(html, seed, page.text)
        before, after = paragraphs(html, page.text), paragraphs(edited, page.text)
        gone = [text for text in before if text not in after]
        assert len(gone) == 1, seed  # one kept paragraph changed, the others are as they were
        assert [t for t in before if t not in gone] == after
        new_text, old_text = visible(edited), visible(html)
        assert new_text != old_text and re.search(r"\d", new_text.replace(old_text, ""))
    assert traps.edit_dated_sentence(html, 3, page.text) == traps.edit_dated_sentence(
        html, 3, page.text
    )


def test_an_added_dated_sentence_is_in_the_pages_language() -> None:
    page, html = corpus_page("de")
    edits = [traps.edit_dated_sentence(html, seed, page.text) for seed in range(8)]
    added = [insertions(html, edit) for edit in edits if len(edit) > len(html) + 20]
    assert added and all(len(lines) == 1 for lines in added)
    assert all(re.search(r"\d{4}, \d\d:\d\d Uhr|um \d\d:\d\d Uhr", lines[0]) for lines in added)


def test_a_dated_edit_needs_a_kept_paragraph() -> None:
    _, html = corpus_page("en")
    with pytest.raises(EditNotApplicable):
        traps.edit_dated_sentence(html, 1, "nothing of this page")


# -- walls ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", traps.WALL_KINDS)
@pytest.mark.parametrize("lang", WALL_LANGUAGES)
def test_wall_pages_are_whole_documents(kind: str, lang: str) -> None:
    page = traps.wall_page(
        kind, lang, 3, site_name="Example Post", article_title="Ferry fares rise"
    )
    assert page == traps.wall_page(
        kind, lang, 3, site_name="Example Post", article_title="Ferry fares rise"
    )
    assert page != traps.wall_page(
        kind, lang, 4, site_name="Example Post", article_title="Ferry fares rise"
    )
    tree = lxml.html.fromstring(page)
    assert tree.findtext(".//title")
    assert len(" ".join(tree.body.text_content().split())) > 40
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


@pytest.mark.parametrize("kind", traps.WALL_KINDS)
def test_wall_pages_vary_with_the_seed(kind: str) -> None:
    pages = [traps.wall_page(kind, "en", seed, site_name="Example Post") for seed in range(30)]
    headings = {re.sub(r"\d+", "#", visible(p))[:80] for p in pages}
    assert len(headings) >= 3
    chrome = [p for p in pages if 'class="site-header"' in p]
    if kind in ("soft_404", "login"):
        assert len(chrome) == len(pages)
    else:
        assert 0 < len(chrome) < len(pages) or kind == "bot_check"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("de", "Seite nicht gefunden|Diese Seite existiert|Hoppla"),
        ("fr", "Page introuvable|Oups|Erreur 404"),
        ("es", "Página no encontrada|Lo sentimos"),
        ("it", "Pagina non trovata|Ops"),
        ("pt", "Página não encontrada|Ops"),
        ("nl", "Pagina niet gevonden|Oeps"),
        ("ru", "Страница не найдена"),
    ],
)
def test_walls_speak_the_pages_language(lang: str, words: str) -> None:
    page = traps.wall_page("soft_404", lang, 1, site_name="Example Post")
    assert re.search(words, page)
    assert f'<html lang="{lang}">' in page


def test_a_consent_wall_holds_a_long_privacy_text_and_a_vendor_list() -> None:
    for seed in range(10):
        page = traps.wall_page("consent", "de", seed, site_name="Example Post")
        tree = lxml.html.fromstring(page)
        intro = tree.find_class("cmp-intro")[0].text_content()
        assert len(intro) > 600 and "Partner" in intro
        assert len(tree.find_class("vendor-name")) >= 14
        assert "__tcfapi" in page


def test_some_walls_keep_the_articles_title_but_none_its_text() -> None:
    page, html = corpus_page("en")
    title = traps.title_of(html)
    kept_title = 0
    for kind in traps.WALL_KINDS:
        for seed in range(12):
            wall = traps.wall_page(kind, "en", seed, site_name="Example Post", article_title=title)
            kept_title += title in (lxml.html.fromstring(wall).findtext(".//title") or "")
            text = visible(wall)
            assert not any(paragraph in text for paragraph in paragraphs(html, page.text))
    assert kept_title > 5


def test_a_soft_404_lists_popular_stories() -> None:
    page = traps.wall_page("soft_404", "en", 5, site_name="Example Post")
    tree = lxml.html.fromstring(page)
    popular = tree.find_class("popular")[0]
    assert len(popular.findall(".//a")) == 5


def test_an_unknown_wall_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown wall kind"):
        traps.wall_page("nag", "en", 1, site_name="X")


# -- cut bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_paywall_teaser_keeps_a_prefix_of_the_body_and_a_subscribe_box(lang: str) -> None:
    page, html = corpus_page(lang)
    body = paragraphs(html, page.text)
    cut_mid_sentence = marked_paywalled = 0
    for seed in range(12):
        teaser = traps.paywall_teaser(html, seed, page.text)
        text = visible(teaser)
        shown = next(i for i, paragraph in enumerate(body) if paragraph not in text)
        positions = [text.index(paragraph) for paragraph in body[:shown]]
        assert positions == sorted(positions)  # the first paragraphs, in their order
        if body[shown][:20] in text:  # the next paragraph, cut mid-sentence
            cut_mid_sentence += 1
            assert "…" in text
        assert 1 <= shown + (body[shown][:20] in text) <= 3
        assert not any(paragraph in text for paragraph in body[shown + 1 :])
        assert 'class="paywall' in teaser or "<section><h3>" in teaser
        for block in re.findall(r'application/ld\+json">(.*?)</script>', teaser, re.S):
            marked_paywalled += '"isAccessibleForFree"' in block and bool(json.loads(block))
    assert 0 < cut_mid_sentence < 12 and 0 < marked_paywalled < 12


def test_a_paywall_teaser_speaks_the_pages_language() -> None:
    page, html = corpus_page("de")
    teasers = [traps.paywall_teaser(html, seed, page.text) for seed in range(6)]
    assert all(re.search("Abonnent|abonnieren|weiterlesen|Abo|Angebot|testen", t) for t in teasers)


def test_a_teaser_needs_two_kept_paragraphs() -> None:
    page, html = corpus_page("en")
    with pytest.raises(EditNotApplicable):
        traps.paywall_teaser(html, 1, paragraphs(html, page.text)[0])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_remove_last_paragraph_removes_only_the_last_one(lang: str) -> None:
    page, html = corpus_page(lang)
    before = paragraphs(html, page.text)
    after = paragraphs(traps.remove_last_paragraph(html, page.text), page.text)
    assert after == before[:-1]


def test_remove_last_paragraph_removes_the_text_s_last_not_the_markup_s() -> None:
    # A "recommended" box the text holds mid-article stands after the body in the markup.
    body = [
        "The harbour authority said on Monday that ferry fares would rise in January.",
        "The operator blamed the cost of fuel and of repairs to its two oldest ships.",
        "Island councillors said they would ask the government to cap the increase.",
    ]
    box = "How the new bridge will change island life"
    html = (
        "<html><body><article>" + "".join(f"<p>{p}</p>" for p in body) + "</article>"
        f"<aside><p>{box}</p></aside></body></html>"
    )
    kept = "\n\n".join([body[0], box, *body[1:]])
    edited = traps.remove_last_paragraph(html, kept)
    assert body[2] not in edited
    assert box in edited and body[1] in edited


# -- A/B tests ---------------------------------------------------------------------------


def _headline_places(html: str) -> dict[str, list[str]]:
    """What the <title>, the <h1>s, og:title and the JSON-LD headlines say."""
    tree = lxml.html.fromstring(html)
    headlines = re.findall(r'"headline"\s*:\s*("(?:[^"\\]|\\.)*")', html)
    return {
        "title": [_normalise(tree.findtext(".//title") or "")],
        "h1": [_normalise(h1.text_content()) for h1 in tree.iter("h1")],
        "og:title": [
            _normalise(m.get("content") or "")
            for m in tree.iter("meta")
            if m.get("property") == "og:title"
        ],
        "json": [_normalise(json.loads(value)) for value in headlines],
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_headline_variants_change_the_headline_everywhere_and_nothing_else(lang: str) -> None:
    page, html = corpus_page(lang)
    variants = traps.headline_variants(html, 4, page.text, count=3)
    assert variants[0] == html and traps.headline_variants(html, 4, page.text, count=3) == variants
    old = traps.title_of(html)
    headlines = [traps.title_of(variant) for variant in variants]
    assert len(set(headlines)) == 3
    original = _headline_places(html)
    for variant, new in zip(variants[1:], headlines[1:], strict=True):
        assert old in new  # a prefix or a tail around the old headline
        for place, texts in _headline_places(variant).items():
            for before, after in zip(original[place], texts, strict=True):
                if place == "h1" and old not in before:
                    assert after == before  # another <h1>: a logo, a comments box
                else:
                    assert after != before and (new in after or place != "h1"), place
        assert paragraphs(variant, page.text) == paragraphs(html, page.text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lede_variants_change_only_the_first_paragraph(lang: str) -> None:
    page, html = corpus_page(lang)
    variants = traps.lede_variants(html, 2, page.text, count=2)
    assert variants[0] == html
    before = paragraphs(html, page.text)
    for variant in variants[1:]:
        assert variant != html
        after = [s.text for s in body_spans(variant, page.text + "\n" + visible(variant))]
        assert before[1:] == [t for t in after if t in before[1:]]
        assert before[0] not in paragraphs(variant, page.text)
        assert traps.title_of(variant) == traps.title_of(html)


# -- addresses -------------------------------------------------------------------------------


def _canonical(html: str) -> str | None:
    tree = lxml.html.fromstring(html)
    links = [link.get("href") for link in tree.iter("link") if link.get("rel") == "canonical"]
    return links[0] if links else None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_move_page_points_every_address_of_the_page_to_the_new_one(lang: str) -> None:
    page, html = corpus_page(lang)
    new_url = "http://127.0.0.1:9/2026/11/a-new-slug.html"
    moved = traps.move_page(html, new_url)
    assert _canonical(moved) == new_url
    tree = lxml.html.fromstring(moved)
    for meta in tree.iter("meta"):
        if meta.get("property") == "og:url":
            assert meta.get("content") == new_url
    for block in re.findall(r'application/ld\+json"[^>]*>(.*?)</script>', moved, re.S):
        try:
            nodes = traps._article_nodes(json.loads(block))
        except ValueError:
            continue
        for node in nodes:
            main = node.get("mainEntityOfPage")
            if isinstance(main, dict):
                assert main["@id"] == new_url
            elif main is not None:
                assert main == new_url
    assert paragraphs(moved, page.text) == paragraphs(html, page.text)
    assert traps.title_of(moved) == traps.title_of(html)


def test_move_page_adds_a_canonical_when_there_is_none() -> None:
    moved = traps.move_page("<html><head><title>T</title></head><body></body></html>", "http://x/n")
    assert _canonical(moved) == "http://x/n"


@pytest.mark.parametrize("kind", traps.COPY_KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_copies_hold_the_same_text_and_name_the_canonical(kind: str, lang: str) -> None:
    page, html = corpus_page(lang)
    copy = traps.copy_page(html, "http://127.0.0.1:9/story.html", kind, reference=page.text)
    assert _canonical(copy) == "http://127.0.0.1:9/story.html"
    assert paragraphs(copy, page.text) == list(dict.fromkeys(paragraphs(html, page.text)))
    assert traps.title_of(copy) == traps.title_of(html)
    tree = lxml.html.fromstring(copy)
    if kind == "amp":
        assert copy.count("<html amp ") == 1 and "cdn.ampproject.org/v0.js" in copy
        assert not tree.xpath("//img") and tree.xpath("//amp-sidebar")
    else:
        assert not tree.xpath("//nav") and not tree.xpath("//script")


# -- structured data ------------------------------------------------------------------------


@pytest.mark.parametrize("style", traps.JSON_STYLES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_json_only_pages_hold_the_text_only_in_json(style: str, lang: str) -> None:
    page, html = corpus_page(lang)
    body = paragraphs(html, page.text)
    client_side = traps.json_only_page(html, 1, page.text, style)
    text = visible(client_side)
    # What stays is a caption or a pull quote repeating a sentence, never the body.
    left = sum(len(paragraph) for paragraph in body if paragraph in text)
    assert left < 0.05 * sum(len(paragraph) for paragraph in body)
    assert traps.title_of(client_side) == traps.title_of(html)
    in_json = traps.structured_text(client_side)
    assert all(paragraph in in_json for paragraph in body)
    if style == "next-data":
        blob = re.search(
            r'<script id="__NEXT_DATA__" type="application/json">(.*?)</script>', client_side, re.S
        )
        assert blob is not None
        data = json.loads(blob.group(1))
        props = data["props"]["pageProps"]
        article = (props.get("data") or props)["article"]
        body_html = next(article[k] for k in ("body", "content", "bodyHtml") if k in article)
        assert body_html.startswith("<p>") and {"id", "slug", "headline", "teaser"} <= set(article)
        assert "<" not in blob.group(1)  # escaped as \u003c, as Next.js does
    else:
        bodies = [
            node["articleBody"]
            for block in re.findall(r'application/ld\+json"[^>]*>(.*?)</script>', client_side, re.S)
            for node in traps._article_nodes(json.loads(block))
            if "articleBody" in node
        ]
        assert len(bodies) >= 1 and all("<p" not in b for b in bodies)


@pytest.mark.parametrize("style", traps.JSON_STYLES)
def test_json_only_pages_keep_their_shape_from_load_to_load(style: str) -> None:
    page, html = corpus_page("en")
    first, second = (traps.json_only_page(html, seed, page.text, style) for seed in (1, 2))
    assert first != second and first == traps.json_only_page(html, 1, page.text, style)
    assert traps.structured_text(first) == traps.structured_text(second)
    if style == "next-data":
        keys = [
            json.loads(re.search(r"__NEXT_DATA__[^>]*>(.*?)</script>", p, re.S).group(1))  # type: ignore[union-attr]
            for p in (first, second)
        ]
        assert keys[0]["buildId"] != keys[1]["buildId"]
        assert keys[0]["props"]["pageProps"].keys() == keys[1]["props"]["pageProps"].keys()


def test_an_edit_of_the_json_text_changes_every_copy_of_it() -> None:
    # A site's CMS writes one body into both: JSON-LD as plain text, the Next.js props as
    # HTML, each with its own quotes and spaces. An edit that changed one copy only would
    # be no edit to a reader of the other.
    plain = (
        "Officials said the bridge, which they’d closed in June, would reopen on Monday. "
        "Traffic will run in one lane while the repairs to the deck continue. "
        "The council’s engineers expect the work to finish before winter."
    )
    markup = "<p>" + plain.replace("’", "'").replace(", ", ",  ") + "</p>"
    ld = {"@type": "NewsArticle", "articleBody": plain}
    nd = {"props": {"pageProps": {"article": {"content": markup}}}}
    page = (
        f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body>'
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(nd)}</script>'
        "</body></html>"
    )
    edited = traps.edit_structured_word(page, 3)
    copies = [
        json.loads(re.search(pattern, edited, re.S).group(1))  # type: ignore[union-attr]
        for pattern in (r"ld\+json\">(.*?)</script>", r"__NEXT_DATA__[^>]*>(.*?)</script>")
    ]
    new_plain = copies[0]["articleBody"]
    new_markup = copies[1]["props"]["pageProps"]["article"]["content"]
    changed = [(a, b) for a, b in zip(plain.split(), new_plain.split(), strict=True) if a != b]
    assert len(changed) == 1
    ((old_word, new_word),) = changed
    assert markup.count(old_word) == new_markup.count(old_word) + 1
    assert new_markup.count(new_word) == markup.count(new_word) + 1


@pytest.mark.parametrize("seed", range(12))
def test_an_edit_reaches_the_copies_that_write_entities(seed: int) -> None:
    # The JSON-LD copy is plain text; the Next.js copy writes quotes and umlauts as HTML
    # entities; the site's own app state escapes them once more (&amp;uuml;) and writes
    # "&" as \u0026 in its code; the JSON-LD holds the text twice. Whichever word is
    # edited, every copy gets the edit.
    plain = (
        'Der Bürgermeister sagte: "Die Brücke öffnet am Montag wieder." Die Arbeiten an der '
        "Fahrbahn dauern länger als geplant, über den ganzen Winter. Der Verkehr läuft einspurig."
    )
    markup = "<p>" + htmlib.escape(plain).replace("ü", "&uuml;").replace("ä", "&auml;") + "</p>"
    state = markup.replace("&", "&amp;").replace("&amp;lt;", "&lt;").replace("&amp;gt;", "&gt;")
    ld = {"@type": "NewsArticle", "articleBody": plain, "abstract": plain}  # a second copy
    nd = {"props": {"pageProps": {"article": {"content": markup}}}}
    app = "window.__STATE__ = " + json.dumps({"story": {"body": state}}).replace("&", "\\u0026")
    page = (
        f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body>'
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(nd)}</script>'
        f"<script>{app}</script></body></html>"
    )
    edited = traps.edit_structured_word(page, seed)
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", edited, re.S)
    texts = [
        json.loads(scripts[0])["articleBody"],
        json.loads(scripts[0])["abstract"],
        htmlib.unescape(json.loads(scripts[1])["props"]["pageProps"]["article"]["content"]),
        htmlib.unescape(htmlib.unescape(scripts[2].replace("\\u0026", "&"))),
    ]
    changed = [w for w in texts[0].split() if w not in plain.split()]
    assert len(changed) == 1
    for text in texts[1:]:
        assert re.sub(r"<[^>]+>", "", text).count(changed[0]) == texts[0].count(changed[0])


@pytest.mark.parametrize("style", traps.JSON_STYLES)
def test_an_edit_of_the_json_text_changes_one_word(style: str) -> None:
    page, html = corpus_page("en")
    client_side = traps.json_only_page(html, 1, page.text, style)
    edited = traps.edit_structured_word(client_side, 5)
    before, after = (
        traps.structured_text(client_side).split(),
        traps.structured_text(edited).split(),
    )
    assert len(before) == len(after)
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
    assert visible(edited) == visible(client_side)
    with pytest.raises(EditNotApplicable):
        traps.edit_structured_word(html if style == "x" else "<html><body></body></html>", 1)
