"""Finding article addresses in feeds, sitemaps, robots.txt and section pages.

Pure parsing: every function takes the bytes or text the spider fetched and returns
values; nothing here opens a connection. Each parser leans on a well-kept library:
feedparser for RSS 2.0 / Atom / RSS 1.0 (RDF), Scrapy's lxml-based
:class:`~scrapy.utils.sitemap.Sitemap` for sitemaps (entities are not resolved, so XXE and
entity-expansion bombs do nothing), parsel (lxml) for HTML, w3lib for URLs and encodings.

Errors::

    ValueError
     └── DiscoveryError   a document that cannot be read, with the reason in its message

A document that is damaged but still yields addresses is not an error: what could be
read is returned and the damage is logged as a warning.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
import time
import xml.sax
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import feedparser
from parsel import Selector
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from w3lib.encoding import html_to_unicode

from crawler.urls import host_allowed, normalise_url

__all__ = [
    "MAX_LINKS_PER_PAGE",
    "MAX_SITEMAP_BYTES",
    "Discovered",
    "DiscoveryError",
    "canonical_link",
    "gunzip_bounded",
    "looks_like_article",
    "page_links",
    "parse_feed",
    "parse_sitemap",
    "sitemaps_from_robots",
]

logger = logging.getLogger(__name__)

#: Largest sitemap read, after decompression: the limit of the sitemaps.org protocol.
MAX_SITEMAP_BYTES: int = 50 * 1024 * 1024
#: Distinct ``<a href>`` values considered on one page; the rest of the page is ignored.
MAX_LINKS_PER_PAGE: int = 5000

_GZIP_MAGIC = b"\x1f\x8b"
_INFLATE_CHUNK = 64 * 1024
_NEWS_FIELDS = {"title": "title", "publication_date": "published"}


class DiscoveryError(ValueError):
    """A feed, sitemap or robots.txt that cannot be read; the message says why."""


@dataclass(frozen=True)
class Discovered:
    """One article address found by discovery.

    ``published`` is the stated publication date (feed ``pubDate`` / Atom ``published``,
    ``news:publication_date``); ``lastmod`` the stated modification date (Atom ``updated``,
    RSS 1.0 ``dc:date``, sitemap ``lastmod``). Both are ISO 8601 in UTC
    (``2026-11-28T09:00:00+00:00``); a date without a time is taken as midnight UTC.
    """

    url: str
    via: Literal["feed", "sitemap", "page"]
    title: str | None = None
    published: str | None = None
    lastmod: str | None = None


# --------------------------------------------------------------------------- feeds


def parse_feed(body: bytes, feed_url: str) -> list[Discovered]:
    """Article links of an RSS 2.0, Atom or RSS 1.0 (RDF) feed, in feed order, deduplicated.

    Relative links resolve against ``feed_url`` (and ``xml:base``). A feed too broken to
    yield any entry raises :class:`DiscoveryError`; a damaged feed that still has entries
    returns them.
    """
    if not body.strip():
        raise DiscoveryError("empty feed: the body has no content")
    # A stream, never a str: feedparser fetches a str that looks like a URL or a file path.
    parsed = feedparser.parse(
        io.BytesIO(body),
        # An XML media type stops feedparser flagging every feed "bozo" for lack of one and
        # lets the XML declaration choose the encoding; the location anchors relative links.
        response_headers={"content-location": feed_url, "content-type": "application/xml"},
    )
    found: dict[str, Discovered] = {}
    for entry in parsed.entries:
        link = _entry_link(entry)
        # An empty link would join to the feed's own address.
        url = normalise_url(link, base=feed_url) if link else None
        if url is None or url in found:
            continue
        found[url] = Discovered(
            url=url,
            via="feed",
            title=_entry_title(entry),
            # dict.get: FeedParserDict maps missing "updated*" keys to "published*" with a warning.
            published=_iso_from_struct(dict.get(entry, "published_parsed")),
            lastmod=_iso_from_struct(dict.get(entry, "updated_parsed")),
        )
    if not found:
        if parsed.get("bozo"):
            raise DiscoveryError(f"malformed feed XML: {_feed_error(parsed.get('bozo_exception'))}")
        if not parsed.get("version"):
            raise DiscoveryError("not a feed: no RSS, Atom or RDF document found")
    elif parsed.get("bozo"):
        logger.warning(
            "feed %s is damaged (%s); kept %d entries",
            feed_url,
            _feed_error(parsed.get("bozo_exception")),
            len(found),
        )
    return list(found.values())


def _entry_link(entry: Any) -> str | None:
    """The entry's page: an HTML ``rel=alternate`` link first, then feedparser's ``link``."""
    alternates = [
        link
        for link in dict.get(entry, "links") or []
        if link.get("rel", "alternate") == "alternate" and link.get("href")
    ]
    for link in alternates:
        if link.get("type", "text/html") in {"text/html", "application/xhtml+xml"}:
            return str(link["href"])
    if alternates:
        return str(alternates[0]["href"])
    link = dict.get(entry, "link")
    return str(link).strip() if link else None


def _entry_title(entry: Any) -> str | None:
    title = dict.get(entry, "title")
    if not title:
        return None
    detail = dict.get(entry, "title_detail") or {}
    if "<" in title and detail.get("type") in {"text/html", "application/xhtml+xml"}:
        title = Selector(text=title, type="html").xpath("string(.)").get()
    return _clean_text(str(title))


def _feed_error(exc: object) -> str:
    if isinstance(exc, xml.sax.SAXParseException):
        return f"line {exc.getLineNumber()}, column {exc.getColumnNumber()}: {exc.getMessage()}"
    return str(exc) or type(exc).__name__


def _iso_from_struct(value: Any) -> str | None:
    """ISO 8601 text of one of feedparser's UTC ``time.struct_time`` values."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC).isoformat()
    except ValueError:
        return None


