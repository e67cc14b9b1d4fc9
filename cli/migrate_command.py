"""`mediawatch migrate-archive`: copy the whole archive into another database."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from cli.app import App, pass_app, print_json, stderr, stdout, user_errors
from storage.db import make_engine
from storage.migrate import VERIFIED, migrate_archive
from storage.migrate import Progress as ProgressCallback


@click.command("migrate-archive")
@click.option(
    "--to",
    "target_url",
    required=True,
    metavar="URL",
    help="The database to copy into: empty, or new (e.g. postgresql+psycopg://user@host/db).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON on stdout.")
@pass_app
@user_errors
def migrate_archive_command(app: App, target_url: str, as_json: bool) -> None:
    """Copy the whole archive (database_url, or --database) into another database, and
    verify the copy row by row.

    \b
    The target must be empty or new; it gets the schema as `mediawatch init` would.
    Everything is copied in one transaction, so a failed copy keeps nothing: run the
    command again. Stop `mediawatch run` first: what it archives after the copy
    started is not copied. Then point database_url at the target.
    Example: mediawatch migrate-archive --to postgresql+psycopg://mediawatch@dbhost/archive
    """
    target = make_engine(target_url)
    try:
        with _progress(enabled=sys.stderr.isatty() and not as_json) as progress:
            report = migrate_archive(app.engine, target, progress=progress)
    finally:
        target.dispose()
    if as_json:
        print_json(report.document())
        return
    copied = ", ".join(_rows(count, table) for table, count in report.counts.items())
    stdout.print(
        f"Copied {escape(report.source)} to {escape(report.target)}: {copied}; "
        "verified (row counts, content hashes, raw HTML sizes match).",
        soft_wrap=True,
    )
    stderr.print(f"Point database_url (or --database) at {escape(report.target)} to use it.")


def _rows(count: int, table: str) -> str:
    """``3 crawl runs``, ``1 crawl run``: a count of a table's rows, said in words."""
    name = table.replace("_", " ")
    if count == 1:
        name = name.removesuffix("es" if name.endswith("ches") else "s")
    return f"{count} {name}"


@contextmanager
def _progress(*, enabled: bool) -> Iterator[ProgressCallback]:
    """A bar per table on a terminal; elsewhere (a log, a pipe) one line per table copied."""
    if not enabled:
        finished: set[str] = set()

        def log_line(table: str, done: int, total: int) -> None:
            if done == total and table not in finished:
                finished.add(table)
                copied = f"copied {_rows(done, table)}"
                stderr.print(
                    f"compared {done} rows with the source" if table == VERIFIED else copied
                )

        yield log_line
        return
    bars = Progress(
        TextColumn("{task.description:<11}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
    )
    tasks: dict[str, TaskID] = {}

    def update(table: str, done: int, total: int) -> None:
        if table not in tasks:
            label = "comparing" if table == VERIFIED else table.replace("_", " ")
            tasks[table] = bars.add_task(label, total=total)
        bars.update(tasks[table], completed=done)

    with bars:
        yield update


COMMANDS = [migrate_archive_command]
