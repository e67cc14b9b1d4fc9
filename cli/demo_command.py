"""`mediawatch demo`: the whole loop, offline, on the built-in demo news site."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from cli.app import App, stderr, stdout, user_errors
from cli.crawl_commands import print_summary
from crawler.child import CrawlFailed, crawl_in_child
from crawler.demo_site import DEMO_PORT, DemoSite
from storage.db import make_engine
from storage.schema import upgrade

DEMO_CONFIG = """\
# Written by `mediawatch demo`: the built-in demo site, archived in this folder.
database_url: sqlite:///{database}
user_agent: "mediawatch-demo (+https://github.com/mediawatch/mediawatch)"
sources:
  - name: demo
    feeds: ["{base}/rss.xml"]
    sitemaps: ["{base}/sitemap.xml"]
    pages: ["{base}/"]
    article_urls: '^{base_pattern}/\\d{{4}}/\\d{{2}}/'
# A saved search: new articles and edits that match it are listed by
# `mediawatch articles --watch ferry-fares` and shown by `mediawatch serve`.
watch:
  - {{name: ferry-fares, query: 'ferry AND fare*'}}
"""


@click.command()
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/demo"),
    show_default=True,
    help="Where the demo writes its config and archive (emptied first).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=DEMO_PORT, show_default=True)
@click.pass_context
@user_errors
def demo(ctx: click.Context, folder: Path, port: int) -> None:
    """Crawl a built-in demo news site, edit a story, crawl again, show the diff.

    Everything runs offline on 127.0.0.1. Afterwards, explore the demo archive with
    the config it wrote, e.g. `mediawatch --config data/demo/sources.yaml articles`.
    """
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    config_file = folder / "sources.yaml"
    database = folder / "archive.db"
    try:
        site = DemoSite(port=port).start()
    except OSError as exc:
        raise click.ClickException(
            f"{exc}; try `mediawatch demo --port 0` for any free port"
        ) from exc
    try:
        base = site.base_url
        config_file.write_text(
            DEMO_CONFIG.format(database=database, base=base, base_pattern=base.replace(".", r"\."))
        )
        engine = make_engine(f"sqlite:///{database}")
        upgrade(engine)
        engine.dispose()
        stderr.print(f"[bold]1.[/bold] The Harbour Gazette is up at {base}; crawling it.")
        print_summary(crawl_in_child(config_file))

        story = site.url(site.EDITED_PATH)
        stderr.print(f"\n[bold]2.[/bold] The newsroom edits a story: {story}")
        site.edit_story()
        stderr.print("[bold]3.[/bold] Checking every archived article again.")
        print_summary(crawl_in_child(config_file, recheck="all", discover=False))
    except CrawlFailed as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        site.stop()

    app = App(config_path=str(config_file))
    ctx.obj = app
    from cli.archive_commands import diff, versions

    stdout.print("\n[bold]4.[/bold] Its versions, and what changed:\n")
    ctx.invoke(versions, url=story, as_json=False)
    stdout.print()
    ctx.invoke(diff, url=story, from_number=None, to_number=None, output_format="text")
    stdout.print(
        f"\nExplore the demo archive:\n"
        f"  mediawatch --config {config_file} articles\n"
        f"  mediawatch --config {config_file} search ferry\n"
        f"  mediawatch --config {config_file} diff {story} --format html\n"
        f"  mediawatch --config {config_file} serve    # then open http://127.0.0.1:8000/"
    )


COMMANDS = [demo]
