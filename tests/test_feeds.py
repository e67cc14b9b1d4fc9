"""Atom feeds of edits (all sources and per source) and of watches, and the watch pages,
over a real archive (SQLite and PostgreSQL); every feed parsed with feedparser."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from config import Watch
from storage.alerts import AlertRules, WatchRule
from storage.archive import Archive, store_page
from storage.models import Article, Version, WatchMatch
from tests.test_web import HOSTILE, OTHER, SCRIPT, STORY, T0, extracted, fill, page
from web.app import create_app
from web.feeds import EditSummary, SummaryCache, excerpt, rfc3339, tag_uri, xml_text

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

ATOM = "application/atom+xml; charset=utf-8"
TYPO = "https://gazette.example/2026/11/budget.html"
NASTY = "https://evil.example/2026/11/nasty.html"
# Long enough that one misspelt word fixed is a minor edit (storage.changes).
BUDGET = " ".join(
    f"Paragraph {i} of the budget story says the council spent money." for i in range(8)
)
NASTY_TITLE = "Tom & Jerry ]]> <script>alert(2)</script> \x01\x0bbell\x07"
NASTY_TEXT = "Start ]]> & <b>bold</b> \x02 ctrl.\n\nThe end."
WATCHES = [
    Watch(name="ferries", query="ferry"),
    Watch(name="quiet", query="nothing matches this", sources=["gazette"]),
]


def more_edits(engine: Engine) -> None:
    """After fill(): a typo fix (a minor edit, hour 6) and an edit of an article whose
    title and text carry ``]]>``, ``&``, markup and XML-illegal control characters (7)."""
    store = Archive(engine)
    store.store(
        page(TYPO, 5.5, extracted=extracted("Budget", BUDGET.replace("council", "counsil", 1)))
    )
    store.store(page(TYPO, 6, extracted=extracted("Budget", BUDGET)))
    store.store(page(NASTY, 6.5, source="evil", extracted=extracted(NASTY_TITLE, NASTY_TEXT)))
    edited = NASTY_TEXT.replace("The end.", "The <i>new</i> end ]]> & \x03 more.")
    store.store(page(NASTY, 7, source="evil", extracted=extracted(NASTY_TITLE, edited)))
    # The archive normalises control characters away as it stores text; an archive made
    # before that, or by hand, may hold them: put them back the way such an archive would.
    with Session(engine) as session, session.begin():
        for version in session.scalars(select(Version).join(Article).where(Article.url == NASTY)):
            version.title = NASTY_TITLE


def add_match(
    session: Session, watch: str, url: str, number: int, snippet: str, hours: float
) -> None:
    """A watch match as the crawl would record it, on a version the archive holds."""
    article = session.scalars(select(Article).where(Article.url == url)).one()
    version = session.scalars(
        select(Version).where(Version.article_id == article.id, Version.number == number)
    ).one()
    session.add(
        WatchMatch(
            watch=watch,
            article_id=article.id,
            version_id=version.id,
            kind="new" if number == 1 else "edit",
            snippet=snippet,
            matched_at=T0 + timedelta(hours=hours),
        )
    )


@pytest.fixture
def archive(engine: Engine) -> Engine:
    fill(engine)
    more_edits(engine)
    with Session(engine) as session, session.begin():
        add_match(session, "ferries", STORY, 1, "Fares will rise: the ferry costs more", 0)
        add_match(session, "ferries", STORY, 3, f"The ferry company {SCRIPT} &\x01 declined", 2)
        add_match(session, "gone-from-config", STORY, 2, "an old watch", 1)
    return engine


@pytest.fixture
def client(archive: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(archive, WATCHES)) as test_client:
        yield test_client


def feed(client: TestClient, path: str, **params: Any) -> Any:
    """The feed at ``path``, checked to be well-formed Atom served as Atom."""
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == ATOM
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def local(link: str) -> str:
    """An absolute link into the app as the path and query the test client asks for."""
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("http", "testserver"), link
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


# --- the edits feeds ---------------------------------------------------------------------


def test_edits_feed_lists_the_edits_newest_first(client: TestClient) -> None:
    parsed = feed(client, "/feeds/edits.atom")
    titles = [entry.title for entry in parsed.entries]
    # The page's edits: the typo fix (hour 6) is hidden, as on the page.
    assert titles == [
        xml_text(NASTY_TITLE),
        f"Breaking {SCRIPT} <img src=x onerror=alert(1)>",
        "Fares to rise again",
        "Fares to rise",
    ]
    updated = [entry.updated for entry in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    assert updated[0] == rfc3339((T0 + timedelta(hours=7)).isoformat()) == parsed.feed.updated
    assert parsed.feed.id == "tag:mediawatch,2026:edits"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {
        "self": "http://testserver/feeds/edits.atom",
        "alternate": "http://testserver/",
    }
    story = parsed.entries[2]
    assert story.author == "gazette"
    assert "+7 −0 words; changed: title, text" in story.summary
    assert "Added: again … The ferry company declined to comment." in story.summary
    assert "<ins>again … The ferry company declined to comment.</ins>" in story.content[0].value
    assert "<del>12</del>" in parsed.entries[3].content[0].value


def test_entry_links_open_the_diff_of_that_edit(client: TestClient) -> None:
    for entry in feed(client, "/feeds/edits.atom").entries:
        page_ = client.get(local(entry.link))
        assert page_.status_code == 200, entry.link
        assert urlsplit(entry.link).path == "/diff"
        number = int(entry.id.rsplit("?v=", 1)[1])
        assert f"v{number - 1}" in page_.text and f"v{number}" in page_.text


def test_entry_ids_are_stable_and_shared_by_the_source_feed(client: TestClient) -> None:
    first = [entry.id for entry in feed(client, "/feeds/edits.atom").entries]
    again = [entry.id for entry in feed(client, "/feeds/edits.atom").entries]
    assert first == again and len(set(first)) == len(first)
    assert first[2] == f"tag:mediawatch,2026:edit:{STORY}?v=3"
    gazette = [entry.id for entry in feed(client, "/feeds/sources/gazette.atom").entries]
    assert gazette == [i for i in first if "gazette.example" in i]


def test_source_feed_holds_only_that_source(client: TestClient) -> None:
    parsed = feed(client, "/feeds/sources/evil.atom")
    assert {entry.author for entry in parsed.entries} == {"evil"}
    assert [entry.link for entry in parsed.entries] == [
        f"http://testserver/diff?url={quoted(NASTY)}&to=2",
        f"http://testserver/diff?url={quoted(HOSTILE)}&to=2",
    ]
    assert parsed.feed.id == "tag:mediawatch,2026:edits:source:evil"
    assert parsed.feed.title == "mediawatch: recent edits of evil"
    alternate = next(link.href for link in parsed.feed.links if link.rel == "alternate")
    assert alternate == "http://testserver/?source=evil"


def quoted(url: str) -> str:
    return url.replace(":", "%3A").replace("/", "%2F")


def test_typo_fixes_only_when_asked_for(client: TestClient) -> None:
    assert TYPO not in client.get("/feeds/edits.atom").text
    with_trivial = feed(client, "/feeds/edits.atom", trivial="1")
    [typo] = [entry for entry in with_trivial.entries if quoted(TYPO) in entry.link]
    assert "(minor)" in typo.summary
    assert "<del>counsil</del>" in typo.content[0].value
    assert with_trivial.feed.id == "tag:mediawatch,2026:edits:trivial"
    assert len(with_trivial.entries) == len(feed(client, "/feeds/edits.atom").entries) + 1


def test_hostile_titles_and_text_stay_text(client: TestClient) -> None:
    raw = client.get("/feeds/edits.atom").content
    assert b"<script" not in raw and b"<b>" not in raw and b"<i>" not in raw
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", raw)
    assert b"]]>" not in raw  # escaped as ]]&gt;
    parsed = feed(client, "/feeds/edits.atom")
    nasty = parsed.entries[0]
    assert nasty.title == "Tom & Jerry ]]> <script>alert(2)</script> bell"
    content = nasty.content[0].value
    # The HTML content shows the archived markup as text: escaped once inside the HTML.
    assert "&lt;i&gt;new&lt;/i&gt;" in content and "<i>" not in content
    # The plain-text summary carries the words as archived (feedparser unescapes them).
    assert nasty.summary.endswith("Added: <i>new</i> … ]]> & more")


def test_empty_archive_gives_an_empty_valid_feed(engine: Engine) -> None:
    with TestClient(create_app(engine)) as client:
        parsed = feed(client, "/feeds/edits.atom")
    assert parsed.entries == []
    assert parsed.feed.updated == "1970-01-01T00:00:00Z"


def test_a_feed_holds_at_most_fifty_entries(engine: Engine) -> None:
    pages = []
    for i in range(60):
        url = f"https://gazette.example/2026/11/story-{i:03d}.html"
        for number in (0, 1):
            text = f"Story {i} says {'yes' if number else 'no'}, then more words."
            pages.append(page(url, i / 60 + number * 24, extracted=extracted(f"Story {i}", text)))
    Archive(engine).store_many(pages)
    with TestClient(create_app(engine)) as client:
        entries = feed(client, "/feeds/edits.atom").entries
    assert len(entries) == 50
    assert entries[0].title == "Story 59" and entries[-1].title == "Story 10"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/feeds/sources/nosuch.atom", "no source named &#39;nosuch&#39; in the archive"),
        ("/feeds/watch/nosuch.atom", "no watch named &#39;nosuch&#39; in the config"),
        ("/watch/nosuch", "(configured watches: ferries, quiet)"),
        ("/watch/gone-from-config", "no watch named &#39;gone-from-config&#39;"),
    ],
)
def test_unknown_source_or_watch_is_a_404_saying_so(
    client: TestClient, path: str, message: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert message in response.text


# --- watches -----------------------------------------------------------------------------


def test_watch_feed_lists_its_matches_with_snippets(client: TestClient) -> None:
    parsed = feed(client, "/feeds/watch/ferries.atom")
    assert [entry.title for entry in parsed.entries] == ["Fares to rise again", "Fares to rise"]
    edit, new = parsed.entries
    assert edit.summary == f"Edited (v2 → v3): The ferry company {SCRIPT} & declined"
    assert new.summary == "New article: Fares will rise: the ferry costs more"
    assert urlsplit(edit.link).path == "/diff" and urlsplit(new.link).path == "/version"
    for entry in parsed.entries:
        assert client.get(local(entry.link)).status_code == 200
    assert b"<script" not in client.get("/feeds/watch/ferries.atom").content
    assert parsed.feed.id == "tag:mediawatch,2026:watch:ferries"
    assert edit.id == f"tag:mediawatch,2026:watch:ferries:{STORY}?v=3"


def test_watch_page_shows_matches_and_a_configured_watch_without_any(client: TestClient) -> None:
    body = client.get("/watch/ferries").text
    assert body.index("Fares to rise again") < body.index("Fares will rise: the ferry costs more")
    assert "The ferry company &lt;script&gt;alert(1)&lt;/script&gt; &amp;\x01 declined" in body
    assert "<script" not in body
    assert f'href="/diff?url={quoted(STORY)}&amp;to=3"' in body
    assert "an old watch" not in body  # another watch's match
    quiet = client.get("/watch/quiet")
    assert quiet.status_code == 200 and "No matches yet." in quiet.text
    assert feed(client, "/feeds/watch/quiet.atom").entries == []


def test_watches_page_lists_the_config_watches(client: TestClient) -> None:
    body = client.get("/watches").text
    rows = re.findall(r"<tr>\s*<td><a href=\"(/watch/[^\"]+)\">", body)
    assert rows == ["/watch/ferries", "/watch/quiet"]
    assert 'href="/feeds/watch/ferries.atom"' in body
    assert re.search(r"<td class=\"num\">2</td>", body)


def test_api_watch_answers_the_matches(client: TestClient) -> None:
    document = client.get("/api/watch/ferries").json()
    assert document["watch"] == "ferries" and document["query"] == "ferry"
    assert [(m["url"], m["version"], m["kind"]) for m in document["matches"]] == [
        (STORY, 3, "edit"),
        (STORY, 1, "new"),
    ]
    missing = client.get("/api/watch/nosuch")
    assert missing.status_code == 404 and "no watch named 'nosuch'" in missing.json()["detail"]


# --- feed discovery ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "feed_path"),
    [
        ("/", "/feeds/edits.atom"),
        ("/?trivial=1", "/feeds/edits.atom?trivial=1"),
        ("/?source=gazette", "/feeds/sources/gazette.atom"),
        ("/articles?source=evil", "/feeds/sources/evil.atom"),
        ("/watch/ferries", "/feeds/watch/ferries.atom"),
    ],
)
def test_pages_announce_their_feed(client: TestClient, path: str, feed_path: str) -> None:
    body = client.get(path).text
    head = body.split("</head>", 1)[0]
    escaped = feed_path.replace("&", "&amp;")
    assert f'<link rel="alternate" type="application/atom+xml" href="{escaped}"' in head
    assert f'<a class="feed" href="{escaped}"' in body  # and a link a reader can see
    feed(client, feed_path)


# --- the pure helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("a\x00b\x08c\x0bd\x1fe", "abcde"),
        ("tab\tline\nreturn\r", "tab\tline\nreturn\r"),
        ("]]> & <x>", "]]> & <x>"),
        ("\ufffe\uffffok\ud800", "ok"),
        ("é ✓ 😀", "é ✓ 😀"),
    ],
)
def test_xml_text_drops_only_what_xml_forbids(text: str, expected: str) -> None:
    assert xml_text(text) == expected


def test_excerpt_squeezes_joins_and_cuts() -> None:
    from storage.diff import word_diff

    ops = word_diff("one two three four", "one 2 three\n\n  four five")
    assert excerpt(ops, "insert") == "2 … five"
    assert excerpt(ops, "delete") == "two"
    assert excerpt(word_diff("a", "a " + "word " * 100), "insert", limit=20) == (
        "word word word word …"
    )


def test_tag_uris_encode_what_they_must() -> None:
    assert tag_uri("edit", "https://x.example/a b#c?v=2") == (
        "tag:mediawatch,2026:edit:https://x.example/a%20b%23c?v=2"
    )
    assert tag_uri("watch", "ferries") == "tag:mediawatch,2026:watch:ferries"


def test_store_page_versions_can_be_matched(engine: Engine) -> None:
    """The matches the crawl writes through store_page show on the watch page as well."""
    with Session(engine) as session, session.begin():
        store_page(session, page(OTHER, 0, extracted=extracted("Ferry timetable", "A ferry.")))
    with Session(engine) as session, session.begin():
        add_match(session, "ferries", OTHER, 1, "A ferry.", 0)
    with TestClient(create_app(engine, WATCHES)) as client:
        assert "A ferry." in client.get("/watch/ferries").text
        [entry] = feed(client, "/feeds/watch/ferries.atom").entries
    assert entry.title == "Ferry timetable"


@pytest.mark.sqlite_only("starts a process; the app's backend code is tested above")
def test_serve_gives_the_config_watches_their_feeds(
    archive: Engine, database_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(
        f"database_url: '{database_url}'\n"
        "sources:\n"
        "  - name: gazette\n"
        "    feeds: ['https://gazette.example/rss.xml']\n"
        "watch:\n"
        "  - {name: ferries, query: ferry}\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "--config", str(config), "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        address = None
        while address is None:
            line = process.stderr.readline()
            assert line, "serve exited before listening"
            found = re.search(r"Listening on (http://127\.0\.0\.1:\d+/)", line)
            address = found[1] if found else None
        with urllib.request.urlopen(address + "feeds/watch/ferries.atom", timeout=30) as answer:
            parsed = feedparser.parse(answer.read())
        assert parsed.bozo == 0
        assert [entry.title for entry in parsed.entries] == ["Fares to rise again", "Fares to rise"]
        assert parsed.entries[0].link.startswith(address + "diff?")
    finally:
        process.terminate()
        process.wait(timeout=120)
        if process.stderr is not None:
            process.stderr.close()


def test_matches_the_crawl_records_reach_the_watch_feed(engine: Engine) -> None:
    """End to end with the archive's own matcher (storage.alerts), as a crawl stores pages."""
    rules = AlertRules(watches=(WatchRule("ferries", "ferry"),))
    store = Archive(engine, alerts=rules)
    store.store(page(STORY, 0, extracted=extracted("Fares to rise", "The ferry fares rise.")))
    store.store(page(OTHER, 1, extracted=extracted("Library", "Books on Sunday.")))
    store.store(page(OTHER, 2, extracted=extracted("Library", "Books and a ferry on Sunday.")))
    with TestClient(create_app(engine, WATCHES)) as client:
        entries = feed(client, "/feeds/watch/ferries.atom").entries
        assert [(e.title, e.summary.split(":")[0]) for e in entries] == [
            ("Library", "Edited (v1 → v2)"),
            ("Fares to rise", "New article"),
        ]
        assert "ferry" in entries[0].summary
        assert "Books and a ferry on Sunday." in client.get("/watch/ferries").text