# ------------------------------------------------------------------------- sitemaps


def gunzip_bounded(
    body: bytes, limit: int = MAX_SITEMAP_BYTES, *, what: str = "gzipped data"
) -> bytes:
    """Decompress gzip ``body``, refusing output larger than ``limit`` bytes.

    The size is measured first by inflating chunk by chunk and throwing the output away,
    so a gzip bomb is refused having held only one chunk in memory; only a body within
    the limit is inflated a second time and kept. ``what`` names the body in messages.
    """
    try:
        size = 0
        for chunk in _inflate(body):
            size += len(chunk)
            if size > limit:
                raise DiscoveryError(f"{what} inflates past {_size(limit)}; refused")
        return b"".join(_inflate(body))
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise DiscoveryError(f"{what} is not valid gzip: {exc}") from exc


def _inflate(body: bytes) -> Iterator[bytes]:
    # GzipFile handles multi-member files; read1 bounds each chunk it inflates.
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
        while chunk := stream.read1(_INFLATE_CHUNK):
            yield chunk


def _size(limit: int) -> str:
    return f"{limit >> 20} MB" if limit % (1 << 20) == 0 else f"{limit} bytes"


class _NewsSitemap(Sitemap):
    """Scrapy's sitemap reader, also keeping Google News ``news:title`` / ``publication_date``.

    Scrapy keeps only the direct children of ``<url>``; the news fields sit one level
    down inside ``<news:news>``, so they are read here before Scrapy clears the element.
    """

    __slots__ = ()

    def _process_sitemap_element(self, elem: Any) -> dict[str, Any] | None:
        news: dict[str, str] = {}
        for child in elem:
            if self._get_tag_name(child) != "news":
                continue
            for field in child.iter():
                key = _NEWS_FIELDS.get(self._get_tag_name(field))
                if key and field.text and field.text.strip():
                    news.setdefault(key, field.text.strip())
        entry: dict[str, Any] | None = super()._process_sitemap_element(elem)
        if entry is not None and news:
            entry["news"] = news
        return entry


