"""URL normalisation, host checks and lookup variants (crawler/urls.py): pure tables."""

from __future__ import annotations

from urllib.parse import unquote_plus, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.urls import (
    TRACKING_PARAMS,
    host_allowed,
    host_of,
    normalise_url,
    url_variants,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # fragments go
        ("https://example.com/a/story#comments", "https://example.com/a/story"),
        ("https://example.com/a/story#", "https://example.com/a/story"),
        # tracking parameters go, the others stay in their original order (never sorted)
        (
            "https://example.com/s?utm_source=tw&z=9&utm_medium=social&a=1&UTM_Campaign=x",
            "https://example.com/s?z=9&a=1",
        ),
        ("https://example.com/s?fbclid=IwAR0abc", "https://example.com/s"),
        (
            "https://example.com/s?gclid=1&id=7&msclkid=2&mc_cid=3&mc_eid=4",
            "https://example.com/s?id=7",
        ),
        (
            "https://example.com/s?b=2&igshid=x&_ga=1.2&ref_src=twsrc&a=1",
            "https://example.com/s?b=2&a=1",
        ),
        # parameter values and repeated names are kept byte for byte
        ("https://example.com/s?q=a+b&q=c&x=", "https://example.com/s?q=a+b&q=c&x="),
        # empty parameters and a bare "?" carry nothing
        ("https://example.com/s?&&a=1&", "https://example.com/s?a=1"),
        ("https://example.com/s?", "https://example.com/s"),
        # default ports go, others stay
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        # scheme and host lowercased, path case kept
        ("HTTPS://WWW.Example.COM/World/Story", "https://www.example.com/World/Story"),
        # empty path -> "/"
        ("https://example.com", "https://example.com/"),
        ("https://example.com?id=3", "https://example.com/?id=3"),
        # dot segments resolved
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/../../x", "https://example.com/x"),
        ("https://example.com/a/b/..", "https://example.com/a/"),
        # percent-encoding: unsafe characters encoded, unreserved escapes decoded, hex upper case
        ("https://example.com/a b/ü?q=a b", "https://example.com/a%20b/%C3%BC?q=a%20b"),
        ("https://example.com/%7euser/%3a%2f?k=%7E%e4", "https://example.com/~user/%3A%2F?k=~%E4"),
        # IDN host -> punycode
        ("https://Bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
        # IPv6 literal
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        # surrounding whitespace, as found in href attributes
        ("  https://example.com/a\n", "https://example.com/a"),
        # not http(s), or not a URL at all
        ("javascript:void(0)", None),
        ("JavaScript:alert(1)", None),
        ("mailto:desk@example.com", None),
        ("file:///etc/passwd", None),
        ("data:text/html,<b>hi</b>", None),
        ("ftp://example.com/file", None),
        ("tel:+441234", None),
        ("", None),
        ("   ", None),
        ("not a url", None),
        ("http://", None),
        ("http:///path", None),
        ("http://exa mple.com/", None),
        ("http://a..b/", None),
        ("http://[::1/", None),
        ("http://example.com:99999/", None),
        ("http://example.com:port/", None),
    ],
)
def test_normalise_url(url: str, expected: str | None) -> None:
    assert normalise_url(url) == expected


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("/world/story", "https://example.com/section/", "https://example.com/world/story"),
        ("story?utm_source=x#top", "https://example.com/world/", "https://example.com/world/story"),
        ("../b", "https://example.com/a/x/y", "https://example.com/a/b"),
        ("//cdn.Example.com/p", "https://example.com/", "https://cdn.example.com/p"),
        ("?page=2", "https://example.com/list?x=1", "https://example.com/list?page=2"),
        ("https://other.example/a", "https://example.com/", "https://other.example/a"),
        ("#comments", "https://example.com/story#x", "https://example.com/story"),
        ("javascript:share()", "https://example.com/", None),
        ("mailto:a@example.com", "https://example.com/", None),
    ],
)
def test_normalise_url_relative(url: str, base: str, expected: str | None) -> None:
    assert normalise_url(url, base=base) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "https://example.com/2026/11/28/storm-hits-coast?id=3&page=2",
        "https://xn--bcher-kva.example/stra%C3%9Fe",
        "http://example.com:8080/a%20b/~user/%3A",
        "https://user:pw@example.com/p",
    ],
)
def test_normalised_url_is_a_fixed_point(url: str) -> None:
    assert normalise_url(url) == url


