"""Article discovery parsing (crawler/discovery.py): feeds, sitemaps, robots.txt, pages.

Every document is written out here as a site would serve it; nothing touches the network.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
import time
import tracemalloc
from pathlib import Path

import pytest

from crawler.discovery import (
    MAX_LINKS_PER_PAGE,
    MAX_SITEMAP_BYTES,
    Discovered,
    DiscoveryError,
    canonical_link,
    gunzip_bounded,
    looks_like_article,
    page_links,
    parse_feed,
    parse_sitemap,
    sitemaps_from_robots,
)
from crawler.urls import host_of, normalise_url
from tests.corpus import corpus_pages, require_corpus

FEED_URL = "https://news.example.com/feeds/world.xml"
SITEMAP_URL = "https://news.example.com/sitemap.xml"
# "Billion laughs": &lol9; would expand to 10**9 "lol"s.
LAUGHS = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)

# ----------------------------------------------------------------------------- feeds

RSS20 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Example News - World</title>
  <link>https://news.example.com/world/</link>
  <description>World news</description>
  <item>
    <title>Storm hits the coast</title>
    <link>https://news.example.com/2026/11/28/storm-hits-the-coast?utm_source=rss&amp;utm_medium=feed</link>
    <guid isPermaLink="false">story-1001</guid>
    <pubDate>Sat, 28 Nov 2026 10:15:00 +0100</pubDate>
  </item>
  <item>
    <title>  Talks   resume in
      Geneva </title>
    <link>/2026/11/27/talks-resume-in-geneva</link>
    <pubDate>Fri, 27 Nov 2026 18:00:00 GMT</pubDate>
  </item>
  <item>
    <title>Guid only</title>
    <guid isPermaLink="true">https://news.example.com/2026/11/26/guid-only-story</guid>
  </item>
  <item>
    <title>Same story again, via a share link</title>
    <link>https://news.example.com/2026/11/28/storm-hits-the-coast#comments</link>
  </item>
  <item>
    <title>No link at all</title>
    <description>A note without a page.</description>
  </item>
  <item>
    <title>Empty link</title>
    <link></link>
  </item>
</channel>
</rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.com/politics/">
  <title>Example News - Politics</title>
  <id>tag:news.example.com,2026:politics</id>
  <updated>2026-11-28T12:00:00Z</updated>
  <entry>
    <title type="html">Minister &lt;em&gt;resigns&lt;/em&gt; &amp;amp; party reacts</title>
    <link rel="enclosure" type="audio/mpeg" href="/audio/resigns.mp3"/>
    <link rel="related" href="https://other.example.org/analysis"/>
    <link rel="alternate" type="text/html" href="2026/11/28/minister-resigns"/>
    <id>tag:news.example.com,2026:2001</id>
    <published>2026-11-28T08:30:00+01:00</published>
    <updated>2026-11-28T11:00:00Z</updated>
  </entry>
  <entry>
    <title>Budget vote delayed</title>
    <link href="https://news.example.com/politics/2026/11/27/budget-vote-delayed"/>
    <id>tag:news.example.com,2026:2002</id>
    <updated>2026-11-27T20:00:00Z</updated>
  </entry>
</feed>"""

RDF = b"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example.com/">
    <title>Example News</title>
    <link>https://news.example.com/</link>
    <description>All news</description>
    <items><rdf:Seq>
      <rdf:li rdf:resource="https://news.example.com/science/2026/11/28/comet-seen"/>
      <rdf:li rdf:resource="https://news.example.com/science/2026/11/27/new-species"/>
    </rdf:Seq></items>
  </channel>
  <item rdf:about="https://news.example.com/science/2026/11/28/comet-seen">
    <title>Comet seen from Europe</title>
    <link>https://news.example.com/science/2026/11/28/comet-seen</link>
    <dc:date>2026-11-28T06:00:00+01:00</dc:date>
  </item>
  <item rdf:about="https://news.example.com/science/2026/11/27/new-species">
    <title>New species found</title>
    <link>https://news.example.com/science/2026/11/27/new-species</link>
  </item>
