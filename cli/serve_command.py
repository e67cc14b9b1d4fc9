"""`mediawatch serve`: the read-only web UI and JSON API over the archive."""

from __future__ import annotations

import signal
import socket
from typing import Any

import click

from cli.app import App, pass_app, stderr, user_errors


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anyone who can reach it can read the archive.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@pass_app
@user_errors
def serve(app: App, host: str, port: int) -> None:
    """Serve the archive read-only: recent edits, articles, diffs, search, and a JSON API.

    \b
    The JSON API under /api/ answers with the shapes of `--json`; its OpenAPI schema is
    at /openapi.json. Atom feeds: /feeds/edits.atom, /feeds/sources/NAME.atom and, for
    each watch in the config, /feeds/watch/NAME.atom. Stops on Ctrl+C or SIGTERM.
    Example: mediawatch serve --port 8080
    """
    # Imported here: the web stack is for this command only, and every other command's
    # start-up (each crawl's above all) would pay for it.
    import uvicorn

    from web.app import create_app

    # Refuses an archive that is not initialised; the watches get pages and feeds.
    web_app = create_app(app.engine, app.config.watch)
    listener = _listen(host, port)
    bound = listener.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    stderr.print(f"Serving {app.engine.url.render_as_string(hide_password=True)}")
    stderr.print(f"Listening on http://{shown_host}:{bound}/ (Ctrl+C to stop)", soft_wrap=True)
    server = uvicorn.Server(
        uvicorn.Config(web_app, log_level="warning", access_log=False, server_header=False)
    )
    # uvicorn stops gracefully on SIGINT/SIGTERM, then raises the signal again for the
    # handlers it found: these let a stop asked for end with exit status 0.
    previous = {sig: signal.signal(sig, _stopped) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[listener])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        listener.close()
    stderr.print("Stopped.")


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port``, or one line saying why there cannot be one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc};"
            " choose another --port (or --host)"
        ) from exc


def _stopped(_signum: int, _frame: Any) -> None:
    """A stop signal after uvicorn's graceful shutdown: nothing more to do."""


COMMANDS = [serve]
