"""The config file: the pydantic models that check it and the loader that reads it.

`load_config()` turns a YAML file into a `Config` or raises `ConfigError` naming the
file, the key and what is wrong, one problem a line, so that a bad config stops a
command before it does any work (SPEC section 1). The models are strict: unknown keys,
wrong types, bad URLs, bad regexes and bad durations are all refused, never guessed at.
"""

import difflib
import importlib
import itertools
import os
import re
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, get_args
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_CONFIG_PATH = Path("config/sources.yaml")
PACKAGED_CONFIG_PATH = Path(__file__).with_name("sources.yaml")
CONFIG_ENV = "MEDIAWATCH_CONFIG"
DATABASE_URL_ENV = "MEDIAWATCH_DATABASE_URL"


class ConfigError(Exception):
    """A config that cannot be used: one line per problem, each naming the file and key."""

    def __init__(self, problems: str | Sequence[str], path: Path | None = None) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.path = path
        super().__init__("\n".join(self.problems))


# A problem found in the config: the key path to it, and what is wrong and how to fix it.
Problem = tuple[tuple[str | int, ...], str]


class _Problems(ValueError):
    """Several problems found by one cross-field check, each at its own key path.

    Raised inside model validators; pydantic keeps the exception in the error's context,
    and the loader spreads its problems back out to the keys they belong to.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


# --- durations -----------------------------------------------------------------------

_DURATION_HINT = "write a number and a unit: 90s, 15m, 3h or 7d"
_DURATION = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*([smhd])")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """'90s', '15m', '3h' or '7d' as a timedelta; bare numbers, zero and negatives are refused."""
    if isinstance(value, timedelta):
        if value <= timedelta(0):
            raise ValueError(f"{format_duration(value)} is not longer than zero; {_DURATION_HINT}")
        return value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected a duration, got {_describe(value)}; {_DURATION_HINT}")
    text = str(value).strip()
    if _NUMBER.fullmatch(text):
        # A bare number is ambiguous (seconds? minutes?), so the unit is required.
        bare = text.lstrip("+")
        raise ValueError(
            f"{value!r} is not a duration: it has no unit; write e.g. {bare}m for"
            f" {bare} minutes or {bare}s for {bare} seconds (units: s, m, h, d)"
        )
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"{value!r} is not a duration; {_DURATION_HINT}")
    number = float(match[1])
    if number <= 0:
        raise ValueError(
            f"{value!r} is not a duration: it must be longer than zero; write e.g. 15m"
        )
    try:
        return timedelta(seconds=number * _UNIT_SECONDS[match[2]])
    except OverflowError:
        raise ValueError(f"{value!r} is too long to be a duration; {_DURATION_HINT}") from None


def format_duration(value: timedelta) -> str:
    """A timedelta in config notation, the largest exact unit: 15m, 3h, 7d (or 1.5s)."""
    seconds = value.total_seconds()
    for unit, size in _UNIT_SECONDS.items():
        if seconds and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


# Dumped as JSON in the config's own notation, so a dumped config can be loaded again.
Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
]


# --- names, URLs, domains ------------------------------------------------------------

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")


def _check_slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        suggestion = re.sub(r"[^a-z0-9_-]+", "-", value.lower()).strip("-_")
        example = f", e.g. {suggestion!r}" if suggestion and _SLUG.fullmatch(suggestion) else ""
        raise ValueError(
            f"{value!r} is not a valid name; use lowercase letters, digits, '-' and '_'{example}"
        )
    return value


def _check_url(value: str) -> str:
    if not value.strip():
        raise ValueError("the URL is empty; write a full address such as https://example.com/")
    if any(char.isspace() for char in value):
        raise ValueError(f"{value!r} contains spaces; write them as %20")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- reading it is what validates it
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    # "example.com/rss.xml" has no scheme; in "localhost:8000/x" the host reads as one.
    port_as_path = not parts.netloc and parts.path[:1].isdigit()
    if not scheme or (scheme not in ("http", "https") and port_as_path):
        raise ValueError(
            f"{value!r} is not a full URL; write it with its scheme: 'https://{value}'"
        )
    if scheme not in ("http", "https"):
        raise ValueError(
            f"{value!r} uses the {scheme}: scheme; only http:// and https:// addresses can be"
            " crawled"
        )
    if not parts.hostname:
        raise ValueError(
            f"{value!r} has no host; write a full address such as https://example.com/"
        )
    return value


def _check_domain(value: str) -> str:
    domain = value.strip().lower().lstrip(".")
    if "://" in domain or "/" in domain:
        host = urlsplit(domain if "://" in domain else f"//{domain}").hostname or domain
        raise ValueError(f"{value!r} is not a host name; write the host only: {host!r}")
    if ":" in domain:
        raise ValueError(f"{value!r} has a port; write the host only: {domain.split(':')[0]!r}")
    if not domain or any(char.isspace() or char == "@" for char in domain):
        raise ValueError(f"{value!r} is not a host name; write one such as 'example.com'")
    return domain


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _host_allowed(host: str, domains: Sequence[str]) -> bool:
    """Scrapy's rule: a domain allows itself and all of its subdomains."""
    return any(host == domain or host.endswith("." + domain) for domain in domains)


