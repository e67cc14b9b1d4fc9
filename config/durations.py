"""Durations in config notation: '90s', '15m', '3h', '7d' (SPEC section 1)."""

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

from config.messages import describe

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
        raise ValueError(f"expected a duration, got {describe(value)}; {_DURATION_HINT}")
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
