"""The config file: the pydantic models that check it and the loader that reads it.

`load_config()` turns a YAML file into a `Config` or raises `ConfigError` naming the
file, the key and what is wrong, one problem a line, so that a bad config stops a
command before it does any work (SPEC section 1). The models are strict: unknown keys,
wrong types, bad URLs, bad regexes and bad durations are all refused, never guessed at.

The checks of single values live beside this module (durations.py, regexes.py,
fields.py), the checks across the file in references.py, and messages.py turns every
problem into the line the user reads.
"""

import itertools
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from config.durations import Duration, format_duration
from config.fields import Domain, Slug, Url, host_allowed, url_host
from config.messages import (
    ConfigError,
    Problem,
    Problems,
    describe,
    duplicate_keys,
    from_pydantic,
    parse_yaml,
    report,
)
from config.references import cross_problems, known_sources, raw_cross_problems
from config.regexes import ArticlePattern
from storage.recheck import DEFAULT_TIERS

DEFAULT_CONFIG_PATH = Path("config/sources.yaml")
PACKAGED_CONFIG_PATH = Path(__file__).with_name("sources.yaml")
CONFIG_ENV = "MEDIAWATCH_CONFIG"
DATABASE_URL_ENV = "MEDIAWATCH_DATABASE_URL"
# A config lists a few dozen sources; a file this large is something else named by mistake.
MAX_CONFIG_BYTES = 1_000_000


# --- the models ----------------------------------------------------------------------


