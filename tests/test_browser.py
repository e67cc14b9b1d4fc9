"""The web UI in a real browser: headless Chromium (Debian's `chromium`) driven by
Playwright against a real `mediawatch serve` process on a real archive.

A reader follows a story from recent edits to its diff and sees the highlighted words;
an article whose title, text and raw HTML carry script is shown on every page, and no
script of it runs: no dialog, no console message, no blocked-script report (which is
what the Content-Security-Policy would log if escaping broke), no element made from it,
and its markup visible as text.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Locator, Page, sync_playwright

from storage.archive import Archive, FetchedPage
from storage.db import make_engine
from storage.schema import upgrade
from tests.backends import FreshArchives

# The flags the project runs Chromium with: headless, and nothing fetched from outside.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

T0 = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
STORY = "https://gazette.example/2026/11/harbour-ferry-fares-rise.html"
STORY_V1 = (
    "Passengers on the Harbour ferry will pay more from January.\n\n"
    "Skerry Link said the increase would raise about £1.2 million a year for engine work."
)
HEADLINE_V1 = "Harbour ferry fares to rise by 12 per cent"
HEADLINE_V2 = HEADLINE_V1 + ", operator says"
STORY_V2 = (
    STORY_V1.replace("£1.2 million", "£1.6 million")
    + "\n\nCorrection: an earlier version gave the wrong figure."
)

HOSTILE = "https://evil.example/2026/11/breaking.html"
SCRIPT = "<script>alert(1);console.log('payload ran')</script>"
IMG = "<img src=x onerror=alert(2)>"
LINK = '<a href="javascript:alert(3)">read more</a>'
JS_URL = "javascript:alert(4)"
HOSTILE_TITLE = f"Breaking {SCRIPT} {IMG}"
RAW_TITLE = "As fetched"
RAW_HTML = (
    f"<!doctype html><html><head><title>{RAW_TITLE}</title></head><body><h1>Raw page</h1>"
    "<script>document.title = 'pwned'; console.log('raw payload ran'); alert(5)</script>"
    "<img src=x onerror=\"document.title = 'pwned'; alert(6)\">"
    "<a id=js href=\"javascript:document.title = 'pwned'; alert(7)\">a javascript: link</a>"
    "</body></html>"
)

# What Chromium logs for the raw HTML: the browser refusing its script (the sandbox has no
# allow-scripts), and its image and javascript: link (the policy allows neither).
REFUSALS = (
    re.compile(r"^Blocked script execution in '.*' because the document's frame is sandboxed"),
    re.compile(
        r"^(Loading the image '[^']*'|Running the JavaScript URL) violates the following "
        r"Content Security Policy directive.* The action has been blocked\.$",
        re.DOTALL,
    ),
)


def extracted(title: str, text: str, **more: Any) -> dict[str, Any]:
    return {"title": title, "authors": ["Maren Olsen"], "language": "en", "text": text, **more}


def fill(url: str) -> None:
    """The ferry story, edited once (a corrected figure, an added correction), and a
    hostile article edited once, its raw HTML kept."""
    engine = make_engine(url)
    upgrade(engine)
    store = Archive(engine)
    for hours, text, headline in ((0, STORY_V1, HEADLINE_V1), (30, STORY_V2, HEADLINE_V2)):
        store.store(
            FetchedPage(
                url=STORY,
                source="gazette",
                fetched_at=T0 + timedelta(hours=hours),
                http_status=200,
                extracted=extracted(headline, text),
            )
        )
    for hours, tail in ((31, "first"), (32, "second")):
        text = f"{HOSTILE_TITLE} {tail}.\n\nLink {LINK} and {JS_URL} here."
        store.store(
            FetchedPage(
                url=HOSTILE,
                source="evil",
                fetched_at=T0 + timedelta(hours=hours),
                http_status=200,
                extracted=extracted(HOSTILE_TITLE, text, canonical_url=JS_URL),
                raw_html=RAW_HTML.encode(),
            )
        )
    engine.dispose()


def serve(database_url: str, log: Path) -> Iterator[str]:
    """Run `mediawatch serve --port 0` on the archive; yield its address; stop it with
    SIGTERM. Its output goes to ``log``, read for the "Listening on" line."""
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "--database", database_url, "serve", "--port", "0"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120  # a loaded machine starts Python slowly
        found = None
        while found is None:
            found = re.search(r"Listening on (http://127\.0\.0\.1:\d+/)", log.read_text())
            if found is None:
                assert process.poll() is None, f"serve exited: {log.read_text()}"
                assert time.monotonic() < deadline, f"serve did not listen: {log.read_text()}"
                time.sleep(0.05)
        yield found[1]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(
    module_archives: FreshArchives, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The address of `mediawatch serve` over the filled archive (once per backend)."""
    folder = tmp_path_factory.mktemp("browser")
    url = module_archives.new(folder)
    fill(url)
    yield from serve(url, folder / "serve.log")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module: Debian's, never a downloaded one."""
    chromium = shutil.which("chromium")
    if chromium is None:
        message = "no chromium on PATH (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: the browser tests must run)")
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class Watched:
    """A browser tab and everything script-like that happened in it."""

    page: Page
    base: str
    console: list[tuple[str, str]] = field(default_factory=list)  # (message, from which URL)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        response = self.page.goto(self.base + path.lstrip("/"))
        assert response is not None and response.status == 200, path

    def violations(self) -> list[str]:
        """The Content-Security-Policy violations the page reported (see WATCH)."""
        return list(self.page.evaluate("window.__violations"))


