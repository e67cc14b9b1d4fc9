"""The one spider: discovers a source's articles and fetches new and due ones.

    scrapy crawl news -a source=demo [-a recheck=due|all|none] [-a discover=false]

Discovery reads the source's feeds, sitemaps (an index, .xml.gz, news sitemaps, or a
robots.txt whose Sitemap: lines are followed) and section pages. Every link is
normalised and checked against ``allowed_domains``; an article found by several routes
is fetched once. Known articles are fetched again only as rechecks, with the validators
of their last answer, so an unchanged page costs a 304.

Any number of these spiders, in processes on one host or several, can crawl a source
into one archive at once (storage/work.py). One of them discovers (it holds the lease
``discover:<source>``) and adds what it finds to the archive as due articles; every
worker, the discoverer too, claims due articles a chunk at a time and fetches only what
it claimed. A worker holds ``worker:<source>:<holder>`` while it has work, and one
without work waits while another worker holds it: if that worker dies, its claims
expire (no later than its lease) and the ones still waiting fetch its articles.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest, ResponseDataLossError
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from config import Config, Source, load_config
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
from storage import leases
from storage.db import make_engine, make_sessionmaker
from storage.schema import require_current
from storage.work import (
    Found,
    Recheck,
    add_discovered,
    claim_articles,
    claim_holders,
    extend_claims,
    forget_pending,
    known_urls,
    release_claims_of,
)

logger = logging.getLogger(__name__)

ARTICLE_STATUSES = [304, 404, 410]
# Redirects that say the article has moved for good (the old address becomes an alias).
PERMANENT_REDIRECTS = frozenset({301, 308})
HTML_TYPES = (b"text/html", b"application/xhtml+xml")
# Articles claimed at a time, and claimed again once fewer than this are unanswered: enough
# to keep CONCURRENT_REQUESTS busy, few enough that other workers get a share.
CLAIM_CHUNK = 64
# How often a worker waiting for work (its chunk to drain, discovery, another worker)
# looks again.
POLL_SECONDS = 0.2


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
        spider.config = config
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

    config: Config  # the whole file: the pipeline's watches and webhooks span sources
    source: Source
    database_url: str
    max_sitemap_depth: int
    max_download_size: int  # DOWNLOAD_MAXSIZE; 0 for no limit
    max_sitemap_bytes: int
    allowed_domains: list[str]

    async def start(self) -> AsyncIterator[Request]:
        self.engine = make_engine(self.database_url)
        require_current(self.engine)
        self.sessions = make_sessionmaker(self.engine)
        self.holder = leases.new_holder()
        self.pass_started = datetime.now(UTC)
        self.claim_ttl = timedelta(
            seconds=self.crawler.settings.getfloat("MEDIAWATCH_CLAIM_SECONDS", 300)
        )
        # Article requests yielded and not yet downloaded (or failed): the claiming loop
        # keeps this near CLAIM_CHUNK. Downloaded pages waiting for extraction do not
        # count: extraction is slower than downloading, and a downloader waiting for it
        # would leave the extraction pool short of pages.
        self.unanswered = 0
        self.answered = asyncio.Event()  # wakes the claiming loop when a request is answered
        self.discovery_pending = 0  # discovery requests yielded, not yet answered
        self.crawler.signals.connect(self._close_pass, signal=signals.spider_closed)
        self.crawler.signals.connect(self._downloaded, signal=signals.response_received)
        with self.sessions() as session:
            self.seen = known_urls(session, self.source.name)
        self.crawler.stats.set_value("mediawatch/rechecks", 0)
        self._free_dead_local_workers()
        if self.discover and self._lease(leases.acquire, self._discover_lease):
            for request in self._discovery_start():
                yield request
        async for request in self._claimed_requests():
            yield request

    def _discovery_start(self) -> list[Request]:
        requests = [self._discovery_request(url, self.parse_feed) for url in self.source.feeds]
        for url in self.source.sitemaps:
            if url.rstrip("/").endswith("/robots.txt"):
                requests.append(self._discovery_request(url, self.parse_robots))
            else:
                requests.append(self._discovery_request(url, self.parse_sitemap, depth=0))
        requests += [self._discovery_request(url, self.parse_page) for url in self.source.pages]
        return requests

    async def _claimed_requests(self) -> AsyncIterator[Request]:
        """Claim due articles a chunk at a time, as the last chunk drains, until this worker
        has nothing left to fetch or discover and no other worker of the source is busy."""
        working = False  # holds its worker lease
        last_beat = time.monotonic()
        while True:
            while self.unanswered >= CLAIM_CHUNK:
                await self._wait()
            now = datetime.now(UTC)
            with self.sessions.begin() as session:
                claimed = claim_articles(
                    session,
                    self.source.name,
                    self.recheck_mode,
                    self.holder,
                    now=now,
                    until=now + self.claim_ttl,
                    since=self.pass_started,
                    limit=CLAIM_CHUNK,
                )
                busy = bool(claimed or self.unanswered or self.discovery_pending)
                beat_due = time.monotonic() - last_beat > self.claim_ttl.total_seconds() / 3
                if busy and (claimed or beat_due or not working):
                    # The worker lease expires with the claims, never before them: whoever
                    # waits for this worker can take its articles once the lease is gone.
                    beat = leases.renew if working else leases.acquire
                    working = beat(
                        session, self._worker_lease, self.holder, now=now, ttl=self.claim_ttl
                    )
                    if beat_due:
                        extend_claims(session, self.holder, until=now + self.claim_ttl)
                        leases.renew(
                            session, self._discover_lease, self.holder, now=now, ttl=self.claim_ttl
                        )
                        last_beat = time.monotonic()
                elif not busy and working:
                    leases.release(session, self._worker_lease, self.holder)
                    working = False
            if claimed:
                self.crawler.stats.inc_value(
                    "mediawatch/rechecks", sum(1 for c in claimed if c.found_via == "recheck")
                )
                for recheck in claimed:
                    self.unanswered += 1
                    yield self._recheck_request(recheck)
                continue
            if not (working or self._others_working()):
                return
            self._free_dead_local_workers()
            await self._wait(until_idle=True)

    def _free_dead_local_workers(self) -> None:
        """Give up at once the claims and the worker lease of a worker on this host whose
        process is gone (a crawl killed and run again), rather than wait for them to
        expire. A holder is "host:pid:token" (storage.leases.new_holder)."""
        now = datetime.now(UTC)
        with self.sessions.begin() as session:
            holders = claim_holders(session, self.source.name, now=now)
            holders |= {
                lease.holder
                for prefix in (self._discover_lease, f"worker:{self.source.name}:")
                for lease in leases.live_leases(session, now=now, prefix=prefix)
            }
            for holder in holders - {self.holder}:
                if leases.holder_gone(holder):
                    release_claims_of(session, holder)
                    leases.release(session, f"worker:{self.source.name}:{holder}", holder)
                    leases.release(session, self._discover_lease, holder)

    def _downloaded(self, response: Response, request: Request) -> None:
        if "article_url" in request.meta and not request.meta.get("answered"):
            self._answer(discovery=False, request=request)

    def _answer(self, *, discovery: bool, request: Request | None = None) -> None:
        if discovery:
            self.discovery_pending -= 1
        elif request is not None and not request.meta.get("answered"):
            request.meta["answered"] = True  # once, whether downloaded, failed or both
            self.unanswered -= 1
        self.answered.set()

    async def _wait(self, *, until_idle: bool = False) -> None:
        """Until a request is answered (with ``until_idle``, the last one), or at most
        POLL_SECONDS: other workers' progress is only seen by looking again."""
        deadline = time.monotonic() + POLL_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.answered.wait(), left)
            self.answered.clear()
            if not until_idle or not (self.unanswered or self.discovery_pending):
                return

    @property
    def _discover_lease(self) -> str:
        return f"discover:{self.source.name}"

    @property
    def _worker_lease(self) -> str:
        return f"worker:{self.source.name}:{self.holder}"

    def _lease(self, take: Any, name: str) -> bool:
        now = datetime.now(UTC)
        with self.sessions.begin() as session:
            return bool(take(session, name, self.holder, now=now, ttl=self.claim_ttl))

    def _others_working(self) -> bool:
        with self.sessions() as session:
            others = leases.live_leases(
                session, now=datetime.now(UTC), prefix=f"worker:{self.source.name}:"
            )
        return any(lease.holder != self.holder for lease in others)

    def _close_pass(self) -> None:
        """Give back what this worker still holds: claims on articles it never fetched
        (a crawl stopped early), its leases. Run after the pipeline stored its last batch."""
        try:
            with self.sessions.begin() as session:
                release_claims_of(session, self.holder)
                leases.release(session, self._worker_lease, self.holder)
                leases.release(session, self._discover_lease, self.holder)
        except Exception:  # they expire on their own
            logger.exception("Could not give back the claims of %s", self.holder)
        finally:
            self.engine.dispose()

    # Discovery

    def _discovery_request(self, url: str, callback: Any, depth: int = 0) -> Request:
        self.discovery_pending += 1
        return Request(
            url,
            callback=callback,
            errback=self.discovery_failed,
            dont_filter=True,
            priority=10,  # find the work before doing it
            meta={"sitemap_depth": depth},
        )

    def parse_feed(self, response: Response) -> list[Request]:
        self._answer(discovery=True)
        return self._discovered(response, lambda: parse_feed(response.body, response.url))

    def parse_robots(self, response: Response) -> list[Request]:
        self._answer(discovery=True)
        urls = sitemaps_from_robots(response.body, response.url)
        if not urls:
            self._discovery_error(response.url, "robots.txt lists no Sitemap: lines")
        return [self._discovery_request(u, self.parse_sitemap, depth=0) for u in urls]

    def parse_sitemap(self, response: Response) -> list[Request]:
        self._answer(discovery=True)
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
        self._answer(discovery=True)
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
        """Add the articles ``parse`` finds to the archive; no request comes of them here."""
        stats = self.crawler.stats
        if response.status != 200:
            self._discovery_error(response.url, f"HTTP {response.status}")
            return []
        try:
            found: list[Discovered] = parse()
        except DiscoveryError as exc:
            self._discovery_error(response.url, str(exc))
            return []
        new = []
        for item in found:
            stats.inc_value("mediawatch/discovered")
            if item.url in self.seen or not host_allowed(item.url, self.allowed_domains):
                continue
            self.seen.add(item.url)
            hints = {k: v for k, v in (("title", item.title), ("published", item.published)) if v}
            new.append(Found(item.url, item.via, hints))
        if new:
            # Into the archive as due articles, claimed and fetched like any other (by this
            # worker or another); none is fetched from here.
            with self.sessions.begin() as session:
                add_discovered(session, self.source.name, new, datetime.now(UTC))
        return []

    def discovery_failed(self, failure: Failure) -> None:
        self._answer(discovery=True)
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
        return self._article_request(
            recheck.url, via=recheck.found_via, hints=recheck.hints, headers=headers
        )

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
        self._answer(discovery=False, request=response.request)
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
            fetch.final_url = redirected_to
            reasons = response.meta.get("redirect_reasons") or [None]
            fetch.permanent_redirect = all(reason in PERMANENT_REDIRECTS for reason in reasons)
        return fetch

    def article_failed(self, failure: Failure) -> ArticleFetch | None:
        request = failure.request  # type: ignore[attr-defined]
        self._answer(discovery=False, request=request)
        error = failure.value
        if isinstance(error, IgnoreRequest) and "robots.txt" in str(error):
            self.crawler.stats.inc_value("mediawatch/robots_disallowed")
            with self.sessions.begin() as session:
                forget_pending(session, request.meta["article_url"])
            return None
        fetch = self._fetch(request.meta)
        if isinstance(error, HttpError):
            fetch.http_status = error.response.status
        fetch.error = describe_failure(failure, self.max_download_size) or "request dropped"
        fetch.cut = isinstance(error, ResponseDataLossError)
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
