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
    if isinstance(error, HttpError):
        return http_reason(error.response.status)
    if isinstance(error, IgnoreRequest):
        if "robots.txt" in text:
            return None
        if "offsite" in text.lower():
            return f"redirected off the allowed domains ({text.split('to ', 1)[-1]})"
        return f"request dropped: {text}"
    if isinstance(error, DownloadCancelledError) and "max size" in text:
        return f"page larger than the download size limit; refused ({text.split(' in ')[0]})"
    if isinstance(error, DownloadCancelledError):
        return "download cancelled (larger than the size limit, or stopped)"
    if isinstance(error, (CannotResolveHostError, DNSLookupError)):
        return "DNS lookup failed: no such host"
    if isinstance(error, (DownloadConnectionRefusedError, ConnectionRefusedError)):
        return "connection refused: is the server up?"
    if isinstance(error, (DownloadTimeoutError, TimeoutError, TCPTimedOutError)):
        return "timed out waiting for the server"
    if isinstance(error, ResponseDataLossError):
        return "the server sent less than it announced (Content-Length); page incomplete"
    if isinstance(error, ResponseNeverReceived):
        return "the server closed the connection without answering"
    if isinstance(error, (DownloadFailedError, ResponseFailed, ConnectionLost, ConnectionDone)):
        return f"connection lost mid-response: {text}"
    if isinstance(error, UnsupportedURLSchemeError):
        return f"unsupported URL scheme: {text}"
    return f"{type(error).__name__}: {text}"