</rdf:RDF>"""


def test_rss20_feed() -> None:
    assert parse_feed(RSS20, FEED_URL) == [
        Discovered(
            url="https://news.example.com/2026/11/28/storm-hits-the-coast",
            via="feed",
            title="Storm hits the coast",
            published="2026-11-28T09:15:00+00:00",
        ),
        Discovered(
            url="https://news.example.com/2026/11/27/talks-resume-in-geneva",
            via="feed",
            title="Talks resume in Geneva",
            published="2026-11-27T18:00:00+00:00",
        ),
        Discovered(
            url="https://news.example.com/2026/11/26/guid-only-story",
            via="feed",
            title="Guid only",
        ),
    ]


def test_atom_feed_prefers_alternate_link_and_honours_xml_base() -> None:
    assert parse_feed(ATOM, FEED_URL) == [
        Discovered(
            url="https://news.example.com/politics/2026/11/28/minister-resigns",
            via="feed",
            title="Minister resigns & party reacts",
            published="2026-11-28T07:30:00+00:00",
            lastmod="2026-11-28T11:00:00+00:00",
        ),
        Discovered(
            url="https://news.example.com/politics/2026/11/27/budget-vote-delayed",
            via="feed",
            title="Budget vote delayed",
            lastmod="2026-11-27T20:00:00+00:00",
        ),
    ]


def test_rdf_feed() -> None:
    assert parse_feed(RDF, FEED_URL) == [
        Discovered(
            url="https://news.example.com/science/2026/11/28/comet-seen",
            via="feed",
            title="Comet seen from Europe",
            lastmod="2026-11-28T05:00:00+00:00",
        ),
        Discovered(
            url="https://news.example.com/science/2026/11/27/new-species",
            via="feed",
            title="New species found",
        ),
    ]


@pytest.mark.parametrize(
    ("link", "feed_url", "expected"),
    [
        ("/a/story", "https://example.com/feeds/x.xml", "https://example.com/a/story"),
        ("story-two", "https://example.com/feeds/x.xml", "https://example.com/feeds/story-two"),
        ("../world/3", "https://example.com/feeds/x.xml", "https://example.com/world/3"),
        ("//cdn.example.com/4", "https://example.com/feeds/x.xml", "https://cdn.example.com/4"),
    ],
)
def test_feed_relative_links_resolve_against_the_feed_url(
    link: str, feed_url: str, expected: str
) -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>x</title><link>{link}</link></item></channel></rss>"
    ).encode()
    assert [d.url for d in parse_feed(body, feed_url)] == [expected]


def test_feed_in_a_legacy_encoding_is_decoded_by_its_declaration() -> None:
    body = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Café à Zürich</title><link>https://example.com/a</link></item>"
        "</channel></rss>"
    ).encode("latin-1")
    assert [d.title for d in parse_feed(body, FEED_URL)] == ["Café à Zürich"]


def test_damaged_feed_with_entries_returns_them(caplog: pytest.LogCaptureFixture) -> None:
    # The bare "&" makes this invalid XML; feedparser falls back to its lenient parser.
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
      <item><title>Bread & butter</title><link>https://example.com/2026/11/bread</link></item>
      <item><title>Second</title><link>https://example.com/2026/11/second</link></item>
    </channel></rss>"""
    with caplog.at_level(logging.WARNING, logger="crawler.discovery"):
        found = parse_feed(body, FEED_URL)
    assert [d.url for d in found] == [
        "https://example.com/2026/11/bread",
        "https://example.com/2026/11/second",
    ]
    assert "damaged" in caplog.text and FEED_URL in caplog.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<rss><channel><item><title>cut off", r"^malformed feed XML: line \d+, column \d+: "),
        (b"\x00\x01\x02 binary junk", r"^malformed feed XML: line \d+, column \d+: "),
        (b"<html><body><p>Not a feed</p></body></html>", r"^not a feed: "),
        (b"", r"^empty feed"),
        (b"  \n ", r"^empty feed"),
    ],
)
def test_unreadable_feed_raises_a_readable_error(body: bytes, message: str) -> None:
    with pytest.raises(DiscoveryError, match=message):
        parse_feed(body, FEED_URL)


def test_valid_feed_without_items_is_empty_not_an_error() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    assert parse_feed(body, FEED_URL) == []


def test_feed_does_not_read_external_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-FEED")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        '<rss version="2.0"><channel><title>t</title><item><title>&xxe;</title>'
        "<link>https://example.com/a</link></item></channel></rss>"
    ).encode()
    found = parse_feed(body, FEED_URL)
    assert "TOP-SECRET" not in repr(found)