def test_a_reader_that_has_the_feed_gets_a_304(client: TestClient, archive: Engine) -> None:
    first = client.get("/feeds/edits.atom")
    etag = first.headers["etag"]
    again = client.get("/feeds/edits.atom", headers={"if-none-match": f'"x", W/{etag}'})
    assert again.status_code == 304 and again.content == b""
    Archive(archive).store(page(OTHER, 9, extracted=extracted("Library shuts", "Closed.")))
    changed = client.get("/feeds/edits.atom", headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert feedparser.parse(changed.content).entries[0].title == "Library shuts"


def test_summary_cache_forgets_the_least_recently_used() -> None:
    cache = SummaryCache(size=2)
    one, two, three = (EditSummary(str(n), "", "") for n in (1, 2, 3))
    cache.put(("a", 2, "t"), one)
    cache.put(("b", 2, "t"), two)
    assert cache.get(("a", 2, "t")) is one  # now the most recently used
    cache.put(("c", 2, "t"), three)
    assert cache.get(("b", 2, "t")) is None
    assert cache.get(("a", 2, "t")) is one and cache.get(("c", 2, "t")) is three


def test_watch_page_pages_through_its_matches(engine: Engine) -> None:
    urls = [f"https://gazette.example/2026/11/ferry-{i:03d}.html" for i in range(55)]
    Archive(engine).store_many(
        page(url, i / 60, extracted=extracted(f"Ferry {i}", f"Ferry number {i}."))
        for i, url in enumerate(urls)
    )
    with Session(engine) as session, session.begin():
        for i, url in enumerate(urls):
            add_match(session, "ferries", url, 1, f"Ferry number {i}.", i / 60)
    with TestClient(create_app(engine, WATCHES)) as client:
        first = client.get("/watch/ferries").text
        following = re.search(r'<a rel="next" href="([^"]+)"', first)
        assert following is not None and 'rel="prev"' not in first
        second = client.get(following[1].replace("&amp;", "&")).text
        assert 'rel="next"' not in second and 'rel="prev"' in second
    one, two = (re.findall(r">(Ferry \d+)</a>", body) for body in (first, second))
    assert (len(one), len(two)) == (50, 5)
    assert one[0] == "Ferry 54" and two[-1] == "Ferry 0" and set(one).isdisjoint(two)