Url = Annotated[str, AfterValidator(_check_url)]
Slug = Annotated[str, AfterValidator(_check_slug)]
Domain = Annotated[str, AfterValidator(_check_domain)]


# --- article_urls regexes ------------------------------------------------------------

_REPEATS = ("MAX_REPEAT", "MIN_REPEAT")
_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _regex_parser() -> ModuleType | None:
    # The stdlib's own regex parser gives the pattern's structure exactly. It is private
    # (re._parser since 3.11), so if it ever moves the check is skipped, not crashed.
    try:
        return importlib.import_module("re._parser")
    except ImportError:
        return None


def _name(op: Any) -> str:
    return str(getattr(op, "name", op))


def _children(name: str, arg: Any) -> list[list[Any]]:
    """The sub-patterns of one parsed regex item."""
    if name in (*_REPEATS, "POSSESSIVE_REPEAT"):
        return [list(arg[2])]
    if name == "SUBPATTERN":
        return [list(arg[3])]
    if name == "ATOMIC_GROUP":
        return [list(arg)]
    if name == "BRANCH":
        return [list(branch) for branch in arg[1]]
    if name in ("ASSERT", "ASSERT_NOT"):
        return [list(arg[1])]
    if name == "GROUPREF_EXISTS":
        return [list(branch) for branch in arg[1:] if branch is not None]
    return []


def _varies(low: int, high: int) -> bool:
    return high > 1 and high != low


def _variable_repeats(items: list[Any]) -> list[list[Any]]:
    """Bodies of the backtracking repeats (possessive and atomic ones cannot) in items."""
    found: list[list[Any]] = []
    for op, arg in items:
        name = _name(op)
        if name in ("POSSESSIVE_REPEAT", "ATOMIC_GROUP"):
            continue
        if name in _REPEATS and _varies(arg[0], arg[1]):
            found.append(list(arg[2]))
        for child in _children(name, arg):
            found.extend(_variable_repeats(child))
    return found


def _required_literals(items: list[Any]) -> Iterator[str]:
    for op, arg in items:
        name = _name(op)
        if name == "LITERAL":
            yield chr(arg)
        elif name == "SUBPATTERN":
            yield from _required_literals(list(arg[3]))