def test_feed_entity_expansion_bomb_is_not_expanded() -> None:
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{LAUGHS}]><rss version="2.0"><channel>'
        "<title>t</title><item><title>&lol9;</title><link>https://example.com/a</link>"
        "</item></channel></rss>"
    ).encode()
    started = time.perf_counter()
    found = parse_feed(body, FEED_URL)
    assert time.perf_counter() - started < 10
    assert [d.url for d in found] == ["https://example.com/a"]
    assert "lollollol" not in (found[0].title or "")


# -------------------------------------------------------------------------- sitemaps

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://news.example.com/2026/11/28/storm-hits-the-coast</loc>
       <lastmod>2026-11-28T10:15:00+01:00</lastmod><changefreq>hourly</changefreq></url>
  <url><loc>https://news.example.com/2026/11/27/talks?utm_source=sitemap#x</loc>
       <lastmod>2026-11-27</lastmod></url>
  <url><loc>/2026/11/26/relative-entry</loc><lastmod>2026-11-26T09:00Z</lastmod></url>
  <url><loc>https://news.example.com/2026/11/28/storm-hits-the-coast</loc></url>
  <url><loc>mailto:desk@example.com</loc></url>
  <url><loc> </loc></url>
  <url><lastmod>2026-11-25</lastmod></url>
  <url><loc>https://news.example.com/2026/11/25/bad-date</loc><lastmod>yesterday</lastmod></url>
</urlset>"""

URLSET_EXPECTED = [
    Discovered(
        url="https://news.example.com/2026/11/28/storm-hits-the-coast",
        via="sitemap",
        lastmod="2026-11-28T09:15:00+00:00",
    ),
    Discovered(
        url="https://news.example.com/2026/11/27/talks",
        via="sitemap",
        lastmod="2026-11-27T00:00:00+00:00",
    ),
    Discovered(
        url="https://news.example.com/2026/11/26/relative-entry",
        via="sitemap",
        lastmod="2026-11-26T09:00:00+00:00",
    ),
    Discovered(url="https://news.example.com/2026/11/25/bad-date", via="sitemap"),
]

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example.com/sitemaps/news.xml</loc><lastmod>2026-11-28</lastmod></sitemap>
  <sitemap><loc>/sitemaps/2026-11.xml.gz</loc></sitemap>
  <sitemap><loc>https://news.example.com/sitemaps/news.xml</loc></sitemap>
</sitemapindex>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://news.example.com/business/2026/11/28/merger-talks</loc>
    <lastmod>2026-11-28T12:00:00Z</lastmod>
    <image:image>
      <image:loc>https://news.example.com/img/merger.jpg</image:loc>
      <image:title>Photo caption, not the headline</image:title>
    </image:image>
    <news:news>
      <news:publication><news:name>Example News</news:name><news:language>en</news:language>
      </news:publication>
      <news:publication_date>2026-11-28T09:30:00+01:00</news:publication_date>
      <news:title>Companies A &amp; B in merger talks</news:title>
    </news:news>
  </url>
  <url>
    <loc>https://news.example.com/business/2026/11/27/rates</loc>
    <news:news>
      <news:publication><news:name>Example News</news:name><news:language>en</news:language>
      </news:publication>
      <news:publication_date>2026-11-27</news:publication_date>
      <news:title>Rates held</news:title>
    </news:news>
  </url>
</urlset>"""


def test_urlset() -> None:
    assert parse_sitemap(URLSET, SITEMAP_URL) == (URLSET_EXPECTED, [])


def test_sitemap_index_lists_child_sitemaps() -> None:
    assert parse_sitemap(SITEMAP_INDEX, SITEMAP_URL) == (
        [],
        [
            "https://news.example.com/sitemaps/news.xml",
            "https://news.example.com/sitemaps/2026-11.xml.gz",
        ],
    )


def test_news_sitemap_keeps_title_and_publication_date() -> None:
    entries, children = parse_sitemap(NEWS_SITEMAP, SITEMAP_URL)
    assert children == []
    assert entries == [
        Discovered(
            url="https://news.example.com/business/2026/11/28/merger-talks",
            via="sitemap",
            title="Companies A & B in merger talks",
            published="2026-11-28T08:30:00+00:00",
            lastmod="2026-11-28T12:00:00+00:00",
        ),
        Discovered(
            url="https://news.example.com/business/2026/11/27/rates",
            via="sitemap",
            title="Rates held",
            published="2026-11-27T00:00:00+00:00",
        ),
    ]