def parse_sitemap(
    body: bytes, sitemap_url: str, *, max_bytes: int = MAX_SITEMAP_BYTES
) -> tuple[list[Discovered], list[str]]:
    """Read a sitemap: ``(article entries, child sitemap URLs)``.

    Handles ``<urlset>`` and ``<sitemapindex>``, gzip (recognised by its magic bytes, not
    the URL, since servers and proxies disagree on ``Content-Encoding``), Google News
    sitemaps and plain-text sitemaps (one URL per line). Unreadable documents, non-sitemaps
    and bodies over ``max_bytes`` (at most :data:`MAX_SITEMAP_BYTES`; the spider passes its
    download size limit, so a gzipped sitemap is held no bigger than a plain one could be)
    raise :class:`DiscoveryError`.

    Malformed XML that still yields addresses (an unescaped ``&``, a truncated download)
    is read as far as lxml can recover it, as Scrapy's SitemapSpider does, and logged as a
    warning: refusing a whole news sitemap for one bad entry would lose every story in it.
    Malformed XML that yields nothing raises :class:`DiscoveryError`.
    """
    max_bytes = min(max_bytes, MAX_SITEMAP_BYTES)
    if body[:2] == _GZIP_MAGIC:
        body = gunzip_bounded(body, max_bytes, what="gzipped sitemap")
    elif len(body) > max_bytes:
        raise DiscoveryError(f"sitemap is larger than {_size(max_bytes)}; refused")
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise DiscoveryError("empty sitemap: the body has no content")
    if not head.startswith(b"<"):
        return _text_sitemap(head, sitemap_url), []
    try:
        sitemap = _NewsSitemap(body)
        items = list(sitemap)
    except (SyntaxError, StopIteration) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        raise DiscoveryError(f"malformed sitemap XML: {str(exc) or 'no root element'}") from exc
    if sitemap.type not in {"urlset", "sitemapindex"}:
        raise DiscoveryError(
            f"not a sitemap: the root element is <{sitemap.type}>, not <urlset> or <sitemapindex>"
        )
    entries: dict[str, Discovered] = {}
    children: dict[str, None] = {}  # a dict keeps order and finds duplicates in O(1)
    for item in items:
        loc = item.get("loc", "")
        url = normalise_url(loc, base=sitemap_url) if loc else None
        if url is None:
            continue
        if sitemap.type == "sitemapindex":
            children.setdefault(url)
        elif url not in entries:
            news = item.get("news", {})
            entries[url] = Discovered(
                url=url,
                via="sitemap",
                title=_clean_text(news.get("title", "")),
                published=_iso_from_text(news.get("published", "")),
                lastmod=_iso_from_text(item.get("lastmod", "")),
            )
    errors = [e for e in sitemap.xmliter.error_log if e.level_name in {"ERROR", "FATAL"}]
    if errors:
        reason = f"line {errors[0].line}: {errors[0].message}"
        # lxml >= 6.2 recovers from an entity expansion bomb and keeps what came before
        # it; a sitemap that tries one is hostile, not damaged, and nothing of it is kept.
        bomb = any("amplification" in e.message for e in errors)
        if bomb or (not entries and not children):
            raise DiscoveryError(f"malformed sitemap XML: {reason}")
        logger.warning(
            "sitemap %s is damaged (%s); kept %d entries",
            sitemap_url,
            reason,
            len(entries) + len(children),
        )
    return list(entries.values()), list(children)


