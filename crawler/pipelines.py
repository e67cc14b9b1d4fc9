"""The archive pipeline: extraction in a process pool, then batched writes to the archive."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import Any

from alerts.rules import alert_rules
from crawler.items import ArticleFetch
from storage.archive import Archive, FetchedPage
from storage.db import make_engine

logger = logging.getLogger(__name__)


def extract_in_worker(
    body: bytes, url: str | None, declared_encoding: str | None
) -> dict[str, Any]:
    """:func:`crawler.reading.read_page`, run in a pool worker. Imported there, not
    here: the crawl process itself never extracts, and trafilatura with the boilerplate
    patterns takes a quarter of a second to import (the forkserver preloads it once)."""
    from crawler.reading import read_page

    return read_page(body, url, declared_encoding)


def exit_with(crawl_pid: int) -> None:
    """Pool initializer: end this worker when the crawl process ends, however it ends.

    A worker's parent is the forkserver, and it waits on a queue whose pipe it holds both
    ends of: a crawl killed with SIGKILL would otherwise leave it, and the forkserver,
    running for ever."""
    import select
    import threading

    crawl = os.pidfd_open(crawl_pid)

    def watch() -> None:
        select.select([crawl], [], [])  # readable once the crawl process has exited
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


class ExtractionPool:
    """One process pool per crawl process, shared by its spiders: extraction is CPU-bound
    and would otherwise stall the downloads running on the same event loop."""

    _pool: ProcessPoolExecutor | None = None
    _users = 0

    @classmethod
    def acquire(cls) -> ProcessPoolExecutor:
        if cls._pool is None:
            # forkserver: workers start from a clean, single-threaded process with the
            # extractor already imported, not from a copy of the running reactor.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["crawler.reading"])
            cls._pool = ProcessPoolExecutor(
                max_workers=os.cpu_count() or 2,
                mp_context=context,
                initializer=exit_with,
                initargs=(os.getpid(),),
            )
        cls._users += 1
        return cls._pool

    @classmethod
    def release(cls) -> None:
        cls._users -= 1
        if cls._users <= 0 and cls._pool is not None:
            cls._pool.shutdown(wait=True, cancel_futures=True)
            cls._pool = None
            cls._users = 0

    @classmethod
    def replace_broken(cls, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        """A worker died (out of memory, a crash in a C parser): start a fresh pool.

        Every page in flight on the broken pool fails with it and asks for a new one; only
        the first replaces it, or each would shut down the pool the one before started."""
        if cls._pool is not broken and cls._pool is not None:
            return cls._pool
        users = cls._users
        if cls._pool is not None:
            # Its surviving workers are killed rather than left to the pool's own clean-up:
            # a worker the pool started just before it noticed the death is never told to
            # stop, and the pool's manager thread, and so this process's exit, would wait
            # for it for ever.
            for process in list((cls._pool._processes or {}).values()):
                process.kill()
            cls._pool.shutdown(wait=False, cancel_futures=True)
        cls._pool, cls._users = None, 0
        pool = cls.acquire()
        cls._users = users
        return pool


class ArchivePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.batch_size = crawler.settings.getint("MEDIAWATCH_BATCH_SIZE", 50)
        self.batch_seconds = crawler.settings.getfloat("MEDIAWATCH_BATCH_SECONDS", 2.0)
        self.pending: list[FetchedPage] = []
        self.last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchivePipeline:
        return cls(crawler)

    async def open_spider(self) -> None:
        spider = self.crawler.spider
        tiers = [(tier.younger_than, tier.every) for tier in spider.source.recheck]
        self.engine = make_engine(spider.database_url)
        self.archive = Archive(self.engine, {spider.source.name: tiers}, alert_rules(spider.config))
        self.pool = ExtractionPool.acquire()

    async def close_spider(self) -> None:
        self.flush()
        ExtractionPool.release()
        self.engine.dispose()

    async def process_item(self, item: ArticleFetch) -> ArticleFetch:
        extracted = signals = None
        if item.body is not None:
            read = await self._extract(item)
            if read is not None:
                extracted, signals = read["article"], read["signals"]
            if extracted is None and item.error is None:
                item.error = "no article text found on the page"
        self.pending.append(
            FetchedPage(
                url=item.url,
                source=item.source,
                fetched_at=datetime.fromtimestamp(item.fetched_at, UTC),
                http_status=item.http_status,
                duration_ms=item.duration_ms,
                etag=item.etag,
                last_modified=item.last_modified,
                raw_html=item.body if extracted is not None else None,
                extracted=extracted,
                error=item.error,
                found_via=item.found_via,
                hints=item.hints or None,
                final_url=item.final_url,
                permanent_redirect=item.permanent_redirect,
                signals=signals,
                cut=item.cut,
            )
        )
        item.body = None  # the page is in `pending` now; don't keep a second reference
        if (
            len(self.pending) >= self.batch_size
            or time.monotonic() - self.last_flush > self.batch_seconds
        ):
            self.flush()
        return item

    async def _extract(self, item: ArticleFetch) -> dict[str, Any] | None:
        assert item.body is not None
        pool = self.pool
        try:
            # submit() raises too once the pool is broken, before it is replaced.
            future = pool.submit(extract_in_worker, item.body, item.url, item.declared_encoding)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            logger.error("An extraction worker died on %s; restarting the pool", item.url)
            self.pool = ExtractionPool.replace_broken(pool)
            item.error = "extraction crashed on this page"
            return None

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        self.last_flush = time.monotonic()
        stats = self.crawler.stats
        for result in self.archive.store_many(batch):
            stats.inc_value(f"mediawatch/outcome/{result.outcome}")
        # A merge makes the first fetch of an address found to be an archived article's a
        # new version of that article, not a new article: the counts follow.
        for outcome, delta in self.archive.recounted.items():
            stats.inc_value(f"mediawatch/outcome/{outcome}", delta)
        self.archive.recounted.clear()