@pytest.mark.parametrize(
    "url",
    [SITEMAP_URL, "https://news.example.com/sitemap.xml.gz", "https://news.example.com/s?f=raw"],
)
def test_gzipped_sitemap_is_recognised_by_its_bytes_not_its_url(url: str) -> None:
    entries, _ = parse_sitemap(gzip.compress(URLSET), url)
    assert [e.url for e in entries] == [e.url for e in URLSET_EXPECTED]


def test_sitemap_named_gz_but_already_decompressed_is_read() -> None:
    entries, _ = parse_sitemap(URLSET, "https://news.example.com/sitemap.xml.gz")
    assert entries == URLSET_EXPECTED


def test_text_sitemap() -> None:
    body = b"https://news.example.com/a-story\n\nhttps://news.example.com/b?utm_source=x\r\n"
    assert parse_sitemap(body, SITEMAP_URL) == (
        [
            Discovered(url="https://news.example.com/a-story", via="sitemap"),
            Discovered(url="https://news.example.com/b", via="sitemap"),
        ],
        [],
    )


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """60 MB of zeros, gzipped to about 60 KB, built without holding the 60 MB."""
    out = io.BytesIO()
    zeros = bytes(1 << 20)
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1) as stream:
        for _ in range(60):
            stream.write(zeros)
    return out.getvalue()


def test_gzip_bomb_is_refused_without_inflating_it(gzip_bomb: bytes) -> None:
    assert len(gzip_bomb) < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(DiscoveryError, match=r"^gzipped sitemap inflates past 50 MB; refused$"):
            parse_sitemap(gzip_bomb, "https://news.example.com/sitemap.xml.gz")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20, f"peak {peak} bytes while refusing a gzip bomb"


@pytest.mark.parametrize(
    ("size", "limit", "refused"),
    [(1000, 1000, False), (1001, 1000, True), (0, 10, False), (300_000, 1 << 20, False)],
)
def test_gunzip_bounded_limit(size: int, limit: int, refused: bool) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    if refused:
        with pytest.raises(DiscoveryError, match=f"inflates past {limit} bytes; refused"):
            gunzip_bounded(gzip.compress(data), limit)
    else:
        assert gunzip_bounded(gzip.compress(data), limit) == data


def test_gunzip_bounded_reads_every_member_of_a_multi_member_file() -> None:
    body = gzip.compress(b"<urlset>") + gzip.compress(b"</urlset>")
    assert gunzip_bounded(body) == b"<urlset></urlset>"


@pytest.mark.parametrize(
    "body",
    [
        gzip.compress(URLSET, mtime=0)[:200],  # truncated download
        b"\x1f\x8b\x08\x00garbage-after-the-magic",
        b"plain text, not gzip",
    ],
)
def test_gunzip_bounded_rejects_broken_gzip(body: bytes) -> None:
    with pytest.raises(DiscoveryError, match="not valid gzip"):
        gunzip_bounded(body)


def test_plain_sitemap_over_the_limit_is_refused() -> None:
    body = b"<urlset>" + b" " * MAX_SITEMAP_BYTES + b"</urlset>"
    with pytest.raises(DiscoveryError, match=r"larger than 50 MB; refused"):
        parse_sitemap(body, SITEMAP_URL)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<urlset><<<", r"^malformed sitemap XML: line 1: "),
        (b"<<<>>>", r"^malformed sitemap XML: "),
        (b'<?xml version="1.0"?>', r"^malformed sitemap XML: "),
        (b"<html><body>Not found</body></html>", r"^not a sitemap: the root element is <html>"),
        (b"Sorry, we are down for maintenance", r"^not a sitemap: line 1 is neither XML nor"),
        (b"", r"^empty sitemap"),
        (gzip.compress(b"   ", mtime=0), r"^empty sitemap"),
    ],
)
def test_malformed_sitemap_raises_a_readable_error(body: bytes, message: str) -> None:
    with pytest.raises(DiscoveryError, match=message):
        parse_sitemap(body, SITEMAP_URL)


def test_damaged_sitemap_keeps_what_it_could_read(caplog: pytest.LogCaptureFixture) -> None:
    truncated = URLSET[: URLSET.index(b"<url><loc>mailto")]
    with caplog.at_level(logging.WARNING, logger="crawler.discovery"):
        entries, _ = parse_sitemap(truncated, SITEMAP_URL)
    assert entries == URLSET_EXPECTED[:3]
    assert "damaged" in caplog.text and "Premature end of data" in caplog.text


