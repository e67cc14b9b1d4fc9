"""Config problems as messages: `FILE: key.path: what; fix (line N, source 'NAME')`.

`ConfigError` carries one line per problem. The helpers here read the YAML (keeping its
node tree for line numbers), find keys written twice, and turn pydantic's validation
errors into lines that name the key, say what is wrong and how to fix it.
"""

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError


class ConfigError(Exception):
    """A config that cannot be used: one line per problem, each naming the file and key."""

    def __init__(self, problems: str | Sequence[str], path: Path | None = None) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.path = path
        super().__init__("\n".join(self.problems))


# A problem found in the config: the key path to it, and what is wrong and how to fix it.
Problem = tuple[tuple[str | int, ...], str]


class Problems(ValueError):
    """Several problems found by one cross-field check, each at its own key path.

    Raised inside model validators; pydantic keeps the exception in the error's context,
    and the loader spreads its problems back out to the keys they belong to.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


# --- reading the YAML ----------------------------------------------------------------


def parse_yaml(text: str, label: str, file: Path) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for line numbers) and its data, from one parse."""
    loader = None
    try:
        # The reader checks every character as the loader is made: a NUL byte fails here.
        loader = yaml.SafeLoader(text)
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
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError(
            f"{label}: line {line}: {_character(exc.character)} is not allowed in YAML;"
            " delete it (is this a text file?)",
            file,
        ) from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise ConfigError(f"{label}: YAML syntax error: {problem}", file) from None
    except RecursionError:
        # PyYAML parses nesting by recursion: thousands of '[' exhaust Python's stack.
        raise ConfigError(
            f"{label}: the YAML is nested too deeply to read; a config needs only a few levels",
            file,
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return node, data


def _character(code: int | str) -> str:
    code = ord(code) if isinstance(code, str) else code
    return f"the control character U+{code:04X}" if code < 0x20 else f"U+{code:04X}"


def duplicate_keys(root: yaml.Node | None) -> list[Problem]:
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


def from_pydantic(exc: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """The problems in exc, raised by validating model; cross-field ones spread to their keys."""
    problems: list[Problem] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, Problems):
            problems += [((*loc, *sub), message) for sub, message in cause.problems]
        else:
            problems.append((loc, _message(error, cause, model)))
    return problems


def report(
    problems: list[Problem],
    label: str,
    root: yaml.Node | None,
    data: Any,
    from_env: Mapping[tuple[str | int, ...], str] | None = None,
) -> list[str]:
    """One line per problem, in file order: 'FILE: key.path: what and how to fix (line N)'.

    from_env maps the key paths whose value came from an environment variable (not from
    the file, so a line number would mislead) to that variable's name.
    """
    from_env = from_env or {}
    located = []
    for loc, message in problems:
        notes = []
        line = _line_of(root, loc)
        if loc in from_env:
            notes.append(f"from {from_env[loc]}")
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


def _message(error: Any, cause: object, model: type[BaseModel]) -> str:
    kind, value, loc = error["type"], error.get("input"), tuple(error["loc"])
    if kind in ("value_error", "assertion_error") and cause is not None:
        return str(cause)
    if kind in ("extra_forbidden", "invalid_key"):
        allowed = list(_model_at(model, loc[:-1]).model_fields)
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        maybe = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key{maybe}; allowed keys: {', '.join(allowed)}"
    if kind == "missing":
        if loc == ("sources",):
            return "required key is missing; add a sources: list with at least one site to watch"
        return f"required key is missing; add {loc[-1]}:"
    if kind == "string_type":
        note = " (YAML reads yes/no/on/off as true/false: quote the text)"
        return f"expected text, got {describe(value)}{note if isinstance(value, bool) else ''}"
    if kind == "list_type":
        return f"expected a list, got {describe(value)}; write [a, b] or one '- item' per line"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys (key: value), got {describe(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {describe(value)}"
    return f"{error['msg']}, got {describe(value)}"


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    """The model class that validates the mapping found at loc inside model."""
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


def describe(value: object) -> str:
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