def _text_sitemap(body: bytes, sitemap_url: str) -> list[Discovered]:
    """Entries of a sitemaps.org text sitemap: UTF-8, one absolute URL per line."""
    entries: dict[str, Discovered] = {}
    for number, raw in enumerate(body.decode("utf-8", "replace").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if not line.lower().startswith(("http://", "https://")):
            raise DiscoveryError(
                f"not a sitemap: line {number} is neither XML nor a URL: {line[:80]!r}"
            )
        url = normalise_url(line, base=sitemap_url)
        if url is not None and url not in entries:
            entries[url] = Discovered(url=url, via="sitemap")
    return list(entries.values())


def _iso_from_text(value: str) -> str | None:
    """ISO 8601 UTC text of a W3C datetime (sitemaps) or RFC 2822 date; None if unreadable."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)  # 3.11 reads "Z", offsets and bare dates
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC).isoformat()
    except (OverflowError, ValueError):
        return None


def sitemaps_from_robots(robots_txt: str | bytes, base_url: str) -> list[str]:
    """Sitemap URLs named by a robots.txt (``Sitemap:`` in any case), resolved, deduplicated."""
    if isinstance(robots_txt, str):
        # Scrapy deprecated str input; robots.txt is UTF-8 by RFC 9309.
        robots_txt = robots_txt.encode("utf-8", "replace")
    urls: list[str] = []
    for found in sitemap_urls_from_robots(robots_txt, base_url=base_url):
        url = normalise_url(found, base=base_url)
        if url is not None and url not in urls:
            urls.append(url)
    return urls


# ---------------------------------------------------------------------------- pages


def page_links(
    html: str | bytes,
    page_url: str,
    *,
    article_pattern: re.Pattern[str] | None,
    allowed_domains: Sequence[str],
) -> list[Discovered]:
    """Article links of a section or home page, in page order, deduplicated.

    Every ``<a href>`` is resolved against the page (and its ``<base href>``) and
    normalised; a link is kept when its host is allowed and it matches ``article_pattern``
    (searched in the normalised URL) or, without a pattern, :func:`looks_like_article`.
    The page's own address is never returned. Only the first :data:`MAX_LINKS_PER_PAGE`
    distinct ``href`` values are considered, so a huge page costs bounded time. The title
    is the link text, the first non-empty one when several links share an address.
    """
    root = _html_root(html, page_url)
    if root is None:
        return []
    base = _document_base(root, page_url)
    own = normalise_url(page_url)
    titles: dict[str, str | None] = {}
    # Each distinct href is normalised once; repeats (the logo, "Home") cost a lookup
    # and do not use up the budget.
    resolved: dict[str, str | None] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href:
            continue
        if href in resolved:
            url = resolved[href]
        elif len(resolved) >= MAX_LINKS_PER_PAGE:
            break
        else:
            url = resolved[href] = normalise_url(href, base=base)
        if url is None or url == own:
            continue
        if url in titles:
            if titles[url] is None:
                titles[url] = _clean_text(anchor.text_content())
            continue
        if not host_allowed(url, allowed_domains):
            continue
        if article_pattern.search(url) if article_pattern else looks_like_article(url):
            titles[url] = _clean_text(anchor.text_content())
    return [Discovered(url=url, via="page", title=title) for url, title in titles.items()]


def canonical_link(html: str | bytes, page_url: str) -> str | None:
    """The page's ``<link rel="canonical" href>``, resolved and normalised; None if absent."""
    root = _html_root(html, page_url)
    if root is None:
        return None
    base = _document_base(root, page_url)
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            url = normalise_url(link.get("href"), base=base)
            if url is not None:
                return url
    return None


# Path segments that name listings and site furniture, never an article.
_NON_ARTICLE_SEGMENTS = frozenset(
    {
        "about", "account", "author", "authors", "categories", "category", "contact",
        "cookies", "feed", "feeds", "login", "logout", "newsletter", "newsletters",
        "privacy", "register", "rss", "search", "signin", "subscribe", "subscription",
        "tag", "tags", "terms", "topic", "topics",
    }
)  # fmt: skip
_NON_ARTICLE_EXTENSIONS = (
    ".css", ".gif", ".jpeg", ".jpg", ".js", ".json", ".mp3", ".mp4", ".pdf", ".png",
    ".rss", ".svg", ".webp", ".xml", ".zip",
)  # fmt: skip
_PAGE_NUMBER_RE = re.compile(r"/page/\d+/?$")
# A date in the path, followed by "/" or "-": /2026/11/, /2026/11/28/, /2026-11-28-, /20261128/
_DATE_RE = re.compile(
    r"""/(?:19|20)\d\d
        (?: [/-](?:0?[1-9]|1[0-2]) (?:[/-](?:0?[1-9]|[12]\d|3[01]))?   # /2026/11(/28)
          | (?:0[1-9]|1[0-2]) (?:0[1-9]|[12]\d|3[01])                # /20261128
        )(?=[/-])""",
    re.VERBOSE,
)
_LETTER_RE = re.compile(r"[a-z]")
_ID_RE = re.compile(r"\d{6,}")


def looks_like_article(url: str) -> bool:
    """Heuristic for a section-page link without ``article_urls``: does this look like a story?

    Yes for a dated path followed by a slug (``/2026/11/28/storm-hits-coast``), a long
    hyphenated slug (``/world/storm-hits-the-coast``), a numeric id of six or more digits
    (``/news/uk-politics-67890123``) or a ``.html`` page other than an index. No for the
    home page, listings and furniture (``/tag/``, ``/category/``, ``/author/``,
    ``/page/2``, ``/about``...) and media or data files.
    """
    path = urlsplit(url).path.lower()
    segments = [s for s in path.split("/") if s]
    if not segments or _PAGE_NUMBER_RE.search(path) or path.endswith(_NON_ARTICLE_EXTENSIONS):
        return False
    if any(segment in _NON_ARTICLE_SEGMENTS for segment in segments):
        return False
    last = segments[-1]
    stem = last.rsplit(".", 1)[0] if "." in last else last
    if (date := _DATE_RE.search(path + "/")) and _LETTER_RE.search(path[date.end() :]):
        return True
    if stem.count("-") >= 3 and len(stem) >= 16:
        return True
    if _ID_RE.search(last):
        return True
    return last.endswith((".html", ".htm", ".shtml")) and stem not in {"index", "default", "home"}


def _html_root(html: str | bytes, page_url: str) -> Any:
    """The lxml root of an HTML document (bytes decoded as a browser would), or None if empty."""
    if isinstance(html, bytes):
        _, html = html_to_unicode(None, html)
    if not html.strip():
        return None
    return Selector(text=html, type="html", base_url=page_url).root


def _document_base(root: Any, page_url: str) -> str:
    """What relative links resolve against: the first http(s) ``<base href>``, else the page."""
    for element in root.iter("base"):
        href = str(element.get("href") or "").strip()
        if href:
            joined = urljoin(page_url, href)
            if urlsplit(joined).scheme.lower() in {"http", "https"}:
                return joined
            break
    return page_url


def _clean_text(text: str) -> str | None:
    """Whitespace collapsed to single spaces; None when nothing is left."""
    return " ".join(text.split()) or None