# Runs before any script of the page (and is exempt from its CSP): records each blocked
# script, handler, javascript: URL or load, as the browser reports it.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture
def tab(browser: Browser, server: str) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.add_init_script(WATCH)
    watched = Watched(context.new_page(), server)

    def on_dialog(dialog: Dialog) -> None:
        watched.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        watched.console.append((message.text, message.location.get("url", "")))

    watched.page.on("dialog", on_dialog)
    watched.page.on("console", on_console)
    watched.page.on("pageerror", lambda error: watched.errors.append(str(error)))
    yield watched
    context.close()


def texts(page: Page, selector: str) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(selector).all_inner_texts()]


# --- a reader follows a story to its diff -----------------------------------------------


def test_recent_edits_to_the_highlighted_diff(tab: Watched) -> None:
    page = tab.page
    tab.open("/")
    page.get_by_role("link", name=HEADLINE_V2).click()
    page.wait_for_url(re.compile(r"/article\?"))
    assert page.locator("h1").inner_text() == HEADLINE_V2
    page.get_by_role("link", name="what changed").click()
    page.wait_for_url(re.compile(r"/diff\?"))

    assert texts(page, "article.diff del") == ["1.2"]
    assert texts(page, "article.diff ins") == [
        ", operator says",  # the headline's edit is in the diff too
        "1.6",
        "Correction: an earlier version gave the wrong figure.",
    ]
    # Highlighted: the marked words are painted unlike the text around them.
    paper = page.evaluate("getComputedStyle(document.body).backgroundColor")
    for selector in ("article.diff ins", "article.diff del"):
        marked = page.locator(selector).first
        assert marked.is_visible()
        assert marked.evaluate("e => getComputedStyle(e).backgroundColor") != paper
    struck = page.locator("article.diff del").first
    assert struck.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"

    page.get_by_role("link", name="Side by side").click()
    page.wait_for_url(re.compile(r"view=side"))
    old, new = "table.diff.side td:nth-child(1)", "table.diff.side td:nth-child(2)"
    assert texts(page, f"{old} del") == ["1.2"] and texts(page, f"{old} ins") == []
    assert texts(page, f"{new} ins")[1] == "1.6" and texts(page, f"{new} del") == []
    row = page.locator("table.diff.side tr", has_text="£1.6 million")
    assert "£1.2 million" in row.locator("td").first.inner_text()  # the sides stay level
    assert (tab.console, tab.dialogs, tab.errors, tab.violations()) == ([], [], [], [])


