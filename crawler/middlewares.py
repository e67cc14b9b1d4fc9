"""Downloader middleware: every request kept on the allowed domains, and retries that back
off and honour Retry-After."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.urls import host_allowed, host_of

logger = logging.getLogger(__name__)


class AllowedDomainsMiddleware:
    """Refuses any request whose host is not one of the spider's ``allowed_domains``.

    Scrapy's own OffsiteMiddleware lets through every request marked ``dont_filter``, and
    a redirect keeps that mark; the spider marks all its requests (it deduplicates URLs
    itself), so without this a redirect could take the crawl to any host. Placed before
    the robots.txt middleware, so no robots.txt is fetched from a refused host either.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> AllowedDomainsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        allowed = getattr(self.crawler.spider, "allowed_domains", None)
        if not allowed or host_allowed(request.url, allowed):
            return
        self.crawler.stats.inc_value("offsite/filtered")
        # crawler.errors.describe_failure reads "offsite" and the host after "to".
        raise IgnoreRequest(f"Filtered offsite request to {host_of(request.url)!r}")


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, waiting before each retry: base * 2**(n-1) seconds, or the
    server's Retry-After when it asks for longer, capped at RETRY_BACKOFF_MAX."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.backoff_base = crawler.settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = crawler.settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    @classmethod
    def from_crawler(cls, crawler: Any) -> BackoffRetryMiddleware:
        return cls(crawler)

    async def process_response(  # type: ignore[override]  # Scrapy >= 2.13 accepts coroutines
        self, request: Request, response: Response
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await asyncio.sleep(self._delay(result, response.headers.get("Retry-After")))
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self._delay(result, None))
        return result

    def _delay(self, retry: Request, retry_after: bytes | None) -> float:
        attempt = int(retry.meta.get("retry_times", 1))
        delay: float = self.backoff_base * 2 ** (attempt - 1)
        if retry_after:
            # An HTTP date instead of seconds is ignored: the exponential delay stands.
            with contextlib.suppress(ValueError):
                delay = max(delay, float(retry_after.decode("ascii").strip()))
        delay = min(delay, self.backoff_max)
        logger.debug("Retrying %s in %.1f s (attempt %d)", retry.url, delay, attempt + 1)
        return delay
