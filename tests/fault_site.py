"""The fixture site, misbehaving: real faults on real sockets for the fault tests.

`FaultSite` is the Meridian Courier (`tests.fixture_site.FixtureSite`) served by a server
that can also break the HTTP exchange itself, which a `Resource` cannot describe:

    Hang()                      accept the request and never answer
    ResetMidBody(announced)     announce a body, send part of it, then reset (TCP RST)
    ShortBody(announced, body)  announce more than is sent, then close cleanly (FIN)
    Streamed(size, ...)         a body of `size` bytes written chunk by chunk, never held
                                whole, with or without a Content-Length

Everything else a fault test needs is an ordinary `Resource` (a 503 with Retry-After, a
redirect loop, a PDF, an empty 200), made by the helpers at the bottom: a gzip bomb built
as a stream, pages in legacy encodings, malformed feeds and a section page with 20,000
links.
"""

from __future__ import annotations

import contextlib
import functools
import random
import socket
import struct
import sys
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Self

from crawler.newssite import (
    NewsSite,
    RequestRecord,
    Resource,
    _Handler,
    _Server,
)
from tests.fixture_site import FixtureSite

__all__ = [
    "FaultNewsSite",
    "FaultSite",
    "Hang",
    "ResetMidBody",
    "ShortBody",
    "Streamed",
    "binary_garbage",
    "gzip_bomb",
    "legacy_page",
    "section_with_links",
    "serve_off_domain",
]

# -- faults the server itself commits --------------------------------------------------


@dataclass(frozen=True)
class Hang:
    """Read the request, then say nothing until the client gives up."""


@dataclass(frozen=True)
class ResetMidBody:
    """Send the headers and `sent` of the `announced` bytes, then reset the connection."""

    announced: int = 100_000
    sent: bytes = b"<html><body><p>The first part of a page that never "


@dataclass(frozen=True)
class ShortBody:
    """Announce `announced` bytes, send `sent` (fewer), then close the connection cleanly."""

    announced: int = 100_000
    sent: bytes = b"<html><body><p>A page cut short by the server.</p>"


@dataclass(frozen=True)
class Streamed:
    """`size` bytes of HTML written in chunks; without `content_length` the end of the body
    is the end of the connection, so only the bytes received tell how big it is."""

    size: int
    content_length: bool = True
    content_type: str = "text/html; charset=utf-8"


Fault = Hang | ResetMidBody | ShortBody | Streamed

_STREAM_CHUNK = b"<p>" + b"word " * 13_106 + b"</p>\n"  # about 64 KiB


