"""URL normalisation and domain checks for discovered article addresses.

An article's ``url`` is the address it is fetched at, normalised so that the same story
reached through a feed, a sitemap and a section page is stored once:

- joined with the base it was found under; only ``http`` and ``https`` survive
  (``javascript:``, ``mailto:``, ``file:``, ``data:``, ``ftp:`` and garbage give ``None``);
- scheme and host lowercased, IDN hosts in punycode, default ports (``:80``, ``:443``) dropped;
- percent-encoding made safe and canonical (RFC 3986 §6.2.2): unsafe characters encoded,
  escapes of unreserved characters decoded (``%7E`` -> ``~``), other escapes in upper case;
- dot segments resolved, an empty path becomes ``/``;
- the fragment and the tracking parameters (:data:`TRACKING_PARAMS`, any ``utm_*``) dropped;
  every other query parameter is kept, byte for byte and in its original order.

Why :func:`w3lib.url.safe_url_string` and not :func:`w3lib.url.canonicalize_url`:
``canonicalize_url`` sorts the query and re-encodes it, which gives a good fingerprint but an
address the site never published; some sites route on parameter order or on the exact
encoding. The stored ``url`` must stay fetchable as the site expects, so this module takes
``safe_url_string`` (which only makes the address valid: IDNA host, unsafe bytes quoted) and
adds the few normalisations above that are equivalences under RFC 3986.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from w3lib.url import add_http_if_no_scheme, safe_url_string

__all__ = [
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
    "host_allowed",
    "host_of",
    "normalise_url",
    "url_variants",
]

#: Query parameters that only identify a campaign, a click or a visitor; they never select
#: content, so two addresses differing only in them are the same article. Compared case-
#: insensitively. Generic names (``ref``, ``source``, ``from``) are deliberately absent:
#: some sites route on them.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        # Google Ads / Analytics / DoubleClick
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "_ga",
        "_gl",
        # Facebook / Instagram
        "fbclid",
        "igshid",
        # Microsoft (Bing ads, MSN "ocid" outbound campaign ids)
        "msclkid",
        "ocid",
        # Mailchimp
        "mc_cid",
        "mc_eid",
        # HubSpot, Marketo
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        # Twitter/X, TikTok, Yandex, LinkedIn
        "ref_src",
        "ref_url",
        "twclid",
        "ttclid",
        "yclid",
        "li_fat_id",
        # Adobe/Omniture campaign ids used by many publishers
        "cmpid",
    }
)

#: Any parameter starting with one of these is tracking (``utm_source``, ``utm_medium``, ...).
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

_HTTP_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A host after IDNA encoding: dot-separated labels of letters, digits, hyphens and
# underscores (seen in real subdomains), optionally ending in the root dot.
_HOST_RE = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")
_ESCAPE_RE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def normalise_url(url: str, base: str | None = None) -> str | None:
    """Return the normalised absolute ``http(s)`` form of ``url``, or ``None`` if there is none.

    ``url`` may be relative when ``base`` is given. The result is idempotent:
    ``normalise_url(normalise_url(u)) == normalise_url(u)``.
    """
    if not isinstance(url, str):
        return None
    try:
        absolute = urljoin(base, url.strip()) if base else url.strip()
        scheme = urlsplit(absolute).scheme.lower()
        if scheme not in _HTTP_SCHEMES:
            return None
        parts = urlsplit(safe_url_string(absolute))
        host = parts.hostname or ""
        port = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except (ValueError, UnicodeError):
        return None
    if ":" in host:  # IPv6 literal: urlsplit strips the brackets
        host = f"[{host}]"
    elif not _HOST_RE.fullmatch(host):
        return None
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    path = _remove_dot_segments(_normalise_escapes(parts.path)) or "/"
    query = _clean_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    """Return the lowercase (punycode) host of ``url`` without port or root dot; ``""`` if none."""
    try:
        host = urlsplit(safe_url_string(url.strip())).hostname or ""
    except (ValueError, UnicodeError):
        return ""
    return host.rstrip(".")


def host_allowed(url: str, allowed_domains: Sequence[str]) -> bool:
    """True when the host of ``url`` is an allowed domain or a subdomain of one.

    ``www.example.com`` is allowed by ``example.com``; ``badexample.com`` is not. Ports are
    ignored. Entries may be written as hosts, ``.example.com`` or full URLs. An empty list
    allows nothing: a source always has allowed domains (its own hosts by default), so an
    empty list is a bug upstream and failing closed keeps the crawl on its sites.
    """
    host = host_of(url)
    if not host:
        return False
    for entry in allowed_domains:
        domain = _domain_of(entry)
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def url_variants(url: str) -> list[str]:
    """The addresses to look up for a user-typed article URL, most literal first.

    The input as given, its normalised form, and each with and without a trailing slash
    on the path; a URL typed without a scheme is also tried with ``https://`` and
    ``http://``. Matching stored ``url`` or ``canonical_url`` against all of them lets
    ``mediawatch versions URL`` accept an address before or after normalisation.
    """
    given = url.strip()
    candidates = [given]
    if given and "://" not in given:
        candidates += ["https://" + given.lstrip("/"), add_http_if_no_scheme(given)]
    normalised = [n for n in (normalise_url(c) for c in candidates) if n]
    variants: list[str] = []
    for candidate in [*candidates, *normalised]:
        for variant in (candidate, _toggle_trailing_slash(candidate)):
            if variant and variant not in variants:
                variants.append(variant)
    return variants


def _domain_of(entry: str) -> str:
    """Host named by an ``allowed_domains`` entry (``Example.com``, ``.example.com``, a URL)."""
    entry = entry.strip().lstrip(".")
    if not entry:
        return ""
    return host_of(entry if "://" in entry else "http://" + entry)


def _normalise_escapes(component: str) -> str:
    """Decode escapes of unreserved characters and upper-case the rest (RFC 3986 §6.2.2)."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _ESCAPE_RE.sub(fix, component)


def _remove_dot_segments(path: str) -> str:
    """Resolve ``.`` and ``..`` segments as RFC 3986 §5.2.4 does (never above the root)."""
    if "." not in path:
        return path
    segments = path.split("/")
    output: list[str] = []
    for segment in segments[1:] if path.startswith("/") else segments:
        if segment == "..":
            if output:
                output.pop()
        elif segment != ".":
            output.append(segment)
    # A path ending in "." or ".." names a directory: keep its trailing slash.
    if segments[-1] in {".", ".."}:
        output.append("")
    return "/" + "/".join(output)


def _clean_query(query: str) -> str:
    """Drop empty and tracking parameters, keeping the others verbatim and in order."""
    kept = []
    for param in query.split("&"):
        if not param:
            continue
        name = unquote_plus(param.partition("=")[0]).lower()
        if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
            continue
        kept.append(_normalise_escapes(param))
    return "&".join(kept)


def _toggle_trailing_slash(url: str) -> str | None:
    """The same URL with the trailing slash of its path removed or added; None for the root."""
    try:
        scheme, netloc, path, query, fragment = urlsplit(url)
    except ValueError:
        return None
    if not scheme or not netloc or path in {"", "/"}:
        return None
    path = path[:-1] if path.endswith("/") else path + "/"
    return urlunsplit((scheme, netloc, path, query, fragment))
