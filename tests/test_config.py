"""The config file: the shipped one loads, bad ones are refused with a message that
names the file, the key and the fix, and the environment overrides work."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

import config.schema
from config import (
    DEFAULT_RECHECK,
    Config,
    ConfigError,
    RecheckTier,
    Source,
    Watch,
    config_path,
    format_duration,
    load_config,
    parse_duration,
)

SHIPPED = Path(config.schema.__file__).with_name("sources.yaml")

ONE_SOURCE = """\
sources:
  - name: demo
    feeds: ["https://example.com/rss.xml"]
"""

SOURCE_KEYS = "name, feeds, sitemaps, pages, article_urls, allowed_domains, discover_every, recheck"
HOUR = timedelta(hours=1)
DURATION_FIX = "write a number and a unit: 90s, 15m, 3h or 7d"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test starts in an empty directory with no overrides from the caller's shell."""
    monkeypatch.delenv("MEDIAWATCH_CONFIG", raising=False)
    monkeypatch.delenv("MEDIAWATCH_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)


def write(text: str, name: str = "bad.yaml") -> Path:
    path = Path(name)
    path.write_text(text, encoding="utf-8")
    return path


def problems(text: str) -> list[str]:
    write(text)
    with pytest.raises(ConfigError) as caught:
        load_config("bad.yaml")
    assert caught.value.path == Path("bad.yaml")
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


# --- the shipped config ----------------------------------------------------------------


def test_shipped_config_loads_with_the_demo_source() -> None:
    loaded = load_config(SHIPPED)

    assert loaded.path == SHIPPED
    assert loaded.database_url == "sqlite:///data/archive.db"
    assert [source.name for source in loaded.sources] == ["demo"]
    demo = loaded.source("demo")
    assert demo.feeds == ["http://127.0.0.1:8765/rss.xml"]
    assert demo.sitemaps == ["http://127.0.0.1:8765/sitemap.xml"]
    assert demo.pages == ["http://127.0.0.1:8765/"]
    assert demo.allowed_domains == ["127.0.0.1"]
    assert demo.discover_every == timedelta(minutes=15)
    assert demo.recheck == list(DEFAULT_RECHECK)
    assert demo.article_urls is not None
    assert demo.article_urls.search("http://127.0.0.1:8765/2024/05/budget-vote.html")
    assert not demo.article_urls.search("http://127.0.0.1:8765/world/")
    assert loaded.watch == []
    assert loaded.notify.webhooks == []


def uncomment(text: str) -> str:
    """The shipped file with its commented-out examples switched on.

    The file's convention: a commented-out line is '#' followed by the original line,
    so what follows the '#' is indented (two spaces or more) or starts with a key; an
    explanation is '# ' and a sentence.
    """
    lines = []
    for line in text.splitlines():
        rest = line[1:]
        is_code = line.startswith("#") and (rest.startswith("  ") or rest[:1].islower())
        lines.append(rest if is_code else line)
    return "\n".join(lines) + "\n"


def test_shipped_examples_are_valid_once_uncommented() -> None:
    loaded = load_config(write(uncomment(SHIPPED.read_text(encoding="utf-8")), "all.yaml"))

    names = [source.name for source in loaded.sources]
    assert names == ["demo", "bbc-news", "guardian", "ap-world"]
    assert loaded.source("bbc-news").allowed_domains == ["bbci.co.uk", "bbc.co.uk", "bbc.com"]
    assert loaded.source("guardian").allowed_domains == ["www.theguardian.com"]
    assert [tier.every for tier in loaded.source("guardian").recheck] == [
        timedelta(hours=1),
        timedelta(days=1),
    ]
    assert [watch.name for watch in loaded.watch] == ["iran-russia", "election-edits"]
    assert [hook.min_words_changed for hook in loaded.notify.webhooks] == [3, 0]


def test_a_dumped_config_loads_back_unchanged() -> None:
    loaded = load_config(write(uncomment(SHIPPED.read_text(encoding="utf-8")), "all.yaml"))

    dumped = write(yaml.safe_dump(loaded.model_dump(mode="json")), "dumped.yaml")

    assert load_config(dumped).model_dump() == loaded.model_dump()


# --- which file, and the environment ---------------------------------------------------


def test_config_path_prefers_explicit_then_env_then_cwd_then_packaged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert config_path(None) == SHIPPED

    Path("config").mkdir()
    write(ONE_SOURCE, "config/sources.yaml")
    assert config_path(None) == Path("config/sources.yaml")

    monkeypatch.setenv("MEDIAWATCH_CONFIG", "from-env.yaml")
    assert config_path(None) == Path("from-env.yaml")
    assert config_path("explicit.yaml") == Path("explicit.yaml")


def test_mediawatch_config_names_the_file_to_load(monkeypatch: pytest.MonkeyPatch) -> None:
    write(ONE_SOURCE.replace("demo", "from-env"), "env.yaml")
    monkeypatch.setenv("MEDIAWATCH_CONFIG", "env.yaml")

    assert [source.name for source in load_config().sources] == ["from-env"]


def test_mediawatch_database_url_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    write("database_url: sqlite:///file.db\n" + ONE_SOURCE, "ok.yaml")
    assert load_config("ok.yaml").database_url == "sqlite:///file.db"

    monkeypatch.setenv("MEDIAWATCH_DATABASE_URL", "postgresql+psycopg://mw@db/mediawatch")

    assert load_config("ok.yaml").database_url == "postgresql+psycopg://mw@db/mediawatch"


def test_a_bad_database_url_from_the_environment_says_where_it_came_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MEDIAWATCH_DATABASE_URL", "archive.db")

    assert problems(ONE_SOURCE) == [
        "bad.yaml: database_url: 'archive.db' is not a database URL; write e.g."
        " sqlite:///data/archive.db or postgresql+psycopg://user@host/mediawatch"
        " (from MEDIAWATCH_DATABASE_URL)"
    ]


def test_a_missing_file_named_by_the_environment_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIAWATCH_CONFIG", "nope.yaml")

    with pytest.raises(ConfigError) as caught:
        load_config()

    assert str(caught.value) == (
        "nope.yaml: no such file; pass --config PATH or create config/sources.yaml"
        " (MEDIAWATCH_CONFIG names it)"
    )


def test_missing_file() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config("nope.yaml")

    assert str(caught.value) == (
        "nope.yaml: no such file; pass --config PATH or create config/sources.yaml"
    )


def test_a_directory_is_not_a_config_file() -> None:
    Path("somewhere").mkdir()

    with pytest.raises(ConfigError, match=r"^somewhere: is a directory, not a file; pass --config"):
        load_config("somewhere")


# --- allowed_domains -------------------------------------------------------------------


def test_allowed_domains_default_to_the_hosts_of_every_url_once_each() -> None:
    source = Source(
        name="multi",
        feeds=["https://feeds.example.com/a.xml", "https://feeds.example.com/b.xml"],
        sitemaps=["https://WWW.Example.com:8443/sitemap.xml"],
        pages=["http://other.example.org/news/"],
    )

    assert source.allowed_domains == ["feeds.example.com", "www.example.com", "other.example.org"]


def test_allowed_domains_allow_their_subdomains_and_are_normalised() -> None:
    source = Source(
        name="bbc",
        feeds=["https://feeds.bbci.co.uk/news/rss.xml"],
        pages=["https://www.bbc.co.uk/news"],
        allowed_domains=["BBCI.co.uk", ".bbc.co.uk"],
    )

    assert source.allowed_domains == ["bbci.co.uk", "bbc.co.uk"]


# --- bad configs -----------------------------------------------------------------------

BAD_CONFIGS = [
    pytest.param(
        "colour: red\n" + ONE_SOURCE,
        "bad.yaml: colour: unknown key; allowed keys: database_url, user_agent, sources, watch,"
        " notify (line 1)",
        id="unknown-top-level-key",
    ),
    pytest.param(
        ONE_SOURCE + "    feed: []\n",
        f"bad.yaml: sources[0].feed: unknown key (did you mean 'feeds'?); allowed keys:"
        f" {SOURCE_KEYS} (line 4, source 'demo')",
        id="unknown-source-key",
    ),
    pytest.param(
        "sources:\n  - name: demo\n    feeds: https://example.com/rss.xml\n",
        "bad.yaml: sources[0].feeds: expected a list, got the text 'https://example.com/rss.xml';"
        " write [a, b] or one '- item' per line (line 3, source 'demo')",
        id="string-instead-of-list",
    ),
    pytest.param(
        "user_agent: [mediawatch]\n" + ONE_SOURCE,
        "bad.yaml: user_agent: expected text, got a list (line 1)",
        id="list-instead-of-text",
    ),
    pytest.param(
        "sources:\n  - name: no\n    feeds: [https://example.com/rss.xml]\n",
        "bad.yaml: sources[0].name: expected text, got false (YAML reads yes/no/on/off as"
        " true/false: quote the text) (line 2)",
        id="yaml-boolean-as-name",
    ),
    pytest.param(
        "sources:\n  - name: Example Daily\n    feeds: [https://example.com/rss.xml]\n",
        "bad.yaml: sources[0].name: 'Example Daily' is not a valid name; use lowercase letters,"
        " digits, '-' and '_', e.g. 'example-daily' (line 2)",
        id="name-not-a-slug",
    ),
    pytest.param(
        ONE_SOURCE + "    article_urls: '^https://example\\.com/(\\d{4}/'\n",
        "bad.yaml: sources[0].article_urls: '^https://example\\.com/(\\d{4}/' is not a valid"
        " regular expression: missing ), unterminated subpattern at position 22; fix the pattern"
        " (in single quotes, a backslash needs no doubling: '\\d{4}/') (line 4, source 'demo')",
        id="bad-regex",
    ),
    pytest.param(
        ONE_SOURCE + "    article_urls: '^https://example\\.com/(\\w+\\s?)*$'\n",
        "bad.yaml: sources[0].article_urls: '^https://example\\.com/(\\w+\\s?)*$' can take"
        " exponential time on some links: a repeated group contains another repetition, like"
        " (a+)+ or (.*)*; rewrite it so that each repeated group has a fixed character its inner"
        " part cannot match, e.g. (/[a-z-]+)+ (line 4, source 'demo')",
        id="catastrophic-regex",
    ),
    pytest.param(
        ONE_SOURCE + "  - name: demo\n    pages: [https://example.org/]\n",
        "bad.yaml: sources[1].name: 'demo' is used twice; source names must be unique, and"
        " sources[0] already has it (line 4)",
        id="duplicate-source-name",
    ),
    pytest.param(
        ONE_SOURCE + "    discover_every: 15\n",
        "bad.yaml: sources[0].discover_every: 15 is not a duration: it has no unit; write e.g."
        " 15m for 15 minutes or 15s for 15 seconds (units: s, m, h, d) (line 4, source 'demo')",
        id="duration-bare-number",
    ),
    pytest.param(
        ONE_SOURCE + "    discover_every: '15'\n",
        "bad.yaml: sources[0].discover_every: '15' is not a duration: it has no unit; write e.g."
        " 15m for 15 minutes or 15s for 15 seconds (units: s, m, h, d) (line 4, source 'demo')",
        id="duration-bare-number-quoted",
    ),
    pytest.param(
        ONE_SOURCE + "    discover_every: 15 minutes\n",
        f"bad.yaml: sources[0].discover_every: '15 minutes' is not a duration; {DURATION_FIX}"
        " (line 4, source 'demo')",
        id="duration-in-words",
    ),
    pytest.param(
        ONE_SOURCE + "    discover_every: 0m\n",
        "bad.yaml: sources[0].discover_every: '0m' is not a duration: it must be longer than"
        " zero; write e.g. 15m (line 4, source 'demo')",
        id="duration-zero",
    ),
    pytest.param(
        ONE_SOURCE + "    discover_every: -5m\n",
        "bad.yaml: sources[0].discover_every: '-5m' is not a duration: it must be longer than"
        " zero; write e.g. 15m (line 4, source 'demo')",
        id="duration-negative",
    ),
    pytest.param(
        "sources:\n  - name: demo\n    feeds: ['file:///etc/passwd']\n",
        "bad.yaml: sources[0].feeds[0]: 'file:///etc/passwd' uses the file: scheme; only"
        " http:// and https:// addresses can be crawled (line 3, source 'demo')",
        id="file-url",
    ),
    pytest.param(
        "sources:\n  - name: demo\n    pages: ['javascript:alert(1)']\n",
        "bad.yaml: sources[0].pages[0]: 'javascript:alert(1)' uses the javascript: scheme; only"
        " http:// and https:// addresses can be crawled (line 3, source 'demo')",
        id="javascript-url",
    ),
    pytest.param(
        "sources:\n  - name: demo\n    sitemaps: [example.com/sitemap.xml]\n",
        "bad.yaml: sources[0].sitemaps[0]: 'example.com/sitemap.xml' is not a full URL; write it"
        " with its scheme: 'https://example.com/sitemap.xml' (line 3, source 'demo')",
        id="url-without-scheme",
    ),
    pytest.param(
        ONE_SOURCE + "    pages: [https://example.com/, https://evil.example.net/]\n"
        "    allowed_domains: [example.com]\n",
        "bad.yaml: sources[0].pages[1]: the host 'evil.example.net' is not in allowed_domains"
        " (example.com); add it to allowed_domains, or remove that key to allow every host named"
        " in feeds, sitemaps and pages (line 4, source 'demo')",
        id="host-outside-allowed-domains",
    ),
    pytest.param(
        ONE_SOURCE + "    allowed_domains: ['https://example.com/']\n",
        "bad.yaml: sources[0].allowed_domains[0]: 'https://example.com/' is not a host name;"
        " write the host only: 'example.com' (line 4, source 'demo')",
        id="allowed-domain-is-a-url",
    ),
    pytest.param(
        ONE_SOURCE + "    recheck:\n"
        "      - {younger_than: 7d, every: 3h}\n"
        "      - {younger_than: 1d, every: 1h}\n",
        "bad.yaml: sources[0].recheck: tiers must be sorted by younger_than, shortest first, each"
        " longer than the one before: recheck[1] (younger_than 1d) comes after recheck[0]"
        " (younger_than 7d); reorder them (line 4, source 'demo')",
        id="recheck-tiers-unsorted",
    ),
    pytest.param(
        ONE_SOURCE + "    recheck: []\n",
        "bad.yaml: sources[0].recheck: no tiers; remove the key to use the default tiers"
        " (line 4, source 'demo')",
        id="recheck-tiers-empty",
    ),
    pytest.param(
        ONE_SOURCE + "    recheck:\n      - {younger_than: 3h}\n",
        "bad.yaml: sources[0].recheck[0].every: required key is missing; add every: (line 5,"
        " source 'demo')",
        id="recheck-tier-missing-every",
    ),
    pytest.param(
        ONE_SOURCE + "watch:\n  - {name: iran, query: Iran, sources: [demo, bbc]}\n",
        "bad.yaml: watch[0].sources[1]: 'bbc' is not a source; known sources: demo (line 5)",
        id="watch-names-unknown-source",
    ),
    pytest.param(
        ONE_SOURCE + "watch:\n  - {name: iran, query: '  '}\n",
        "bad.yaml: watch[0].query: the query is empty; write what to search for, e.g."
        " 'Iran AND Russia' (line 5)",
        id="watch-empty-query",
    ),
    pytest.param(
        ONE_SOURCE + "notify:\n  webhooks:\n    - {url: 'https://hooks.example.org/x',"
        " sources: [nope], min_words_changed: -1}\n",
        "bad.yaml: notify.webhooks[0].min_words_changed: must be 0 or more, got -1 (line 6)\n"
        "bad.yaml: notify.webhooks[0].sources[0]: 'nope' is not a source; known sources: demo"
        " (line 6)",
        id="webhook-negative-words-and-unknown-source",
    ),
    pytest.param(
        ONE_SOURCE + "notify:\n  webhooks:\n    - {url: 'ftp://hooks.example.org/x'}\n",
        "bad.yaml: notify.webhooks[0].url: 'ftp://hooks.example.org/x' uses the ftp: scheme;"
        " only http:// and https:// addresses can be crawled (line 6)",
        id="webhook-ftp-url",
    ),
    pytest.param(
        "sources:\n  - name: demo\n    discover_every: 1h\n",
        "bad.yaml: sources[0]: no feeds, sitemaps or pages; add at least one address to read"
        " articles from, e.g. feeds: ['https://example.com/rss.xml'] (line 2)",
        id="source-without-urls",
    ),
    pytest.param(
        "database_url: sqlite:///x.db\n",
        "bad.yaml: sources: required key is missing; add a sources: list with at least one site"
        " to watch",
        id="no-sources-key",
    ),
    pytest.param(
        "sources: []\n",
        "bad.yaml: sources: the list is empty; add at least one source to watch (line 1)",
        id="empty-sources",
    ),
    pytest.param(
        ONE_SOURCE + "sources: []\n",
        "bad.yaml: sources: the key appears twice (lines 1 and 4); YAML keeps only the last, so"
        " merge them or delete one (line 4)\n"
        "bad.yaml: sources: the list is empty; add at least one source to watch (line 4)",
        id="duplicate-yaml-key",
    ),
    pytest.param(
        "sources:\n  - name: demo\n   feeds: [https://example.com/rss.xml]\n",
        "bad.yaml: line 3: YAML syntax error: expected <block end>, but found '<block mapping"
        " start>' (column 4)",
        id="malformed-yaml",
    ),
    pytest.param(
        "sources:\n\t- name: demo\n",
        "bad.yaml: line 2: YAML syntax error: found character '\\t' that cannot start any token"
        " (column 1); indent with spaces, not tabs",
        id="tab-indentation",
    ),
    pytest.param(
        ONE_SOURCE + "---\n" + ONE_SOURCE,
        "bad.yaml: line 4: YAML syntax error: but found another document (column 1); a config"
        " is a single YAML document: remove the '---' line",
        id="two-yaml-documents",
    ),
    pytest.param(
        "sources:\n  - demo\n",
        "bad.yaml: sources[0]: expected a mapping of keys (key: value), got the text 'demo'"
        " (line 2)",
        id="source-not-a-mapping",
    ),
    pytest.param(
        "",
        "bad.yaml: the file has no settings; it needs at least a sources: list (see the example"
        f" shipped in {SHIPPED})",
        id="empty-file",
    ),
    pytest.param(
        "# nothing yet\n",
        "bad.yaml: the file has no settings; it needs at least a sources: list (see the example"
        f" shipped in {SHIPPED})",
        id="only-comments",
    ),
    pytest.param(
        "- name: demo\n",
        "bad.yaml: the top level must be a mapping of keys (database_url:, sources:, ...), not a"
        " list",
        id="top-level-list",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_CONFIGS)
def test_bad_config_is_refused_with_file_key_and_fix(text: str, message: str) -> None:
    assert "\n".join(problems(text)) == message


def test_every_problem_is_reported_in_file_order() -> None:
    text = (
        "sources:\n"
        "  - name: demo\n"
        "    feeds: [https://example.com/rss.xml]\n"
        "    discover_every: soon\n"
        "  - name: demo\n"
        "    pages: ['file:///tmp/x']\n"
        "color: blue\n"
    )

    assert problems(text) == [
        f"bad.yaml: sources[0].discover_every: 'soon' is not a duration; {DURATION_FIX}"
        " (line 4, source 'demo')",
        # found on the raw YAML, although the type errors stop pydantic's own check
        "bad.yaml: sources[1].name: 'demo' is used twice; source names must be unique, and"
        " sources[0] already has it (line 5)",
        "bad.yaml: sources[1].pages[0]: 'file:///tmp/x' uses the file: scheme; only http:// and"
        " https:// addresses can be crawled (line 6, source 'demo')",
        "bad.yaml: color: unknown key; allowed keys: database_url, user_agent, sources, watch,"
        " notify (line 7)",
    ]


def test_an_empty_optional_key_means_its_default() -> None:
    write(ONE_SOURCE + "    pages:\n    article_urls:\nwatch:\nnotify:\n", "ok.yaml")

    loaded = load_config("ok.yaml")

    assert loaded.sources[0].pages == []
    assert loaded.sources[0].article_urls is None
    assert loaded.watch == []
    assert loaded.notify.webhooks == []


# --- the models used from code ---------------------------------------------------------


def test_source_lookup_names_the_known_sources() -> None:
    loaded = load_config(write(ONE_SOURCE, "ok.yaml"))

    with pytest.raises(ConfigError) as caught:
        loaded.source("bbc")

    assert str(caught.value) == "no source named 'bbc'; known sources: demo"


def test_config_built_in_code_checks_references_too() -> None:
    demo = Source(name="demo", feeds=["https://example.com/rss.xml"])

    with pytest.raises(ValidationError, match="'nope' is not a source; known sources: demo"):
        Config(sources=[demo], watch=[Watch(name="w", query="q", sources=["nope"])])


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a+)+$",
        r"(.*)*x",
        r"^https://x\.com/(\w+\s?)*$",
        r"(?:[a-z]+/?)+\.html",  # the '/' is optional, so it cannot separate the rounds
        r"(/[a-z]+/\d+)+x",  # two inner repeats: they can trade characters
        r"(/.*)+x",  # '.' also matches the '/'
        r"((ab)*c*)*$",
    ],
)
def test_regexes_prone_to_catastrophic_backtracking_are_refused(pattern: str) -> None:
    with pytest.raises(ValidationError, match="can take exponential time"):
        Source.model_validate({"name": "x", "pages": ["https://x.com/"], "article_urls": pattern})


