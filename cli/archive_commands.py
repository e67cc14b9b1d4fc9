"""The commands that read or prepare the archive: init, articles, versions, show, diff,
search, export, status."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

import click
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from cli.app import App, pass_app, print_json, stderr, stdout, user_errors
from crawler.urls import url_variants
from storage import diff as worddiff
from storage import export as exporting
from storage import queries, schema
from storage.dialect import MATCH_END, MATCH_START
from storage.errors import ArchiveError
from storage.models import Article
from storage.search_query import shown_query

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")


def _article(session: Session, url: str) -> Article:
    return queries.find_article(session, url_variants(url))


def _short_time(iso_time: str | None) -> str:
    return iso_time[:16].replace("T", " ") if iso_time else "-"


@click.command()
@pass_app
@user_errors
def init(app: App) -> None:
    """Create the archive's schema, or upgrade it to this version; safe to repeat.

    Example: mediawatch init
    """
    before, after = schema.upgrade(app.engine)
    where = app.engine.url.render_as_string(hide_password=True)
    if before == after:
        stdout.print(f"Archive {where} is up to date (schema {after}).")
    elif before is None:
        stdout.print(f"Created the archive {where} (schema {after}).")
    else:
        stdout.print(f"Upgraded the archive {where} from schema {before} to {after}.")


@click.command()
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this source.")
@click.option("--status", type=click.Choice(["live", "gone", "error"]), help="Only this status.")
@click.option("--changed", is_flag=True, help="Only articles with more than one version.")
@click.option(
    "--watch",
    metavar="NAME",
    help="Only articles that matched this watch (from the config), newest match first.",
)
@json_option
@pass_app
@user_errors
def articles(
    app: App,
    sources: tuple[str, ...],
    status: str | None,
    changed: bool,
    watch: str | None,
    as_json: bool,
) -> None:
    """The archived articles, most recently changed first.

    With --watch NAME, the articles whose new text matched that watch's query when it
    was stored (a new article, or an edit that changed the watched words), e.g.
    mediawatch articles --watch iran-russia --json

    Example: mediawatch articles --changed --source demo
    """
    if watch is not None:
        _check_watch(app, watch)
    with app.session() as session:
        rows = queries.article_rows(
            session, sources=sources, status=status, changed=changed, watch=watch
        )
    if as_json:
        print_json(rows)
        return
    if not rows:
        stderr.print("No articles match. Run `mediawatch crawl` to fill the archive.")
        return
    table = Table("last changed", "source", "v", "status", "title / url", box=None)
    table.columns[-1].overflow = "fold"  # URLs are copied into other commands: never cut
    for row in rows:
        title = escape(row["title"] or "(no title yet)")
        table.add_row(
            _short_time(row["last_changed"]),
            escape(row["source"]),
            str(row["versions"]),
            row["status"],
            f"{title}\n[dim]{escape(row['url'])}[/dim]",
        )
    stdout.print(table)
    stderr.print(f"{len(rows)} article{'' if len(rows) == 1 else 's'}")


def _check_watch(app: App, name: str) -> None:
    """A clear error for a watch name the config does not have, naming those it has."""
    known = [watch.name for watch in app.config.watch]
    if name not in known:
        where = f" in {app.config.path}" if app.config.path else ""
        listed = (
            f"the configured watches are: {', '.join(known)}"
            if known
            else "the config has no watch: list; add one,"
            " e.g. watch: [{name: ferries, query: ferry}]"
        )
        raise click.ClickException(f"no watch named {name!r}{where}; {listed}")


@click.command()
@click.argument("url")
@json_option
@pass_app
@user_errors
def versions(app: App, url: str, as_json: bool) -> None:
    """One article's versions, oldest first, with what changed in each.

    Example: mediawatch versions https://example.com/2026/11/story.html
    """
    with app.session() as session:
        article = _article(session, url)
        history = queries.timeline(session, article)
        aliases = queries.aliases_of(session, [article.id]).get(article.id, [])
    if as_json:
        print_json(history.rows)
        return
    stdout.print(f"[bold]{escape(article.url)}[/bold]  ({article.status})")
    for alias in aliases:
        stdout.print(f"[dim]also at {escape(alias)}[/dim]")
    if history.returns:
        variants = ", ".join(f"v{n}" for n in history.variants)
        stdout.print(
            f"[yellow]headline test:[/yellow] the page went back and forth between {variants}"
            f" ({len(history.returns)} returns); each is stored once"
        )
    table = Table("v", "fetched", "changed", "+words", "-words", "kind", "title", box=None)
    titles = {row["version"]: row["title"] for row in history.rows}
    events = [(row["fetched_at"], 0, row) for row in history.rows]
    events += [(back["fetched_at"], 1, {**back, "to": n}) for n, back in _returns(history.rows)]
    for _, is_return, row in sorted(events, key=lambda event: (event[0] or "", event[1])):
        if is_return:
            table.add_row(
                "↩",
                _short_time(row["fetched_at"]),
                f"back to v{row['to']}",
                "",
                "",
                "",
                escape(titles.get(row["to"]) or ""),
            )
            continue
        table.add_row(
            str(row["version"]),
            _short_time(row["fetched_at"]),
            ", ".join(row["changed"]) or "first",
            str(row["words_added"]),
            str(row["words_removed"]),
            row["change_kind"] or "",
            escape(row["title"] or ""),
        )
    stdout.print(table)


def _returns(rows: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Every return to an earlier version, as (the version returned to, the return)."""
    return [(row["version"], back) for row in rows for back in row["returns"]]


