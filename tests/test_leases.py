"""Leases on a real archive: one holder at a time, expiry and takeover, renewal, release,
and a race of many threads and processes for one lease on one SQLite file."""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage import leases
from storage.db import make_engine, make_sessionmaker

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
TTL = timedelta(seconds=60)
S = timedelta(seconds=1)


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def take(sessions: sessionmaker[Session], holder: str, at: datetime, name: str = "crawl:x") -> bool:
    with sessions.begin() as session:
        return leases.acquire(session, name, holder, now=at, ttl=TTL)


def renew(sessions: sessionmaker[Session], holder: str, at: datetime) -> bool:
    with sessions.begin() as session:
        return leases.renew(session, "crawl:x", holder, now=at, ttl=TTL)


def release(sessions: sessionmaker[Session], holder: str) -> bool:
    with sessions.begin() as session:
        return leases.release(session, "crawl:x", holder)


def live(sessions: sessionmaker[Session], at: datetime) -> list[leases.LeaseInfo]:
    with sessions() as session:
        return leases.live_leases(session, now=at)


def test_one_holder_at_a_time_until_it_releases(sessions: sessionmaker[Session]) -> None:
    assert take(sessions, "a", T0)
    assert not take(sessions, "b", T0 + 10 * S)
    assert not take(sessions, "a", T0 + 10 * S)  # not re-entrant: a second job of "a" waits
    assert [(lease.name, lease.holder) for lease in live(sessions, T0)] == [("crawl:x", "a")]
    assert not release(sessions, "b")  # only the holder can give it back
    assert release(sessions, "a")
    assert live(sessions, T0) == []
    assert take(sessions, "b", T0 + 11 * S)


def test_an_expired_lease_is_taken_over_and_the_old_holder_loses_it(
    sessions: sessionmaker[Session],
) -> None:
    assert take(sessions, "a", T0)
    assert not take(sessions, "b", T0 + TTL - S)
    assert take(sessions, "b", T0 + TTL)  # expired: the holder died without releasing
    [lease] = live(sessions, T0 + TTL)
    assert (lease.holder, lease.acquired_at, lease.expires_at) == ("b", T0 + TTL, T0 + 2 * TTL)
    assert not renew(sessions, "a", T0 + TTL + S)  # "a" must stop its work now
    assert not release(sessions, "a")
    assert [lease.holder for lease in live(sessions, T0 + TTL + S)] == ["b"]


def test_renewing_keeps_the_lease_beyond_its_first_expiry(sessions: sessionmaker[Session]) -> None:
    assert take(sessions, "a", T0)
    assert renew(sessions, "a", T0 + 50 * S)
    assert not take(sessions, "b", T0 + TTL + S)  # would have expired without the renewal
    [lease] = live(sessions, T0 + TTL + S)
    assert (lease.acquired_at, lease.expires_at) == (T0, T0 + 50 * S + TTL)
    assert take(sessions, "b", T0 + 50 * S + TTL)


def test_leases_are_independent_by_name(sessions: sessionmaker[Session]) -> None:
    assert take(sessions, "a", T0, name="crawl:x")
    assert take(sessions, "b", T0, name="crawl:y")
    assert take(sessions, "b", T0, name="daemon:b")
    with sessions() as session:
        crawls = leases.live_leases(session, now=T0, prefix="crawl:")
    assert [(lease.name, lease.holder) for lease in crawls] == [("crawl:x", "a"), ("crawl:y", "b")]


def test_forget_expired_deletes_only_expired_leases(sessions: sessionmaker[Session]) -> None:
    assert take(sessions, "a", T0, name="daemon:a")
    assert take(sessions, "b", T0 + TTL, name="daemon:b")
    with sessions.begin() as session:
        assert leases.forget_expired(session, now=T0 + TTL + S) == 1
    assert [lease.name for lease in live(sessions, T0 + TTL + S)] == ["daemon:b"]


def test_holder_names_are_unique_and_say_where_they_run() -> None:
    first, second = leases.new_holder(), leases.new_holder()
    assert first != second
    assert first.split(":")[1] == str(os.getpid())


def _race_in_threads(database_url: str, holders: int) -> list[str]:
    engines = [make_engine(database_url) for _ in range(holders)]
    barrier = threading.Barrier(holders)
    winners: list[str] = []

    def contend(index: int) -> None:
        sessions = make_sessionmaker(engines[index])
        barrier.wait()
        if take(sessions, f"thread-{index}", T0):
            winners.append(f"thread-{index}")

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(holders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    return winners


def test_many_threads_racing_for_a_lease_one_wins(database_url: str, engine: Engine) -> None:
    for round_ in range(5):
        winners = _race_in_threads(database_url, holders=8)
        assert len(winners) == 1, (round_, winners)
        with make_sessionmaker(engine).begin() as session:
            assert leases.release(session, "crawl:x", winners[0])


def _contend_in_process(database_url: str, holder: str, start: threading.Event) -> bool:
    engine = make_engine(database_url)
    start.wait()
    with make_sessionmaker(engine).begin() as session:
        won = leases.acquire(session, "crawl:x", holder, now=T0, ttl=TTL)
    engine.dispose()
    return won


@pytest.fixture
def spawn_pool() -> Iterator[multiprocessing.pool.Pool]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        yield pool


def test_processes_racing_for_a_lease_one_wins(
    database_url: str, engine: Engine, spawn_pool: multiprocessing.pool.Pool
) -> None:
    with multiprocessing.get_context("spawn").Manager() as manager:
        start = manager.Event()  # every process has its engine ready before the race
        pending = [
            spawn_pool.apply_async(_contend_in_process, (database_url, f"process-{i}", start))
            for i in range(4)
        ]
        start.set()
        results = [result.get(timeout=60) for result in pending]
    assert sorted(results) == [False, False, False, True]
    [lease] = live(make_sessionmaker(engine), T0)
    assert lease.holder == f"process-{results.index(True)}"


def test_a_holder_is_gone_only_when_its_process_on_this_host_has_ended() -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    host = socket.gethostname()
    assert leases.holder_gone(f"{host}:{ended.stdout.strip()}:abcd")
    assert not leases.holder_gone(leases.new_holder())  # this process
    assert not leases.holder_gone(f"another-{host}:{ended.stdout.strip()}:abcd")  # can't tell
    assert not leases.holder_gone("not-a-holder")
