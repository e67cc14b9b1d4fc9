"""The headers every response carries: what the browser may load, run and frame.

Everything the archive holds came from other people's web sites, so the app is written
as if any title, text or URL were an attack: templates escape everything (Jinja2
autoescape), and these headers are the second wall. Pages may load only the app's own
stylesheet and frames, run no script at all, and be framed by nobody. Raw HTML as
archived gets :data:`RAW_HTML_POLICY` instead: a CSP sandbox, so that even opened
directly it runs no script and has no origin (no cookies, no storage, no same-origin
requests), and loads nothing from the network (no tracking pixels from the news site).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# No allow-scripts and no allow-same-origin: the document gets an opaque origin and no
# script runs. Inline styles stay, so the page looks roughly as it did; nothing is fetched.
RAW_HTML_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)

_COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


class SecurityHeaders:
    """ASGI middleware: the common headers on every response, and :data:`PAGE_POLICY`
    (with ``X-Frame-Options: DENY``) unless the endpoint set a policy of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in _COMMON if h[0] not in present)
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", PAGE_POLICY.encode()))
                    headers.append((b"x-frame-options", b"DENY"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class InertJSONResponse(JSONResponse):
    """JSON with ``<``, ``>`` and ``&`` written as ``\\u003c`` and so on: the same document
    to any JSON parser, but no archived ``<script>`` appears in the bytes, so nothing that
    sniffs or mis-serves the response can find markup in it."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        for char, escape in _JSON_ESCAPES:
            text = text.replace(char, escape)
        return text.encode()


_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))
