"""Regenerate docs/diff.png, the README's picture of the diff page.

Runs `mediawatch demo` (offline: the built-in demo paper on 127.0.0.1, crawled, edited,
crawled again) into a temporary folder, serves that archive with `mediawatch serve`, and
has headless Chromium follow the edited story from recent edits to its diff, as a reader
would, then photographs the page 1200 pixels wide. Needs Debian's Chromium
(`apt-get install chromium`) and Playwright (`pip install -e ".[test]"`):

    python docs/screenshot.py [OUTPUT.png]
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from playwright.sync_api import sync_playwright

HERE = Path(__file__).parent
# The flags the tests run Chromium with (tests/test_browser.py): nothing fetched from outside.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def mediawatch(*args: str, output: IO[str]) -> subprocess.Popen[bytes]:
    """A `mediawatch` command of this checkout, its output written to ``output``."""
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args], cwd=HERE.parent, stdout=output, stderr=output
    )


def main(output: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("no chromium on PATH: apt-get install chromium")
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "log.txt"
        with log.open("w") as out:
            demo = mediawatch("demo", "--folder", f"{folder}/demo", "--port", "0", output=out)
            if demo.wait() != 0:
                sys.exit(f"mediawatch demo failed:\n{log.read_text()}")
        with log.open("w") as out:
            database = f"sqlite:///{folder}/demo/archive.db"
            server = mediawatch("--database", database, "serve", "--port", "0", output=out)
        try:
            address = listening(server, log)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
                page = browser.new_page(viewport={"width": 1200, "height": 800})
                page.goto(address)
                page.get_by_role("link", name="v1 → v2").first.click()
                page.wait_for_url(re.compile(r"/diff\?"))
                page.screenshot(path=output, full_page=True)
                browser.close()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    print(f"wrote {output}")


def listening(server: subprocess.Popen[bytes], log: Path) -> str:
    """The address `mediawatch serve` says it listens on."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        found = re.search(r"Listening on (http://\S+/)", log.read_text())
        if found:
            return found[1]
        time.sleep(0.1)
    sys.exit(f"mediawatch serve did not start:\n{log.read_text()}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "diff.png")
