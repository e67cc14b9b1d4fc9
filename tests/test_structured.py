"""crawler.structured: article bodies held only in a page's structured data (JSON-LD,
Next.js, hydration scripts), on handwritten pages and on the corpus page that needs it;
and crawler.extract's use of them when the HTML gives no text."""

from __future__ import annotations

import json
import re
import time

import pytest
from lxml.html import (  # type: ignore[import-untyped]  # lxml ships no type hints
    HtmlElement,
    document_fromstring,
)

from crawler.extract import extract, parse_page
from crawler.structured import json_ld_paragraphs, structured_paragraphs
from tests.corpus import corpus_page, require_corpus, token_f1

TITLE = "Council votes to close the old ferry terminal"
BODY = [
    "The city council voted on Tuesday to close the old ferry terminal, ending more than a "
    "century of crossings from the harbour to the islands.",
    "Officials said the terminal had become too expensive to repair after two winters of "
    "storms damaged its piers, its ramps and the waiting hall.",
    "Residents who rely on the ferry to reach the mainland will be offered a subsidised bus "
    "service until the new bridge opens in 2028, the mayor said.",
]
BODY_TEXT = "\n\n".join(BODY)
BODY_HTML = "".join(f"<p>{p}</p>" for p in BODY)
# Another article's body, longer than this one's: a related story the page also carries.
OTHER = [
    "Scientists in Norway have found that reindeer herds move their winter grazing grounds "
    "earlier each year, as warmer autumns leave ice crusts over the lichen they eat.",
    "The researchers followed tracking collars on more than four hundred animals for a "
    "decade, and compared their routes with satellite records of snow and rain.",
    "Herders told the team that the animals now need extra feed in most winters, which "
    "costs families thousands of kroner and changes how the herds are kept.",
    "The study, published on Monday, calls for grazing land to be protected from new roads "
    "and wind farms so that the herds can keep moving as the climate changes.",
]
# The same story's teaser: about the article, but shorter than its body.
TEASER = (
    "The council has voted to close the ferry terminal. Officials cite repair costs. "
    "Residents will get a bus service. Read the full story."
)


def page(head: str = "", body: str = '<div id="root"></div>', title: str = TITLE) -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title} | The Harbour Times</title>"
        f'<meta property="og:title" content="{title}">{head}</head><body>{body}</body></html>'
    )


def script(code: str, attributes: str = "") -> str:
    return f"<script{attributes}>{code}</script>"


def tree_of(html: str) -> HtmlElement:
    parsed = parse_page(html.encode())
    # parse_page refuses a page that starts with control characters as binary: those
    # are parsed here as they are
    return parsed.tree if parsed is not None else document_fromstring(html)


def paragraphs_of(html: str) -> list[str]:
    return structured_paragraphs(tree_of(html), title=TITLE)


def as_js(data: object) -> str:
    """JSON as pages write it into a script: "<" escaped, so no "</script>" ends it."""
    return json.dumps(data).replace("<", "\\u003c")


def json_ld(data: object) -> str:
    return script(as_js(data), ' type="application/ld+json"')


# ---------------------------------------------------------------------------- JSON-LD

JSON_LD_PAGE = page(
    json_ld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebPage", "name": TITLE},
                {
                    "@type": "NewsArticle",
                    "headline": TITLE,
                    "datePublished": "2026-03-04T09:30:00+01:00",
                    "author": {"@type": "Person", "name": "Ada Byline"},
                    "articleBody": BODY_TEXT,
                },
            ],
        }
    )
)


def test_json_ld_article_body_of_a_client_rendered_page() -> None:
    assert paragraphs_of(JSON_LD_PAGE) == BODY
    assert json_ld_paragraphs(tree_of(JSON_LD_PAGE)) == BODY
    result = extract(JSON_LD_PAGE.encode(), url="https://harbour.example/news/ferry")
    assert result is not None
    assert result.text == BODY_TEXT
    assert result.title == TITLE
    assert result.authors == ["Ada Byline"]
    assert result.published == "2026-03-04T09:30:00+01:00"
    assert result.language == "en"


