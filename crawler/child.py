"""Running a crawl pass in a child process.

Scrapy's Twisted reactor runs once per process, so anything that crawls more than once
(`mediawatch demo`, the scheduler, the tests) starts `mediawatch crawl --json` as a
child and reads its summary.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class CrawlFailed(RuntimeError):
    """The child crawl exited non-zero, or printed no summary."""


def crawl_command(
    config_path: Path | str,
    *,
    database_url: str | None = None,
    sources: Sequence[str] = (),
    recheck: str = "due",
    discover: bool = True,
    log_level: str = "WARNING",
) -> list[str]:
    command = [sys.executable, "-m", "cli", "--config", str(config_path)]
    if database_url:
        command += ["--database", database_url]
    command += ["crawl", "--json", "--recheck", recheck, "--log-level", log_level]
    for name in sources:
        command += ["--source", name]
    if not discover:
        command.append("--no-discover")
    return command


def crawl_in_child(
    config_path: Path | str,
    *,
    database_url: str | None = None,
    sources: Sequence[str] = (),
    recheck: str = "due",
    discover: bool = True,
    timeout: float = 600,
    log_level: str = "WARNING",
) -> dict[str, Any]:
    """Run one crawl pass in a child process and return its summary."""
    command = crawl_command(
        config_path,
        database_url=database_url,
        sources=sources,
        recheck=recheck,
        discover=discover,
        log_level=log_level,
    )
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise CrawlFailed(f"the crawl took longer than {timeout:.0f} s and was stopped") from exc
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise CrawlFailed(f"the crawl failed (exit {done.returncode}): {tail}")
    try:
        summary: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise CrawlFailed(f"the crawl printed no summary: {done.stdout[:200]!r}") from exc
    summary["stderr"] = done.stderr
    return summary
