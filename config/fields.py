"""The checked text fields of the config: names (slugs), URLs and host names."""

import re
from collections.abc import Sequence
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")


def _check_slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        suggestion = re.sub(r"[^a-z0-9_-]+", "-", value.lower()).strip("-_")
        example = f", e.g. {suggestion!r}" if suggestion and _SLUG.fullmatch(suggestion) else ""
        raise ValueError(
            f"{value!r} is not a valid name; use lowercase letters, digits, '-' and '_'{example}"
        )
    return value


def _check_url(value: str) -> str:
    if not value.strip():
        raise ValueError("the URL is empty; write a full address such as https://example.com/")
    if any(char.isspace() for char in value):
        raise ValueError(f"{value!r} contains spaces; write them as %20")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- reading it is what validates it
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    # "example.com/rss.xml" has no scheme; in "localhost:8000/x" the host reads as one.
    port_as_path = not parts.netloc and parts.path[:1].isdigit()
    if not scheme or (scheme not in ("http", "https") and port_as_path):
        raise ValueError(
            f"{value!r} is not a full URL; write it with its scheme: 'https://{value}'"
        )
    if scheme not in ("http", "https"):
        raise ValueError(
            f"{value!r} uses the {scheme}: scheme; only http:// and https:// addresses can be"
            " crawled"
        )
    if not parts.hostname:
        raise ValueError(
            f"{value!r} has no host; write a full address such as https://example.com/"
        )
    return value


def _check_domain(value: str) -> str:
    domain = value.strip().lower().lstrip(".")
    if "://" in domain or "/" in domain:
        host = urlsplit(domain if "://" in domain else f"//{domain}").hostname or domain
        raise ValueError(f"{value!r} is not a host name; write the host only: {host!r}")
    if ":" in domain:
        raise ValueError(f"{value!r} has a port; write the host only: {domain.split(':')[0]!r}")
    if not domain or any(char.isspace() or char == "@" for char in domain):
        raise ValueError(f"{value!r} is not a host name; write one such as 'example.com'")
    return domain


def url_host(url: str) -> str:
    """The host of url, lowercased ('' when it has none)."""
    return (urlsplit(url).hostname or "").lower()


def host_allowed(host: str, domains: Sequence[str]) -> bool:
    """Scrapy's rule: a domain allows itself and all of its subdomains."""
    return any(host == domain or host.endswith("." + domain) for domain in domains)


Url = Annotated[str, AfterValidator(_check_url)]
Slug = Annotated[str, AfterValidator(_check_slug)]
Domain = Annotated[str, AfterValidator(_check_domain)]