def test_json_ld_body_with_raw_line_breaks_and_entities() -> None:
    # Written by templates, not serialisers: raw newlines inside the string (not JSON,
    # strictly), entities, and lines of one paragraph broken by single newlines.
    raw = BODY[0] + "\n\n" + BODY[1].replace(" its ramps", "\nits ramps") + "\n\n" + BODY[2]
    body = raw.replace("the", "&#116;he")
    code = f'{{"@type": "NewsArticle", "articleBody": "{body}"}}'
    paragraphs = paragraphs_of(page(script(code, ' type="application/ld+json"')))
    assert [" ".join(p.split()) for p in paragraphs] == BODY


def test_json_ld_body_cut_short_loses_to_a_whole_body_in_a_script() -> None:
    cut = BODY[0][:120] + "…"
    head = json_ld({"@type": "NewsArticle", "articleBody": cut}) + script(
        "window.__STATE__ = " + as_js({"story": {"body": BODY_HTML}})
    )
    assert paragraphs_of(page(head)) == BODY


# ---------------------------------------------------------------------------- scripts

NEXT_DATA = {
    "props": {
        "pageProps": {
            "article": {
                "headline": TITLE,
                "body": (
                    f"<p>{BODY[0]}</p><figure><img src='/pier.jpg'><figcaption>The old pier"
                    " in March. Photo: Jo Lens/Agency</figcaption></figure>"
                    f"<script>trackView('ferry')</script><p>{BODY[1]}</p>"
                    "<div class='image-credit'>Photo: Harbour Archive</div>"
                    f"<p>{BODY[2].replace('bus', '<a href=/bus>bus</a>')}</p>"
                ),
            },
            # teasers that must not win: one as long as a body but about something else,
            # one about this story but short
            "moreStories": [{"headline": "Reindeer", "body": "\n\n".join(OTHER)}],
            "promoBox": {"text": TEASER},
        },
        "__N_SSP": True,
    },
    "page": "/news/[slug]",
}


def test_next_data_body_as_html_next_to_teasers() -> None:
    html = page(script(as_js(NEXT_DATA), ' id="__NEXT_DATA__" type="application/json"'))
    paragraphs = paragraphs_of(html)
    assert paragraphs == BODY
    text = "\n".join(paragraphs)
    for left_out in ("Photo", "trackView", "reindeer", "Read the full story"):
        assert left_out not in text


def test_initial_state_with_a_rich_text_body() -> None:
    def run(text: str, bold: bool = False) -> dict[str, object]:
        node: dict[str, object] = {"type": "text", "text": text}
        return {**node, "marks": [{"type": "bold"}]} if bold else node

    first, rest = BODY[0].split(" on Tuesday")
    state = {
        "article": {
            "id": 4711,
            "headline": TITLE,
            "url": "https://harbour.example/news/ferry",
            "content": {
                "type": "doc",
                "content": [
                    {
                        "type": "paragraph",
                        "content": [run(first + " "), run("on Tuesday", bold=True), run(rest)],
                    },
                    {"type": "image", "caption": {"text": "The pier. Photo: Jo Lens"}},
                    {"type": "paragraph", "content": [run(BODY[1])]},
                    {"type": "paragraph", "content": [run(BODY[2])]},
                ],
            },
        }
    }
    html = page(script("window.__INITIAL_STATE__=" + json.dumps(state) + ";window.x=1;"))
    assert paragraphs_of(html) == BODY


def test_next_stream_text_row_reached_by_its_reference() -> None:
    body = BODY_HTML.replace("harbour", "harbour café")  # its length counts in bytes
    article = json.dumps({"article": {"title": TITLE, "contentHtml": "$1a"}})
    rows = f'5:["$","$L1",null,{article}]\n'
    text_row = f"1a:T{len(body.encode()):x},{body}"
    pushes = [rows, text_row[:40], text_row[40:], '6:["$","p",null,{}]\n']
    code = "".join(script(f"self.__next_f.push([1,{json.dumps(chunk)}])") for chunk in pushes)
    html = page(script("(self.__next_f=self.__next_f||[]).push([0])") + code)
    assert paragraphs_of(html) == [p.replace("harbour", "harbour café") for p in BODY]


def test_react_query_push_with_ad_slots_and_captions() -> None:
    content = (
        "<div class='editor-img-box'><img src='x.jpg'><div class='caption'><p>The pier at"
        f" dawn. Harbour News</p></div></div>$$ARTICLEAD$$<p>{BODY[0]}</p><p><br></p>"
        f"$$ARTICLEAD$$<p>{BODY[1]}</p><p>{BODY[2]}</p>"
    )
    data = {"queries": [{"state": {"data": {"detail": {"title": TITLE, "contentHtml": content}}}}]}
    queue = 'window["__RQ_R_1_"]'
    code = f"{queue} = {queue} || [];{queue}.push({as_js(data)})"
    assert paragraphs_of(page(script(code))) == BODY