def test_sitemap_does_not_read_external_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-SITEMAP")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://example.com/&xxe;</loc></url>"
        "<url><loc>https://example.com/ok</loc></url></urlset>"
    ).encode()
    entries, _ = parse_sitemap(body, SITEMAP_URL)
    assert "TOP-SECRET" not in repr(entries)
    assert "https://example.com/ok" in [e.url for e in entries]


def test_sitemap_entity_expansion_bomb_is_refused_fast() -> None:
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [{LAUGHS}]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://example.com/&lol9;</loc></url></urlset>"
    ).encode()
    started = time.perf_counter()
    with pytest.raises(DiscoveryError, match="malformed sitemap XML"):
        parse_sitemap(body, SITEMAP_URL)
    assert time.perf_counter() - started < 1


# ---------------------------------------------------------------------------- robots

ROBOTS = """# robots.txt for news.example.com
User-agent: *
Disallow: /search
Sitemap: https://news.example.com/sitemap-index.xml
sitemap: /sitemaps/news.xml
  SITEMAP:   https://cdn.example.net/sitemaps/archive.xml.gz \t
Sitemap: https://news.example.com/sitemap-index.xml
Sitemap: mailto:webmaster@example.com
Sitemaps-are-nice: https://news.example.com/not-a-directive.xml
"""

ROBOTS_EXPECTED = [
    "https://news.example.com/sitemap-index.xml",
    "https://news.example.com/sitemaps/news.xml",
    "https://cdn.example.net/sitemaps/archive.xml.gz",
]


@pytest.mark.parametrize("robots", [ROBOTS, ROBOTS.encode()])
def test_sitemaps_from_robots(robots: str | bytes) -> None:
    assert sitemaps_from_robots(robots, "https://news.example.com/robots.txt") == ROBOTS_EXPECTED


def test_robots_without_sitemaps() -> None:
    assert sitemaps_from_robots("User-agent: *\nDisallow:\n", "https://example.com/") == []


# ----------------------------------------------------------------------------- pages

SECTION = """<!doctype html>
<html><head><title>World - Example News</title>
<link rel="canonical" href="https://news.example.com/world/"></head>
<body>
<nav>
  <a href="/">Home</a> <a href="/world/">World</a> <a href="/about">About us</a>
  <a href="/tag/climate-change-and-energy-policy">Climate change</a>
  <a href="/author/jane-doe-senior-correspondent">Jane Doe</a>
  <a href="/world/page/2">Next page</a>
  <a href="javascript:openMenu()">Menu</a> <a href="mailto:desk@example.com">Mail us</a>
</nav>
<main>
  <a href="/2026/11/28/storm-hits-the-coast"><img src="/i/storm.jpg" alt=""></a>
  <a href="/2026/11/28/storm-hits-the-coast?utm_source=homepage#comments">
     Storm hits
     the coast </a>
  <a href="https://news.example.com/2026/11/28/storm-hits-the-coast?fbclid=abc">Again</a>
  <a href="https://www.news.example.com/world/europe/talks-resume-in-geneva-after-a-year">Talks</a>
  <a href="https://video.othersite.org/2026/11/28/storm-hits-the-coast">Off-site copy</a>
  <a href="https://news.example.com.evil.net/2026/11/28/phish">Lookalike</a>
  <a href="/world/">World again</a>
  <a href="/news/uk-politics-67890123">UK politics</a>
  <a href="/world/obituary.html">Obituary</a>
  <a href="/world/index.html">Index</a>
  <a href="/media/report.pdf">Report (PDF)</a>
</main>
</body></html>"""

SECTION_URL = "https://news.example.com/world/"