@click.command()
@click.argument("url")
@click.option("--version", "number", type=click.IntRange(min=1), help="Version number.")
@json_option
@pass_app
@user_errors
def show(app: App, url: str, number: int | None, as_json: bool) -> None:
    """One version of an article (default: the latest), as archived.

    Example: mediawatch show https://example.com/2026/11/story.html --version 1
    """
    with app.session() as session:
        article = _article(session, url)
        document = queries.version_document(article, queries.get_version(session, article, number))
    if as_json:
        print_json(document)
        return
    stdout.print(f"[bold]{escape(document['title'] or '(no title)')}[/bold]")
    byline = ", ".join(document["authors"]) or "no byline"
    stdout.print(
        f"[dim]{escape(document['url'])}\nversion {document['version']} of "
        f"{article.version_count}, fetched {_short_time(document['fetched_at'])}; "
        f"{escape(byline)}; published {document['published'] or 'unknown'}[/dim]\n"
    )
    stdout.print(escape(document["text"]))


@click.command()
@click.argument("url")
@click.option("--from", "from_number", type=click.IntRange(min=1), help="Older version.")
@click.option("--to", "to_number", type=click.IntRange(min=1), help="Newer version.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "html", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--context",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Unchanged paragraphs shown around each change (text format).",
)
@click.option("--full", is_flag=True, help="Show every paragraph (text format).")
@pass_app
@user_errors
def diff(
    app: App,
    url: str,
    from_number: int | None,
    to_number: int | None,
    output_format: str,
    context: int,
    full: bool,
) -> None:
    """Word-level diff between two versions (default: the last two).

    Example: mediawatch diff https://example.com/2026/11/story.html --from 1 --to 3
    """
    with app.session() as session:
        article = _article(session, url)
        older, newer = queries.diff_versions(session, article, from_number, to_number)
    ops = worddiff.word_diff(
        worddiff.article_document(older.title, older.text),
        worddiff.article_document(newer.title, newer.text),
    )
    if output_format == "json":
        print_json(worddiff.diff_json(article.url, older.number, newer.number, ops))
    elif output_format == "html":
        sys.stdout.write(worddiff.render_html(ops) + "\n")
    else:
        added, removed = worddiff.count_words(ops)
        click.echo(
            f"{article.url}: version {older.number} -> {newer.number}, +{added} / -{removed} words",
            err=True,
        )
        shown = worddiff.render_text(
            ops, color=sys.stdout.isatty(), context=None if full else context
        )
        sys.stdout.write(shown + "\n")


