"""Checks across the config: names used twice, and references to sources that do not exist."""

from typing import Any

from config.messages import Problem


def known_sources(names: list[str]) -> str:
    """'; known sources: a, b' to end an error message, or nothing when there are none."""
    return f"; known sources: {', '.join(names)}" if names else ""


def cross_problems(
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
                    ((*where, "sources", index), f"{name!r} is not a source{known_sources(known)}")
                )
    return problems


def raw_cross_problems(data: dict[Any, Any]) -> list[Problem]:
    """cross_problems on the YAML as read, whatever else is wrong with it."""

    def items(value: Any) -> list[dict[Any, Any]]:
        entries = value if isinstance(value, list) else []
        return [entry if isinstance(entry, dict) else {} for entry in entries]

    sources, watches = items(data.get("sources")), items(data.get("watch"))
    notify = data.get("notify")
    hooks = items(notify.get("webhooks") if isinstance(notify, dict) else None)
    if not isinstance(data.get("sources"), list):
        return []
    return cross_problems(
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
