"""Shared pieces of the benchmarks: the corpus served on loopback, an archive, figures."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crawler.newssite import NewsSite, Resource, SitemapEntry, sitemap_urlset  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.schema import upgrade  # noqa: E402
from tests.corpus import CorpusPage, corpus_available, corpus_pages  # noqa: E402


def require_corpus_or_exit() -> list[CorpusPage]:
    if not corpus_available():
        print(
            "The news corpus is not there (../shared/corpus, or set MEDIAWATCH_CORPUS); "
            "nothing to measure.",
            file=sys.stderr,
        )
        raise SystemExit(0)
    return corpus_pages()


def page_path(index: int, copy: int = 0) -> str:
    return f"/{copy}/2026/11/article-{index:04d}.html"


def serve_pages(bodies: Sequence[bytes], copies: int = 1) -> NewsSite:
    """Each page at its own article URL (`copies` times under different URLs), all listed
    in /sitemap.xml."""
    site = NewsSite().start()
    entries = []
    for copy in range(copies):
        for index, body in enumerate(bodies):
            path = page_path(index, copy)
            site.set(path, Resource(body, "text/html"))
            entries.append(SitemapEntry(site.url(path)))
    sitemap = sitemap_urlset(entries)
    site.set("/sitemap.xml", Resource(sitemap.encode(), "application/xml"))
    site.set("/robots.txt", Resource(b"User-agent: *\nAllow: /\n", "text/plain"))
    return site


def make_archive(folder: Path, site: NewsSite, name: str = "corpus") -> Path:
    """A config for one source reading the site's sitemap, and an initialised archive."""
    folder.mkdir(parents=True, exist_ok=True)
    database = f"sqlite:///{folder / 'archive.db'}"
    config = folder / "sources.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "database_url": database,
                "user_agent": "mediawatch-benchmark",
                "sources": [{"name": name, "sitemaps": [site.url("/sitemap.xml")]}],
            }
        )
    )
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    return config


def timed_crawl(config: Path, *args: str) -> tuple[float, dict[str, Any]]:
    """Wall time of a real `mediawatch crawl` process, and its summary."""
    command = [sys.executable, "-m", "cli", "--config", str(config), "crawl", "--json", *args]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"crawl failed: {done.stderr[-2000:]}")
    return elapsed, json.loads(done.stdout)


def figure(name: str, value: float, target: str, unit: str, detail: str) -> dict[str, Any]:
    row = {"name": name, "value": round(value, 4), "target": target, "unit": unit, "detail": detail}
    print(json.dumps(row), flush=True)
    return row
