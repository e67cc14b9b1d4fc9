"""Readable reasons for failed requests, for the fetch log and the crawl summary."""

from __future__ import annotations

import re
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


def describe_failure(failure: Failure, max_size: int = 0) -> str | None:
    """One line a user understands, or None for a request skipped on purpose (robots.txt).

    ``max_size`` is the crawl's DOWNLOAD_MAXSIZE, named in the reason for a page refused
    mid-download (Scrapy's own error then says nothing).
    """
    error = failure.value
    text = str(error)
    if isinstance(error, HttpError):
        return http_reason(error.response.status)
    if isinstance(error, IgnoreRequest):
        return _ignored(text)
    if isinstance(error, DownloadCancelledError):
        return _too_large(text, max_size)
    if isinstance(error, (CannotResolveHostError, DNSLookupError)):
        return "DNS lookup failed: no such host"
    if isinstance(error, (DownloadConnectionRefusedError, ConnectionRefusedError)):
        return "connection refused: is the server up?"
    if isinstance(error, (DownloadTimeoutError, TimeoutError, TCPTimedOutError)):
        return "timed out waiting for the server"
    if isinstance(error, ResponseDataLossError):
        if _reset(error.__cause__):
            return "the server reset the connection mid-page; page incomplete"
        return "the server sent less than it announced (Content-Length); page incomplete"
    if isinstance(error, ResponseNeverReceived):
        return "the server closed the connection without answering"
    if isinstance(error, (DownloadFailedError, ResponseFailed, ConnectionLost, ConnectionDone)):
        return f"connection lost mid-response: {_first_line(text)}"
    if isinstance(error, UnsupportedURLSchemeError):
        return f"unsupported URL scheme: {text}"
    return f"{type(error).__name__}: {_first_line(text)}"


def _ignored(text: str) -> str | None:
    if "robots.txt" in text:
        return None
    if "offsite" in text.lower():
        return f"redirected off the allowed domains ({text.split('to ', 1)[-1]})"
    if "max redirections" in text:
        return "too many redirects (a redirect loop?); gave up"
    if "during decompression" in text:  # HttpCompressionMiddleware, Content-Encoding: gzip
        limit = re.search(r"DOWNLOAD_MAXSIZE \((\d+) B\)", text)
        size = f" ({_mb(int(limit[1]))})" if limit else ""
        return f"page larger than the download size limit{size} once decompressed; refused"
    return f"request dropped: {_first_line(text)}"


def _too_large(text: str, max_size: int) -> str:
    # In a crawl Scrapy cancels a download for its size limit only (a timeout is a
    # DownloadTimeoutError): before the body when Content-Length announces too much (the
    # message says so), or mid-body once the bytes received pass the limit (no message).
    announced = re.search(r"Expected to receive (\d+) bytes .*max size \((\d+)\)", text)
    if announced:
        size, limit = (_mb(int(n)) for n in announced.groups())
        return (
            f"page larger than the download size limit ({limit}): the server announced "
            f"{size}; refused before downloading"
        )
    limit = f" ({_mb(max_size)})" if max_size else ""
    return f"page larger than the download size limit{limit}; refused while downloading"


def _reset(cause: BaseException | None) -> bool:
    """Whether a lost body ended with a reset (ConnectionLost), not a clean close."""
    reasons = cause.reasons if isinstance(cause, ResponseFailed) else []
    return any(reason.check(ConnectionLost) for reason in reasons)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no details"
