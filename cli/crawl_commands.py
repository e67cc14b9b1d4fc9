"""The commands that fetch: crawl (one pass) and demo (the whole loop, offline)."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.markup import escape

from alerts.rules import check_watches
from cli.app import App, pass_app, print_json, stderr, user_errors
from config import config_path
from storage.schema import require_current
from storage.work import RECHECK_MODES

SUMMARY_LABELS = (  # (key, one, many)
    ("discovered", "link found", "links found"),
    ("fetched", "page fetched", "pages fetched"),
    ("new_articles", "new article", "new articles"),
    ("new_versions", "new version", "new versions"),
    ("unchanged", "unchanged", "unchanged"),
    ("returned", "back to an earlier version", "back to an earlier version"),
    ("copies", "copy at another address", "copies at other addresses"),
    ("not_modified", "not modified (304)", "not modified (304)"),
    ("gone", "gone (404/410)", "gone (404/410)"),
    ("blocked", "blocked (not the article)", "blocked (not the article)"),
    ("truncated", "cut short", "cut short"),
    ("errors", "error", "errors"),
    ("robots_disallowed", "skipped by robots.txt", "skipped by robots.txt"),
    ("discovery_errors", "feed/sitemap/page that failed", "feeds/sitemaps/pages that failed"),
)


@click.command()
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this source.")
@click.option(
    "--recheck",
    type=click.Choice(RECHECK_MODES),
    default="due",
    show_default=True,
    help="Which archived articles to fetch again: those due by their schedule, all, or none.",
)
@click.option("--no-discover", is_flag=True, help="Skip feeds, sitemaps and pages.")
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="WARNING",
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
# For `mediawatch run`: the crawl_runs row the daemon opened for this crawl.
@click.option("--run-id", type=int, hidden=True)
@pass_app
@user_errors
def crawl(
    app: App,
    sources: tuple[str, ...],
    recheck: str,
    no_discover: bool,
    log_level: str,
    as_json: bool,
    run_id: int | None,
) -> None:
    """One pass: read feeds, sitemaps and pages, fetch new articles, re-fetch due ones.

    Failed URLs do not stop the crawl: each is recorded (see `mediawatch status`).
    Example: mediawatch crawl --source demo --recheck all
    """
    # Imported here, not at the top: Scrapy is big, and `mediawatch run` (which loads every
    # command) must stay small; its crawls run in child processes.
    from crawler.run import CrawlRequest, run_crawl

    config = app.config
    names = [config.source(name).name for name in sources] or [s.name for s in config.sources]
    require_current(app.engine)
    check_watches(config, app.engine)  # a malformed watch query stops here, before any work
    summary = run_crawl(
        CrawlRequest(
            config_path=config_path(app.config_path),
            database_url=config.database_url,
            sources=names,
            recheck=recheck,
            discover=not no_discover,
            log_level=log_level.upper(),
            progress=sys.stderr.isatty() and not as_json,
            run_id=run_id,
        )
    )
    if as_json:
        print_json(summary)
    else:
        print_summary(summary)
    if summary.get("webhooks_pending"):
        stderr.print(
            f"{summary['webhooks_pending']} webhook deliveries left pending: the next crawl or"
            " `mediawatch run` retries them (see `mediawatch status`)."
        )


def print_summary(summary: dict[str, Any]) -> None:
    parts = [
        f"{summary[key]} {one if summary[key] == 1 else many}"
        for key, one, many in SUMMARY_LABELS
        if summary.get(key)
    ]
    if summary.get("status") == "failed":
        parts.append("[red]the crawl did not finish[/red]")
    stderr.print("Crawl finished: " + (", ".join(parts) or "nothing to do") + ".")
    for problem in summary.get("discovery_problems", [])[:10]:
        stderr.print(f"  [yellow]![/yellow] {escape(problem)}")
    if summary.get("errors"):
        stderr.print("Failed URLs and their reasons: mediawatch status")


COMMANDS = [crawl]
