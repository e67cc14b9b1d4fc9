"""The README is kept true: its demo transcript is what `mediawatch demo` prints, and it
documents every command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from cli.main import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def normalised(text: str) -> list[str]:
    """Lines with the run's own port and times masked and table padding folded."""
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    text = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "TIME", text)
    text = text.replace("data/demo", "FOLDER")
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]


def test_readme_shows_the_real_demo_output(tmp_path: Path) -> None:
    match = re.search(
        r"<!-- demo:start -->\n```text\n(.*?)```\n<!-- demo:end -->", README.read_text(), re.S
    )
    assert match, "README.md lost its demo transcript"
    done = subprocess.run(
        [sys.executable, "-m", "cli", "demo", "--port", "0", "--folder", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    printed = (done.stderr + done.stdout).replace(str(tmp_path / "demo"), "data/demo")
    transcript = match.group(1).removeprefix("$ mediawatch demo\n")
    # Sorted: stdout and stderr arrive separately here, interleaved in a terminal.
    assert sorted(normalised(transcript)) == sorted(normalised(printed))


def test_readme_documents_every_command() -> None:
    text = README.read_text()
    for name in cli.commands:
        assert f"mediawatch {name}" in text, name
