"""`mediawatch serve`: the pages, the JSON API (the CLI's --json shapes), pagination, the
security headers, and hostile archived text, on a real archive (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from cli.main import cli
from storage.archive import Archive, FetchedPage
from storage.diff import word_diff
from web.app import create_app
from web.render import link_target, side_by_side

with warnings.catch_warnings():
    # Starlette >= 1.10 asks for httpx2 in its test client; httpx still works the same.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
STORY = "https://gazette.example/2026/11/ferry-fares.html"
OTHER = "https://gazette.example/2026/11/library.html"
GONE = "https://gazette.example/2026/11/gone.html"
HOSTILE = "https://evil.example/2026/11/hostile.html"
TEXT_V1 = "Fares will rise by 12 per cent.\n\nThe council objected on Monday."
TEXT_V2 = "Fares will rise by 15 per cent.\n\nThe council objected on Monday."
TEXT_V3 = TEXT_V2 + "\n\nThe ferry company declined to comment."

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"


def extracted(title: str, text: str, **more: Any) -> dict[str, Any]:
    return {"title": title, "authors": ["Maren Olsen"], "language": "en", "text": text, **more}


def page(url: str, hours: float, source: str = "gazette", **kw: Any) -> FetchedPage:
    return FetchedPage(
        url=url, source=source, fetched_at=T0 + timedelta(hours=hours), http_status=200, **kw
    )


def fill(engine: Engine) -> None:
    """A story edited twice (3 versions), a one-version story, a gone one, and a hostile
    article whose title, text, canonical URL and raw HTML carry script."""
    store = Archive(engine)
    store.store(page(STORY, 0, extracted=extracted("Fares to rise", TEXT_V1), raw_html=b"<p>1"))
    store.store(page(STORY, 1, extracted=extracted("Fares to rise", TEXT_V2), raw_html=b"<p>2"))
    store.store(page(STORY, 2, extracted=extracted("Fares to rise again", TEXT_V3)))
    store.store(page(OTHER, 3, extracted=extracted("Library stays open", "Sunday opening.")))
    store.store(FetchedPage(url=GONE, source="gazette", fetched_at=T0, http_status=404))
    hostile = f"Breaking {SCRIPT} {IMG}"
    raw = f"<html><body><h1>x</h1>{SCRIPT}<p onclick=alert(1)>x</p></body></html>".encode()
    for hours, tail in ((4, "first"), (5, "second")):
        store.store(
            page(
                HOSTILE,
                hours,
                source="evil",
                extracted=extracted(
                    hostile, f"{hostile} {tail}.\n\nLink {JS_URL} here.", canonical_url=JS_URL
                ),
                raw_html=raw,
            )
        )


@pytest.fixture
def archive(engine: Engine) -> Engine:
    fill(engine)
    return engine


@pytest.fixture
def client(archive: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(archive)) as test_client:
        yield test_client


def cli_json(database_url: str, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--database", database_url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def text_of(html: str) -> str:
    """The visible text of an HTML fragment, roughly: tags out, whitespace squeezed."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


# --- pages ------------------------------------------------------------------------------