class _Model(BaseModel):
    """Strict, closed models: an unknown key or a wrong type is an error, never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_means_default(cls, data: Any) -> Any:
        # `watch:` with every item commented out reads as None; take it as "not set".
        if isinstance(data, dict):
            fields = cls.model_fields
            return {
                key: value
                for key, value in data.items()
                if not (value is None and key in fields and not fields[key].is_required())
            }
        return data


class RecheckTier(_Model):
    """Articles whose text last changed less than `younger_than` ago are re-fetched `every`."""

    # Frozen: the default tiers are shared by every source that does not set its own.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    younger_than: Duration
    every: Duration


DEFAULT_RECHECK: tuple[RecheckTier, ...] = tuple(
    RecheckTier(younger_than=age, every=every) for age, every in DEFAULT_TIERS
)

_URL_FIELDS = ("feeds", "sitemaps", "pages")


class Source(_Model):
    """One news site: where to discover its articles and how often to look again."""

    name: Slug
    feeds: list[Url] = Field(default_factory=list)
    sitemaps: list[Url] = Field(default_factory=list)
    pages: list[Url] = Field(default_factory=list)
    article_urls: ArticlePattern = None
    allowed_domains: list[Domain] = Field(default_factory=list)
    discover_every: Duration = timedelta(minutes=15)
    recheck: list[RecheckTier] = Field(default_factory=lambda: list(DEFAULT_RECHECK))

    @field_validator("recheck")
    @classmethod
    def _tiers_in_order(cls, tiers: list[RecheckTier]) -> list[RecheckTier]:
        if not tiers:
            raise ValueError("no tiers; remove the key to use the default tiers")
        for index, (before, after) in enumerate(itertools.pairwise(tiers), start=1):
            if after.younger_than <= before.younger_than:
                raise ValueError(
                    f"tiers must be sorted by younger_than, shortest first, each longer than the"
                    f" one before: recheck[{index}] (younger_than"
                    f" {format_duration(after.younger_than)}) comes after recheck[{index - 1}]"
                    f" (younger_than {format_duration(before.younger_than)}); reorder them"
                )
        return tiers

    @model_validator(mode="after")
    def _urls_and_domains(self) -> "Source":
        problems: list[Problem] = []
        if not self.urls:
            problems.append(
                (
                    (),
                    "no feeds, sitemaps or pages; add at least one address to read articles"
                    " from, e.g. feeds: ['https://example.com/rss.xml']",
                )
            )
        if "allowed_domains" not in self.model_fields_set:
            self.allowed_domains = list(dict.fromkeys(url_host(url) for url in self.urls))
        elif not self.allowed_domains:
            problems.append(
                (
                    ("allowed_domains",),
                    "the list is empty, so no page could be fetched; list the hosts, or remove"
                    " the key to allow the hosts of the feeds, sitemaps and pages",
                )
            )
        else:
            allowed = ", ".join(self.allowed_domains)
            for field in _URL_FIELDS:
                for index, url in enumerate(getattr(self, field)):
                    host = url_host(url)
                    if not host_allowed(host, self.allowed_domains):
                        problems.append(
                            (
                                (field, index),
                                f"the host {host!r} is not in allowed_domains ({allowed}); add it"
                                " to allowed_domains, or remove that key to allow every host"
                                " named in feeds, sitemaps and pages",
                            )
                        )
        if problems:
            raise Problems(problems)
        return self

    @property
    def urls(self) -> list[str]:
        """Every feed, sitemap and page address, in that order."""
        return [*self.feeds, *self.sitemaps, *self.pages]


class Watch(_Model):
    """A saved search whose new matches are announced (web UI, Atom, webhooks)."""

    name: Slug
    query: str
    sources: list[str] | None = None

    @field_validator("query")
    @classmethod
    def _query_not_blank(cls, query: str) -> str:
        if not query.strip():
            raise ValueError("the query is empty; write what to search for, e.g. 'Iran AND Russia'")
        return query


class Webhook(_Model):
    """An address that is sent a JSON POST for each new version in its sources (all when
    unset) that changed at least ``min_words_changed`` words; a new article always counts.
    The POST names the watches the version matched, with their snippets."""

    url: Url
    sources: list[str] | None = None
    min_words_changed: int = 0

    @field_validator("min_words_changed")
    @classmethod
    def _not_negative(cls, words: int) -> int:
        if words < 0:
            raise ValueError(f"must be 0 or more, got {words}")
        return words


class Notify(_Model):
    """Where alerts go."""

    webhooks: list[Webhook] = Field(default_factory=list)


class Config(_Model):
    """The whole config file."""

    database_url: str = "sqlite:///data/archive.db"
    user_agent: str = "mediawatch (+https://github.com/mediawatch/mediawatch)"
    sources: list[Source]
    watch: list[Watch] = Field(default_factory=list)
    notify: Notify = Field(default_factory=Notify)

    _path: Path | None = PrivateAttr(default=None)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, url: str) -> str:
        if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", url):
            raise ValueError(
                f"{url!r} is not a database URL; write e.g. sqlite:///data/archive.db or"
                " postgresql+psycopg://user@host/mediawatch"
            )
        return url

    @field_validator("user_agent")
    @classmethod
    def _user_agent(cls, agent: str) -> str:
        if not agent.strip() or any(char in agent for char in "\r\n\0"):
            raise ValueError(
                "must be one non-empty line, e.g. 'mediawatch (+https://example.org/contact)'"
            )
        return agent

    @field_validator("sources")
    @classmethod
    def _some_sources(cls, sources: list[Source]) -> list[Source]:
        if not sources:
            raise ValueError("the list is empty; add at least one source to watch")
        return sources

    @model_validator(mode="after")
    def _names_and_references(self) -> "Config":
        problems = cross_problems(
            [source.name for source in self.sources],
            [watch.name for watch in self.watch],
            [(("watch", i), watch.sources) for i, watch in enumerate(self.watch)]
            + [
                (("notify", "webhooks", i), hook.sources)
                for i, hook in enumerate(self.notify.webhooks)
            ],
        )
        if problems:
            raise Problems(problems)
        return self

    @property
    def path(self) -> Path | None:
        """The file this config was loaded from (None when built in code)."""
        return self._path

    def source(self, name: str) -> Source:
        """The source called name; ConfigError naming the known ones if there is none."""
        for source in self.sources:
            if source.name == name:
                return source
        known = [source.name for source in self.sources]
        raise ConfigError(f"no source named {name!r}{known_sources(known)}", self._path)


# --- loading -------------------------------------------------------------------------


def config_path(explicit: str | Path | None = None) -> Path:
    """Which file to read: explicit, else $MEDIAWATCH_CONFIG, else config/sources.yaml.

    config/sources.yaml is looked for in the current directory first, then beside this
    module (the config shipped with mediawatch).
    """
    return _resolve(explicit)[0]


def _resolve(explicit: str | Path | None) -> tuple[Path, str]:
    if explicit is not None and str(explicit):
        return Path(explicit), "--config"
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]), CONFIG_ENV
    if DEFAULT_CONFIG_PATH.is_file():
        return DEFAULT_CONFIG_PATH, "default"
    return PACKAGED_CONFIG_PATH, "default"


def load_config(path: str | Path | None = None) -> Config:
    """Read and check the config file; ConfigError listing every problem if it is bad."""
    file, origin = _resolve(path)
    label = str(file)
    text = _read(file, origin)
    root, data = parse_yaml(text, label, file)
    if data is None:
        raise ConfigError(
            f"{label}: the file has no settings; it needs at least a sources: list"
            f" (see the example shipped in {PACKAGED_CONFIG_PATH})",
            file,
        )
    if not isinstance(data, dict):
        raise ConfigError(
            f"{label}: the top level must be a mapping of keys (database_url:, sources:, ...),"
            f" not {describe(data)}",
            file,
        )
    from_env: dict[tuple[str | int, ...], str] = {}
    if os.environ.get(DATABASE_URL_ENV):
        data["database_url"] = os.environ[DATABASE_URL_ENV]
        from_env[("database_url",)] = DATABASE_URL_ENV
    problems = duplicate_keys(root)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems += from_pydantic(exc, Config) + raw_cross_problems(data)
    if problems:
        raise ConfigError(report(problems, label, root, data, from_env), file)
    config._path = file
    return config


def _read(file: Path, origin: str) -> str:
    fix = "pass --config PATH or create config/sources.yaml"
    named_by = f" ({CONFIG_ENV} names it)" if origin == CONFIG_ENV else ""
    try:
        # Bounded: `--config /dev/urandom` (or a log file named by mistake) must not be read whole.
        with file.open("rb") as stream:
            raw = stream.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"{file}: is larger than {MAX_CONFIG_BYTES // 1_000_000} MB, too large to be a"
                f" config; {fix}{named_by}",
                file,
            )
        return raw.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such file; {fix}{named_by}", file) from None
    except IsADirectoryError:
        raise ConfigError(f"{file}: is a directory, not a file; {fix}{named_by}", file) from None
    except PermissionError:
        raise ConfigError(f"{file}: cannot be read (permission denied)", file) from None
    except NotADirectoryError:
        raise ConfigError(
            f"{file}: no such file (a part of the path is a file, not a folder); {fix}{named_by}",
            file,
        ) from None
    except UnicodeDecodeError as exc:
        if exc.object[:2] in (b"\xff\xfe", b"\xfe\xff"):
            kind = "UTF-16 text, not UTF-8"
        elif b"\0" in exc.object[:4096]:
            kind = "a binary file, not YAML text"
        else:
            kind = "not UTF-8 text"
        raise ConfigError(
            f"{file}: is {kind} (byte {exc.start}); save the config as UTF-8 text",
            file,
        ) from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot be read ({exc.strerror or exc}); {fix}", file) from None