# --- archived script never runs ---------------------------------------------------------

HOSTILE_PAGES = {
    "recent edits": "/",
    "articles": "/articles",
    "article": f"/article?url={quote(HOSTILE)}",
    "inline diff": f"/diff?url={quote(HOSTILE)}",
    "side-by-side diff": f"/diff?url={quote(HOSTILE)}&view=side",
    "search": "/search?q=alert",
    "version": f"/version?url={quote(HOSTILE)}&v=2",
    "not found": f"/article?url={quote('https://x.example/' + SCRIPT)}",
}

# Every element the archived markup would have made, had it been parsed as markup.
MADE_FROM_ARCHIVE = """() => [...document.querySelectorAll('*')].flatMap(e => {
  const found = [];
  if (['SCRIPT', 'IMG'].includes(e.tagName)) found.push(e.outerHTML);
  for (const a of e.attributes) {
    if (a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value)) found.push(e.outerHTML);
  }
  return found;
})"""


@pytest.mark.parametrize("name", HOSTILE_PAGES)
def test_archived_script_shows_as_text_and_never_runs(tab: Watched, name: str) -> None:
    page = tab.page
    response = page.goto(tab.base + HOSTILE_PAGES[name].lstrip("/"))
    assert response is not None and response.status == (404 if name == "not found" else 200)
    shown = page.locator("main").inner_text()
    assert SCRIPT in shown  # the markup is on the page, as text
    if name != "not found":
        assert IMG in shown
    if name in ("version", "inline diff", "side-by-side diff"):  # these show the text
        assert LINK in shown
    for url in page.get_by_text(JS_URL, exact=True).all():  # the canonical URL, as text
        url.click()
    assert page.evaluate(MADE_FROM_ARCHIVE) == []
    if name in ("article", "inline diff", "side-by-side diff", "version"):
        assert SCRIPT in page.title()  # the <title> holds it as text too
    # The version page frames the raw HTML, whose refused script is tested below.
    console = [(text, source) for text, source in tab.console if "/raw?" not in source]
    if name == "not found":  # the browser logs the page's own status, and only that
        status = "Failed to load resource: the server responded with a status of 404 (Not Found)"
        console.remove((status, page.url))
    assert (console, tab.dialogs, tab.errors, tab.violations()) == ([], [], [], [])


def test_raw_html_runs_no_script_framed_or_opened(tab: Watched) -> None:
    page = tab.page
    tab.open(f"/version?url={quote(HOSTILE)}&v=2")
    title = page.title()
    frame_element = page.locator("iframe.raw")
    frame_element.scroll_into_view_if_needed()  # the frame loads lazily
    framed = frame_element.content_frame
    framed.get_by_role("heading", name="Raw page").wait_for()  # the raw page did load
    click_refused(page, framed.locator("#js"))
    assert page.title() == title
    assert framed.locator("title").text_content() == RAW_TITLE  # nothing renamed it
    assert tab.dialogs == [] and tab.errors == [] and tab.violations() == []
    assert_only_refusals(tab.console)

    tab.console.clear()
    page.get_by_role("link", name="Open it on its own").click()
    page.wait_for_url(re.compile(r"/raw\?"))
    page.get_by_role("heading", name="Raw page").wait_for()
    click_refused(page, page.locator("#js"))
    assert page.title() == RAW_TITLE
    assert tab.dialogs == [] and tab.errors == []
    assert_only_refusals(tab.console)


def click_refused(page: Page, link: Locator) -> None:
    """Click the raw page's javascript: link and wait until the browser has refused it
    (a link that ran would never be refused: the wait would fail)."""
    with page.expect_console_message(lambda message: bool(REFUSALS[0].match(message.text))):
        link.click()


def assert_only_refusals(console: list[tuple[str, str]]) -> None:
    """The browser said no to the raw page's script, and nothing else was logged."""
    texts = [text for text, _ in console]
    assert any(REFUSALS[0].match(text) for text in texts), texts
    assert all(any(r.match(text) for r in REFUSALS) for text in texts), texts