@click.command()
@click.argument("query")
@click.option("--source", metavar="NAME", help="Only this source.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@json_option
@pass_app
@user_errors
def search(app: App, query: str, source: str | None, limit: int, as_json: bool) -> None:
    """Full-text search over every archived version, best match first.

    \b
    The query takes words, "quoted phrases", AND, OR, NOT and prefix*.
    Text that was later edited out is found too: the row says which version holds it.
    Example: mediawatch search '"ferry fares" AND council'
    """
    with app.session() as session:
        results = queries.search(session, query, source=source, limit=limit)
    if as_json:
        print_json(queries.search_rows(results))
        return
    if not results:
        stderr.print(escape(f"Nothing matches {shown_query(query)}."), soft_wrap=True)
        return
    for r in results:
        snippet = escape(r.snippet).replace(MATCH_START, "[bold yellow]")
        snippet = snippet.replace(MATCH_END, "[/bold yellow]")
        stdout.print(f"[bold]{escape(r.title or '(no title)')}[/bold]  [dim]{escape(r.source)}")
        stdout.print(f"[dim]{escape(r.url)}  (version {r.version} of {r.versions})[/dim]")
        stdout.print(f"  {snippet}\n")


@click.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(exporting.FORMATS),
    default="jsonl",
    show_default=True,
)
@click.option(
    "--output",
    # Checked by _export_file, not by click, so that every refusal is one line that says why.
    type=click.Path(path_type=Path),
    help="File to write (default: stdout). An existing file is not overwritten.",
)
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this source.")
@pass_app
@user_errors
def export(app: App, output_format: str, output: Path | None, sources: tuple[str, ...]) -> None:
    """Every version of every article, for other tools: JSON Lines, CSV, or WARC.

    \b
    WARC holds the raw HTML as fetched, with the extracted fields beside it.
    Example: mediawatch export --format csv --output archive.csv
    """
    if output is not None:
        _check_output(output, output_format)
    with app.session() as session:
        for name in sources:
            queries.source_id(session, name)
        if output is None:
            if output_format == "warc" and sys.stdout.isatty():
                raise click.UsageError("WARC is binary; give --output FILE or redirect stdout")
            count = _export_to(session, output_format, sources, None)
        else:
            count = _export_file(session, output_format, sources, output)
    where = f" to {output}" if output else ""
    stderr.print(f"Exported {count} versions as {output_format}{where}.")


def _check_output(path: Path, output_format: str) -> None:
    """Refuse, before any work, an --output that cannot become a new file."""
    example = f"archive.{'warc.gz' if output_format == 'warc' else output_format}"
    if path.is_dir():  # also --output '' (click reads it as '.')
        raise ArchiveError(
            f"--output {path} is a folder; give a file name in it, e.g. --output {path / example}"
        )
    if path.exists():
        raise ArchiveError(f"{path} exists; choose another --output or delete it first")
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise ArchiveError(f"cannot write {path}: {folder} is a file, not a folder")
    if not folder.is_dir():
        raise ArchiveError(f"cannot write {path}: folder {folder} does not exist")


def _export_file(session: Session, output_format: str, sources: tuple[str, ...], path: Path) -> int:
    folder = path.parent
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise ArchiveError(f"cannot write {path}: {exc.strerror}; choose another --output") from exc
    # Written beside the target and renamed at the end, so a failed export leaves no half file.
    try:
        with os.fdopen(handle, "wb") as raw:
            count = _export_to(session, output_format, sources, raw)
        os.replace(temporary, path)
    except OSError as exc:  # a full disk, a file size limit: nothing half-written is left
        os.unlink(temporary)
        raise ArchiveError(f"cannot write {path}: {exc.strerror}; nothing was written") from exc
    except BaseException:
        os.unlink(temporary)
        raise
    return count