def test_page_links_with_heuristic() -> None:
    found = page_links(
        SECTION, SECTION_URL, article_pattern=None, allowed_domains=["news.example.com"]
    )
    assert found == [
        Discovered(
            url="https://news.example.com/2026/11/28/storm-hits-the-coast",
            via="page",
            title="Storm hits the coast",
        ),
        Discovered(
            url="https://www.news.example.com/world/europe/talks-resume-in-geneva-after-a-year",
            via="page",
            title="Talks",
        ),
        Discovered(
            url="https://news.example.com/news/uk-politics-67890123",
            via="page",
            title="UK politics",
        ),
        Discovered(
            url="https://news.example.com/world/obituary.html", via="page", title="Obituary"
        ),
    ]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"^https://news\.example\.com/\d{4}/", ["https://news.example.com/2026/11/28/storm-hits-the-coast"]),
        (r"/world/", [
            "https://news.example.com/world/page/2",
            "https://www.news.example.com/world/europe/talks-resume-in-geneva-after-a-year",
            "https://news.example.com/world/obituary.html",
            "https://news.example.com/world/index.html",
        ]),
        (r"\.pdf$", ["https://news.example.com/media/report.pdf"]),
        (r"utm_source|#", []),  # matched against the normalised URL
    ],
)  # fmt: skip
def test_page_links_with_article_pattern(pattern: str, expected: list[str]) -> None:
    found = page_links(
        SECTION,
        SECTION_URL,
        article_pattern=re.compile(pattern),
        allowed_domains=["news.example.com"],
    )
    assert [d.url for d in found] == expected


@pytest.mark.parametrize(
    ("allowed", "expected_hosts"),
    [
        (["news.example.com"], {"news.example.com", "www.news.example.com"}),
        (["example.com"], {"news.example.com", "www.news.example.com"}),
        (["www.news.example.com"], {"www.news.example.com"}),
        (["othersite.org"], {"video.othersite.org"}),
        ([], set()),
    ],
)
def test_page_links_stay_on_allowed_domains(allowed: list[str], expected_hosts: set[str]) -> None:
    found = page_links(
        SECTION,
        SECTION_URL,
        article_pattern=re.compile("/2026/|/world/.+"),
        allowed_domains=allowed,
    )
    assert {host_of(d.url) for d in found} == expected_hosts


def test_page_links_respect_base_href() -> None:
    html = """<html><head><base href="https://static.example.com/archive/"></head><body>
      <a href="2026/11/28/story-one-is-here">One</a>
      <a href="/2026/11/27/story-two-is-here">Two</a>
      <a href="#top">Top</a></body></html>"""
    found = page_links(
        html,
        "https://www.example.com/world/",
        article_pattern=None,
        allowed_domains=["example.com"],
    )
    assert [d.url for d in found] == [
        "https://static.example.com/archive/2026/11/28/story-one-is-here",
        "https://static.example.com/2026/11/27/story-two-is-here",
    ]


def test_page_links_ignore_a_non_http_base_href() -> None:
    html = '<base href="javascript:void(0)"><a href="2026/11/28/a-story-about-bases">x</a>'
    found = page_links(
        html, "https://example.com/world/", article_pattern=None, allowed_domains=["example.com"]
    )
    assert [d.url for d in found] == ["https://example.com/world/2026/11/28/a-story-about-bases"]


def test_page_links_decode_bytes_by_the_declared_charset() -> None:
    html = (
        '<html><head><meta charset="windows-1252"></head><body>'
        '<a href="/2026/11/28/cafe-story">Caf\xe9 \x93quoted\x94</a></body></html>'
    ).encode("latin-1")
    found = page_links(
        html, "https://example.com/", article_pattern=None, allowed_domains=["example.com"]
    )
    assert [d.title for d in found] == ["Café “quoted”"]


def test_page_links_on_an_empty_page() -> None:
    for html in ("", b"", "   ", "<html></html>"):
        assert page_links(html, SECTION_URL, article_pattern=None, allowed_domains=["x"]) == []


def test_huge_page_is_bounded_in_time_and_count() -> None:
    links = "\n".join(
        f'<li><a href="/2026/11/{i % 28 + 1:02d}/story-number-{i}-about-things">Story {i}</a></li>'
        for i in range(20_000)
    )
    html = f"<html><body><ul>{links}</ul></body></html>"
    started = time.perf_counter()
    found = page_links(
        html, "https://example.com/", article_pattern=None, allowed_domains=["example.com"]
    )
    elapsed = time.perf_counter() - started
    assert len(found) == MAX_LINKS_PER_PAGE
    assert found[-1].url == (
        f"https://example.com/2026/11/{(MAX_LINKS_PER_PAGE - 1) % 28 + 1:02d}"
        f"/story-number-{MAX_LINKS_PER_PAGE - 1}-about-things"
    )
    assert elapsed < 1, f"{elapsed:.2f} s for a 20,000-link page"


