"""Shared pieces of the benchmarks: the corpus served on loopback, an archive, figures."""

from __future__ import annotations

import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, make_url, text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crawler.newssite import NewsSite, Resource, SitemapEntry, sitemap_urlset  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.schema import upgrade  # noqa: E402
from tests.churn import EDIT_KINDS, EditNotApplicable, apply_edit, inject_churn  # noqa: E402
from tests.corpus import CorpusPage, corpus_available, corpus_pages  # noqa: E402

# Page load `number` of page `index` gets churn seed LOAD_SEED * number + index: every
# page and every load has boilerplate of its own.
LOAD_SEED = 100_000


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


def page_load(html: str, page: CorpusPage, index: int, number: int) -> bytes:
    """Page `index` as served on its `number`-th load: same article, fresh boilerplate."""
    return inject_churn(html, LOAD_SEED * number + index, reference=page.text).encode()


def serve_page(site: NewsSite, index: int, body: bytes) -> None:
    """Serve ``body`` at page `index`'s URL from now on (see :func:`page_path`)."""
    site.set(page_path(index), Resource(body, "text/html"))


def edit_page(html: str, kept: str, *, first_kind: int, seed: int) -> tuple[str, str]:
    """The page after one real edit (tests/churn.py), trying the edit kinds in turn from
    ``first_kind``: a kind the page has no place for is skipped for the next one. Returns
    (kind, edited html); EditNotApplicable when no kind applies."""
    for step in range(len(EDIT_KINDS)):
        kind = EDIT_KINDS[(first_kind + step) % len(EDIT_KINDS)]
        try:
            return kind, apply_edit(html, kind, random.Random(seed), kept)
        except EditNotApplicable:
            continue
    raise EditNotApplicable(f"no edit applies (first kind {first_kind})")


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


# -- PostgreSQL -----------------------------------------------------------------------------

# The server the PostgreSQL benchmarks make their databases on (each its own, dropped after).
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_server_url() -> str:
    return os.environ.get("MEDIAWATCH_BENCH_POSTGRES_URL") or POSTGRES_SERVER


def postgres_unreachable() -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it can."""
    server = postgres_server_url()
    try:
        engine = create_engine(server, connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as error:  # any failure to connect means: nothing to measure there
        shown = make_url(server).render_as_string(hide_password=True)
        first_line = (str(error).splitlines() or [""])[0]  # one line: it goes in a table
        return f"PostgreSQL at {shown} is not reachable ({type(error).__name__}: {first_line})"
    return None


@contextmanager
def fresh_postgres_database(purpose: str) -> Iterator[str]:
    """The URL of a new, empty database on the benchmark server, dropped afterwards
    (whatever happened, connections still open to it included)."""
    server = make_url(postgres_server_url())
    name = f"mediawatch_bench_{purpose}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def skipped(name: str, reason: str) -> dict[str, Any]:
    """The row of a figure that could not be measured here (run.py writes "skipped")."""
    row = {
        "name": name,
        "value": None,
        "target": "",
        "unit": "",
        "detail": f"skipped: {reason}",
        "skipped": True,
    }
    print(json.dumps(row), flush=True)
    print(f"# {name} skipped: {reason}", file=sys.stderr, flush=True)
    return row


def source_config(folder: Path, site: NewsSite, database_url: str, name: str = "corpus") -> Path:
    """A config for one source reading the site's sitemap into ``database_url`` (any
    backend); unlike :func:`make_archive` it leaves the archive alone."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "sources.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "database_url": database_url,
                "user_agent": "mediawatch-benchmark",
                "sources": [{"name": name, "sitemaps": [site.url("/sitemap.xml")]}],
            }
        )
    )
    return config


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM (``timeout``, a killed CI job) into SystemExit, so that ``finally``
    blocks still run: the PostgreSQL databases a benchmark made are dropped."""
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
