"""Readable reasons for failed requests, for the fetch log and the crawl summary."""

from __future__ import annotations

from http import HTTPStatus

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived


def http_reason(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def describe_failure(failure: Failure) -> str | None:
    """One line a user understands, or None for a request skipped on purpose (robots.txt)."""
    error = failure.value
    text = str(error)
    if failure.check(HttpError):
        return http_reason(error.response.status)
    if failure.check(IgnoreRequest):
        if "robots.txt" in text:
            return None
        if "offsite" in text.lower():
            return f"redirected off the allowed domains ({text.split('to ', 1)[-1]})"
        return f"request dropped: {text}"
    if failure.check(DownloadCancelledError) and "max size" in text:
        return f"page larger than the download size limit; refused ({text.split(' in ')[0]})"
    if failure.check(DownloadCancelledError):
        return "download cancelled (larger than the size limit, or stopped)"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "DNS lookup failed: no such host"
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "connection refused: is the server up?"
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return "timed out waiting for the server"
    if failure.check(ResponseDataLossError):
        return "the server sent less than it announced (Content-Length); page incomplete"
    if failure.check(ResponseNeverReceived):
        return "the server closed the connection without answering"
    if failure.check(DownloadFailedError, ResponseFailed, ConnectionLost, ConnectionDone):
        return f"connection lost mid-response: {text}"
    if failure.check(UnsupportedURLSchemeError):
        return f"unsupported URL scheme: {text}"
    return f"{type(error).__name__}: {text}"