def _export_to(
    session: Session, output_format: str, sources: tuple[str, ...], raw: IO[bytes] | None
) -> int:
    binary: IO[bytes] = raw if raw is not None else sys.stdout.buffer
    if output_format == "warc":
        return exporting.export_warc(session, binary, sources)
    text = io.TextIOWrapper(binary, encoding="utf-8", newline="", write_through=True)
    try:
        if output_format == "csv":
            return exporting.export_csv(session, text, sources)
        return exporting.export_jsonl(session, text, sources)
    finally:
        text.detach()


@click.command()
@json_option
@pass_app
@user_errors
def status(app: App, as_json: bool) -> None:
    """Sources, counts, the last crawls and the latest errors.

    Example: mediawatch status
    """
    with app.session() as session:
        document = queries.status_document(session)
    if as_json:
        print_json(document)
        return
    _print_status(document)


def _warn(count: int) -> str:
    return f"[yellow]{count}[/yellow]" if count else "0"


def _print_status(document: dict[str, Any]) -> None:
    stdout.print(f"[bold]{document['articles']} articles, {document['versions']} versions[/bold]")
    table = Table(
        "source",
        "articles",
        "live",
        "gone",
        "error",
        "versions",
        "blocked",
        "cut short",
        "last fetch",
        box=None,
    )
    for s in document["sources"]:
        table.add_row(
            escape(s["name"]),
            str(s["articles"]),
            str(s["live"]),
            str(s["gone"]),
            str(s["error"]),
            str(s["versions"]),
            _warn(s["blocked"]),
            _warn(s["truncated"]),
            _short_time(s["last_fetch"]),
        )
    stdout.print(table)
    if any(s["blocked"] or s["truncated"] for s in document["sources"]):
        stdout.print(
            f"(blocked, cut short: fetches of each source's last {queries.RECENT_CRAWLS} crawls"
            " that were not the article, or not all of it; no version was made of them)"
        )
    for daemon in document["daemons"]:
        stdout.print(
            f"daemon {escape(daemon['holder'])} running since {_short_time(daemon['since'])}"
        )
    for crawl in document["crawling"]:
        stdout.print(f"crawling {escape(crawl['source'])} since {_short_time(crawl['since'])}")
    for run in document["crawls"][:3]:
        counts = ", ".join(
            f"{key.replace('_', ' ')} {value}"
            for key, value in run["counts"].items()
            if isinstance(value, int) and value
        )
        what = f" ({escape(', '.join(run['sources']))} {run['kind']})" if run["kind"] else ""
        stdout.print(
            f"crawl {_short_time(run['started_at'])}{what} {run['status']}: {counts or 'nothing'}"
        )
    if document["crawl_problems"]:
        stdout.print("\n[bold]Crawls that went wrong[/bold]")
        for run in document["crawl_problems"][:5]:
            stdout.print(
                f"{_short_time(run['started_at'])} {escape(', '.join(run['sources']))}"
                f" {run['kind'] or 'crawl'} {run['status']}: {escape(run['error'] or '')}"
            )
    hooks = document["webhooks"]
    if hooks["pending"] or hooks["failed"]:
        stdout.print(
            f"webhook deliveries: {hooks['pending']} pending, {hooks['failed']} failed,"
            f" {hooks['delivered']} delivered"
        )
        for failed in hooks["latest_failed"]:
            stdout.print(
                f"  gave up on {escape(failed['url'])} after {failed['attempts']} attempts:"
                f" {escape(failed['last_error'] or '')}"
            )
    if document["recent_blocked"]:
        stdout.print("\n[bold]Latest blocked or cut-short fetches[/bold]")
        for fetch in document["recent_blocked"]:
            stdout.print(
                f"{_short_time(fetch['fetched_at'])} {escape(fetch['url'])}: "
                f"{escape(fetch['reason'] or fetch['outcome'])}"
            )
    if document["recent_errors"]:
        stdout.print("\n[bold]Latest errors[/bold]")
        for error in document["recent_errors"]:
            stdout.print(
                f"{_short_time(error['fetched_at'])} {escape(error['url'])}: "
                f"{escape(error['error'] or str(error['http_status']))}"
            )


COMMANDS = [init, articles, versions, show, diff, search, export, status]
