"""`mediawatch check`: verify the archive, one line per problem, exit 1 if there is any."""

from __future__ import annotations

import click
from rich.markup import escape

from cli.app import App, pass_app, print_json, stderr, stdout, user_errors
from storage.check import check_archive


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@pass_app
@user_errors
def check(app: App, as_json: bool) -> None:
    """Verify the archive: content hashes, version numbering, the search index, rows
    that point at missing rows, and raw HTML that no longer decompresses.

    \b
    Prints every problem found, one a line, and exits with status 1 if there is any.
    Nothing is changed. Example: mediawatch check
    """
    with app.session() as session:
        report = check_archive(session)
    if as_json:
        print_json(report.document())
    else:
        for problem in report.problems:
            stdout.print(escape(problem.line()), soft_wrap=True)
        counts = (
            f"{report.articles} articles, {report.versions} versions, "
            f"{report.fetches} fetches checked"
        )
        if report.ok:
            stdout.print(f"archive OK: {counts}")
        else:
            found = len(report.problems)
            stderr.print(f"{found} problem{'' if found == 1 else 's'} found ({counts})")
    if not report.ok:
        raise SystemExit(1)


COMMANDS = [check]
