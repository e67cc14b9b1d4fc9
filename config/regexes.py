"""article_urls patterns: compiled, and refused when they could backtrack exponentially."""

import importlib
import re
from collections.abc import Iterator
from types import ModuleType
from typing import Annotated, Any

from pydantic import BeforeValidator

from config.messages import describe

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


# Past this many strings a repeated group is not checked for ambiguous alternatives.
_MAX_LITERAL_STRINGS = 256


def _literal_strings(items: list[Any], classes: dict[str, str]) -> list[str] | None:
    """Every string items can match, when they match only a few strings of fixed shape.

    A one-character class (\\d, [a-z], .) stands as one symbol of its own, from classes:
    two alternatives equal in symbols match the same texts, so an ambiguity found among
    the symbols is a real one (classes that overlap may hide some, never invent one).
    None when items hold an open repeat, or too many combinations.
    """
    strings = [""]
    for op, arg in items:
        name = _name(op)
        if name == "LITERAL":
            options: list[str] | None = [chr(arg)]
        elif name == "SUBPATTERN":
            options = _literal_strings(list(arg[3]), classes)
        elif name == "BRANCH":
            branches = [_literal_strings(list(branch), classes) for branch in arg[1]]
            options = None if None in branches else [s for b in branches for s in b or []]
        elif name == "IN" and all(_name(o) == "LITERAL" for o, _ in arg):
            options = [chr(code) for _, code in arg]
        elif name in ("IN", "ANY", "NOT_LITERAL"):
            key = f"{name}{arg}"
            options = [classes.setdefault(key, chr(0xF0000 + len(classes)))]
        elif name in _REPEATS and arg[0] == arg[1] <= 4:
            body = _literal_strings(list(arg[2]), classes)
            options = None if body is None else _power(body, arg[0])
        else:
            options = None
        if options is None or len(strings) * len(options) > _MAX_LITERAL_STRINGS:
            return None
        strings = [before + after for before in strings for after in options]
    return strings


def _power(strings: list[str], times: int) -> list[str]:
    result = [""]
    for _ in range(times):
        result = [before + after for before in result for after in strings]
    return result


def _ambiguous(code: list[str]) -> bool:
    """True when some text splits into the strings of code in two ways (Sardinas-Patterson).

    A repeated group of such alternatives, like (a|aa)+ or (ab|a|b)+, lets the regex engine
    try every split of a long run before it gives up: exponential time.
    """
    words = [word for word in code if word]
    if len(set(words)) < len(words):  # the same string twice: (a|a)+
        return True
    codewords = set(words)

    def dangling(first: set[str], second: set[str]) -> set[str]:
        return {b[len(a) :] for a in first for b in second if b != a and b.startswith(a)}

    suffixes = dangling(codewords, codewords)
    seen: set[str] = set()
    while suffixes - seen:
        if suffixes & codewords:
            return True
        seen |= suffixes
        suffixes = dangling(codewords, suffixes) | dangling(suffixes, codewords)
    return bool(suffixes & codewords)


def _ambiguous_repetition(items: list[Any]) -> bool:
    """True when a repeated part is a choice of fixed strings that can split a text two ways."""
    for op, arg in items:
        name = _name(op)
        if name in _REPEATS and _varies(arg[0], arg[1]):
            strings = _literal_strings(list(arg[2]), {})
            if strings is not None and _ambiguous(strings):
                return True
        if any(_ambiguous_repetition(child) for child in _children(name, arg)):
            return True
    return False


def compile_article_urls(value: object) -> re.Pattern[str] | None:
    """An article_urls value as a compiled pattern; ValueError saying how to fix a bad one."""
    if value is None:
        return None
    if isinstance(value, re.Pattern):
        value = value.pattern
    if not isinstance(value, str):
        raise ValueError(f"expected a regular expression as text, got {describe(value)}")
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
    if parser is not None and _ambiguous_repetition(list(parser.parse(value))):
        raise ValueError(
            f"'{value}' can take exponential time on some links: a repeated group has"
            " alternatives that can split the same text in more than one way, like (a|aa)+;"
            " rewrite the alternatives so that none is made of the others"
        )
    return pattern


ArticlePattern = Annotated[re.Pattern[str] | None, BeforeValidator(compile_article_urls)]