def test_json_parse_of_a_string() -> None:
    data = json.dumps({"story": {"headline": TITLE, "storyText": BODY_TEXT}})
    html = page(script(f"window.__DATA__ = JSON.parse({json.dumps(data)});"))
    assert paragraphs_of(html) == BODY


def test_the_article_that_shares_the_title_wins_over_a_longer_one() -> None:
    state = {"items": [{"body": "\n\n".join(OTHER)}, {"body": BODY_TEXT}]}
    assert paragraphs_of(page(script("window.__S__ = " + json.dumps(state)))) == BODY


# An opinion piece whose title and teaser use none of its body's words.
OPINION_TITLE = "Opinion | Is it time to let the old pier go?"
OPINION = [
    "Every town has a structure it cannot afford and cannot bear to lose. Ours stands on "
    "forty wooden legs in the harbour, and the storms of the last two winters took six.",
    "Repairs would cost more than the council spends on roads in a year. A new crossing, "
    "when it comes, will make the ferry an outing rather than a commute.",
]


def test_a_body_beside_the_pages_headline_is_the_article_whatever_its_words() -> None:
    # The article object holds the headline (the page's title, less the section) and the
    # body; the body shares too few of the title's and teaser's words to pass as this
    # page's on words alone.
    article = {
        "headline": OPINION_TITLE.removeprefix("Opinion | "),
        "teaser": {"text": "A columnist weighs sentiment against the budget."},
        "bodyHtml": "".join(f"<p>{p}</p>" for p in OPINION),
    }
    data = {"props": {"pageProps": {"data": {"article": article}}}}
    html = page(script(as_js(data), ' id="__NEXT_DATA__" type="application/json"'))
    assert structured_paragraphs(tree_of(html), title=OPINION_TITLE) == OPINION
    # The same body beside another story's headline is a related story's, not this page's.
    article["headline"] = "Reindeer move their grazing grounds earlier each year"
    html = page(script(as_js(data), ' id="__NEXT_DATA__" type="application/json"'))
    assert structured_paragraphs(tree_of(html), title=OPINION_TITLE) == []


def test_a_headline_written_with_an_ellipsis_character_is_the_page_s_title() -> None:
    # The data writes "…" where the page's title writes "...", and the title adds the
    # site's section after a dash.
    article = {"headline": "Let the pier go…", "bodyHtml": "".join(f"<p>{p}</p>" for p in OPINION)}
    data = {"props": {"pageProps": {"article": article}}}
    html = page(script(as_js(data), ' id="__NEXT_DATA__" type="application/json"'))
    title = "Let the pier go... — Opinion"
    assert structured_paragraphs(tree_of(html), title=title) == OPINION


def test_the_same_page_gives_the_same_paragraphs() -> None:
    html = page(script(as_js(NEXT_DATA), ' id="__NEXT_DATA__" type="application/json"'))
    tree = tree_of(html)
    assert structured_paragraphs(tree, title=TITLE) == structured_paragraphs(tree, title=TITLE)


# ---------------------------------------------------------------------------- no body


@pytest.mark.parametrize(
    "head",
    [
        pytest.param(
            script(
                json.dumps({"props": {"pageProps": {"nav": [{"text": "Home"}] * 50}}}),
                ' id="__NEXT_DATA__" type="application/json"',
            ),
            id="short-strings-only",
        ),
        pytest.param(
            script("window.__S__ = " + json.dumps({"cards": [{"text": TEASER}] * 20})),
            id="teasers",
        ),
        pytest.param(
            script("window.__S__ = " + json.dumps({"body": "\n\n".join(OTHER)})),
            id="another-article",
        ),
        pytest.param(
            script("window.__S__ = " + json.dumps({"html": ".a{color:red} " * 200})),
            id="css",
        ),
        pytest.param(
            script("window.__S__ = " + json.dumps({"text": "https://x.example/a/b " * 50})),
            id="urls",
        ),
        pytest.param(
            script(
                "window.__S__ = "
                + json.dumps(
                    {"html": json.dumps({"@type": "NewsArticle", "articleBody": BODY_TEXT})}
                )
            ),
            id="json-kept-as-a-string",
        ),
        pytest.param(
            script("window.__S__ = " + json.dumps({"text": "var state = " + json.dumps(BODY)})),
            id="code-kept-as-a-string",
        ),
        pytest.param(
            script("window.__S__ = " + json.dumps({"body": BODY_TEXT}), ' src="/app.js"'),
            id="script-with-src",
        ),
        pytest.param(
            script(json.dumps({"body": BODY_TEXT}), ' type="text/template"'),
            id="template",
        ),
        pytest.param(
            script("var state = {body: 'x', text: document.title};" * 20),
            id="javascript-objects",
        ),
    ],
)
def test_no_convincing_body(head: str) -> None:
    assert paragraphs_of(page(head)) == []