@pytest.mark.parametrize(
    "pattern",
    [
        r"^https://example\.com/\d{4}/\d{2}/",
        r"^https://example\.com(/[a-z0-9-]+)+\.html$",
        r"^https://example\.com/([a-z-]+/)*\d+$",
        r"(\d{4}/)+",  # fixed-length inner part
        r"(?>a+)+b",  # atomic: cannot backtrack
        r"(a++)+b",  # possessive: cannot backtrack
        r"/(story|article)/.+",
    ],
)
def test_safe_regexes_are_accepted_and_compiled(pattern: str) -> None:
    source = Source.model_validate(
        {"name": "x", "pages": ["https://x.com/"], "article_urls": pattern}
    )

    assert source.article_urls == re.compile(pattern)


# --- durations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("3h", timedelta(hours=3)),
        ("7d", timedelta(days=7)),
        ("360d", timedelta(days=360)),
        ("1.5h", timedelta(minutes=90)),
        (" 15m ", timedelta(minutes=15)),
        ("15 m", timedelta(minutes=15)),
        (timedelta(hours=2), timedelta(hours=2)),
    ],
)
def test_parse_duration(text: str | timedelta, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (15, "15 is not a duration: it has no unit; write e.g. 15m for 15 minutes"),
        ("15", "'15' is not a duration: it has no unit; write e.g. 15m"),
        ("15 minutes", f"'15 minutes' is not a duration; {DURATION_FIX}"),
        ("15M", f"'15M' is not a duration; {DURATION_FIX}"),
        ("2w", f"'2w' is not a duration; {DURATION_FIX}"),
        ("", f"'' is not a duration; {DURATION_FIX}"),
        ("0s", "'0s' is not a duration: it must be longer than zero"),
        ("-5m", "'-5m' is not a duration: it must be longer than zero"),
        (True, f"expected a duration, got true; {DURATION_FIX}"),
        (["15m"], f"expected a duration, got a list; {DURATION_FIX}"),
        (timedelta(0), f"0s is not longer than zero; {DURATION_FIX}"),
        ("99999999999d", f"'99999999999d' is too long to be a duration; {DURATION_FIX}"),
    ],
)
def test_parse_duration_refuses(value: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(value)  # type: ignore[arg-type]  # wrong types are the point

    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(seconds=90), "90s"),
        (timedelta(minutes=15), "15m"),
        (timedelta(hours=3), "3h"),
        (timedelta(days=360), "360d"),
        (timedelta(minutes=90), "90m"),
        (timedelta(seconds=1.5), "1.5s"),
        (timedelta(0), "0s"),
    ],
)
def test_format_duration(value: timedelta, text: str) -> None:
    assert format_duration(value) == text


def test_default_recheck_tiers_are_the_specs() -> None:
    assert [
        (format_duration(t.younger_than), format_duration(t.every)) for t in DEFAULT_RECHECK
    ] == [
        ("3h", "15m"),
        ("1d", "1h"),
        ("7d", "3h"),
        ("30d", "3d"),
        ("360d", "30d"),
    ]
    with pytest.raises(ValidationError):
        DEFAULT_RECHECK[0].every = timedelta(seconds=1)  # shared by every source: frozen
    assert RecheckTier.model_validate({"younger_than": "1d", "every": "2h"}).every == 2 * HOUR
