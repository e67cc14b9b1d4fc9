"""The one spider: discovers a source's articles and fetches new and due ones.

    scrapy crawl news -a source=demo [-a recheck=due|all|none] [-a discover=false]

Discovery reads the source's feeds, sitemaps (an index, .xml.gz, news sitemaps, or a
robots.txt whose Sitemap: lines are followed) and section pages. Every link is
normalised and checked against ``allowed_domains``; an article found by several routes
is fetched once. Known articles are fetched again only as rechecks, with the validators
of their last answer, so an unchanged page costs a 304.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from config import Source, load_config
from crawler.discovery import (
    MAX_SITEMAP_BYTES,
    Discovered,
    DiscoveryError,
    page_links,
    parse_feed,
    parse_sitemap,
    sitemaps_from_robots,
)
from crawler.errors import describe_failure
from crawler.items import ArticleFetch
from crawler.urls import host_allowed, normalise_url
from storage.db import make_engine, make_sessionmaker
from storage.schema import require_current
from storage.work import Recheck, known_urls, rechecks

logger = logging.getLogger(__name__)

ARTICLE_STATUSES = [304, 404, 410]
HTML_TYPES = (b"text/html", b"application/xhtml+xml")


def _config_path(settings: Any) -> str | None:
    return settings.get("MEDIAWATCH_CONFIG") or os.environ.get("MEDIAWATCH_CONFIG")


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(
        self, source: str | None = None, recheck: str = "due", discover: str = "true", **kw: Any
    ) -> None:
        if not source:
            raise ValueError("which source? run: scrapy crawl news -a source=NAME")
        super().__init__(**kw)
        self.source_name = source
        self.recheck_mode = recheck
        self.discover = str(discover).lower() not in ("false", "0", "no")

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        # The user agent is the config's, unless set on the command line.
        settings.set("USER_AGENT", load_config(_config_path(settings)).user_agent, "spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        config = load_config(_config_path(crawler.settings))
        spider.source = config.source(spider.source_name)
        spider.allowed_domains = list(spider.source.allowed_domains)
        spider.database_url = crawler.settings.get("MEDIAWATCH_DATABASE_URL") or (
            config.database_url
        )
        spider.max_sitemap_depth = crawler.settings.getint("MEDIAWATCH_MAX_SITEMAP_DEPTH", 3)
        # A gzipped sitemap inflates within the download size limit, as Scrapy's own
        # SitemapSpider does and as a Content-Encoding: gzip body already is; with no limit
        # (DOWNLOAD_MAXSIZE = 0) the sitemap protocol's 50 MB stands.
        spider.max_download_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        spider.max_sitemap_bytes = spider.max_download_size or MAX_SITEMAP_BYTES
        return spider

    source: Source
    database_url: str
    max_sitemap_depth: int
    max_download_size: int  # DOWNLOAD_MAXSIZE; 0 for no limit
    max_sitemap_bytes: int
    allowed_domains: list[str]

    async def start(self) -> AsyncIterator[Request]:
        engine = make_engine(self.database_url)
        try:
            require_current(engine)
            with make_sessionmaker(engine)() as session:
                self.seen = known_urls(session, self.source.name)
                due = rechecks(session, self.source.name, self.recheck_mode, datetime.now(UTC))
        finally:
            engine.dispose()
        self.crawler.stats.set_value("mediawatch/rechecks", len(due))
        for recheck in due:
            yield self._recheck_request(recheck)
        if not self.discover:
            return
        for url in self.source.feeds:
            yield self._discovery_request(url, self.parse_feed)
        for url in self.source.sitemaps:
            if url.rstrip("/").endswith("/robots.txt"):
                yield self._discovery_request(url, self.parse_robots)
            else:
                yield self._discovery_request(url, self.parse_sitemap, depth=0)
        for url in self.source.pages:
            yield self._discovery_request(url, self.parse_page)

    # Discovery

    def _discovery_request(self, url: str, callback: Any, depth: int = 0) -> Request:
        return Request(
            url,
            callback=callback,
            errback=self.discovery_failed,
            dont_filter=True,
            priority=10,  # find the work before doing it
            meta={"sitemap_depth": depth},
        )

    def parse_feed(self, response: Response) -> list[Request]:
        return self._discovered(response, lambda: parse_feed(response.body, response.url))

    def parse_robots(self, response: Response) -> list[Request]:
        urls = sitemaps_from_robots(response.body, response.url)
        if not urls:
            self._discovery_error(response.url, "robots.txt lists no Sitemap: lines")
        return [self._discovery_request(u, self.parse_sitemap, depth=0) for u in urls]

    def parse_sitemap(self, response: Response) -> list[Request]:
        depth = int(response.meta.get("sitemap_depth", 0))
        children: list[str] = []

        def articles() -> list[Discovered]:
            found, child_urls = parse_sitemap(
                response.body, response.url, max_bytes=self.max_sitemap_bytes
            )
            children.extend(child_urls)
            return found

        requests = self._discovered(response, articles)
        for child in children:
            if depth >= self.max_sitemap_depth:
                self._discovery_error(child, "sitemap nested too deep; not followed")
            elif host_allowed(child, self.allowed_domains):
                requests.append(self._discovery_request(child, self.parse_sitemap, depth + 1))
        return requests

    def parse_page(self, response: Response) -> list[Request]:
        if not isinstance(response, TextResponse):
            self._discovery_error(response.url, "not an HTML page")
            return []
        return self._discovered(
            response,
            lambda: page_links(
                response.text,
                response.url,
                article_pattern=self.source.article_urls,
                allowed_domains=self.allowed_domains,
            ),
        )

    def _discovered(self, response: Response, parse: Any) -> list[Request]:
        stats = self.crawler.stats
        if response.status != 200:
            self._discovery_error(response.url, f"HTTP {response.status}")
            return []
        try:
            found: list[Discovered] = parse()
        except DiscoveryError as exc:
            self._discovery_error(response.url, str(exc))
            return []
        requests = []
        for item in found:
            stats.inc_value("mediawatch/discovered")
            if item.url in self.seen or not host_allowed(item.url, self.allowed_domains):
                continue
            self.seen.add(item.url)
            hints = {k: v for k, v in (("title", item.title), ("published", item.published)) if v}
            requests.append(self._article_request(item.url, via=item.via, hints=hints))
        return requests

    def discovery_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy on errbacks
        reason = describe_failure(failure, self.max_download_size)
        if reason is not None:
            self._discovery_error(request.url, reason)

    def _discovery_error(self, url: str, reason: str) -> None:
        logger.info("Discovery failed for %s: %s", url, reason)  # summed up at the end
        self.crawler.stats.inc_value("mediawatch/discovery_errors")
        errors = self.crawler.stats.get_value("mediawatch/discovery_error_list") or []
        self.crawler.stats.set_value(
            "mediawatch/discovery_error_list", [*errors, f"{url}: {reason}"][-20:]
        )

    # Articles

    def _recheck_request(self, recheck: Recheck) -> Request:
        headers = {}
        if recheck.etag:
            headers["If-None-Match"] = recheck.etag
        if recheck.last_modified:
            headers["If-Modified-Since"] = recheck.last_modified
        return self._article_request(recheck.url, via="recheck", headers=headers)

    def _article_request(
        self,
        url: str,
        *,
        via: str,
        hints: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Request:
        return Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            headers=headers,
            dont_filter=True,  # the spider deduplicates by normalised URL itself
            meta={
                "article_url": url,
                "found_via": via,
                "hints": hints or {},
                "handle_httpstatus_list": ARTICLE_STATUSES,
                "started": time.time(),
            },
        )

    def parse_article(self, response: Response) -> ArticleFetch:
        fetch = self._fetch(response.meta)
        fetch.http_status = response.status
        fetch.etag = _header(response, b"ETag")
        fetch.last_modified = _header(response, b"Last-Modified")
        if response.status in ARTICLE_STATUSES:
            return fetch
        content_type = (response.headers.get(b"Content-Type") or b"").split(b";")[0].strip()
        is_html = content_type.lower() in HTML_TYPES or (
            not content_type and isinstance(response, HtmlResponse)
        )
        if not is_html or isinstance(response, XmlResponse):
            fetch.error = f"not an HTML page ({content_type.decode('latin-1') or 'no type'})"
        elif not response.body.strip():
            fetch.error = "empty page"
        else:
            fetch.body = response.body
            fetch.declared_encoding = _header(response, b"Content-Type")  # decode_html parses it
        redirected_to = normalise_url(response.url)
        if redirected_to and redirected_to != fetch.url:
            fetch.hints = {**fetch.hints, "redirected_to": redirected_to}
        return fetch

    def article_failed(self, failure: Failure) -> ArticleFetch | None:
        request = failure.request  # type: ignore[attr-defined]
        error = failure.value
        if isinstance(error, IgnoreRequest) and "robots.txt" in str(error):
            self.crawler.stats.inc_value("mediawatch/robots_disallowed")
            return None
        fetch = self._fetch(request.meta)
        if isinstance(error, HttpError):
            fetch.http_status = error.response.status
        fetch.error = describe_failure(failure, self.max_download_size) or "request dropped"
        return fetch

    def _fetch(self, meta: dict[str, Any]) -> ArticleFetch:
        started = float(meta.get("started", time.time()))
        return ArticleFetch(
            url=meta["article_url"],
            source=self.source.name,
            fetched_at=time.time(),
            duration_ms=int((time.time() - started) * 1000),
            found_via=meta.get("found_via"),
            hints=dict(meta.get("hints") or {}),
        )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
