"""`mediawatch run`: the scheduler daemon (scheduler.py) on the command line."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from datetime import timedelta
from pathlib import Path

import click

from cli.app import App, pass_app, user_errors
from config import config_path, parse_duration
from storage.schema import require_current

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"]


def duration(_ctx: click.Context, param: click.Parameter, value: str) -> timedelta:
    """A duration option as the config writes it: 90s, 15m, 3h, 7d."""
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param=param) from exc


def setup_logging(level: str, log_file: Path | None) -> None:
    """The daemon's log: stderr, and ``log_file`` too when given."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        try:
            # Reopened when logrotate moves the file away.
            handlers.append(logging.handlers.WatchedFileHandler(log_file, encoding="utf-8"))
        except OSError as exc:
            raise click.ClickException(
                f"cannot write the log file {log_file}: {exc.strerror}"
            ) from exc
    logging.basicConfig(level=level, format=LOG_FORMAT, handlers=handlers, force=True)
    # APScheduler logs every job start and end, and warns of each coalesced or skipped
    # run: with schedules of seconds that drowns the crawls' own lines.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if level == "DEBUG" else logging.ERROR)


@click.command()
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this source.")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the log to this file as well as to stderr.",
)
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    default="INFO",
    show_default=True,
    help="INFO logs each crawl's start and end; DEBUG adds the crawls' own INFO lines.",
)
@click.option(
    "--max-crawls",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Crawls running at once (one source each, each in its own process).",
)
@click.option(
    "--crawl-timeout",
    default="1h",
    callback=duration,
    metavar="DURATION",
    show_default=True,
    help="Stop a crawl that runs longer than this.",
)
@click.option(
    "--crawl-memory",
    type=click.IntRange(min=16),
    default=2048,
    show_default=True,
    metavar="MB",
    help="Kill a crawl whose processes use more memory than this.",
)
@click.option(
    "--stop-timeout",
    default="30s",
    callback=duration,
    metavar="DURATION",
    show_default=True,
    help="On SIGINT or SIGTERM, how long running crawls get to finish their batch.",
)
@pass_app
@user_errors
def run(
    app: App,
    sources: tuple[str, ...],
    log_file: Path | None,
    log_level: str,
    max_crawls: int,
    crawl_timeout: timedelta,
    crawl_memory: int,
    stop_timeout: timedelta,
) -> None:
    """The scheduler daemon: discovery and rechecks on the configured schedules.

    Each source's feeds, sitemaps and pages are read every `discover_every`; archived
    articles are fetched again when their recheck tier says they are due (the due times
    are in the archive, so a restarted daemon goes on where it stopped). Each crawl runs
    in its own process and is recorded: see `mediawatch status`. Two daemons may share
    one archive; a source is never crawled twice at once.

    SIGINT (Ctrl-C) or SIGTERM lets running crawls store what they fetched and exits 0;
    a second signal stops at once.

    Example: mediawatch run --log-file data/mediawatch.log
    """
    # Imported here: the other commands need no scheduler.
    from alerts.rules import check_watches
    from scheduler import Daemon, DaemonOptions

    config = app.config
    for name in sources:
        config.source(name)  # an unknown name stops here, naming the known ones
    require_current(app.engine)
    check_watches(config, app.engine)  # a malformed watch query stops here, not in a crawl
    level = log_level.upper()
    setup_logging(level, log_file)
    options = DaemonOptions(
        config_path=config_path(app.config_path).resolve(),
        database_url=app.database_url,
        sources=sources,
        max_crawls=max_crawls,
        crawl_timeout=crawl_timeout,
        crawl_memory_mb=crawl_memory,
        stop_timeout=stop_timeout,
        crawl_log_level="INFO" if level == "DEBUG" else "WARNING",
    )
    daemon = Daemon(config, options, app.engine)
    status = daemon.run()
    if not daemon.clean:
        # A second signal, and crawl threads still busy (a database that does not
        # answer): leave now; the database's transactions keep the archive whole.
        logging.shutdown()
        os._exit(status)
    app.engine.dispose()
    if status:
        raise SystemExit(status)


COMMANDS = [run]