def _set_can_match(items: list[Any], char: str) -> bool:
    negate = hit = False
    variants = {char, char.lower(), char.upper()}
    for op, arg in items:
        name = _name(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            hit = hit or chr(arg) in variants
        elif name == "RANGE":
            hit = hit or any(arg[0] <= ord(v) <= arg[1] for v in variants)
        elif name == "CATEGORY" and _name(arg) in _CATEGORIES:
            hit = hit or re.fullmatch(_CATEGORIES[_name(arg)], char) is not None
        else:
            return True  # not understood: assume the worst
    return hit != negate


def _can_match(items: list[Any], char: str) -> bool:
    """Whether any part of items might consume char (errs towards yes)."""
    for op, arg in items:
        name = _name(op)
        if name == "LITERAL":
            matches = chr(arg).lower() == char.lower()
        elif name == "NOT_LITERAL":
            matches = chr(arg).lower() != char.lower()
        elif name == "IN":
            matches = _set_can_match(list(arg), char)
        elif name == "AT":
            matches = False
        elif children := _children(name, arg):
            matches = any(_can_match(child, char) for child in children)
        else:
            matches = True
        if matches:
            return True
    return False


def _nested_repetition(items: list[Any]) -> bool:
    """True when a repeated part contains another repeat with nothing to tell them apart.

    `(a+)+` or `(.*)*` can split the same text in exponentially many ways, and Python's
    regex engine tries them all before failing. A repeated part is safe when it holds a
    single inner repeat and a fixed character that repeat cannot match, as in
    `(/[a-z-]+)+`: the '/' pins where each round starts. Overlapping alternatives such
    as `(a|aa)+` are not caught; this is a structural check, not a proof.
    """
    for op, arg in items:
        name = _name(op)
        if name in _REPEATS and _varies(arg[0], arg[1]):
            body = list(arg[2])
            inner = _variable_repeats(body)
            separated = len(inner) == 1 and any(
                not _can_match(inner[0], char) for char in _required_literals(body)
            )
            if inner and not separated:
                return True
        if any(_nested_repetition(child) for child in _children(name, arg)):
            return True
    return False


def _compile_article_urls(value: object) -> re.Pattern[str] | None:
    if value is None:
        return None
    if isinstance(value, re.Pattern):
        value = value.pattern
    if not isinstance(value, str):
        raise ValueError(f"expected a regular expression as text, got {_describe(value)}")
    if not value:
        raise ValueError("the pattern is empty, so it would match every link; remove the key")
    try:
        pattern = re.compile(value)
    except re.error as exc:
        raise ValueError(
            f"'{value}' is not a valid regular expression: {exc.msg} at position {exc.pos};"
            " fix the pattern (in single quotes, a backslash needs no doubling: '\\d{4}/')"
        ) from None
    # Quoted by hand below, not with !r: repr would double every backslash.
    parser = _regex_parser()
    if parser is not None and _nested_repetition(list(parser.parse(value))):
        raise ValueError(
            f"'{value}' can take exponential time on some links: a repeated group contains"
            " another repetition, like (a+)+ or (.*)*; rewrite it so that each repeated group"
            " has a fixed character its inner part cannot match, e.g. (/[a-z-]+)+"
        )
    return pattern


ArticlePattern = Annotated[re.Pattern[str] | None, BeforeValidator(_compile_article_urls)]


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
    RecheckTier(younger_than=parse_duration(age), every=parse_duration(every))
    for age, every in (("3h", "15m"), ("1d", "1h"), ("7d", "3h"), ("30d", "3d"), ("360d", "30d"))
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
            self.allowed_domains = list(dict.fromkeys(_host(url) for url in self.urls))
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
                    host = _host(url)
                    if not _host_allowed(host, self.allowed_domains):
                        problems.append(
                            (
                                (field, index),
                                f"the host {host!r} is not in allowed_domains ({allowed}); add it"
                                " to allowed_domains, or remove that key to allow every host"
                                " named in feeds, sitemaps and pages",
                            )
                        )
        if problems:
            raise _Problems(problems)
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
    """An address that is sent a JSON POST for each new version of a watched article."""

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
        problems = _cross_problems(
            [source.name for source in self.sources],
            [watch.name for watch in self.watch],
            [(("watch", i), watch.sources) for i, watch in enumerate(self.watch)]
            + [
                (("notify", "webhooks", i), hook.sources)
                for i, hook in enumerate(self.notify.webhooks)
            ],
        )
        if problems:
            raise _Problems(problems)
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
        raise ConfigError(f"no source named {name!r}{_known(known)}", self._path)


def _known(names: list[str]) -> str:
    return f"; known sources: {', '.join(names)}" if names else ""


def _cross_problems(
    sources: list[Any], watches: list[Any], referrers: list[tuple[tuple[str | int, ...], Any]]
) -> list[Problem]:
    """Duplicate names, and watches or webhooks naming a source that does not exist.

    Takes plain values so the loader can run it on the raw YAML too: then these problems
    are reported alongside type errors, which stop pydantic before its model validators.
    """
    problems = _duplicates("sources", sources, "source") + _duplicates("watch", watches, "watch")
    known = list(dict.fromkeys(name for name in sources if isinstance(name, str)))
    for where, names in referrers:
        for index, name in enumerate(names if isinstance(names, list) else []):
            if isinstance(name, str) and name not in known:
                problems.append(
                    ((*where, "sources", index), f"{name!r} is not a source{_known(known)}")
                )
    return problems


def _raw_cross_problems(data: dict[Any, Any]) -> list[Problem]:
    """_cross_problems on the YAML as read, whatever else is wrong with it."""

    def items(value: Any) -> list[dict[Any, Any]]:
        entries = value if isinstance(value, list) else []
        return [entry if isinstance(entry, dict) else {} for entry in entries]

    sources, watches = items(data.get("sources")), items(data.get("watch"))
    notify = data.get("notify")
    hooks = items(notify.get("webhooks") if isinstance(notify, dict) else None)
    if not isinstance(data.get("sources"), list):
        return []
    return _cross_problems(
        [entry.get("name") for entry in sources],
        [entry.get("name") for entry in watches],
        [(("watch", i), entry.get("sources")) for i, entry in enumerate(watches)]
        + [(("notify", "webhooks", i), entry.get("sources")) for i, entry in enumerate(hooks)],
    )


def _duplicates(key: str, names: list[Any], what: str) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for index, name in enumerate(names):
        if not isinstance(name, str):
            continue
        if name in first:
            problems.append(
                (
                    (key, index, "name"),
                    f"{name!r} is used twice; {what} names must be unique, and"
                    f" {key}[{first[name]}] already has it",
                )
            )
        first.setdefault(name, index)
    return problems


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
    root, data = _parse_yaml(text, label, file)
    if data is None:
        raise ConfigError(
            f"{label}: the file has no settings; it needs at least a sources: list"
            f" (see the example shipped in {PACKAGED_CONFIG_PATH})",
            file,
        )
    if not isinstance(data, dict):
        raise ConfigError(
            f"{label}: the top level must be a mapping of keys (database_url:, sources:, ...),"
            f" not {_describe(data)}",
            file,
        )
    if os.environ.get(DATABASE_URL_ENV):
        data["database_url"] = os.environ[DATABASE_URL_ENV]
    problems = _duplicate_keys(root)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems += _from_pydantic(exc) + _raw_cross_problems(data)
    if problems:
        raise ConfigError(_report(problems, label, root, data), file)
    config._path = file
    return config


def _read(file: Path, origin: str) -> str:
    fix = "pass --config PATH or create config/sources.yaml"
    named_by = f" ({CONFIG_ENV} names it)" if origin == CONFIG_ENV else ""
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such file; {fix}{named_by}", file) from None
    except IsADirectoryError:
        raise ConfigError(f"{file}: is a directory, not a file; {fix}{named_by}", file) from None
    except PermissionError:
        raise ConfigError(f"{file}: cannot be read (permission denied)", file) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{file}: is not UTF-8 text (byte {exc.start}); save it as UTF-8", file
        ) from None


