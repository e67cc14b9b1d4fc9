"""The `mediawatch` command line (SPEC section 2): a thin click layer over storage/ and crawler/."""

from __future__ import annotations

import click

from cli import (
    archive_commands,
    check_command,
    crawl_commands,
    demo_command,
    migrate_command,
    run_command,
    serve_command,
)
from cli.app import App


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "config_path",
    # A plain string: load_config explains a missing file or a folder in one line, where
    # click.Path would print a four-line usage error first.
    metavar="PATH",
    help="Config file (default: $MEDIAWATCH_CONFIG, else config/sources.yaml).",
)
@click.option(
    "--database",
    "database_url",
    metavar="URL",
    help="Archive database URL; overrides database_url and $MEDIAWATCH_DATABASE_URL.",
)
@click.version_option(package_name="mediawatch")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, database_url: str | None) -> None:
    """mediawatch: archive every version of every news article, and show how stories changed.

    \b
    First steps:
      mediawatch demo                 # the whole loop offline, on a built-in demo site
      mediawatch init                 # create the archive named in config/sources.yaml
      mediawatch crawl                # one pass over every configured source
      mediawatch articles --changed   # stories that were edited
    """
    ctx.obj = App(config_path=config_path, database_url=database_url)
    ctx.call_on_close(ctx.obj.close)


for command in [
    *archive_commands.COMMANDS,
    *check_command.COMMANDS,
    *crawl_commands.COMMANDS,
    *run_command.COMMANDS,
    *demo_command.COMMANDS,
    *migrate_command.COMMANDS,
    *serve_command.COMMANDS,
]:
    cli.add_command(command)


def main() -> None:
    cli(prog_name="mediawatch")


if __name__ == "__main__":
    main()
