"""mediawatch's search syntax for PostgreSQL archives.

On SQLite a query goes to FTS5 as it is typed. PostgreSQL has no such syntax of its own
(``websearch_to_tsquery`` takes anything and guesses), so the same syntax is parsed here
and turned into a ``tsquery`` built with PostgreSQL's own functions: a query means the
same on both backends, and a malformed one is refused on both, with the same kind of
message. The syntax (FTS5's, less its column filters and NEAR groups):

    words            ferry fares        (both words; AND may be written)
    "a phrase"       "ferry fares"
    either           ferry OR bus
    but not          ferry NOT bus
    a prefix         ferr*
    grouping         (ferry OR bus) AND fares

NOT binds tightest, then AND, then OR, as in FTS5. Operators are upper case; a lower-case
"and" is a word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from storage.errors import BadQuery

SEARCH_HELP = 'use words, "quoted phrases", AND, OR, NOT, and prefix* (e.g. Iran AND "oil price")'
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_TOKEN = re.compile(r'\s*(?:(")|(\()|(\))|([^\s"()]+))')
_NON_WORD = re.compile(r"\W+")
_CONFIG_NAME = re.compile(r"[a-z_]+")  # a text-search configuration's name, put in the SQL


@dataclass
class PostgresQuery:
    """A ``tsquery`` expression in SQL, and the values of its bound parameters."""

    sql: str
    params: dict[str, str] = field(default_factory=dict)


def to_postgresql(query: str, config: str = "simple") -> PostgresQuery:
    """The tsquery SQL for a mediawatch search query, its words read under the text-search
    configuration ``config``; BadQuery when it is malformed."""
    if not _CONFIG_NAME.fullmatch(config):
        raise ValueError(f"not a text-search configuration's name: {config!r}")
    return _Parser(query, config).parse()


def to_postgresql_each(query: str, configs: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The tsquery SQL for a search query under each of ``configs`` (name -> SQL), and the
    values they bind: the same words, so the same parameters, whatever the configuration."""
    queries = {config: to_postgresql(query, config) for config in configs}
    params: dict[str, str] = {}
    for compiled in queries.values():
        params.update(compiled.params)
    return {config: compiled.sql for config, compiled in queries.items()}, params


def shown_query(query: str, width: int = 60) -> str:
    """The query quoted for a message, cut to ``width`` characters so the message stays one line."""
    return repr(query if len(query) <= width else query[: width - 1] + "…")


def _problem(query: str, what: str) -> BadQuery:
    return BadQuery(f"cannot search for {shown_query(query)}: {what}; {SEARCH_HELP}")


def query_tokens(query: str) -> list[tuple[str, str]]:
    """(kind, text) pairs: kind is "phrase", "(", ")", "op" or "word"."""
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(query):
        if query[position:].strip() == "":
            break
        match = _TOKEN.match(query, position)
        if match is None:  # pragma: no cover - the pattern matches any non-space text
            raise _problem(query, "it cannot be read")
        if match[1]:  # a phrase runs to the next double quote ("" is a quote inside it)
            end = match.end()
            text = []
            while True:
                close = query.find('"', end)
                if close == -1:
                    raise _problem(query, "a double quote is not closed")
                text.append(query[end:close])
                if query.startswith('""', close):
                    text.append('"')
                    end = close + 2
                    continue
                position = close + 1
                break
            tokens.append(("phrase", "".join(text)))
            continue
        if match[2] or match[3]:
            tokens.append((match[2] or match[3], ""))
        else:
            word = match[4]
            tokens.append(("op" if word in _OPERATORS else "word", word))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, query: str, config: str) -> None:
        self.query = query
        self.config = config
        self.tokens = query_tokens(query)
        self.position = 0
        self.params: dict[str, str] = {}

    def parse(self) -> PostgresQuery:
        if not self.tokens:
            raise _problem(self.query, "it is empty")
        sql = self._or()
        if self.position < len(self.tokens):
            kind, text = self.tokens[self.position]
            raise _problem(self.query, f"unexpected {text or kind!r}")
        return PostgresQuery(sql, self.params)

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _or(self) -> str:
        sql = self._and()
        while self._peek() == ("op", "OR"):
            self.position += 1
            sql = f"({sql} || {self._and()})"
        return sql

    def _and(self) -> str:
        sql = self._not()
        while (token := self._peek()) is not None and token[0] != ")":
            if token == ("op", "AND"):
                self.position += 1
            elif token[0] == "op":  # OR ends this AND group; NOT is taken by _not
                break
            sql = f"({sql} && {self._not()})"
        return sql

    def _not(self) -> str:
        sql = self._primary()
        while self._peek() == ("op", "NOT"):
            self.position += 1
            sql = f"({sql} && !!{self._primary()})"
        return sql

    def _primary(self) -> str:
        token = self._peek()
        if token is None:
            raise _problem(self.query, "it ends where a word or phrase should follow")
        kind, text = token
        self.position += 1
        if kind == "(":
            sql = self._or()
            if self._peek() != (")", ""):
                raise _problem(self.query, "a '(' is not closed")
            self.position += 1
            return sql
        if kind == ")":
            raise _problem(self.query, "a ')' closes nothing")
        if kind == "op":
            raise _problem(self.query, f"{text} needs a word or phrase on each side")
        if kind == "phrase":
            return self._call("phraseto_tsquery", text)
        if ":" in text.rstrip(":") or (text == "NEAR" and self._peek() == ("(", "")):
            raise _problem(
                self.query,
                "field filters (title:) and NEAR groups work on SQLite archives only;"
                " put the text in double quotes to search for it as it is",
            )
        if text.startswith("-") and text[1:2].isalpha():
            # FTS5 reads "-council" as a column filter and refuses it; read here as a word,
            # it would quietly find what SQLite refuses. Say what was likely meant.
            raise _problem(
                self.query,
                f"a word after '-' names a field on SQLite archives; to leave {text[1:]!r}"
                f" out, write NOT {text[1:]}",
            )
        if text.endswith("*"):
            stem = _NON_WORD.sub("", text[:-1]).lower()
            if not stem:
                raise _problem(self.query, "'*' ends a prefix and needs letters before it")
            return self._call("to_tsquery", f"'{stem}':*")
        return self._call("plainto_tsquery", text)

    def _call(self, function: str, value: str) -> str:
        name = f"q{len(self.params)}"
        self.params[name] = value
        return f"{function}('{self.config}', :{name})"
