"""`mediawatch serve`: the read-only web UI and JSON API over the archive.

``app.create_app`` builds the ASGI app; ``pages`` renders the HTML (Jinja2 on the server,
no JavaScript), ``api`` answers the JSON API with the CLI's `--json` shapes, ``render``
holds the pure HTML helpers, ``security`` the headers every response carries.
"""
