"""The config's ``watch`` and ``notify`` sections as the archive's alert rules."""

from __future__ import annotations

from sqlalchemy import Engine

from config import Config, ConfigError
from storage.alerts import AlertRules, HookRule, WatchRule, check_watch_query
from storage.db import make_sessionmaker
from storage.errors import BadQuery


def _names(names: list[str] | None) -> frozenset[str] | None:
    return frozenset(names) if names is not None else None


def alert_rules(config: Config) -> AlertRules:
    """The watches and webhooks of ``config`` (empty rules when it has neither)."""
    return AlertRules(
        watches=tuple(
            WatchRule(watch.name, watch.query, _names(watch.sources)) for watch in config.watch
        ),
        webhooks=tuple(
            HookRule(hook.url, _names(hook.sources), hook.min_words_changed)
            for hook in config.notify.webhooks
        ),
    )


def check_watches(config: Config, engine: Engine) -> None:
    """ConfigError when a watch's query cannot be read by this archive's search, before
    any work: a malformed query found while storing a crawl's batch would lose it."""
    with make_sessionmaker(engine)() as session:
        for watch in config.watch:
            try:
                check_watch_query(session, watch.name, watch.query)
            except BadQuery as exc:
                where = f"{config.path}: " if config.path else ""
                raise ConfigError(f"{where}{exc}", config.path) from exc
