"""A small news site served over real HTTP on the loopback interface.

`NewsSite` keeps its pages in memory and serves them from a stdlib `ThreadingHTTPServer`
running in a daemon thread, so a crawler talks to it exactly as it would to a real site:
status codes, ETag / If-None-Match and Last-Modified / If-Modified-Since revalidation,
gzip files, 404 and 410 for removed pages. Pages can be changed while it runs, and every
request is logged so tests can check what a crawler asked for and how.

The template helpers below (`article_page`, `section_page`, the feed and sitemap writers)
are shared by the built-in demo site (`crawler/demo_site.py`) and the tests' fixture site;
every piece of text they are given is escaped, and the arguments ending in ``_html`` are
trusted markup inserted as is.
"""

from __future__ import annotations

import contextlib
import email.utils
import errno
import hashlib
import html
import json
import socket
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

HTML_TYPE = "text/html; charset=utf-8"


@dataclass
class Resource:
    """What one path answers: a body, its type and status, and how it may be revalidated."""

    body: bytes
    content_type: str = HTML_TYPE
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers
    etag: bool = True  # send a strong ETag (sha1 of the body) and honour If-None-Match
    last_modified: datetime | None = None  # send Last-Modified and honour If-Modified-Since
    delay: float = 0.0  # seconds to wait before answering: a slow page
    # A body cut short in transport, as when a server or proxy drops the connection: only
    # the first `cut_after` bytes are sent (the headers still describe the whole body,
    # Content-Length included), then the connection is closed.
    cut_after: int | None = None
    # No Content-Length: an HTTP/1.0 answer whose body ends when the connection closes,
    # so a client cannot tell a body cut by `cut_after` from a whole one.
    close_delimited: bool = False

    @property
    def etag_value(self) -> str:
        """The strong ETag this body is served with."""
        return '"' + hashlib.sha1(self.body).hexdigest() + '"'


@dataclass(frozen=True)
class RequestRecord:
    """One request the site answered."""

    method: str
    path: str  # with its query string
    headers: dict[str, str]
    status: int
    time: float

    def header(self, name: str) -> str | None:
        """A request header by case-insensitive name (clients differ in capitalisation)."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


def _utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def http_date(moment: datetime) -> str:
    """An HTTP / RFC 822 date: ``Tue, 24 Nov 2026 07:30:00 GMT``."""
    return email.utils.format_datetime(_utc(moment), usegmt=True)


def _as_resource(resource: Resource | bytes | str) -> Resource:
    """A resource as given, or bytes served as an HTML page (a str UTF-8 encoded)."""
    if isinstance(resource, str):
        resource = resource.encode()
    return Resource(resource) if isinstance(resource, bytes) else resource


def _error_page(status: int) -> bytes:
    reason = {404: "Not Found", 410: "Gone"}.get(status, "Error")
    return (
        f"<!DOCTYPE html><html><head><title>{status} {reason}</title></head>"
        f"<body><h1>{status} {reason}</h1><p>There is no page at this address.</p></body></html>"
    ).encode()


def not_modified(
    request_headers: Mapping[str, str], etag: str | None, last_modified: datetime | None
) -> bool:
    """Whether a GET can be answered 304, per RFC 9110 section 13.2.2.

    If-None-Match wins over If-Modified-Since when both are sent; ETags are compared
    weakly, as that section requires for If-None-Match.
    """
    lowered = {k.lower(): v for k, v in request_headers.items()}
    if_none_match = lowered.get("if-none-match")
    if if_none_match is not None:
        if etag is None:
            return False
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag.removeprefix("W/") in tags
    if_modified_since = lowered.get("if-modified-since")
    if if_modified_since is None or last_modified is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unparsable date is ignored, as the RFC says
    # HTTP dates have whole seconds, so compare at that precision.
    return _utc(last_modified).replace(microsecond=0) <= _utc(since)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: NewsSite) -> None:
        self.site = site
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up mid-answer (a crawler refusing an oversized page) is
        # normal for a test site, not worth a traceback on stderr.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as crawlers expect of real sites
    server_version = "NewsSite/1.0"
    timeout = 10  # an idle keep-alive connection is dropped rather than held forever
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request stderr line; the site keeps its own request log."""

    def _answer(self, *, send_body: bool) -> None:
        site = self.server.site
        resource = site.answer(self.path)
        if resource is None:
            resource = Resource(_error_page(404), status=404, etag=False)
        if resource.delay:
            time.sleep(resource.delay)
        headers: dict[str, str] = {}
        status = resource.status
        if status == 200:
            etag = resource.etag_value if resource.etag else None
            if etag is not None:
                headers["ETag"] = etag
            if resource.last_modified is not None:
                headers["Last-Modified"] = http_date(resource.last_modified)
            if not_modified(dict(self.headers.items()), etag, resource.last_modified):
                status = 304
        if status != 304:  # a 304 carries validators, not a description of a body
            headers["Content-Type"] = resource.content_type
        headers.update(resource.headers)
        body = b"" if status == 304 else resource.body
        # Logged before answering, so a client that has its response sees its request.
        site.record(
            RequestRecord(self.command, self.path, dict(self.headers.items()), status, time.time())
        )
        if resource.close_delimited:
            self.protocol_version = "HTTP/1.0"  # this answer only: its connection closes
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304 and not resource.close_delimited:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if resource.cut_after is not None and status != 304:
            body = body[: resource.cut_after]
        if send_body and body:
            self.wfile.write(body)
        if resource.close_delimited or resource.cut_after is not None:
            self.close_connection = True