def test_recent_edits_newest_first_with_words_and_minor_hidden(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.text
    # Newest first: the hostile article's edit (hour 5), then the story's v3 (2), v2 (1).
    assert body.index("evil.example") < body.index("Fares to rise again")
    assert body.index("v2 → v3") < body.rindex("v1 → v2")
    assert '<span class="added">+7</span> <span class="removed">−0</span>' in body  # v3
    assert "Library stays open" not in body  # one version: not an edit


def test_article_timeline_and_version_page(client: TestClient) -> None:
    body = client.get("/article", params={"url": STORY}).text
    assert "<h1>Fares to rise again</h1>" in body
    assert body.index("Version 3") < body.index("Version 2") < body.index("Version 1")
    assert "/diff?url=" in body and "from=1&amp;to=2" in body
    version = client.get("/version", params={"url": STORY, "v": 1})
    assert version.status_code == 200
    assert "Fares will rise by 12 per cent." in version.text
    assert "<iframe" in version.text  # v1 kept its raw HTML
    assert "without its raw HTML" in client.get("/version", params={"url": STORY}).text


def test_diff_inline_and_side_by_side_mark_the_words(client: TestClient) -> None:
    inline = client.get("/diff", params={"url": STORY, "from": 1, "to": 2}).text
    assert "<del>12</del><ins>15</ins>" in inline
    side = client.get("/diff", params={"url": STORY, "from": 1, "to": 3, "view": "side"}).text
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", side, re.DOTALL)
    old, new = "".join(c[0] for c in cells), "".join(c[1] for c in cells)
    assert "<del>12</del>" in old and "<ins>" not in old
    assert "<ins>15</ins>" in new and "<del>" not in new
    assert "<ins>The ferry company declined to comment.</ins>" in side


def test_default_diff_is_the_last_two_versions(client: TestClient) -> None:
    body = client.get("/diff", params={"url": STORY}).text
    assert "declined to comment" in body and "<del>12</del>" not in body


def test_search_page_ranks_and_highlights(client: TestClient) -> None:
    body = client.get("/search", params={"q": "council"}).text
    assert "Fares to rise again" in body
    assert "<mark>council</mark>" in body


def test_sources_page_counts(client: TestClient) -> None:
    body = client.get("/sources").text
    row = text_of(body.split('href="/articles?source=gazette">', 1)[1].split("</tr>")[0])
    assert row.startswith("gazette 3 2 1 0 4 0")  # articles live gone error versions errors


def test_articles_page_filters(client: TestClient) -> None:
    body = client.get("/articles", params={"changed": "1"}).text
    assert "Fares to rise again" in body and "Library stays open" not in body


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/article", {"url": "https://nowhere.example/x"}, "no archived article has the URL"),
        ("/version", {"url": STORY, "v": 9}, "has no version 9; it has versions 1 to 3"),
        ("/diff", {"url": OTHER}, "has only version 1"),
        ("/raw", {"url": STORY, "v": 3}, "archived without its raw HTML"),
        ("/articles", {"source": "nosuch"}, "no source named"),
    ],
)
def test_not_found_pages_say_what_is_missing(
    client: TestClient, path: str, params: dict[str, Any], message: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 404
    assert message in response.text


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/api/versions", {"url": "https://nowhere.example/x"}, "no archived article has"),
        ("/api/show", {"url": STORY, "version": 9}, "has no version 9; it has versions 1 to 3"),
        ("/api/diff", {"url": OTHER}, "has only version 1"),
        ("/api/search", {"q": "fares", "source": "nosuch"}, "no source named 'nosuch'"),
    ],
)
def test_not_found_api_says_what_is_missing(
    client: TestClient, path: str, params: dict[str, Any], message: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 404
    assert message in response.json()["detail"]


def test_bad_search_is_a_400_with_the_reason(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": '"unbalanced'})
    assert response.status_code == 400
    assert "cannot search for" in response.json()["detail"]
    assert client.get("/search", params={"q": '"unbalanced'}).status_code == 400


# --- the JSON API is the CLI's JSON ------------------------------------------------------


def test_api_answers_exactly_what_the_cli_prints(client: TestClient, database_url: str) -> None:
    pairs = [
        (("articles", "--json"), ("/api/articles", {"limit": 1000})),
        (("articles", "--changed", "--json"), ("/api/articles", {"changed": "true"})),
        (("versions", STORY, "--json"), ("/api/versions", {"url": STORY})),
        (("show", STORY, "--json"), ("/api/show", {"url": STORY})),
        (("show", STORY, "--version", "1", "--json"), ("/api/show", {"url": STORY, "version": 1})),
        (("diff", STORY, "--format", "json"), ("/api/diff", {"url": STORY})),
        (
            ("diff", STORY, "--from", "1", "--to", "3", "--format", "json"),
            ("/api/diff", {"url": STORY, "from": 1, "to": 3}),
        ),
        (("search", "council", "--json"), ("/api/search", {"q": "council"})),
        (("search", "alert", "--json"), ("/api/search", {"q": "alert"})),
        (("status", "--json"), ("/api/status", {})),
        (("versions", HOSTILE, "--json"), ("/api/versions", {"url": HOSTILE})),
        (("show", HOSTILE, "--json"), ("/api/show", {"url": HOSTILE})),
    ]
    for command, (path, params) in pairs:
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"] == "application/json"
        assert response.json() == cli_json(database_url, *command), command


def test_api_edits_pages_with_a_cursor(client: TestClient) -> None:
    first = client.get("/api/edits", params={"limit": 2}).json()
    assert [(e["url"], e["version"]) for e in first["edits"]] == [(HOSTILE, 2), (STORY, 3)]
    second = client.get("/api/edits", params={"limit": 2, "after": first["next"]}).json()
    assert [(e["url"], e["version"]) for e in second["edits"]] == [(STORY, 2)]
    assert second["next"] is None
    assert client.get("/api/edits", params={"after": "yesterday"}).status_code == 400


def test_openapi_lists_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/articles",
        "/api/versions",
        "/api/show",
        "/api/diff",
        "/api/search",
        "/api/status",
        "/api/edits",
        "/api/watch/{name}",
    }
    assert "ArticleRow" in schema["components"]["schemas"]


# --- pagination -------------------------------------------------------------------------


@pytest.fixture
def many_edits(engine: Engine) -> Engine:
    """70 articles with two versions each (70 edits, 140 versions), a minute apart."""
    pages = []
    for i in range(70):
        url = f"https://gazette.example/2026/11/story-{i:03d}.html"
        for number in (0, 1):
            text = f"Story {i} says {'yes' if number else 'no'}, then more words."
            pages.append(page(url, i / 60 + number * 24, extracted=extracted(f"Story {i}", text)))
    Archive(engine).store_many(pages)
    return engine


def linked(body: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', body)
    return found[1].replace("&amp;", "&") if found else None


def headlines(body: str) -> list[str]:
    return re.findall(r">(Story \d+)</a>", body)


@pytest.mark.parametrize("path", ["/", "/articles"])
def test_pages_of_rows_do_not_overlap(many_edits: Engine, path: str) -> None:
    with TestClient(create_app(many_edits)) as client:
        first = client.get(path).text
        assert linked(first, "prev") is None
        following = linked(first, "next")
        assert following is not None
        second = client.get(following).text
        assert linked(second, "next") is None  # 70 rows: two pages of 50
        assert linked(second, "prev") is not None
    one, two = headlines(first), headlines(second)
    assert (len(one), len(two)) == (50, 20)
    assert set(one).isdisjoint(two)
    assert one[0] == "Story 69" and two[-1] == "Story 0"  # newest first, all of them


# --- hostile archived text --------------------------------------------------------------


def hostile_pages(client: TestClient) -> dict[str, str]:
    urls = {
        "edits": "/",
        "articles": "/articles",
        "sources": "/sources",
        "article": f"/article?url={HOSTILE}",
        "inline diff": f"/diff?url={HOSTILE}",
        "side diff": f"/diff?url={HOSTILE}&view=side",
        "search": "/search?q=alert",
        "version": f"/version?url={HOSTILE}",
        "not found": f"/article?url=https://x.example/{SCRIPT}",
    }
    return {name: client.get(url).text for name, url in urls.items()}


def test_archived_markup_appears_only_escaped(client: TestClient) -> None:
    for name, body in hostile_pages(client).items():
        lowered = body.lower()
        assert "<script" not in lowered and "<img" not in lowered, name
        assert "onerror=alert(1)>" not in lowered and "onclick" not in lowered, name
        assert 'href="javascript:' not in lowered and 'src="javascript:' not in lowered, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body or name in ("sources", "not found")


def test_api_json_carries_no_raw_markup(client: TestClient) -> None:
    for path, params in [
        ("/api/show", {"url": HOSTILE}),
        ("/api/articles", {}),
        ("/api/diff", {"url": HOSTILE}),
        ("/api/search", {"q": "alert"}),
        ("/api/edits", {}),
    ]:
        response = client.get(path, params=params)
        assert "<" not in response.text and ">" not in response.text, path
        assert response.headers["x-content-type-options"] == "nosniff"
    assert (
        client.get("/api/show", params={"url": HOSTILE})
        .json()["title"]
        .startswith(f"Breaking {SCRIPT}")
    )


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in [
        "/",
        "/sources",
        f"/article?url={STORY}",
        "/api/status",
        "/openapi.json",
        "/static/style.css",
        "/article?url=nosuch",
        "/nosuch",
    ]:
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy, path
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_raw_html_is_sandboxed(client: TestClient) -> None:
    response = client.get("/raw", params={"url": HOSTILE, "v": 1})
    assert response.status_code == 200
    assert SCRIPT in response.text  # as archived: it is the CSP that makes it inert
    policy = [p.strip() for p in response.headers["content-security-policy"].split(";")]
    assert policy[0] == "sandbox"  # no allow-scripts, no allow-same-origin
    assert "default-src 'none'" in policy
    version = client.get("/version", params={"url": HOSTILE}).text
    [iframe] = re.findall(r"<iframe[^>]*>", version)
    assert 'sandbox=""' in iframe and "allow-" not in iframe


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("http://example.com/a", "http://example.com/a"),
        (JS_URL, None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//evil.example/x", None),
        (None, None),
    ],
)
def test_only_web_urls_become_links(url: str | None, expected: str | None) -> None:
    assert link_target(url) == expected


def test_side_by_side_keeps_rows_level() -> None:
    old = "One.\n\nTwo <b>.\n\nThree."
    new = "One.\n\nTwo changed.\n\nNew para.\n\nThree."
    rows = side_by_side(word_diff(old, new))
    assert [text_of(o) for o, _ in rows] == ["One.", "Two &lt;b&gt;.", "Three."]
    assert text_of(rows[1][1]) == "Two changed. New para."
    assert "<b>" not in "".join(o + n for o, n in rows)


# --- the command ------------------------------------------------------------------------


def test_serve_refuses_an_archive_that_is_not_initialised(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(cli, ["--database", url, "serve"])
    assert result.exit_code == 1
    assert "is not initialised; run `mediawatch init`" in result.output


@pytest.mark.sqlite_only("starts a process; the app's backend code is tested above")
def test_serve_answers_http_and_stops_on_sigterm(archive: Engine, database_url: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "--database", database_url, "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 120  # a loaded machine starts Python slowly
        address = None
        while address is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            assert line, "serve exited before listening"
            found = re.search(r"Listening on (http://127\.0\.0\.1:\d+/)", line)
            address = found[1] if found else None
        assert address is not None
        with urllib.request.urlopen(address + "api/status", timeout=10) as response:
            assert json.load(response)["versions"] == 6
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=120) == 0  # a loaded machine exits slowly too
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
