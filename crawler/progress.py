"""A progress line on a terminal while `mediawatch crawl` runs (stderr, so --json stays clean)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from scrapy import signals


class ProgressBar:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.progress.add_task("starting", total=None)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.update, signal=signals.item_scraped)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressBar:
        return cls(crawler)

    def opened(self, spider: Any) -> None:
        self.progress.start()

    def update(self, item: Any, response: Any, spider: Any) -> None:
        stats = self.crawler.stats
        done = stats.get_value("item_scraped_count", 0)
        found = stats.get_value("mediawatch/discovered", 0)
        self.progress.update(
            self.task,
            description=f"{spider.source_name}: {done} articles fetched, {found} links found",
        )

    def closed(self, spider: Any) -> None:
        self.progress.stop()