MB = 1_000_000

HOSTILE = {
    "invalid-json-ld": script('{"articleBody": "' + BODY_TEXT, ' type="application/ld+json"'),
    "trailing-commas": script('window.__S__ = {"body": ["a", "b",], "text": {"x": 1,}}'),
    "deep-arrays": script('window.__S__ = {"body":' + "[" * 200_000),
    "deep-objects": script("x = " + '{"content":' * 100_000),
    "deep-valid": script('x = {"body":' + "[" * 5_000 + "]" * 5_000 + "}"),
    "huge-string": script('x = {"text": "' + "a" * (3 * MB) + '"}'),
    "unterminated": script('x = {"body": "' + "word " * MB),
    "nul-bytes": script('x = {"body": "' + "late \x00 text. " * 10_000 + '"}'),
    "control-characters": script('x = {"body": "' + "\x01\x02\x1b[31m" * 10_000 + '"}'),
    "flight-huge-length": script('self.__next_f.push([1,"1:Tfffffff,' + "x" * MB + '"])'),
    "flight-bad-reference": script(r'self.__next_f.push([1,"5:{\"contentHtml\":\"$ff\"}\n"])'),
    "unbalanced-html": script("x = " + as_js({"contentHtml": "<p><div><b>" * 20_000})),
    "html-deep": script("x = " + as_js({"contentHtml": "<div>" * 50_000 + "text"})),
    "many-keys": script("x = {" + ",".join(['"text":{"a":1}'] * 200_000) + "}"),
    "many-scripts": script('x = {"text": "' + "a" * 300 + '"}') * 5_000,
    "key-at-the-end": script('x = "body":'),
}


