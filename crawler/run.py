"""Running one crawl pass in this process: `mediawatch crawl` (and, later, each child of
the scheduler). Scrapy's reactor cannot be restarted, so a process runs one pass."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.statscollectors import StatsCollector

from alerts.webhooks import Sender
from config import load_config
from crawler import settings as default_settings
from crawler.spiders.news import NewsSpider
from storage.db import make_engine, make_sessionmaker
from storage.leases import new_holder
from storage.models import OUTCOME_SUMMARY_KEYS
from storage.schema import require_current
from storage.work import finish_run, start_run

SUMMARY_KEYS = (
    "discovered",
    "fetched",
    "new_articles",
    "new_versions",
    "unchanged",
    "returned",
    "copies",
    "not_modified",
    "gone",
    "blocked",
    "truncated",
    "errors",
    "robots_disallowed",
    "discovery_errors",
)
# At the end of a crawl, how long due webhook deliveries get before the rest are left
# pending for the next crawl or the daemon: a dead receiver must not hold the crawl.
WEBHOOK_GRACE_SECONDS = 5.0


@dataclass
class CrawlRequest:
    config_path: Path
    database_url: str
    sources: list[str]
    recheck: str = "due"
    discover: bool = True
    log_level: str = "WARNING"
    progress: bool = False
    # A crawl_runs row opened by the caller (the scheduler daemon, which settles it if
    # this process dies before finishing it); None opens a new row.
    run_id: int | None = None


def crawl_settings(request: CrawlRequest) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("MEDIAWATCH_CONFIG", str(request.config_path), "cmdline")
    settings.set("MEDIAWATCH_DATABASE_URL", request.database_url, "cmdline")
    settings.set("LOG_LEVEL", request.log_level, "cmdline")
    if os.environ.get("MEDIAWATCH_CLAIM_SECONDS"):  # see crawler/settings.py
        settings.set("MEDIAWATCH_CLAIM_SECONDS", os.environ["MEDIAWATCH_CLAIM_SECONDS"], "cmdline")
    if request.progress:
        extensions = {**settings.getdict("EXTENSIONS"), "crawler.progress.ProgressBar": 500}
        settings.set("EXTENSIONS", extensions, "cmdline")
    return settings


def summarise(stats: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = dict.fromkeys(SUMMARY_KEYS, 0)
    problems: list[str] = []
    for spider_stats in stats:
        summary["discovered"] += spider_stats.get("mediawatch/discovered", 0)
        summary["robots_disallowed"] += spider_stats.get("mediawatch/robots_disallowed", 0)
        summary["discovery_errors"] += spider_stats.get("mediawatch/discovery_errors", 0)
        problems += spider_stats.get("mediawatch/discovery_error_list", [])
        for outcome, key in OUTCOME_SUMMARY_KEYS.items():
            count = spider_stats.get(f"mediawatch/outcome/{outcome}", 0)
            summary[key] += count
            summary["fetched"] += count
    summary["discovery_problems"] = problems
    return summary


def run_crawl(request: CrawlRequest) -> dict[str, Any]:
    """One crawl pass over ``request.sources``; returns the summary counts."""
    engine = make_engine(request.database_url)
    require_current(engine)
    config = load_config(request.config_path)
    sessions = make_sessionmaker(engine)
    run_id = request.run_id
    if run_id is None:
        with sessions.begin() as session:
            run_id = start_run(session, request.sources, datetime.now(UTC), new_holder())

    process = CrawlerProcess(crawl_settings(request))
    # Set after Scrapy configured logging (which resets its loggers' levels). A robots.txt
    # that cannot be fetched is logged with a traceback; the crawl goes on (everything is
    # allowed, as RFC 9309 says for an unreachable file) and each failed URL is recorded
    # with its reason, so the traceback is only noise for the user.
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
    # Likewise the HTTP handler's warnings about a body over the size limit or cut short
    # ("data loss"): the fetch log records both, with a reason a reader can act on.
    logging.getLogger("scrapy.core.downloader.handlers.http11").setLevel(logging.ERROR)
    crawlers = []
    for name in request.sources:
        crawler = process.create_crawler(NewsSpider)
        crawlers.append(crawler)
        process.crawl(
            crawler,
            source=name,
            recheck=request.recheck,
            discover="true" if request.discover else "false",
        )
    status, error = "finished", None
    # New versions' webhook deliveries are sent while the crawl goes on (no config
    # webhooks, no thread).
    sender = Sender(engine, config.user_agent).start() if config.notify.webhooks else None
    try:
        process.start()
    except BaseException as exc:  # recorded, then re-raised: the run row must not say "running"
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        summary = summarise([_stats(c.stats) for c in crawlers])
        failed = [name for name, c in zip(request.sources, crawlers, strict=True) if _failed(c)]
        if failed and status == "finished":
            status, error = "failed", f"crawl of {', '.join(failed)} did not finish"
        with sessions.begin() as session:
            finish_run(session, run_id, datetime.now(UTC), summary, status, error)
        if sender is not None:
            try:
                grace = WEBHOOK_GRACE_SECONDS if status == "finished" else 0.0
                summary["webhooks_pending"] = sender.finish(grace)
                summary["webhooks_delivered"] = sender.counts.delivered
            except Exception:  # the deliveries stay pending; the crawl itself is done
                logging.getLogger(__name__).warning("Webhooks not sent", exc_info=True)
        engine.dispose()
    summary["status"] = status
    return summary


def _stats(stats: StatsCollector | None) -> dict[str, Any]:
    return dict(stats.get_stats()) if stats is not None else {}


def _failed(crawler: Any) -> bool:
    """A spider that closed for any reason but "finished" (an exception, a shutdown)."""
    if crawler.stats is None:
        return False
    return crawler.stats.get_value("finish_reason") not in (None, "finished")