class NewsSite:
    """An in-memory website on ``http://127.0.0.1:<port>``; port 0 picks a free one.

    >>> with NewsSite() as site:
    ...     site.set("/", "<html><body><p>Hello</p></body></html>")
    ...     site.url("/")  # doctest: +ELLIPSIS
    'http://127.0.0.1:...'
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._resources: dict[str, Resource] = {}
        # Paths answered by turns: the resources, and how many requests they answered.
        self._rotations: dict[str, tuple[list[Resource], int]] = {}
        self._log: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> Self:
        """Bind the port and serve in a daemon thread; a port in use raises `OSError`."""
        if self._server is not None:
            return self
        try:
            server = _Server((self._host, self._port), self)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                message = (
                    f"cannot start the news site: port {self._port} on {self._host}"
                    " is already in use"
                )
            else:
                message = f"cannot start the news site on {self._host}:{self._port}: {exc.strerror}"
            raise OSError(exc.errno, message) from exc
        self._server = server
        self._port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"newssite-{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        # Keep-alive connections would otherwise go on being answered by their threads.
        with server.connections_lock:
            for connection in server.connections:
                with contextlib.suppress(OSError):  # already closed by the client
                    connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port asked for, or once started the port actually bound."""
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash; only once started."""
        if self._server is None:
            raise RuntimeError("the news site has no address until start() is called")
        return f"http://{self._host}:{self._port}"

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this site."""
        return self.base_url + path

    # -- content ---------------------------------------------------------------------

    def set(self, path: str, resource: Resource | bytes | str) -> None:
        """Serve `resource` at `path` (a str is an HTML page, UTF-8 encoded).

        A path with a query string is served for that exact query only; a path without
        one answers whatever query it is asked with.
        """
        if not path.startswith("/"):
            raise ValueError(f"a path starts with '/': {path!r}")
        resource = _as_resource(resource)
        with self._lock:
            self._resources[path] = resource
            self._rotations.pop(path, None)

    def rotate(self, path: str, resources: Sequence[Resource | bytes | str]) -> None:
        """Answer `path` with `resources` in turn, as an A/B test serves its variants: the
        n-th request from now on gets ``resources[n % len(resources)]``. Setting the path
        again (`set`, `remove`, `redirect`) ends the rotation."""
        if not path.startswith("/"):
            raise ValueError(f"a path starts with '/': {path!r}")
        if not resources:
            raise ValueError("a rotation needs at least one resource")
        prepared = [_as_resource(resource) for resource in resources]
        with self._lock:
            self._resources[path] = prepared[0]
            self._rotations[path] = (prepared, 0)

    def remove(self, path: str, status: int = 404) -> None:
        """Make `path` answer `status` (404, or 410 for a page gone for good)."""
        self.set(path, Resource(_error_page(status), status=status, etag=False))

    def redirect(self, path: str, location: str, status: int = 301) -> None:
        """Make `path` redirect to `location` (a path or an absolute URL)."""
        self.set(path, Resource(b"", status=status, headers={"Location": location}, etag=False))

    def get(self, path: str) -> Resource | None:
        """What `path` is set to answer (a removed path answers an error resource)."""
        with self._lock:
            return self._resources.get(path)

    def lookup(self, target: str) -> Resource | None:
        """The resource a request target is answered with: exact query first, then the path
        (for a rotating path, the one the next request gets)."""
        path = urlsplit(target).path or "/"
        with self._lock:
            key = target if target in self._resources else path
            rotation = self._rotations.get(key)
            if rotation is not None:
                resources, served = rotation
                return resources[served % len(resources)]
            return self._resources.get(key)

    def answer(self, target: str) -> Resource | None:
        """What a request for `target` is answered with, as `lookup`; a rotating path
        moves on to its next resource (called by the server threads)."""
        path = urlsplit(target).path or "/"
        with self._lock:
            key = target if target in self._resources else path
            rotation = self._rotations.get(key)
            if rotation is None:
                return self._resources.get(key)
            resources, served = rotation
            self._rotations[key] = (resources, served + 1)
            return resources[served % len(resources)]

    # -- request log -----------------------------------------------------------------

    def record(self, entry: RequestRecord) -> None:
        """Append one request to the log (called by the server threads)."""
        with self._lock:
            self._log.append(entry)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered since start or the last `clear_log`, oldest first."""
        with self._lock:
            return list(self._log)

    def requests_for(self, path: str) -> list[RequestRecord]:
        """The requests for `path`: for any query, unless `path` has a query of its own."""
        has_query = "?" in path
        return [r for r in self.requests if (r.path if has_query else r.path.split("?")[0]) == path]

    def clear_log(self) -> None:
        """Forget the requests logged so far."""
        with self._lock:
            self._log.clear()


# -- page templates ------------------------------------------------------------------


class PublishedSite:
    """A site with content of its own on a `NewsSite` (the demo paper, the tests' fixture
    site): `start` serves it and calls `publish`, the one method a subclass writes."""

    def __init__(self, port: int = 0) -> None:
        self.site = NewsSite(port=port)

    def publish(self) -> None:
        """Put every page on ``self.site``; called once the server has its address."""
        raise NotImplementedError

    def start(self) -> Self:
        """Start serving and publish every page; a port in use raises `OSError`."""
        self.site.start()
        self.publish()
        return self

    def stop(self) -> None:
        self.site.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return self.site.base_url

    def url(self, path: str) -> str:
        """The absolute URL of `path`."""
        return self.site.url(path)


def _e(text: str) -> str:
    # Attributes are always double-quoted here, so apostrophes in text stay readable.
    return html.escape(text, quote=False).replace('"', "&quot;")


def _script_json(data: object) -> str:
    """JSON safe inside a <script> element: no markup characters at all."""
    text = json.dumps(data)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _long_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _nav_html(site_name: str, nav: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{_e(href)}">{_e(text)}</a></li>' for href, text in nav)
    return (
        f'<header class="site-header"><a class="logo" href="/">{_e(site_name)}</a>'
        f'<nav class="main-nav" aria-label="Sections"><ul>{items}</ul></nav></header>'
    )


def _footer_html(site_name: str, year: int) -> str:
    return (
        '<footer class="site-footer"><ul class="footer-links">'
        '<li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li>'
        '<li><a href="/privacy">Privacy</a></li><li><a href="/rss.xml">RSS</a></li></ul>'
        f"<p>&copy; {year} {_e(site_name)}. All rights reserved.</p></footer>"
    )


def _document(title: str, head_html: str, body_html: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n{head_html}</head>\n<body>\n{body_html}\n</body>\n</html>\n"
    )


def article_page(
    title: str,
    paragraphs: Sequence[str],
    *,
    author: str | Sequence[str],
    published: datetime,
    canonical: str,
    section: str,
    site_name: str = "News",
    section_url: str | None = None,
    modified: datetime | None = None,
    description: str | None = None,
    nav: Sequence[tuple[str, str]] = (),
    header_html: str = "",
    inserts: Mapping[int, str] | None = None,
    extra_body_html: str = "",
    around_html: str = "",
    head_html: str = "",
) -> str:
    """A news article page with the metadata real sites carry and room for boilerplate.

    `header_html` goes under the byline (share bars, "updated N minutes ago"),
    ``inserts[i]`` right after paragraph `i` (related stories, ads, promos),
    `extra_body_html` after the last paragraph, `around_html` in the sidebar and
    `head_html` at the end of ``<head>`` (a rel=amphtml link).
    """
    authors = [author] if isinstance(author, str) else list(author)
    description = description if description is not None else (paragraphs[0] if paragraphs else "")
    names = " and ".join(
        f'<a class="author" rel="author" href="/author/{_e(name.lower().replace(" ", "-"))}">'
        f"{_e(name)}</a>"
        for name in authors
    )
    linked_data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": _utc(published).isoformat(),
        "dateModified": _utc(modified or published).isoformat(),
        "author": [{"@type": "Person", "name": name} for name in authors],
        "publisher": {"@type": "Organization", "name": site_name},
        "mainEntityOfPage": canonical,
    }
    head = (
        f'<meta name="description" content="{_e(description)}">\n'
        f'<meta name="author" content="{_e(", ".join(authors))}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{_e(title)}">\n'
        f'<meta property="og:site_name" content="{_e(site_name)}">\n'
        f'<meta property="og:url" content="{_e(canonical)}">\n'
        f'<meta property="article:published_time" content="{_utc(published).isoformat()}">\n'
        + (
            f'<meta property="article:modified_time" content="{_utc(modified).isoformat()}">\n'
            if modified is not None
            else ""
        )
        + f'<meta property="article:section" content="{_e(section)}">\n'
        f'<link rel="canonical" href="{_e(canonical)}">\n'
        '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml">\n'
        '<script type="application/ld+json">'
        + _script_json(linked_data)
        + "</script>\n"
        + head_html
    )
    inserts = inserts or {}
    body = "".join(
        f"<p>{_e(text)}</p>\n" + inserts.get(index, "") for index, text in enumerate(paragraphs)
    )
    kicker = f'<a href="{_e(section_url)}">{_e(section)}</a>' if section_url else _e(section)
    page = (
        _nav_html(site_name, nav)
        + '\n<main class="content">\n<article class="story">\n<header class="story-header">\n'
        f'<p class="kicker">{kicker}</p>\n<h1 class="headline">{_e(title)}</h1>\n'
        f'<p class="byline">By {names}</p>\n'
        f'<time class="published" datetime="{_utc(published).isoformat()}">'
        f"{_long_date(published)}</time>\n{header_html}</header>\n"
        f'<div class="story-body">\n{body}{extra_body_html}</div>\n</article>\n'
        f'<aside class="sidebar">\n{around_html}</aside>\n</main>\n'
        + _footer_html(site_name, published.year)
    )
    return _document(f"{title} | {site_name}", head, page)


def section_page(
    title: str,
    links: Sequence[tuple[str, str]],
    *,
    site_name: str = "News",
    nav: Sequence[tuple[str, str]] = (),
    intro: str = "",
    around_html: str = "",
    year: int = 2026,
) -> str:
    """A home or section page: a list of (href, text) story links plus site chrome."""
    items = "".join(
        f'<li class="story-card"><h2><a href="{_e(href)}">{_e(text)}</a></h2></li>\n'
        for href, text in links
    )
    page = (
        _nav_html(site_name, nav)
        + f'\n<main class="content">\n<h1 class="section-title">{_e(title)}</h1>\n'
        + (f'<p class="intro">{_e(intro)}</p>\n' if intro else "")
        + f'<ul class="story-list">\n{items}</ul>\n<aside class="sidebar">\n{around_html}</aside>\n'
        "</main>\n" + _footer_html(site_name, year)
    )
    head = '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml">\n'
    return _document(f"{title} | {site_name}" if title != site_name else title, head, page)


# -- feeds, sitemaps and robots.txt --------------------------------------------------


@dataclass(frozen=True)
class FeedEntry:
    """One story as a feed lists it."""

    title: str
    url: str
    published: datetime
    summary: str = ""
    author: str = ""
    updated: datetime | None = None


def rss_feed(title: str, link: str, entries: Sequence[FeedEntry], *, description: str = "") -> str:
    """An RSS 2.0 feed."""
    items = "".join(
        f"<item><title>{_e(e.title)}</title><link>{_e(e.url)}</link>"
        f'<guid isPermaLink="true">{_e(e.url)}</guid><pubDate>{http_date(e.published)}</pubDate>'
        + (f"<dc:creator>{_e(e.author)}</dc:creator>" if e.author else "")
        + f"<description>{_e(e.summary)}</description></item>\n"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>{_e(title)}</title><link>{_e(link)}</link>"
        f"<description>{_e(description or title)}</description><language>en</language>\n"
        f"{items}</channel>\n</rss>\n"
    )


def atom_feed(title: str, link: str, entries: Sequence[FeedEntry], *, self_url: str = "") -> str:
    """An Atom 1.0 feed."""
    moments = [e.updated or e.published for e in entries]
    updated = _utc(max(moments)).isoformat() if moments else "2026-01-01T00:00:00+00:00"
    items = "".join(
        f'<entry><title>{_e(e.title)}</title><link rel="alternate" href="{_e(e.url)}"/>'
        f"<id>{_e(e.url)}</id><published>{_utc(e.published).isoformat()}</published>"
        f"<updated>{_utc(e.updated or e.published).isoformat()}</updated>"
        + (f"<author><name>{_e(e.author)}</name></author>" if e.author else "")
        + f"<summary>{_e(e.summary)}</summary></entry>\n"
        for e in entries
    )
    self_link = f'<link rel="self" href="{_e(self_url)}"/>' if self_url else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f'<title>{_e(title)}</title><link rel="alternate" href="{_e(link)}"/>{self_link}'
        f"<id>{_e(link)}/</id><updated>{updated}</updated>\n{items}</feed>\n"
    )


def rdf_feed(title: str, link: str, entries: Sequence[FeedEntry], *, description: str = "") -> str:
    """An RSS 1.0 (RDF) feed."""
    seq = "".join(f'<rdf:li rdf:resource="{_e(e.url)}"/>' for e in entries)
    items = "".join(
        f'<item rdf:about="{_e(e.url)}"><title>{_e(e.title)}</title><link>{_e(e.url)}</link>'
        f"<description>{_e(e.summary)}</description>"
        f"<dc:date>{_utc(e.published).isoformat()}</dc:date>"
        + (f"<dc:creator>{_e(e.author)}</dc:creator>" if e.author else "")
        + "</item>\n"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f'<channel rdf:about="{_e(link)}/"><title>{_e(title)}</title><link>{_e(link)}</link>'
        f"<description>{_e(description or title)}</description>"
        f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>\n{items}</rdf:RDF>\n"
    )


@dataclass(frozen=True)
class SitemapEntry:
    """One URL in a sitemap; `title` and `published` are for news sitemaps."""

    url: str
    lastmod: datetime | None = None
    title: str = ""
    published: datetime | None = None


def sitemap_urlset(
    entries: Sequence[SitemapEntry],
    news: bool = False,
    *,
    publication: str = "News",
    language: str = "en",
) -> str:
    """A sitemap ``urlset``; with `news`, a Google News sitemap."""

    def entry_xml(entry: SitemapEntry) -> str:
        out = f"<url><loc>{_e(entry.url)}</loc>"
        if entry.lastmod is not None:
            out += f"<lastmod>{_utc(entry.lastmod).isoformat()}</lastmod>"
        if news:
            published = entry.published or entry.lastmod or datetime.now(UTC)
            out += (
                "<news:news><news:publication>"
                f"<news:name>{_e(publication)}</news:name><news:language>{_e(language)}</news:language>"
                f"</news:publication><news:publication_date>{_utc(published).isoformat()}"
                f"</news:publication_date><news:title>{_e(entry.title)}</news:title></news:news>"
            )
        return out + "</url>\n"

    news_ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{news_ns}>\n'
        + "".join(entry_xml(entry) for entry in entries)
        + "</urlset>\n"
    )


def sitemap_index(urls: Sequence[str], lastmod: datetime | None = None) -> str:
    """A sitemap index pointing at other sitemaps."""
    stamp = f"<lastmod>{_utc(lastmod).isoformat()}</lastmod>" if lastmod is not None else ""
    items = "".join(f"<sitemap><loc>{_e(url)}</loc>{stamp}</sitemap>\n" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{items}</sitemapindex>\n'
    )


def robots_txt(disallow: Sequence[str], sitemaps: Sequence[str] = (), user_agent: str = "*") -> str:
    """A robots.txt with one group and optional Sitemap lines."""
    lines = [f"User-agent: {user_agent}"] + [f"Disallow: {path}" for path in disallow]
    if not disallow:
        lines.append("Disallow:")
    if sitemaps:
        lines += ["", *(f"Sitemap: {url}" for url in sitemaps)]
    return "\n".join(lines) + "\n"