_segment = st.text(alphabet=st.sampled_from("aZ09-._~%!$&'()*+,;=:@ /?#üß€\t"), max_size=8)
_param = st.tuples(
    st.sampled_from(["id", "utm_source", "fbclid", "Q", "x y", "ü", ""]), _segment
).map("=".join)


@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "Https"]),
    host=st.sampled_from(["example.com", "WWW.Example.com", "bücher.example", "127.0.0.1"]),
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    segments=st.lists(_segment, max_size=4),
    params=st.lists(_param, max_size=4),
    fragment=_segment,
)
def test_normalise_url_is_idempotent_and_clean(
    scheme: str, host: str, port: str, segments: list[str], params: list[str], fragment: str
) -> None:
    url = f"{scheme}://{host}{port}/{'/'.join(segments)}?{'&'.join(params)}#{fragment}"
    once = normalise_url(url)
    if once is None:
        return
    assert normalise_url(once) == once
    assert "#" not in once
    names = [unquote_plus(p.partition("=")[0]) for p in urlsplit(once).query.split("&")]
    assert not [n for n in names if n.startswith("utm_") or n in TRACKING_PARAMS]
    assert once.startswith(("http://", "https://"))
    parts = urlsplit(once)
    assert (parts.scheme, parts.port) not in {("http", 80), ("https", 443)}
    assert parts.path.startswith("/")


def test_tracking_list_documents_the_click_ids() -> None:
    assert {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "_ga"} <= (
        TRACKING_PARAMS
    )
    # generic names select content on some sites and must never be stripped
    assert not {"ref", "id", "page", "source", "from", "p"} & TRACKING_PARAMS


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://WWW.Example.com:8443/x", "www.example.com"),
        ("http://bücher.example/", "xn--bcher-kva.example"),
        ("https://example.com./a", "example.com"),
        ("http://127.0.0.1:8000/", "127.0.0.1"),
        ("not a url", ""),
        ("http://[::1", ""),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("url", "allowed", "expected"),
    [
        ("https://example.com/a", ["example.com"], True),
        ("https://www.example.com/a", ["example.com"], True),
        ("https://deep.news.example.com/a", ["example.com"], True),
        ("https://badexample.com/a", ["example.com"], False),
        ("https://example.com.evil.net/a", ["example.com"], False),
        ("https://example.co/a", ["example.com"], False),
        ("https://example.com/a", ["www.example.com"], False),
        ("https://example.com:8443/a", ["example.com"], True),
        ("http://127.0.0.1:8765/a", ["127.0.0.1"], True),
        ("https://EXAMPLE.com/a", ["Example.COM"], True),
        ("https://www.example.com/a", [".example.com"], True),
        ("https://www.example.com/a", ["https://example.com/news/"], True),
        ("https://example.com/a", ["example.com:443"], True),
        ("https://bücher.example/a", ["xn--bcher-kva.example"], True),
        ("https://xn--bcher-kva.example/a", ["bücher.example"], True),
        ("https://other.org/a", ["example.com", "other.org"], True),
        ("https://example.com/a", [], False),
        ("https://example.com/a", [""], False),
        ("mailto:a@example.com", ["example.com"], False),
    ],
)
def test_host_allowed(url: str, allowed: list[str], expected: bool) -> None:
    assert host_allowed(url, allowed) is expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "https://Example.com/a/story?utm_source=x#f",
            [
                "https://Example.com/a/story?utm_source=x#f",
                "https://Example.com/a/story/?utm_source=x#f",
                "https://example.com/a/story",
                "https://example.com/a/story/",
            ],
        ),
        (
            "https://example.com/a/story/",
            ["https://example.com/a/story/", "https://example.com/a/story"],
        ),
        ("https://example.com", ["https://example.com", "https://example.com/"]),
        (
            "example.com/a",
            [
                "example.com/a",
                "https://example.com/a",
                "https://example.com/a/",
                "http://example.com/a",
                "http://example.com/a/",
            ],
        ),
    ],
)
def test_url_variants(typed: str, expected: list[str]) -> None:
    assert url_variants(typed) == expected


def test_url_variants_find_the_stored_form() -> None:
    stored = normalise_url("https://www.example.com/World/story?id=4&utm_medium=rss")
    for typed in [
        "https://WWW.example.com/World/story?id=4&utm_medium=rss#top",
        "https://www.example.com/World/story/?id=4",
        "www.example.com/World/story?id=4",
    ]:
        assert stored in url_variants(typed), typed