def test_repeated_links_do_not_use_up_the_budget() -> None:
    nav = '<a href="/">Home</a>' * (MAX_LINKS_PER_PAGE + 1000)
    html = f'<body>{nav}<a href="/2026/11/28/the-story-after-the-nav">Story</a></body>'
    found = page_links(
        html, "https://example.com/", article_pattern=None, allowed_domains=["example.com"]
    )
    assert [d.title for d in found] == ["Story"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/2026/11/28/storm-hits-coast", True),
        ("https://example.com/world/2026/11/28/storm", True),
        ("https://example.com/2026-11-28-storm", True),
        ("https://example.com/20261128/storm", True),
        ("https://example.com/world/europe/storm-hits-the-coast", True),
        ("https://example.com/news/uk-politics-67890123", True),
        ("https://example.com/article/1234567", True),
        ("https://example.com/world/obituary.html", True),
        ("https://example.com/", False),
        ("https://example.com/world/", False),
        ("https://example.com/2026/11/", False),
        ("https://example.com/2026/11/28/", False),
        ("https://example.com/tag/climate-change-and-energy", False),
        ("https://example.com/category/world-news-and-more", False),
        ("https://example.com/author/jane-doe-senior-writer", False),
        ("https://example.com/world/page/2", False),
        ("https://example.com/about", False),
        ("https://example.com/about/our-newsroom-and-its-values", False),
        ("https://example.com/world/index.html", False),
        ("https://example.com/files/annual-report-2026-final.pdf", False),
        ("https://example.com/img/storm-hits-the-coast-1234567.jpg", False),
        ("https://example.com/feeds/world-news-all-stories.xml", False),
        ("https://example.com/short-slug", False),
    ],
)
def test_looks_like_article(url: str, expected: bool) -> None:
    assert looks_like_article(url) is expected


@pytest.mark.parametrize(
    ("html", "page_url", "expected"),
    [
        (
            '<head><link rel="canonical" href="https://Example.com/a/story?utm_source=x#f"></head>',
            "https://example.com/a/story?fbclid=1",
            "https://example.com/a/story",
        ),
        (
            '<head><link rel="canonical" href="/a/story"></head>',
            "https://m.example.com/a/story",
            "https://m.example.com/a/story",
        ),
        (
            '<head><base href="https://example.com/b/"><link rel="canonical" href="story"></head>',
            "https://example.com/a/x",
            "https://example.com/b/story",
        ),
        (
            '<head><link rel="alternate" hreflang="de" href="/de/story">'
            '<link rel="Canonical" href="https://example.com/en/story"></head>',
            "https://example.com/x",
            "https://example.com/en/story",
        ),
        (
            '<link rel="canonical" href=""><link rel="canonical" href="https://example.com/c">',
            "https://example.com/x",
            "https://example.com/c",
        ),
        ('<link rel="canonical" href="javascript:void(0)">', "https://example.com/x", None),
        ("<head><title>No canonical</title></head>", "https://example.com/x", None),
        ("", "https://example.com/x", None),
    ],
)
def test_canonical_link(html: str, page_url: str, expected: str | None) -> None:
    assert canonical_link(html, page_url) == expected
    assert canonical_link(html.encode(), page_url) == expected


# ------------------------------------------------------------- the shared news corpus


@pytest.mark.corpus
def test_canonical_links_and_page_links_on_real_pages() -> None:
    """On real news pages the canonical link mostly is the page's own normalised address,
    and every link found stays on the site, normalised, quickly."""
    require_corpus()
    pages = corpus_pages()
    with_canonical = same_as_page = 0
    for page in pages:
        html = page.html_bytes()
        canonical = canonical_link(html, page.url)
        if canonical is not None:
            with_canonical += 1
            same_as_page += canonical == normalise_url(page.url)
            assert normalise_url(canonical) == canonical
        started = time.perf_counter()
        host = host_of(page.url)
        found = page_links(html, page.url, article_pattern=None, allowed_domains=[host])
        assert time.perf_counter() - started < 1, page.id
        for link in found:
            assert host_of(link.url) == host or host_of(link.url).endswith("." + host), link
            assert normalise_url(link.url) == link.url
            assert link.title is None or link.title == link.title.strip()
        assert len({link.url for link in found}) == len(found)
    assert with_canonical >= 0.9 * len(pages)
    assert same_as_page >= 0.9 * with_canonical
