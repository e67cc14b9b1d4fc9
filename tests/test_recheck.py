"""When known articles are fetched again: the recheck tiers, live and gone."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from config import DEFAULT_RECHECK
from storage.recheck import next_check, tier_for

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)
M = timedelta(minutes=1)

TUPLES = [(3 * H, 15 * M), (D, H), (7 * D, 3 * H), (30 * D, 3 * D), (360 * D, 30 * D)]

AGES = [
    (timedelta(0), 15 * M),
    (2 * H + 59 * M, 15 * M),
    (3 * H, H),  # a tier's younger_than is exclusive
    (23 * H, H),
    (6 * D, 3 * H),
    (29 * D, 3 * D),
    (359 * D, 30 * D),
    (361 * D, None),
]


@pytest.mark.parametrize("tiers", [DEFAULT_RECHECK, TUPLES], ids=["config-tiers", "tuples"])
@pytest.mark.parametrize(("age", "every"), AGES)
def test_next_check_by_age_with_the_default_tiers(
    age: timedelta, every: timedelta | None, tiers: object
) -> None:
    due = next_check(now=NOW, last_changed=NOW - age, tiers=tiers)  # type: ignore[arg-type]

    assert due == (None if every is None else NOW + every)


def test_the_default_config_tiers_and_the_tuples_agree() -> None:
    assert [(tier.younger_than, tier.every) for tier in DEFAULT_RECHECK] == TUPLES


@pytest.mark.parametrize(
    ("age", "tier"),
    [
        (timedelta(0), (3 * H, 15 * M)),
        (3 * H, (D, H)),
        (359 * D, (360 * D, 30 * D)),
        (360 * D, None),
    ],
)
def test_tier_for(age: timedelta, tier: tuple[timedelta, timedelta] | None) -> None:
    assert tier_for(age, TUPLES) == tier


def test_tier_order_in_the_input_does_not_matter() -> None:
    assert tier_for(2 * D, list(reversed(TUPLES))) == (7 * D, 3 * H)


def test_no_tiers_means_never_rechecked() -> None:
    assert next_check(now=NOW, last_changed=NOW, tiers=[]) is None


def test_a_change_in_the_future_counts_as_age_zero() -> None:
    assert next_check(now=NOW, last_changed=NOW + H, tiers=TUPLES) == NOW + 15 * M


@pytest.mark.parametrize(
    ("gone_for", "expected"),
    [
        (timedelta(0), NOW + 30 * D),
        (359 * D, NOW + 30 * D),
        (360 * D, None),
        (400 * D, None),
    ],
)
def test_a_gone_article_is_rechecked_on_the_slowest_tier_until_it_expires(
    gone_for: timedelta, expected: datetime | None
) -> None:
    # last_changed is recent: a gone page is not rechecked at the fast tiers.
    due = next_check(
        now=NOW, last_changed=NOW - H, tiers=TUPLES, gone=True, gone_since=NOW - gone_for
    )

    assert due == expected


def test_gone_needs_gone_since() -> None:
    with pytest.raises(ValueError, match="gone=True needs gone_since"):
        next_check(now=NOW, last_changed=NOW, tiers=TUPLES, gone=True)


@pytest.mark.parametrize("field", ["now", "last_changed", "gone_since"])
def test_naive_datetimes_are_refused(field: str) -> None:
    times = {"now": NOW, "last_changed": NOW - H, "gone_since": NOW - D}
    times[field] = times[field].replace(tzinfo=None)

    with pytest.raises(ValueError, match=f"^{field} is a naive datetime"):
        next_check(tiers=TUPLES, gone=True, **times)


def test_other_timezones_are_accepted_and_the_answer_is_utc() -> None:
    paris = timezone(timedelta(hours=1))

    due = next_check(now=NOW.astimezone(paris), last_changed=NOW - D, tiers=TUPLES)

    assert due == NOW + 3 * H
    assert due is not None and due.tzinfo == UTC
