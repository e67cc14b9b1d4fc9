"""When to fetch a known article again: the recheck tiers of SPEC section 1.

An article that changed recently is likely to change again soon, so it is rechecked
often; one that has been still for a long time is rechecked rarely, and past the last
tier never. Pure functions over plain values: the tiers come from the config as
`RecheckTier` objects or as `(younger_than, every)` tuples, so storage never imports
the config package.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

# SPEC section 1's default tiers: (younger than, check every), by time since the last change.
DEFAULT_TIERS: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(hours=3), timedelta(minutes=15)),
    (timedelta(days=1), timedelta(hours=1)),
    (timedelta(days=7), timedelta(hours=3)),
    (timedelta(days=30), timedelta(days=3)),
    (timedelta(days=360), timedelta(days=30)),
)


class TierLike(Protocol):
    """Anything with the two durations of a tier, like config.RecheckTier."""

    @property
    def younger_than(self) -> timedelta: ...

    @property
    def every(self) -> timedelta: ...


Tier = tuple[timedelta, timedelta] | TierLike
Tiers = Sequence[tuple[timedelta, timedelta]] | Sequence[TierLike]


def _pairs(tiers: Tiers) -> list[tuple[timedelta, timedelta]]:
    """The tiers as (younger_than, every) pairs, shortest younger_than first."""
    pairs = [tier if isinstance(tier, tuple) else (tier.younger_than, tier.every) for tier in tiers]
    return sorted(pairs, key=lambda pair: pair[0])


def tier_for(age: timedelta, tiers: Tiers) -> tuple[timedelta, timedelta] | None:
    """The first tier that age is younger than, or None when it is older than all of them."""
    for younger_than, every in _pairs(tiers):
        if age < younger_than:
            return younger_than, every
    return None


def _aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} is a naive datetime ({value.isoformat()}); pass a timezone-aware one,"
            " e.g. datetime.now(UTC)"
        )


def next_check(
    *,
    now: datetime,
    last_changed: datetime,
    tiers: Tiers,
    gone: bool = False,
    gone_since: datetime | None = None,
) -> datetime | None:
    """When to fetch the article next (UTC), or None for never.

    Live: age = now - last_changed, and the first tier the age is younger than sets the
    interval. A last_changed in the future (clock skew) counts as age zero. Gone (404 or
    410): rechecked at the slowest tier's interval, in case the page comes back, until it
    has been gone for as long as that tier's younger_than.
    """
    _aware("now", now)
    _aware("last_changed", last_changed)
    pairs = _pairs(tiers)
    if not pairs:
        return None
    if gone:
        if gone_since is None:
            raise ValueError("gone=True needs gone_since, the time the page was first missing")
        _aware("gone_since", gone_since)
        younger_than, every = pairs[-1]
        if now - gone_since >= younger_than:
            return None
        return (now + every).astimezone(UTC)
    tier = tier_for(max(now - last_changed, timedelta(0)), pairs)
    if tier is None:
        return None
    return (now + tier[1]).astimezone(UTC)


# A check that was blocked or truncated is tried again no sooner than the article's tier
# says, and later each time it fails again: from this...
BACKOFF_START = timedelta(minutes=15)
# ...doubling up to this, or up to the tier's own interval when that is longer.
BACKOFF_MAX = timedelta(days=1)


def backoff_check(
    *, now: datetime, failures: int, last_changed: datetime, tiers: Tiers
) -> datetime | None:
    """When to try again an article whose last ``failures`` checks in a row were blocked
    or truncated (the site did not give the article): the tier's interval, or
    :data:`BACKOFF_START` doubled at each failure after the first, whichever is later,
    at most :data:`BACKOFF_MAX` (or the tier's interval, when longer). None when the
    article is past every tier."""
    regular = next_check(now=now, last_changed=last_changed, tiers=tiers)
    if regular is None:
        return None
    every: timedelta = regular - now
    doubled: timedelta = BACKOFF_START * 2 ** max(failures - 1, 0)
    wait = max(every, min(doubled, max(BACKOFF_MAX, every)))
    return (now + wait).astimezone(UTC)
