"""The fixture site's trap switches: each serves over real HTTP what it says it serves."""

from __future__ import annotations

import gzip
import html
import http.client
import json
import re
import xml.etree.ElementTree as ET

import pytest

from tests.fixture_site import FixtureSite
from tests.fixture_site import fixture_site as fixture_site  # the pytest fixture, re-exported
from tests.test_newssite import SM, fetch, story_paragraphs
from tests.test_traps import insertions
from tests.traps import WALL_KINDS, structured_text

PATH = "/2026/10/coastal-states-sign-fisheries-pact.html"


def paragraphs_of(site: FixtureSite, path: str = PATH) -> tuple[str, ...]:
    return site.articles[path].paragraphs


def text_of(page: bytes) -> str:
    """The visible text of a page: tags and scripts dropped, entities decoded."""
    body = re.sub(rb"<(script|style)\b.*?</\1>", b"", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", body.decode())).split())


def sitemap_urls(site: FixtureSite) -> set[str]:
    urlset = ET.fromstring(gzip.decompress(fetch(site.url("/sitemap-articles.xml.gz")).body))
    return {loc.text or "" for loc in urlset.iter(f"{SM}loc")}


def status_and_location(site: FixtureSite, path: str) -> tuple[int, str | None]:
    """The status and Location of a GET of `path`, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", site.site.port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


@pytest.mark.parametrize("kind", WALL_KINDS)
def test_serve_wall_answers_200_with_a_wall_until_cleared(
    fixture_site: FixtureSite, kind: str
) -> None:
    fixture_site.serve_wall(PATH, kind, lang="de")
    reply = fetch(fixture_site.url(PATH))
    assert reply.status == 200 and "ETag" not in reply.headers
    text = text_of(reply.body)
    assert not any(p in text for p in paragraphs_of(fixture_site))
    fixture_site.churn(PATH, 3)  # a trap holds through new boilerplate
    assert not any(
        p in text_of(fetch(fixture_site.url(PATH)).body) for p in paragraphs_of(fixture_site)
    )
    fixture_site.clear_trap(PATH)
    assert story_paragraphs(fetch(fixture_site.url(PATH)).body.decode()) == list(
        paragraphs_of(fixture_site)
    )


def test_a_wall_speaks_the_language_asked_for(fixture_site: FixtureSite) -> None:
    fixture_site.serve_wall(PATH, "soft_404", lang="fr")
    page = fetch(fixture_site.url(PATH)).body.decode()
    assert '<html lang="fr">' in page and re.search("introuvable|Oups|Erreur 404", page)
    with pytest.raises(ValueError, match="unknown wall kind"):
        fixture_site.serve_wall(PATH, "nag")


def test_serve_teaser_keeps_the_first_paragraphs_and_a_subscribe_box(
    fixture_site: FixtureSite,
) -> None:
    fixture_site.serve_teaser(PATH)
    text = text_of(fetch(fixture_site.url(PATH)).body)
    body = paragraphs_of(fixture_site)
    assert body[0] in text or body[0][:20] in text
    assert body[-1] not in text
    assert re.search("Subscribe|subscriber|subscription", text)


@pytest.mark.parametrize("mode", ["length", "close"])
def test_cut_body_stops_halfway_through_the_body(fixture_site: FixtureSite, mode: str) -> None:
    fixture_site.cut_body(PATH, mode)
    connection = http.client.HTTPConnection("127.0.0.1", fixture_site.site.port, timeout=5)
    try:
        connection.request("GET", PATH)
        response = connection.getresponse()
        if mode == "length":
            assert response.getheader("Content-Length") is not None
            with pytest.raises(http.client.IncompleteRead) as cut:
                response.read()
            body = cut.value.partial
        else:
            assert response.version == 10 and response.getheader("Content-Length") is None
            body = response.read()  # the client cannot tell it is short
    finally:
        connection.close()
    text = text_of(body)
    assert paragraphs_of(fixture_site)[0] in text
    assert paragraphs_of(fixture_site)[-1] not in text
    assert b"</html>" not in body


def test_headline_variants_cycle_request_by_request(fixture_site: FixtureSite) -> None:
    titles = ["Fisheries pact signed", "Five states agree on fish quotas", "A ten-year catch deal"]
    fixture_site.serve_headline_variants(PATH, titles)
    seen = []
    for _ in range(5):
        page = fetch(fixture_site.url(PATH)).body.decode()
        h1 = html.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", page).group(1))  # type: ignore[union-attr]
        title = html.unescape(re.search(r"<title>(.*?)</title>", page).group(1))  # type: ignore[union-attr]
        assert title.startswith(h1)
        assert f'"headline": "{h1}"' in page
        assert story_paragraphs(page) == list(paragraphs_of(fixture_site))
        seen.append(h1)
    assert seen == [titles[n % 3] for n in range(5)]


def test_move_article_with_a_redirect(fixture_site: FixtureSite) -> None:
    new_path = "/2026/10/fisheries-pact-signed-by-five-states.html"
    fixture_site.move_article(PATH, new_path, title="Five states sign fisheries pact")
    assert status_and_location(fixture_site, PATH) == (301, fixture_site.url(new_path))
    page = fetch(fixture_site.url(new_path)).body.decode()
    assert f'<link rel="canonical" href="{fixture_site.url(new_path)}">' in page
    assert "Five states sign fisheries pact" in page
    assert fixture_site.url(new_path) in fixture_site.article_urls()
    assert fixture_site.url(PATH) not in fixture_site.article_urls()
    home = fetch(fixture_site.url("/")).body.decode()
    assert new_path in home and PATH not in home
    # Moved again: the first address now redirects to the third too.
    third = "/2026/10/fisheries-pact.html"
    fixture_site.move_article(new_path, third)
    for path in (PATH, new_path):
        assert status_and_location(fixture_site, path) == (301, fixture_site.url(third))


def test_move_article_without_a_redirect_serves_both_addresses(fixture_site: FixtureSite) -> None:
    new_path = "/2026/10/fisheries-pact-signed.html"
    fixture_site.move_article(PATH, new_path, redirect=False)
    old, new = fetch(fixture_site.url(PATH)), fetch(fixture_site.url(new_path))
    assert old.status == new.status == 200 and old.body == new.body
    assert f'<link rel="canonical" href="{fixture_site.url(new_path)}">' in old.body.decode()
    home = fetch(fixture_site.url("/")).body.decode()
    assert new_path in home and PATH not in home
    fixture_site.edit_article(new_path, title="Pact signed")  # both addresses show the edit
    assert "Pact signed" in fetch(fixture_site.url(PATH)).body.decode()


@pytest.mark.parametrize(
    ("copy_path", "kind"),
    [(f"{PATH}?output=amp", "amp"), (f"/amp{PATH}", "amp"), (f"/print{PATH}", "print")],
)
def test_add_copy_serves_a_copy_naming_the_canonical(
    fixture_site: FixtureSite, copy_path: str, kind: str
) -> None:
    fixture_site.add_copy(PATH, copy_path, kind)
    copy = fetch(fixture_site.url(copy_path)).body.decode()
    assert f'<link rel="canonical" href="{fixture_site.url(PATH)}">' in copy
    assert all(html.escape(p, quote=False) in copy for p in paragraphs_of(fixture_site))
    assert ("<html amp " in copy) == (kind == "amp")
    assert fixture_site.url(copy_path) in sitemap_urls(fixture_site)
    article = fetch(fixture_site.url(PATH)).body.decode()
    assert (f'rel="amphtml" href="{html.escape(fixture_site.url(copy_path))}"' in article) == (
        kind == "amp"
    )
    fixture_site.clear_trap(PATH)
    assert fetch(fixture_site.url(copy_path)).status == 404
    assert fixture_site.url(copy_path) not in sitemap_urls(fixture_site)


@pytest.mark.parametrize("style", ["json-ld", "next-data"])
def test_serve_json_only_puts_the_text_in_json_only(fixture_site: FixtureSite, style: str) -> None:
    fixture_site.serve_json_only(PATH, style)
    page = fetch(fixture_site.url(PATH)).body.decode()
    text = text_of(page.encode())
    assert not any(p in text for p in paragraphs_of(fixture_site))
    in_json = structured_text(page)
    assert all(p in in_json for p in paragraphs_of(fixture_site))
    if style == "next-data":
        blob = re.search(
            r'<script id="__NEXT_DATA__" type="application/json">(.*?)</script>', page, re.S
        )
        assert blob is not None and json.loads(blob.group(1))["props"]["pageProps"]


def test_serve_datelines_moves_the_times_with_the_seed(fixture_site: FixtureSite) -> None:
    def dated_lines(seed: int) -> list[str]:
        fixture_site.serve_datelines(PATH, seed)
        dated = fetch(fixture_site.url(PATH)).body.decode()
        fixture_site.clear_trap(PATH)
        lines = insertions(fetch(fixture_site.url(PATH)).body.decode(), dated)
        assert 1 <= len(lines) <= 3 and all(re.search(r"\d\d", line) for line in lines)
        return lines

    first, second = dated_lines(1), dated_lines(2)
    assert first != second and len(first) == len(second)
    longer = [*paragraphs_of(fixture_site), "A new closing paragraph of the story."]
    fixture_site.edit_article(PATH, paragraphs=longer)
    assert len(dated_lines(2)) == len(second)  # the trap goes on after an edit