class _FaultServer(_Server):
    def __init__(self, address: tuple[str, int], site: FaultNewsSite) -> None:
        self.site = site
        self.fault_site = site  # the same site, by its own type
        self.connections = set()
        self.connections_lock = threading.Lock()
        ThreadingHTTPServer.__init__(self, address, _FaultHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        # Writing to a socket the handler itself reset, or the client hung up on: expected.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _FaultHandler(_Handler):
    server: _FaultServer

    def _answer(self, *, send_body: bool) -> None:
        fault = self.server.fault_site.fault_for(self.path)
        if fault is None:
            super()._answer(send_body=send_body)
            return
        self.server.site.record(
            RequestRecord(self.command, self.path, dict(self.headers.items()), 200, time.time())
        )
        self.close_connection = True
        if isinstance(fault, Hang):
            self._hang()
        elif isinstance(fault, ResetMidBody):
            self._head(fault.announced)
            self.wfile.write(fault.sent)
            self.wfile.flush()
            # Linger 0: close() sends RST instead of FIN, as a crashed proxy would.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        elif isinstance(fault, ShortBody):
            self._head(fault.announced)
            self.wfile.write(fault.sent)
        else:
            self._stream(fault)

    def _head(self, length: int | None, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if length is None:
            self.send_header("Connection", "close")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def _hang(self) -> None:
        # Wait for the client (or the site's stop) to close the connection: the thread
        # ends when the crawler gives up, and no answer is ever sent.
        with contextlib.suppress(OSError):
            while self.connection.recv(4096):
                pass

    def _stream(self, fault: Streamed) -> None:
        self._head(fault.size if fault.content_length else None, fault.content_type)
        sent = 0
        with contextlib.suppress(OSError):  # the crawler hangs up at its size limit
            while sent < fault.size:
                chunk = _STREAM_CHUNK[: fault.size - sent]
                self.wfile.write(chunk)
                sent += len(chunk)
        self.server.fault_site.streamed[self.path] = sent


class FaultNewsSite(NewsSite):
    """A `NewsSite` whose paths can also be set to a `Fault`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self._faults: dict[str, Fault] = {}
        self.streamed: dict[str, int] = {}  # bytes a `Streamed` path wrote before the hang-up

    def fault(self, path: str, fault: Fault) -> None:
        """Make `path` commit `fault` instead of answering."""
        with self._lock:
            self._faults[path] = fault

    def set(self, path: str, resource: Resource | bytes | str) -> None:
        with self._lock:
            self._faults.pop(path, None)
        super().set(path, resource)

    def fault_for(self, target: str) -> Fault | None:
        with self._lock:
            return self._faults.get(target.split("?")[0])

    def start(self) -> Self:
        # NewsSite.start with the fault-aware server; NewsSite.stop works unchanged.
        if self._server is not None:
            return self
        server = _FaultServer((self._host, self._port), self)
        self._server = server
        self._port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self


class FaultSite(FixtureSite):
    """The Meridian Courier on a `FaultNewsSite`: `site.site.fault(path, Hang())` etc."""

    site: FaultNewsSite

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.site = FaultNewsSite(port=port)


# -- bodies that are faults in themselves ----------------------------------------------

GZIP_BOMB_INFLATED = 1 << 30  # 1 GiB of zeros


@functools.cache
def gzip_bomb(inflated: int = GZIP_BOMB_INFLATED) -> bytes:
    """A gzip file of `inflated` zero bytes (about 1 MB for 1 GiB), compressed as a stream
    so the inflated size never exists in memory here either."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # 16+: gzip framing
    zeros = bytes(1 << 20)
    parts = [compressor.compress(zeros) for _ in range(inflated // len(zeros))]
    parts.append(compressor.flush())
    return b"".join(parts)


def section_with_links(
    count: int, first: Sequence[tuple[str, str]], last: Sequence[tuple[str, str]] = ()
) -> bytes:
    """A section page listing `first`, then `count` links to distinct non-articles, then
    `last`."""
    links = [f'<li><a href="{href}">{text}</a></li>' for href, text in first]
    links += [f'<li><a href="/tag/topic-{n}">Topic {n}</a></li>' for n in range(count)]
    links += [f'<li><a href="{href}">{text}</a></li>' for href, text in last]
    return ("<html><body><h1>Everything</h1><ul>" + "".join(links) + "</ul></body></html>").encode()


def legacy_page(title: str, paragraphs: list[str], charset: str, encoding: str) -> bytes:
    """An article page declaring `charset` in its <meta>, its bytes encoded in `encoding`
    (the same, or a different one for a page that lies about its charset)."""
    body = "".join(f"<p>{text}</p>\n" for text in paragraphs)
    page = (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1>\n{body}</article></body></html>"
    )
    return page.encode(encoding)


def binary_garbage(size: int = 200_000, seed: int = 7) -> bytes:
    """Reproducible random bytes, like a truncated JPEG served as text/html."""
    return random.Random(seed).randbytes(size)


def serve_off_domain(host: str = "127.0.0.2") -> NewsSite:
    """A second loopback site on another host: the target of an off-domain redirect. A crawl
    that keeps to its allowed domains makes no request here."""
    site = NewsSite(host=host)
    site.set("/", "<html><body><p>You should not be here.</p></body></html>")
    return site
