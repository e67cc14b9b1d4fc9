"""The loopback news sites: `NewsSite`, its templates, the demo site and the fixture site.

Everything goes through real HTTP on 127.0.0.1 with urllib (proxies switched off), and
feeds are read with feedparser, as the crawler reads them.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import http.client
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import pytest

from crawler.demo_site import DEMO_PORT, DemoSite
from crawler.newssite import (
    FeedEntry,
    NewsSite,
    Resource,
    SitemapEntry,
    article_page,
    atom_feed,
    rdf_feed,
    robots_txt,
    rss_feed,
    sitemap_index,
    sitemap_urlset,
)
from tests.fixture_site import ROUTES, SECTIONS, ArticleSpec, FixtureSite
from tests.fixture_site import fixture_site as fixture_site  # the pytest fixture, re-exported

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes


def fetch(url: str, headers: Mapping[str, str] | None = None, method: str = "GET") -> Reply:
    """One real HTTP request; error statuses (304, 404, 410) are replies too."""
    request = urllib.request.Request(url, headers=dict(headers or {}), method=method)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, error.headers, error.read())


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links(url: str) -> list[str]:
    """Absolute targets of the <a href> links on the page at `url`."""
    parser = _Links()
    parser.feed(fetch(url).body.decode())
    return [urljoin(url, href) for href in parser.hrefs]


def clean(url: str) -> str:
    """`url` without its fragment and utm_ tracking parameters."""
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def story_paragraphs(page: str) -> list[str]:
    """The story's own paragraphs: class-less <p>s of the article body, outside the
    boilerplate blocks (promos, teasers, ads) placed between them."""
    body = page.split('<div class="story-body">', 1)[1].split("</article>", 1)[0]
    body = re.sub(r"<(div|aside|section)\b[^>]*>.*?</\1>", "", body, flags=re.DOTALL)
    return [html.unescape(text) for text in re.findall(r"<p>(.*?)</p>", body)]


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


# -- NewsSite ------------------------------------------------------------------------


def test_serves_a_page_with_type_length_and_a_strong_etag(site: NewsSite) -> None:
    site.set("/a.html", "<html><body><p>Grüße</p></body></html>")
    reply = fetch(site.url("/a.html"))
    body = "<html><body><p>Grüße</p></body></html>".encode()
    assert reply.status == 200
    assert reply.body == body
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    assert reply.headers["Content-Length"] == str(len(body))
    assert reply.headers["ETag"] == '"' + hashlib.sha1(body).hexdigest() + '"'
    assert "Last-Modified" not in reply.headers


def test_unknown_path_answers_404_with_html(site: NewsSite) -> None:
    reply = fetch(site.url("/nowhere"))
    assert reply.status == 404
    assert reply.headers["Content-Type"].startswith("text/html")
    assert b"404 Not Found" in reply.body


def test_head_sends_the_headers_without_the_body(site: NewsSite) -> None:
    site.set("/a", Resource(b"x" * 300, "text/plain"))
    reply = fetch(site.url("/a"), method="HEAD")
    assert (reply.status, reply.body) == (200, b"")
    assert reply.headers["Content-Length"] == "300"
    assert reply.headers["Content-Type"] == "text/plain"
    assert site.requests[-1].method == "HEAD"


def test_resource_type_status_and_extra_headers_are_sent(site: NewsSite) -> None:
    site.set("/feed", Resource(b"<rss/>", "application/rss+xml", headers={"X-Test": "yes"}))
    site.set("/raw", b"\x00\x01")
    site.set("/down", Resource(b"busy", status=503, headers={"Retry-After": "120"}))
    feed = fetch(site.url("/feed"))
    assert (feed.headers["Content-Type"], feed.headers["X-Test"]) == ("application/rss+xml", "yes")
    assert fetch(site.url("/raw")).body == b"\x00\x01"
    down = fetch(site.url("/down"))
    assert (down.status, down.headers["Retry-After"], down.body) == (503, "120", b"busy")
    assert "ETag" not in down.headers  # only a 200 carries validators


LAST_MODIFIED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("request_headers", "status"),
    [
        ({}, 200),
        ({"If-None-Match": "ETAG"}, 304),
        ({"If-None-Match": "W/ETAG"}, 304),  # If-None-Match compares weakly
        ({"If-None-Match": '"other", ETAG'}, 304),
        ({"If-None-Match": "*"}, 304),
        ({"If-None-Match": '"other"'}, 200),
        ({"If-Modified-Since": "Sun, 01 Nov 2026 12:00:00 GMT"}, 304),
        ({"If-Modified-Since": "Mon, 02 Nov 2026 08:00:00 GMT"}, 304),
        ({"If-Modified-Since": "Sun, 01 Nov 2026 11:59:59 GMT"}, 200),
        ({"If-Modified-Since": "not a date"}, 200),
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
        ({"If-None-Match": '"other"', "If-Modified-Since": "Mon, 02 Nov 2026 08:00:00 GMT"}, 200),
        ({"If-None-Match": "ETAG", "If-Modified-Since": "Sun, 01 Nov 2026 11:00:00 GMT"}, 304),
    ],
)
def test_conditional_requests(site: NewsSite, request_headers: dict[str, str], status: int) -> None:
    resource = Resource(b"<p>story</p>", last_modified=LAST_MODIFIED.replace(microsecond=5))
    site.set("/story", resource)
    sent = {k: v.replace("ETAG", resource.etag_value) for k, v in request_headers.items()}
    reply = fetch(site.url("/story"), sent)
    assert reply.status == status
    assert reply.body == (b"" if status == 304 else b"<p>story</p>")
    assert reply.headers["ETag"] == resource.etag_value
    assert reply.headers["Last-Modified"] == "Sun, 01 Nov 2026 12:00:00 GMT"


def test_a_new_body_gets_a_new_etag_and_the_old_one_no_longer_matches(site: NewsSite) -> None:
    site.set("/story", "<p>first</p>")
    old = fetch(site.url("/story")).headers["ETag"]
    site.set("/story", "<p>second</p>")
    reply = fetch(site.url("/story"), {"If-None-Match": old})
    assert (reply.status, reply.body) == (200, b"<p>second</p>")
    assert reply.headers["ETag"] != old


def test_etag_can_be_switched_off(site: NewsSite) -> None:
    site.set("/dynamic", Resource(b"<p>x</p>", etag=False))
    reply = fetch(site.url("/dynamic"), {"If-None-Match": '"anything"'})
    assert reply.status == 200
    assert "ETag" not in reply.headers


@pytest.mark.parametrize("status", [404, 410])
def test_remove_makes_a_page_answer_404_or_410(site: NewsSite, status: int) -> None:
    site.set("/story", "<p>here</p>")
    site.remove("/story", status)
    reply = fetch(site.url("/story"))
    assert reply.status == status
    assert reply.headers["Content-Type"].startswith("text/html")
    assert str(status).encode() in reply.body
    removed = site.get("/story")
    assert removed is not None and removed.status == status


def test_queries_fall_back_to_the_path_unless_set_exactly(site: NewsSite) -> None:
    site.set("/story", "<p>story</p>")
    site.set("/list?page=2", "<p>page two</p>")
    site.set("/list", "<p>page one</p>")
    assert fetch(site.url("/story?utm_source=rss&utm_medium=feed")).body == b"<p>story</p>"
    assert fetch(site.url("/list?page=2")).body == b"<p>page two</p>"
    assert fetch(site.url("/list?page=3")).body == b"<p>page one</p>"


def test_redirect(site: NewsSite) -> None:
    site.set("/new", "<p>moved here</p>")
    site.redirect("/old", "/new")
    reply = fetch(site.url("/old"))  # urllib follows it
    assert (reply.status, reply.body) == (200, b"<p>moved here</p>")
    assert [r.status for r in site.requests] == [301, 200]


def test_request_log_records_method_path_headers_and_status(site: NewsSite) -> None:
    site.set("/story", "<p>story</p>")
    fetch(site.url("/story?utm_source=x"), {"User-Agent": "mediawatch-test/1.0"})
    fetch(site.url("/story"), {"If-None-Match": '"abc"'}, method="HEAD")
    fetch(site.url("/missing"))
    log = site.requests
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", "/story?utm_source=x", 200),
        ("HEAD", "/story", 200),
        ("GET", "/missing", 404),
    ]
    assert log[0].header("user-agent") == "mediawatch-test/1.0"
    assert log[1].header("IF-NONE-MATCH") == '"abc"'
    assert log[0].header("If-None-Match") is None
    assert log[0].time <= log[1].time <= log[2].time
    assert len(site.requests_for("/story")) == 2
    assert [r.method for r in site.requests_for("/story?utm_source=x")] == ["GET"]
    site.clear_log()
    assert site.requests == []


def test_a_port_in_use_gives_an_error_naming_the_port(site: NewsSite) -> None:
    with pytest.raises(OSError, match=rf"port {site.port} .*already in use"):
        NewsSite(port=site.port).start()
    with pytest.raises(OSError, match=rf"port {site.port} "):
        DemoSite(port=site.port).start()


def test_stop_closes_keep_alive_connections_and_frees_the_port() -> None:
    site = NewsSite().start()
    site.set("/", "<p>home</p>")
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=5)
    try:
        connection.request("GET", "/")
        assert connection.getresponse().read() == b"<p>home</p>"  # HTTP/1.1 keep-alive
        site.stop()
        with pytest.raises((OSError, http.client.HTTPException)):
            connection.request("GET", "/")
            connection.getresponse().read()
    finally:
        connection.close()
    with pytest.raises(urllib.error.URLError):
        fetch(f"http://127.0.0.1:{site.port}/")
    with NewsSite(port=site.port) as again:  # the port is free again
        assert fetch(again.url("/")).status == 404
    site.stop()  # a second stop is harmless


def _wait_for_handlers() -> None:
    """Wait (briefly) until no request-handler thread is left running."""
    deadline = time.monotonic() + 5
    while any("process_request" in t.name for t in threading.enumerate()):
        assert time.monotonic() < deadline, "a request handler never finished"
        time.sleep(0.02)


def test_clients_that_hang_up_or_time_out_leave_no_traceback(
    site: NewsSite, capfd: pytest.CaptureFixture[str]
) -> None:
    site.set("/huge", Resource(b"x" * 8_000_000))
    site.set("/slow", Resource(b"<p>late</p>", delay=0.5))
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=5)
    connection.request("GET", "/huge")
    response = connection.getresponse()
    assert response.getheader("Content-Length") == "8000000"
    assert response.read(100) == b"x" * 100
    connection.close()  # refuse the rest, as a crawler refuses an oversized page
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        _OPENER.open(site.url("/slow"), timeout=0.1)
    _wait_for_handlers()
    assert [r.path for r in site.requests] == ["/huge", "/slow"]
    assert "Traceback" not in capfd.readouterr().err


def _raw_get(site: NewsSite, path: str) -> tuple[str, dict[str, str], bytes]:
    """One GET over a plain socket, read until the server closes: the status line, the
    headers (lower-case names) and every body byte that arrived."""
    with socket.create_connection(("127.0.0.1", site.port), timeout=5) as connection:
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{site.port}\r\n\r\n"
        connection.sendall(request.encode())
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (h.partition(":") for h in lines)}
    return status, headers, body


BODY = b"<html><body>" + b"<p>A paragraph of the story.</p>" * 40 + b"</body></html>"


def test_a_cut_body_announces_its_full_length_and_closes_early(site: NewsSite) -> None:
    site.set("/cut", Resource(BODY, cut_after=300))
    status, headers, body = _raw_get(site, "/cut")
    assert status.startswith("HTTP/1.1 200")
    assert headers["content-length"] == str(len(BODY))
    assert body == BODY[:300]
    assert headers["etag"] == Resource(BODY).etag_value  # the validators of the whole page
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=5)
    try:
        connection.request("GET", "/cut")
        with pytest.raises(http.client.IncompleteRead) as cut:
            connection.getresponse().read()
        assert (len(cut.value.partial), cut.value.expected) == (300, len(BODY) - 300)
    finally:
        connection.close()


def test_a_close_delimited_cut_body_looks_whole_to_a_client(site: NewsSite) -> None:
    site.set("/cut", Resource(BODY, cut_after=300, close_delimited=True))
    status, headers, body = _raw_get(site, "/cut")
    assert status.startswith("HTTP/1.0 200")
    assert "content-length" not in headers
    assert body == BODY[:300]
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=5)
    try:
        connection.request("GET", "/cut")
        response = connection.getresponse()
        assert response.read() == BODY[:300]  # no error: nothing says it is short
        assert response.will_close
    finally:
        connection.close()


def test_a_close_delimited_body_is_sent_whole(site: NewsSite) -> None:
    site.set("/old", Resource(BODY, close_delimited=True))
    assert _raw_get(site, "/old")[2] == BODY
    assert fetch(site.url("/old")).body == BODY


def test_by_default_bodies_are_whole_and_connections_kept_alive(site: NewsSite) -> None:
    site.set("/a", Resource(BODY))
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=5)
    try:
        for _ in range(2):  # both on one connection
            connection.request("GET", "/a")
            response = connection.getresponse()
            assert response.version == 11 and not response.will_close
            assert response.read() == BODY
    finally:
        connection.close()


def test_a_rotation_answers_its_resources_in_turn(site: NewsSite) -> None:
    site.rotate("/ab", ["<p>A</p>", "<p>B</p>", Resource(b"<p>C</p>")])
    assert site.lookup("/ab?x=1") is not None and site.lookup("/ab").body == b"<p>A</p>"
    assert site.lookup("/ab").body == b"<p>A</p>"  # looking does not move it on
    bodies = [fetch(site.url("/ab")).body for _ in range(5)]
    assert bodies == [b"<p>A</p>", b"<p>B</p>", b"<p>C</p>", b"<p>A</p>", b"<p>B</p>"]
    site.set("/ab", "<p>fixed</p>")  # ends the rotation
    assert {fetch(site.url("/ab")).body for _ in range(3)} == {b"<p>fixed</p>"}
    with pytest.raises(ValueError, match="at least one"):
        site.rotate("/ab", [])


def test_base_url_needs_a_started_site() -> None:
    with pytest.raises(RuntimeError, match="start"):
        _ = NewsSite().base_url


# -- templates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("author", "meta", "byline"),
    [
        ("Ann Lee", "Ann Lee", ">Ann Lee</a></p>"),
        (["Ann Lee", "Bo Kim"], "Ann Lee, Bo Kim", ">Ann Lee</a> and <a"),
        (["O'Brien & Sons"], "O'Brien &amp; Sons", ">O'Brien &amp; Sons</a>"),
    ],
)
def test_article_page_metadata(author: str | list[str], meta: str, byline: str) -> None:
    page = article_page(
        'Fish & "chips" <rise>',
        ["First <b>paragraph</b>.", "Second."],
        author=author,
        published=datetime(2026, 11, 3, 9, 30, tzinfo=UTC),
        canonical="http://127.0.0.1:1/2026/11/fish.html",
        section="News",
    )
    assert f'<meta name="author" content="{meta}">' in page
    assert byline in page
    assert '<meta property="article:published_time" content="2026-11-03T09:30:00+00:00">' in page
    assert '<time class="published" datetime="2026-11-03T09:30:00+00:00">3 November 2026' in page
    assert '<link rel="canonical" href="http://127.0.0.1:1/2026/11/fish.html">' in page
    assert '<h1 class="headline">Fish &amp; &quot;chips&quot; &lt;rise&gt;</h1>' in page
    assert "<p>First &lt;b&gt;paragraph&lt;/b&gt;.</p>" in page
    assert "<b>" not in page and "<rise>" not in page
    assert "article:modified_time" not in page


def test_article_page_places_boilerplate_between_paragraphs() -> None:
    page = article_page(
        "T",
        ["one", "two", "three"],
        author="A",
        published=datetime(2026, 1, 1, tzinfo=UTC),
        modified=datetime(2026, 1, 2, tzinfo=UTC),
        canonical="http://x/t",
        section="S",
        header_html="<span>HEADER</span>",
        inserts={0: "<aside>AFTER-ONE</aside>", 1: "<div>AFTER-TWO</div>"},
        extra_body_html="<div>END</div>",
        around_html="<ol>SIDEBAR</ol>",
    )
    order = ["HEADER", "<p>one</p>", "AFTER-ONE", "<p>two</p>", "AFTER-TWO", "<p>three</p>"]
    order += ["END", "</article>", "SIDEBAR"]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert '<meta property="article:modified_time" content="2026-01-02T00:00:00+00:00">' in page


ENTRIES = [
    FeedEntry(
        "Rates & <prices>",
        "http://127.0.0.1:1/2026/11/rates.html?a=1&b=2",
        datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
        "Summary one",
        "Ann Lee",
    ),
    FeedEntry(
        "Second story", "http://127.0.0.1:1/2026/10/second.html", datetime(2026, 10, 1, tzinfo=UTC)
    ),
]


@pytest.mark.parametrize(
    ("writer", "version"), [(rss_feed, "rss20"), (atom_feed, "atom10"), (rdf_feed, "rss10")]
)
def test_feeds_parse_with_feedparser(writer: object, version: str) -> None:
    assert callable(writer)
    parsed = feedparser.parse(writer("Paper", "http://127.0.0.1:1", ENTRIES).encode())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == version
    assert [e.link for e in parsed.entries] == [e.url for e in ENTRIES]
    assert [e.title for e in parsed.entries] == [e.title for e in ENTRIES]
    # RSS 1.0 dates its items with dc:date, which feedparser files under "updated".
    stamp = parsed.entries[0].get("published_parsed") or parsed.entries[0].updated_parsed
    assert tuple(stamp[:5]) == (2026, 11, 2, 8, 0)
    assert parsed.entries[0].author == "Ann Lee"


def test_sitemaps_are_valid_xml() -> None:
    entries = [
        SitemapEntry(
            "http://127.0.0.1:1/a?x=1&y=2",
            datetime(2026, 11, 1, tzinfo=UTC),
            title="A & B",
            published=datetime(2026, 10, 31, 22, 0, tzinfo=UTC),
        )
    ]
    plain = ET.fromstring(sitemap_urlset(entries))
    assert [e.text for e in plain.iter(f"{SM}loc")] == ["http://127.0.0.1:1/a?x=1&y=2"]
    assert plain.findtext(f"{SM}url/{SM}lastmod") == "2026-11-01T00:00:00+00:00"
    assert plain.find(f".//{NEWS}news") is None
    news = ET.fromstring(sitemap_urlset(entries, news=True, publication="Paper"))
    assert news.findtext(f".//{NEWS}title") == "A & B"
    assert news.findtext(f".//{NEWS}publication_date") == "2026-10-31T22:00:00+00:00"
    assert news.findtext(f".//{NEWS}name") == "Paper"
    index = ET.fromstring(
        sitemap_index(["http://127.0.0.1:1/s1.xml", "http://127.0.0.1:1/s2.xml.gz"])
    )
    assert index.tag == f"{SM}sitemapindex"
    assert [e.text for e in index.iter(f"{SM}loc")][1] == "http://127.0.0.1:1/s2.xml.gz"


@pytest.mark.parametrize(
    ("disallow", "path", "allowed"),
    [
        ([], "/anything", True),
        (["/private/"], "/private/a.html", False),
        (["/private/"], "/a", True),
    ],
)
def test_robots_txt(disallow: list[str], path: str, allowed: bool) -> None:
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(robots_txt(disallow, ["http://127.0.0.1:1/sitemap.xml"]).splitlines())
    assert robots.can_fetch("mediawatch", "http://127.0.0.1:1" + path) is allowed
    assert robots.site_maps() == ["http://127.0.0.1:1/sitemap.xml"]


# -- the fixture site ----------------------------------------------------------------


def _discover(site: FixtureSite) -> dict[str, set[str]]:
    """What each route lists, read over HTTP the way a crawler reads it."""
    pattern = re.compile(site.article_regex)

    def articles(urls: list[str]) -> set[str]:
        return {clean(u) for u in urls if pattern.match(clean(u))}

    def feed(path: str, version: str) -> set[str]:
        parsed = feedparser.parse(fetch(site.url(path)).body)
        assert (parsed.version, parsed.bozo) == (version, False)
        return articles([entry.link for entry in parsed.entries])

    index = ET.fromstring(fetch(site.url("/sitemap_index.xml")).body)
    sitemaps = [loc.text or "" for loc in index.iter(f"{SM}loc")]
    assert sitemaps == [site.url("/sitemap-articles.xml.gz"), site.url("/sitemap-news.xml")]
    gz = fetch(sitemaps[0])
    assert gz.headers["Content-Type"] == "application/x-gzip"
    urlset = ET.fromstring(gzip.decompress(gz.body))
    news = ET.fromstring(fetch(sitemaps[1]).body)
    assert all(url.find(f"{NEWS}news/{NEWS}publication_date") is not None for url in news)
    return {
        "home": articles(links(site.url("/"))),
        "section": articles([u for slug in SECTIONS for u in links(site.url(f"/{slug}/"))]),
        "rss": feed("/rss.xml", "rss20"),
        "atom": feed("/atom.xml", "atom10"),
        "rdf": feed("/rdf.xml", "rss10"),
        "sitemap": articles([loc.text or "" for loc in urlset.iter(f"{SM}loc")]),
        "news_sitemap": articles([loc.text or "" for loc in news.iter(f"{SM}loc")]),
    }


def test_every_route_finds_an_article_only_it_finds(fixture_site: FixtureSite) -> None:
    found = _discover(fixture_site)
    assert set(found) == set(ROUTES)
    for route, urls in found.items():
        assert urls == fixture_site.article_urls(route=route, include_private=True), route
        others = set().union(*(found[r] for r in ROUTES if r != route))
        assert urls - others, f"{route} finds nothing the other routes miss"
    assert set().union(*found.values()) == fixture_site.article_urls(include_private=True)
    assert len(fixture_site.article_urls()) == 11
    assert {s.section for s in fixture_site.articles.values()} == set(SECTIONS)


def test_home_page_links_what_a_crawler_must_sort_out(fixture_site: FixtureSite) -> None:
    home = links(fixture_site.url("/"))
    base = fixture_site.base_url
    assert any(u.startswith("http://example.com/") for u in home)
    assert {base + "/about", base + "/tag/elections"} <= set(home)
    tracked = [u for u in home if "utm_source=" in u]
    anchored = [u for u in home if "#" in u]
    assert tracked and anchored
    for url in tracked + anchored:  # each points at a real article that is also linked plainly
        assert clean(url) in home
        assert fetch(url).status == 200
    for path in ("/about", "/tag/elections", "/world/"):
        assert fetch(fixture_site.url(path)).status == 200


def test_private_article_is_linked_and_listed_but_disallowed(fixture_site: FixtureSite) -> None:
    private = {fixture_site.url(s.path) for s in fixture_site.articles.values() if s.private}
    assert len(private) == 1
    assert private <= {clean(u) for u in links(fixture_site.url("/"))}
    rss = feedparser.parse(fetch(fixture_site.url("/rss.xml")).body)
    assert private <= {clean(entry.link) for entry in rss.entries}
    assert not private & fixture_site.article_urls()
    assert private <= fixture_site.article_urls(include_private=True)

    robots_reply = fetch(fixture_site.url("/robots.txt"))
    assert robots_reply.headers["Content-Type"].startswith("text/plain")
    text = robots_reply.body.decode()
    assert "User-agent: *\nDisallow: /private/\n" in text
    assert f"Sitemap: {fixture_site.url('/sitemap_index.xml')}" in text
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(text.splitlines())
    assert not robots.can_fetch("mediawatch", private.pop())
    assert all(robots.can_fetch("mediawatch", url) for url in fixture_site.article_urls())


def test_articles_have_validators_and_metadata(fixture_site: FixtureSite) -> None:
    for path, spec in fixture_site.articles.items():
        reply = fetch(fixture_site.url(path))
        page = reply.body.decode()
        assert reply.status == 200
        assert parsedate_to_datetime(reply.headers["Last-Modified"]) == spec.published
        assert f'<link rel="canonical" href="{fixture_site.url(path)}">' in page
        assert f'content="{spec.published.isoformat()}"' in page
        assert story_paragraphs(page) == list(spec.paragraphs)
        again = fetch(fixture_site.url(path), {"If-Modified-Since": reply.headers["Last-Modified"]})
        assert again.status == 304
        assert fetch(fixture_site.url(path), {"If-None-Match": reply.headers["ETag"]}).status == 304


def test_edit_article_changes_the_page_and_the_listings(fixture_site: FixtureSite) -> None:
    path = "/2026/11/port-workers-agree-new-contract.html"
    before = fetch(fixture_site.url(path))
    paragraphs = list(fixture_site.articles[path].paragraphs)
    paragraphs[1] = paragraphs[1].replace("eleven per cent", "twelve per cent")
    fixture_site.edit_article(
        path,
        title="Port workers accept a new contract",
        paragraphs=paragraphs,
        authors=["Ruth Adeyemi", "Sam Ortiz"],
    )
    after = fetch(fixture_site.url(path), {"If-None-Match": before.headers["ETag"]})
    page = after.body.decode()
    assert after.status == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert parsedate_to_datetime(after.headers["Last-Modified"]) > parsedate_to_datetime(
        before.headers["Last-Modified"]
    )
    assert "twelve per cent" in story_paragraphs(page)[1]
    assert '<h1 class="headline">Port workers accept a new contract</h1>' in page
    assert '<meta name="author" content="Ruth Adeyemi, Sam Ortiz">' in page
    assert "article:modified_time" in page
    rss = feedparser.parse(fetch(fixture_site.url("/rss.xml")).body)
    assert "Port workers accept a new contract" in [entry.title for entry in rss.entries]


def test_churn_changes_the_bytes_but_not_the_story(fixture_site: FixtureSite) -> None:
    path = "/2026/11/city-trials-heat-pump-district.html"
    before = fetch(fixture_site.url(path))
    fixture_site.churn(path, seed=1)
    after = fetch(fixture_site.url(path), {"If-None-Match": before.headers["ETag"]})
    old, new = before.body.decode(), after.body.decode()
    assert after.status == 200 and after.body != before.body
    assert story_paragraphs(new) == story_paragraphs(old)
    assert len(story_paragraphs(new)) == len(fixture_site.articles[path].paragraphs)
    # The boilerplate moved both inside the story body and around it.
    inside = [p.split('<div class="story-body">')[1].split("</article>")[0] for p in (old, new)]
    assert inside[0] != inside[1]
    for marker in ("share-count", "updated-ago", "ad-slot", "most-popular", "newsletter"):
        assert marker in new
    for pattern in (r"(\d[\d,]*) shares", r"Updated (\d+) minutes ago", r'__PAGE_TOKEN__="(\w+)"'):
        assert re.findall(pattern, old) != re.findall(pattern, new), pattern
    assert after.headers["Last-Modified"] == before.headers["Last-Modified"]
    fixture_site.churn(path, seed=1)
    assert fetch(fixture_site.url(path)).body == after.body  # a seed is reproducible
    fixture_site.churn(path, seed=2, touch_modified=True)
    touched = fetch(fixture_site.url(path))
    assert touched.headers["Last-Modified"] != before.headers["Last-Modified"]
    assert story_paragraphs(touched.body.decode()) == story_paragraphs(old)


@pytest.mark.parametrize("status", [404, 410])
def test_remove_and_restore_article(fixture_site: FixtureSite, status: int) -> None:
    path = "/2026/11/port-workers-agree-new-contract.html"
    url = fixture_site.url(path)
    fixture_site.remove_article(path, status)
    assert fetch(url).status == status
    assert url not in fixture_site.article_urls()
    assert url not in {clean(u) for u in links(fixture_site.url("/"))}
    rss = feedparser.parse(fetch(fixture_site.url("/rss.xml")).body)
    assert url not in {clean(entry.link) for entry in rss.entries}
    fixture_site.restore_article(path)
    assert fetch(url).status == 200
    assert url in {clean(u) for u in links(fixture_site.url("/"))}


def test_add_article_publishes_it_on_its_routes(fixture_site: FixtureSite) -> None:
    spec = ArticleSpec(
        path="/2026/11/new-bridge-opens.html",
        title="New footbridge opens over the river",
        paragraphs=("The bridge opened on Monday.", "It took two years to build."),
        authors=("Lena Voss",),
        published=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        section="world",
        routes=frozenset({"atom", "home"}),
    )
    fixture_site.add_article(spec)
    url = fixture_site.url(spec.path)
    assert fetch(url).status == 200
    assert url in {clean(u) for u in links(fixture_site.url("/"))}
    atom = feedparser.parse(fetch(fixture_site.url("/atom.xml")).body)
    assert url in {entry.link for entry in atom.entries}
    rss = feedparser.parse(fetch(fixture_site.url("/rss.xml")).body)
    assert url not in {clean(entry.link) for entry in rss.entries}
    assert fixture_site.article_urls(route="atom") >= {url}


def test_fixture_site_logs_requests(fixture_site: FixtureSite) -> None:
    fetch(fixture_site.url("/rss.xml"), {"User-Agent": "mediawatch-test"})
    assert [r.header("User-Agent") for r in fixture_site.requests_for("/rss.xml")] == [
        "mediawatch-test"
    ]
    assert fixture_site.requests[-1].path == "/rss.xml"


# -- the demo site -------------------------------------------------------------------


@pytest.fixture
def demo() -> Iterator[DemoSite]:
    with DemoSite(port=0) as running:
        yield running


def test_demo_site_serves_every_article_from_every_listing(demo: DemoSite) -> None:
    urls = demo.article_urls()
    assert len(urls) == 6
    assert DEMO_PORT == 8765
    for path in demo.article_paths:
        assert re.match(r"^http://127\.0\.0\.1:8765/\d{4}/\d{2}/", "http://127.0.0.1:8765" + path)
        page = fetch(demo.url(path)).body.decode()
        assert 4 <= len(story_paragraphs(page)) <= 8
        assert '<meta name="author"' in page and 'class="byline"' in page
        assert '<meta property="article:published_time"' in page and "<time " in page
        assert f'<link rel="canonical" href="{demo.url(path)}">' in page
        assert "Most read" in page and "newsletter" in page
    assert set(urls) <= set(links(demo.url("/")))
    sections = set(links(demo.url("/news/"))) | set(links(demo.url("/culture/")))
    assert set(urls) <= sections
    rss = feedparser.parse(fetch(demo.url("/rss.xml")).body)
    assert (rss.version, [entry.link for entry in rss.entries]) == ("rss20", urls)
    sitemap = ET.fromstring(fetch(demo.url("/sitemap.xml")).body)
    assert [loc.text for loc in sitemap.iter(f"{SM}loc")] == urls
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(fetch(demo.url("/robots.txt")).body.decode().splitlines())
    assert not robots.can_fetch("mediawatch", demo.url("/admin/"))
    assert all(robots.can_fetch("mediawatch", url) for url in urls)


def test_demo_edit_story(demo: DemoSite) -> None:
    url = demo.url(demo.EDITED_PATH)
    before = fetch(url)
    untouched = {p: fetch(demo.url(p)).headers["ETag"] for p in demo.article_paths}
    demo.edit_story()
    after = fetch(url, {"If-None-Match": before.headers["ETag"]})
    assert after.status == 200 and after.body != before.body
    assert parsedate_to_datetime(after.headers["Last-Modified"]) > parsedate_to_datetime(
        before.headers["Last-Modified"]
    )
    old, new = story_paragraphs(before.body.decode()), story_paragraphs(after.body.decode())
    assert len(new) == len(old) + 1
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b]
    assert len(changed) == 1  # one sentence with a corrected figure
    assert re.findall(r"[\d.]+", old[changed[0]]) != re.findall(r"[\d.]+", new[changed[0]])
    assert new[-1].startswith("Correction")
    title = re.compile(r'<h1 class="headline">(.*?)</h1>')
    assert title.findall(before.body.decode()) != title.findall(after.body.decode())
    rss = feedparser.parse(fetch(demo.url("/rss.xml")).body)
    assert title.findall(after.body.decode())[0] in [entry.title for entry in rss.entries]
    for path in demo.article_paths:
        if path != demo.EDITED_PATH:
            assert fetch(demo.url(path)).headers["ETag"] == untouched[path]