@pytest.mark.parametrize("head", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_data_gives_no_body_and_stays_cheap(head: str) -> None:
    tree = tree_of(page(head))
    start = time.process_time()
    assert structured_paragraphs(tree, title=TITLE) == []
    # bounded by the module's caps: tens of milliseconds on 5 MB (10 times that allowed,
    # for slow and busy machines)
    assert time.process_time() - start < 2.0


def test_a_body_found_among_megabytes_of_state_stays_cheap() -> None:
    def noise(count: int) -> list[dict[str, object]]:
        return [{"id": i, "text": f"Item {i}", "url": f"/a/{i}"} for i in range(count)]

    # the article after a megabyte of other state, and four more after it
    article = {"headline": TITLE, "body": BODY_HTML}
    state = {"items": noise(20_000), "article": article, "more": noise(80_000)}
    html = page(script("window.__S__ = " + as_js(state)))
    assert len(html) > 5 * MB
    tree = tree_of(html)
    start = time.process_time()
    assert structured_paragraphs(tree, title=TITLE) == BODY
    assert time.process_time() - start < 2.0


# ---------------------------------------------------------------------------- extract()


def test_extract_without_any_text_still_gives_none() -> None:
    html = page(script("window.__S__ = " + json.dumps({"nav": [{"text": "Home"}]})))
    assert extract(html.encode()) is None


def test_extract_keeps_the_html_text_when_the_page_has_it() -> None:
    # The articleBody adds captions the HTML leaves out: the HTML's text stands.
    captions = "The old pier in March. Photo: Jo Lens.\n\nThe waiting hall. Photo: Jo Lens."
    head = json_ld({"@type": "NewsArticle", "articleBody": BODY_TEXT + "\n\n" + captions})
    body = f"<article><h1>{TITLE}</h1>{BODY_HTML}</article>"
    result = extract(page(head, body).encode())
    assert result is not None
    assert result.text == BODY_TEXT


def test_extract_takes_the_declared_body_of_a_page_that_shows_only_a_lead() -> None:
    # The HTML holds the headline and the first paragraph; the browser renders the rest
    # from the JSON-LD. The page shows less than half of the body's text.
    full = BODY + OTHER[1:3]  # a longer article, to be many times the lead
    head = json_ld({"@type": "NewsArticle", "headline": TITLE, "articleBody": "\n\n".join(full)})
    body = f"<article><h1>{TITLE}</h1><p>{BODY[0]}</p><div id='rest'></div></article>"
    result = extract(page(head, body).encode())
    assert result is not None
    assert result.text == "\n\n".join(full)


def test_extract_takes_a_script_body_over_the_caption_a_shell_page_shows() -> None:
    # A client-rendered page: the HTML holds a photo caption and a subhead, the body is
    # in __NEXT_DATA__ (subhead included). trafilatura keeps the caption and the subhead.
    data = {"props": {"pageProps": {"article": {"headline": TITLE, "body": BODY_HTML}}}}
    head = script(as_js(data), ' id="__NEXT_DATA__" type="application/json"')
    body = (
        f"<article><h1>{TITLE}</h1><p>The old pier in March, seen from the harbour wall at"
        " dawn, with the last ferry of the winter timetable tied up beside it.</p>"
        "<div id='root'></div></article>"
    )
    result = extract(page(head, body).encode())
    assert result is not None
    assert result.text == BODY_TEXT


def test_extract_keeps_a_shown_article_over_a_script_body_with_ads() -> None:
    # The page shows its article; the script's body is that article and a long run of
    # shop links the page does not show: the HTML's text stands.
    ads = [
        f"Shop the look {n}: a warm winter coat in five colours, now reduced." for n in range(12)
    ]
    data = {"props": {"pageProps": {"article": {"headline": TITLE, "body": BODY + ads}}}}
    head = script(as_js(data), ' id="__NEXT_DATA__" type="application/json"')
    body = f"<article><h1>{TITLE}</h1>{BODY_HTML}</article>"
    result = extract(page(head, body).encode())
    assert result is not None
    assert result.text == BODY_TEXT


def test_extract_takes_a_json_ld_body_written_without_full_stops() -> None:
    lines = [p.rstrip(".") for p in BODY]
    head = json_ld({"@type": "NewsArticle", "headline": TITLE, "articleBody": "\n\n".join(lines)})
    result = extract(page(head).encode())
    assert result is not None
    assert result.text == "\n\n".join(lines)


# Other stories' teasers and a cookie notice: what the HTML of a client-rendered page
# holds besides an empty container, more than 2,000 characters of it.
NOT_THE_ARTICLE = [
    f"{line} The full story, with photos and a map of the area, is on page {n}."
    for n, line in enumerate(OTHER * 3, start=2)
] + [
    "This website uses cookies to improve your experience while you navigate through the "
    "website. Out of these cookies, those categorized as necessary are stored on your browser."
]


def test_extract_takes_a_script_body_over_other_stories_the_page_shows() -> None:
    # The HTML holds other stories and a notice (a long text, but not this article); the
    # article is in __NEXT_DATA__, and the page shows none of it.
    article = [
        *BODY,
        "The terminal's last crossing is set for the end of March. A farewell service for "
        "the crew and their families will be held in the waiting hall the evening before.",
        "The harbour board said it would look for a buyer for the building, which is listed, "
        "and that the piers would be made safe before the site is sold or let.",
    ]
    markup = "".join(f"<p>{p}</p>" for p in article)
    data = {"props": {"pageProps": {"article": {"headline": TITLE, "body": markup}}}}
    head = script(as_js(data), ' id="__NEXT_DATA__" type="application/json"')
    stories = "".join(f"<p>{p}</p>" for p in NOT_THE_ARTICLE)
    body = f"<main><h1>{TITLE}</h1><div id='root'></div><section>{stories}</section></main>"
    assert sum(map(len, NOT_THE_ARTICLE)) > 2000
    result = extract(page(head, body).encode())
    assert result is not None
    assert result.text == "\n\n".join(article)


def test_extract_takes_a_json_ld_body_over_a_notice_the_page_shows() -> None:
    # The body is not twice as long as the notice trafilatura finds, but the page shows
    # none of it: the notice is not the article.
    notice = (
        "Rogers Media uses cookies for personalization, to customize its online "
        "advertisements, and for other purposes. Learn more or change your cookie "
        "preferences. By continuing to use our service, you agree to our use of cookies."
    )
    head = json_ld({"@type": "NewsArticle", "headline": TITLE, "articleBody": BODY_TEXT})
    body = f"<article><h1>{TITLE}</h1><p>{notice}</p><div id='root'></div></article>"
    assert len(BODY_TEXT) < 2 * len(notice)
    result = extract(page(head, body).encode())
    assert result is not None
    assert result.text == BODY_TEXT


def test_extract_takes_the_script_body_over_another_story_s_json_ld_body() -> None:
    # The site's JSON-LD holds a related story's body; the article (about the ferry
    # terminal, as the title) is in __NEXT_DATA__; the HTML shows a cookie notice.
    article = [*BODY, *FERRY_MORE]
    head = json_ld({"@type": "NewsArticle", "headline": TITLE, "articleBody": "\n\n".join(OTHER)})
    markup = "".join(f"<p>{p}</p>" for p in article)
    data = {"props": {"pageProps": {"article": {"headline": TITLE, "body": markup}}}}
    head += script(as_js(data), ' id="__NEXT_DATA__" type="application/json"')
    notice = f"<p>{NOT_THE_ARTICLE[-1]}</p>"  # a cookie notice
    body = f"<main><h1>{TITLE}</h1><div id='root'></div><section>{notice}</section></main>"
    result = extract(page(head, body).encode())
    assert result is not None
    assert result.text == "\n\n".join(article)


def test_extract_keeps_a_live_blog_over_the_one_entry_its_json_ld_holds() -> None:
    # A live blog shows many entries; its JSON-LD articleBody is one of them, an older one
    # the page no longer shows. The entries the page shows are the article.
    entries = [f"{p} Updated at {9 + n}:00." for n, p in enumerate(OTHER * 4)]
    old_entry = BODY[0]
    head = json_ld({"@type": "LiveBlogPosting", "headline": TITLE, "articleBody": old_entry})
    body = f"<article><h1>{TITLE}</h1>" + "".join(f"<p>{e}</p>" for e in entries) + "</article>"
    result = extract(page(head, body).encode())
    assert result is not None
    assert result.text == "\n\n".join(entries)


def test_a_shopping_list_that_prints_its_links_reads_as_prose() -> None:
    # A deals post: a few paragraphs, then items each with its shop link printed under
    # it, a fifth of the text in URLs. The links are not its prose, nor against it.
    items = [
        f"{n}) Lego set {7500 + n}, the ferry terminal\nhttps://amzn.to/2i{n:05d}"
        for n in range(1, 13)
    ]
    body = "\n\n".join([*BODY, *items])
    data = {"props": {"pageProps": {"article": {"headline": TITLE, "body": body}}}}
    paragraphs = paragraphs_of(
        page(script(as_js(data), ' id="__NEXT_DATA__" type="application/json"'))
    )
    assert paragraphs == [*BODY, *items]
    assert sum(len(url) for url in re.findall(r"https://\S+", body)) > 0.2 * len(body)


def test_extract_keeps_a_shown_article_over_a_script_body_that_gathers_the_shop() -> None:
    # The page shows its article; a script gathers that article with the page's shop
    # carousel and ad slots (product names, shops, tracking words: no sentences), far
    # longer than the article, none of it shown. The article stands.
    shop = [
        f"{item} {shop}.se nofollow noreferrer section:{n:08x} tag:{n * 7:08x} banner native"
        for n, (item, shop) in enumerate(
            [("Teddy jacket with a high collar", "aimn"), ("Leopard print tights", "stronger")] * 20
        )
    ]
    data = {"props": {"pageProps": {"article": {"headline": TITLE, "body": BODY + shop}}}}
    head = script(as_js(data), ' id="__NEXT_DATA__" type="application/json"')
    body = f"<article><h1>{TITLE}</h1>{BODY_HTML}</article>"
    assert sum(map(len, shop)) > 5 * len(BODY_TEXT)  # the page shows a tenth of that body
    result = extract(page(head, body).encode())
    assert result is not None
    assert result.text == BODY_TEXT


FERRY_MORE = [
    "The terminal's last crossing is set for the end of March. A farewell service for the "
    "crew and their families will be held in the waiting hall the evening before.",
    "The harbour board said it would look for a buyer for the building, which is listed, "
    "and that the piers would be made safe before the site is sold or let.",
    "Island shopkeepers asked the council to keep a freight service running until the "
    "bridge opens. The council said it would put the question to the regional authority.",
    "The ferry company, which employs forty people at the terminal, said most of its staff "
    "would be offered work on the company's other routes along the coast.",
    "A petition to save the terminal gathered more than three thousand names in a week. "
    "Its organisers said they would ask the courts to review the council's decision.",
    "The mayor said the council had weighed the islanders' needs against the cost of a "
    "new pier, which engineers put at more than twenty million.",
]


def test_extract_takes_a_json_ld_body_whose_first_line_a_teaser_shows() -> None:
    # A client-rendered page: the HTML holds a list of stories, this one's among them as a
    # teaser (its first line). The JSON-LD body is one long paragraph: showing its first
    # line is not showing it.
    article = " ".join([*BODY, *FERRY_MORE])
    teaser = article[:90] + "..."
    stories = "".join(f"<li><p>{line}</p></li>" for line in [*NOT_THE_ARTICLE[:6], teaser])
    head = json_ld({"@type": "NewsArticle", "headline": TITLE, "articleBody": article})
    body = f"<main><h1>{TITLE}</h1><div id='root'></div><ul>{stories}</ul></main>"
    result = extract(page(head, body).encode())
    assert result is not None
    assert result.text == article


def test_extract_takes_a_json_ld_body_held_in_a_copy_box_as_shown_nowhere() -> None:
    # A "copy this article" tool holds the body in a form field; trafilatura finds the
    # related stories the page lists. A text area's text is not the page showing the body.
    article = [*BODY, *FERRY_MORE]
    head = json_ld({"@type": "NewsArticle", "headline": TITLE, "articleBody": "\n\n".join(article)})
    stories = "".join(f"<p>{line}</p>" for line in NOT_THE_ARTICLE)
    copy_box = f"<form><textarea rows='6'>{' '.join(article)}</textarea></form>"
    body = f"<main><h1>{TITLE}</h1><div id='root'></div><section>{stories}</section>"
    body += f"{copy_box}</main>"
    result = extract(page(head, body).encode())
    assert result is not None
    assert result.text == "\n\n".join(article)


def test_hindi_body_reads_as_prose() -> None:
    # Hindi ends its sentences with a danda (।), and a third of its characters are vowel
    # signs, which are not letters to Python's re.
    hindi = [
        "समस्तीपुर के बंगरा थाना क्षेत्र के रहीमाबाद गांव में दो दिन पहले हुई चोरी का पुलिस ने "
        "बुधवार को खुलासा कर दिया। पुलिस ने इस मामले में दो लोगों को गिरफ्तार किया है।",
        "थानाध्यक्ष ने बताया कि चोरी किए गए गहने भी बरामद कर लिए गए हैं। दोनों आरोपियों को "
        "न्यायिक हिरासत में भेज दिया गया है।",
    ]
    title = "समस्तीपुर पुलिस ने दो बदमाशों को पकड़ा"
    data = {"props": {"pageProps": {"story": {"title": title, "content": hindi}}}}
    html = page(script(as_js(data), ' id="__NEXT_DATA__" type="application/json"'), title=title)
    assert structured_paragraphs(tree_of(html), title=title) == hindi


# ---------------------------------------------------------------------------- corpus


@pytest.mark.corpus
def test_corpus_page_whose_text_is_only_in_a_hydration_script() -> None:
    """Hankook Ilbo renders its articles from a React Query payload (``contentHtml``);
    trafilatura finds no text in its HTML."""
    require_corpus()
    page_ = corpus_page("fundus-kr-HankookIlbo_2026_01_29")
    result = extract(page_.html_bytes(), url=page_.url, declared_encoding=page_.declared_charset)
    assert result is not None
    assert token_f1(result.text, page_.text) >= 0.9
    assert result.language == "ko"
    assert result.published == "2026-01-29"
    assert page_.title is not None and result.title is not None
    assert " ".join(result.title.split()).startswith(" ".join(page_.title.split()))
    for left_out in ("ARTICLEAD", "연합뉴스\n", "editor-img-box"):
        assert left_out not in result.text