def _parse_yaml(text: str, label: str, file: Path) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for line numbers) and its data, from one parse."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        column = f" (column {mark.column + 1})" if mark else ""
        problem = exc.problem or exc.context or "unreadable YAML"
        hint = "; indent with spaces, not tabs" if "'\\t'" in problem else ""
        if "another document" in problem:
            hint = "; a config is a single YAML document: remove the '---' line"
        raise ConfigError(
            f"{label}: {where}YAML syntax error: {problem}{column}{hint}", file
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label}: YAML syntax error: {exc}", file) from None
    finally:
        loader.dispose()
    return node, data


def _duplicate_keys(root: yaml.Node | None) -> list[Problem]:
    """YAML silently keeps the last of two equal keys; a config must not lose settings so."""
    problems: list[Problem] = []
    seen: set[int] = set()

    def walk(node: yaml.Node, loc: tuple[str | int, ...]) -> None:
        if id(node) in seen:  # an alias back to an anchor
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            lines: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    line = key.start_mark.line + 1
                    if key.value in lines:
                        problems.append(
                            (
                                (*loc, key.value),
                                f"the key appears twice (lines {lines[key.value]} and {line});"
                                " YAML keeps only the last, so merge them or delete one",
                            )
                        )
                    lines.setdefault(key.value, line)
                    walk(value, (*loc, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*loc, index))

    if root is not None:
        walk(root, ())
    return problems


# --- turning pydantic's errors into messages -----------------------------------------


def _from_pydantic(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, _Problems):
            problems += [((*loc, *sub), message) for sub, message in cause.problems]
        else:
            problems.append((loc, _message(error, cause)))
    return problems


def _report(problems: list[Problem], label: str, root: yaml.Node | None, data: Any) -> list[str]:
    """One line per problem, in file order: 'FILE: key.path: what and how to fix (line N)'."""
    located = []
    for loc, message in problems:
        notes = []
        line = _line_of(root, loc)
        if loc == ("database_url",) and os.environ.get(DATABASE_URL_ENV):
            notes.append(f"from {DATABASE_URL_ENV}")
        elif line is not None:
            notes.append(f"line {line}")
        if name := _source_name(loc, data):
            notes.append(f"source {name!r}")
        suffix = f" ({', '.join(notes)})" if notes else ""
        where = f"{_format_loc(loc)}: " if loc else ""
        located.append((line or 0, f"{label}: {where}{message}{suffix}"))
    located.sort(key=lambda pair: pair[0])  # stable: same-line problems keep their order
    return list(dict.fromkeys(text for _, text in located))


def _source_name(loc: tuple[Any, ...], data: Any) -> str | None:
    """The name of the source that loc is inside, if it has a usable one."""
    if len(loc) < 3 or loc[0] != "sources" or not isinstance(loc[1], int) or loc[2] == "name":
        return None
    sources = data.get("sources")
    entry = sources[loc[1]] if isinstance(sources, list) and loc[1] < len(sources) else None
    name = entry.get("name") if isinstance(entry, dict) else None
    return name if isinstance(name, str) else None


def _message(error: Any, cause: object) -> str:
    kind, value, loc = error["type"], error.get("input"), tuple(error["loc"])
    if kind in ("value_error", "assertion_error") and cause is not None:
        return str(cause)
    if kind in ("extra_forbidden", "invalid_key"):
        allowed = list(_model_at(loc[:-1]).model_fields)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        maybe = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key{maybe}; allowed keys: {', '.join(allowed)}"
    if kind == "missing":
        if loc == ("sources",):
            return "required key is missing; add a sources: list with at least one site to watch"
        return f"required key is missing; add {loc[-1]}:"
    if kind == "string_type":
        note = " (YAML reads yes/no/on/off as true/false: quote the text)"
        return f"expected text, got {_describe(value)}{note if isinstance(value, bool) else ''}"
    if kind == "list_type":
        return f"expected a list, got {_describe(value)}; write [a, b] or one '- item' per line"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys (key: value), got {_describe(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {_describe(value)}"
    return f"{error['msg']}, got {_describe(value)}"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel]:
    """The model class that validates the mapping found at loc."""
    model: type[BaseModel] = Config
    for part in loc:
        if isinstance(part, str) and part in model.model_fields:
            model = _model_in(model.model_fields[part].annotation) or model
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if found := _model_in(arg):
            return found
    return None


def _format_loc(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) and text else f".{part}" if text else str(part)
    return text


def _line_of(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest node on loc that exists in the file."""
    node, line = root, None
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            # reversed: with a duplicated key, YAML keeps (and pydantic saw) the last one
            pairs = [(k, v) for k, v in reversed(node.value) if getattr(k, "value", None) == part]
            if not pairs:
                break
            line, node = pairs[0][0].start_mark.line + 1, pairs[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _describe(value: object) -> str:
    """A value as a newcomer reading the YAML would name it."""
    if value is None:
        return "nothing (the key has no value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
