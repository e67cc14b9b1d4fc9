"""The scheduler daemon, `mediawatch run`: what runs when; each crawl a child process.

Who does what:

- This process decides *when*. APScheduler (3.x, a ``BackgroundScheduler``) holds two
  jobs per source: ``discover:<source>`` every ``discover_every`` (feeds, sitemaps and
  pages, plus whatever rechecks are due), and ``recheck:<source>``, which wakes when the
  source's first article is due and fetches the due ones. Jobs coalesce, never overlap,
  have a misfire grace time, and are jittered so that sources do not fire together. The
  daemon imports neither Scrapy nor trafilatura and keeps no per-article state, so its
  memory stays flat however long it runs.
- A child process, ``mediawatch crawl --source S --run-id N``, does each crawl: Scrapy's
  reactor runs once per process, and a crash, a hang or a memory blow-up ends only that
  child. The daemon watches it (``--crawl-timeout``, ``--crawl-memory``) and records
  how it ended when the child could not.
- The database holds all that must outlive the daemon: when each article is next due
  (``articles.next_check``, so a restarted daemon goes on where it stopped), the record
  of every crawl (``crawl_runs``, shown by ``mediawatch status``), and one lease per
  source being crawled (``leases``), so that no two crawls of a source run at once, even
  from two daemons on one database.

Signals: the first SIGINT or SIGTERM stops scheduling and asks running crawls to stop
(Scrapy finishes the requests in flight and stores its last batch), waits up to
``--stop-timeout`` (then kills them) and exits 0. A second signal kills the crawls and
exits at once with 128 + the signal; every write is a transaction, so the archive stays
whole.
"""

from __future__ import annotations

import ctypes
import json
import logging
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from alerts.webhooks import send_due
from config import Config, RecheckTier, format_duration
from crawler.child import crawl_command
from storage import leases, schedule
from storage.db import make_sessionmaker

logger = logging.getLogger(__name__)

WATCH_INTERVAL = 0.25  # seconds between looks at a running child
MEMORY_CHECK_INTERVAL = 1.0
JITTER_SHARE = 0.1  # of a job's interval...
MAX_JITTER = timedelta(minutes=5)  # ...but never more than this
HARD_STOP_WAIT = 3.0  # after a second signal: how long the crawl threads get to record
STDERR_TAIL = 16_384  # bytes of a child's stderr kept for the log and its run record
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
WEBHOOK_EVERY = 10.0  # seconds between sends of the webhook deliveries that are due


@dataclass(frozen=True)
class DaemonOptions:
    config_path: Path
    database_url: str | None = None  # given to the daemon with --database: passed on
    sources: tuple[str, ...] = ()  # default: every configured source
    max_crawls: int = 2
    crawl_timeout: timedelta = timedelta(hours=1)
    crawl_memory_mb: int = 2048
    stop_timeout: timedelta = timedelta(seconds=30)
    lease_ttl: timedelta = timedelta(seconds=60)
    crawl_log_level: str = "WARNING"


@dataclass(frozen=True)
class Stop:
    """Why the daemon stopped a crawl: "timeout", "memory", "shutdown" or "lease"."""

    reason: str
    detail: str


# --- decisions, as pure functions ----------------------------------------------------


def jitter_for(interval: timedelta) -> float:
    """Seconds of random delay for a job repeating every ``interval``."""
    return min(interval * JITTER_SHARE, MAX_JITTER).total_seconds()


def first_run(
    last_started: datetime | None, every: timedelta, now: datetime, offset: float
) -> datetime:
    """A source's first discovery: one interval after the last, or now (+ ``offset``
    seconds, to spread sources) when that is past or there was none."""
    if last_started is not None and last_started + every > now:
        return last_started + every
    return now + timedelta(seconds=offset)


def recheck_poll(tiers: Sequence[RecheckTier]) -> timedelta:
    """How often a source's recheck job looks anyway (for due times set by others): the
    fastest tier's interval. The job is otherwise woken exactly when the next is due."""
    return min(tier.every for tier in tiers)


def next_sweep(
    earliest_due: datetime | None, crawl_started: datetime, now: datetime, poll: timedelta
) -> datetime | None:
    """When the recheck job should run next, after a crawl that started at
    ``crawl_started``; None leaves it to the job's own interval.

    An article that was due before the crawl started and is due still was not stored
    (robots.txt now refuses it, the crawl timed out): wait one poll, not a tight loop.
    """
    if earliest_due is None:
        return None
    if earliest_due <= crawl_started:
        return now + poll
    return max(earliest_due, now)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


def settlement(
    child_status: str | None, returncode: int, stop: Stop | None, last_words: str
) -> tuple[str, str] | None:
    """How to record a crawl once its process has ended: (status, error), or None when
    the child's own record stands."""
    if child_status == "finished":
        return None  # it did all its work, perhaps just before a request to stop came
    if stop is not None:
        status = {"timeout": "timeout", "memory": "failed"}.get(stop.reason, "interrupted")
        return status, stop.detail
    if child_status in (None, "running"):  # the child never recorded its end
        words = f": {last_words}" if last_words else ""
        if returncode < 0:
            return "crashed", describe_exit(returncode) + words
        if returncode == 0:
            return "crashed", "the crawl process ended without recording its end"
        return "failed", describe_exit(returncode) + words
    return None


def describe_counts(counts: dict[str, Any]) -> str:
    parts = [
        f"{key.replace('_', ' ')} {value}"
        for key, value in counts.items()
        if isinstance(value, int) and not isinstance(value, bool) and value
    ]
    return ", ".join(parts) or "nothing new"


def stat_group_and_rss(stat: bytes) -> tuple[int, int]:
    """(process group, resident pages) from the text of a /proc/<pid>/stat file."""
    # The command name (field 2) may hold spaces and parentheses: split after the last ")".
    fields = stat[stat.rindex(b")") + 2 :].split()
    return int(fields[2]), int(fields[21])


# --- the child processes -------------------------------------------------------------


def group_rss(group: int) -> int:
    """Resident bytes of every process in a process group (0 where /proc is missing)."""
    total = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as file:
                pgrp, pages = stat_group_and_rss(file.read())
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        if pgrp == group:
            total += pages * PAGE_SIZE
    return total


def kill_group(group: int, sig: int = signal.SIGKILL) -> None:
    """Signal a crawl's whole process group (the child and its extraction workers)."""
    with suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(group, sig)


def _parent_death_signal() -> Callable[[], None] | None:
    """On Linux, a pre-exec hook that makes the child get SIGTERM if the daemon dies."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)

    return hook


_DIE_WITH_PARENT = _parent_death_signal()


def _tail(file: IO[bytes]) -> list[str]:
    file.seek(0, os.SEEK_END)
    file.seek(max(0, file.tell() - STDERR_TAIL))
    text = file.read().decode("utf-8", "replace")
    return [line for line in text.splitlines() if line.strip()]


def _summary(file: IO[bytes]) -> dict[str, Any]:
    file.seek(0)
    try:
        summary = json.loads(file.read(1_000_000) or b"{}")
    except ValueError:
        return {}
    return summary if isinstance(summary, dict) else {}


def utcnow() -> datetime:
    return datetime.now(UTC)


def crawl_lease(source: str) -> str:
    return f"crawl:{source}"


# --- the daemon ----------------------------------------------------------------------


class Daemon:
    """Runs the schedules of ``config``'s sources until a signal; see the module doc."""

    def __init__(self, config: Config, options: DaemonOptions, engine: Engine) -> None:
        self.options = options
        self.sources = [config.source(name) for name in options.sources] or list(config.sources)
        self.engine = engine
        self.sessions = make_sessionmaker(engine)
        self.holder = leases.new_holder()
        self.user_agent = config.user_agent
        self.webhooks = bool(config.notify.webhooks)
        self._webhooks_stop = threading.Event()
        self.stopping = False  # set by the first signal
        self.killing = False  # set by the second signal, or when --stop-timeout ran out
        self.stop_signal: int | None = None
        self.second_signal: int | None = None
        self.clean = True  # False when the crawl threads did not finish in time
        self._children: dict[int, subprocess.Popen[bytes]] = {}
        self._active = 0
        self._active_lock = threading.Lock()
        self._source_locks = {source.name: threading.Lock() for source in self.sources}
        self._discovery_owed: set[str] = set()
        self._polls = {source.name: recheck_poll(source.recheck) for source in self.sources}
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={
                "crawls": ThreadPoolExecutor(options.max_crawls),
                "housekeeping": ThreadPoolExecutor(1),
                # Its own thread: a slow receiver must not delay the lease heartbeat.
                **({"webhooks": ThreadPoolExecutor(1)} if self.webhooks else {}),
            },
            job_defaults={"coalesce": True, "max_instances": 1},
        )

    # -- lifecycle ---------------------------------------------------------------------

    def run(self) -> int:
        """Schedule and crawl until a signal; returns the exit status."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in self._signals()}
        try:
            logger.info(
                "mediawatch daemon %s: watching %s; stop with Ctrl-C or SIGTERM",
                self.holder,
                ", ".join(source.name for source in self.sources),
            )
            self._prepare()
            self._schedule()
            while not self.stopping:
                time.sleep(0.2)  # signals interrupt this; their handler only sets flags
            return self._shut_down()
        except BaseException:
            # The archive failed before the daemon ran (it reports why): stop what started.
            self.stopping = self.killing = True
            if self._scheduler.running:
                self._scheduler.shutdown(wait=False)
            raise
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    @staticmethod
    def _signals() -> list[signal.Signals]:
        return [signal.SIGINT, signal.SIGTERM]

    def _on_signal(self, signum: int, _frame: object) -> None:
        # Runs between two bytecodes of the main thread: set flags, take no locks.
        if not self.stopping:
            self.stop_signal = signum
            self.stopping = True
            return
        self.second_signal = signum
        self.killing = True
        for group in list(self._children):
            kill_group(group)

    def _prepare(self) -> None:
        now = utcnow()
        with self.sessions.begin() as session:
            leases.forget_expired(session, now=now)
            running = {
                (lease.name.removeprefix("crawl:"), lease.holder)
                for lease in leases.live_leases(session, now=now, prefix="crawl:")
            }
            abandoned = schedule.abandon_orphans(session, now=now, running=running)
            leases.acquire(
                session, self._daemon_lease, self.holder, now=now, ttl=self.options.lease_ttl
            )
        if abandoned:
            logger.warning("Marked %d crawl(s) of a daemon that died as abandoned", abandoned)

    @property
    def _daemon_lease(self) -> str:
        return f"daemon:{self.holder}"

    def _schedule(self) -> None:
        now = utcnow()
        with self.sessions() as session:
            names = [source.name for source in self.sources]
            last = {name: schedule.last_started(session, name, "discover") for name in names}
            due = {name: schedule.earliest_due(session, name) for name in names}
        for source in self.sources:
            every, poll = source.discover_every, self._polls[source.name]
            jitter = jitter_for(every)
            self._scheduler.add_job(
                self._crawl_job,
                IntervalTrigger(seconds=every.total_seconds(), jitter=jitter, timezone=UTC),
                args=[source.name, "discover"],
                id=f"discover:{source.name}",
                executor="crawls",
                misfire_grace_time=math.ceil(every.total_seconds()),
                next_run_time=first_run(last[source.name], every, now, random.uniform(0, jitter)),
            )
            first_due = due[source.name]
            discovery = self._scheduler.get_job(f"discover:{source.name}")
            logger.info(
                "%s: discovery every %s, first at %s; next recheck %s",
                source.name,
                format_duration(every),
                discovery.next_run_time.strftime("%H:%M:%S") if discovery else "-",
                first_due.strftime("due %Y-%m-%d %H:%M:%S") if first_due else "when one is due",
            )
            self._scheduler.add_job(
                self._crawl_job,
                IntervalTrigger(
                    seconds=poll.total_seconds(), jitter=jitter_for(poll), timezone=UTC
                ),
                args=[source.name, "recheck"],
                id=f"recheck:{source.name}",
                executor="crawls",
                misfire_grace_time=math.ceil(poll.total_seconds()),
                next_run_time=max(first_due, now) if first_due else now + poll,
            )
        heartbeat = self.options.lease_ttl / 3
        self._scheduler.add_job(
            self._heartbeat,
            IntervalTrigger(seconds=heartbeat.total_seconds(), timezone=UTC),
            id="heartbeat",
            executor="housekeeping",
        )
        if self.webhooks:
            # Retries fall due between crawls: the crawls' own senders would miss them.
            self._scheduler.add_job(
                self._send_webhooks,
                IntervalTrigger(seconds=WEBHOOK_EVERY, timezone=UTC),
                id="webhooks",
                executor="webhooks",
                next_run_time=now,
            )
        self._scheduler.add_listener(self._after_job, EVENT_JOB_EXECUTED)
        self._scheduler.start()

    def _shut_down(self) -> int:
        name = signal.Signals(self.stop_signal).name if self.stop_signal else "a stop request"
        logger.info(
            "%s received: no new crawls; waiting up to %s for %d running crawl(s) to stop",
            name,
            format_duration(self.options.stop_timeout),
            len(self._children),
        )
        self._webhooks_stop.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        deadline = time.monotonic() + self.options.stop_timeout.total_seconds()
        while self._active and not self.killing and time.monotonic() < deadline:
            time.sleep(0.1)
        if self._active and not self.killing:
            logger.warning("Crawls still running after %s: killing them", name)
            self.killing = True
        deadline = time.monotonic() + HARD_STOP_WAIT
        while self._active and time.monotonic() < deadline:
            time.sleep(0.1)
        self.clean = self._active == 0
        try:
            with self.sessions.begin() as session:
                leases.release(session, self._daemon_lease, self.holder)
        except Exception:  # the lease expires on its own
            logger.exception("Could not release the daemon's lease")
        if self.second_signal is not None:
            logger.warning("Stopped at once by a second signal")
            return 128 + self.second_signal
        logger.info("Stopped")
        return 0

    # -- jobs --------------------------------------------------------------------------

    @contextmanager
    def _tracked(self) -> Iterator[None]:
        with self._active_lock:
            self._active += 1
        try:
            yield
        finally:
            with self._active_lock:
                self._active -= 1

    def _heartbeat(self) -> None:
        now, ttl = utcnow(), self.options.lease_ttl
        try:
            with self.sessions.begin() as session:
                if not leases.renew(session, self._daemon_lease, self.holder, now=now, ttl=ttl):
                    leases.acquire(session, self._daemon_lease, self.holder, now=now, ttl=ttl)
        except Exception:
            logger.exception("Could not renew the daemon's lease")

    def _send_webhooks(self) -> None:
        """Send the webhook deliveries that are due (new ones and retries), for at most
        one interval, so that a run of slow receivers never piles up jobs."""
        if self.stopping:
            return
        try:
            counts = send_due(
                self.engine,
                self.user_agent,
                deadline=time.monotonic() + WEBHOOK_EVERY,
                stop=self._webhooks_stop,
            )
        except Exception:  # the archive was unreachable, say: the next run tries again
            logger.exception("Could not send webhook deliveries")
            return
        if counts.sent:
            logger.info(
                "Webhooks: %d delivered, %d to retry, %d given up",
                counts.delivered,
                counts.retrying,
                counts.failed,
            )

    def _crawl_job(self, source: str, kind: str) -> datetime | None:
        """One scheduled crawl of ``source``; returns when its next recheck is due."""
        if self.stopping:
            return None
        with self._tracked():
            try:
                return self._crawl_if_free(source, kind)
            except Exception:  # the archive was unreachable, say: the next run tries again
                logger.exception("%s: the %s job failed", source, kind)
                return None

    def _crawl_if_free(self, source: str, kind: str) -> datetime | None:
        started, poll = utcnow(), self._polls[source]
        if kind == "recheck":
            with self.sessions() as session:
                if not schedule.due_count(session, source, started):
                    return next_sweep(
                        schedule.earliest_due(session, source), started, started, poll
                    )
        lock = self._source_locks[source]
        if not lock.acquire(blocking=False):
            logger.debug("%s: %s skipped: this daemon is crawling it", source, kind)
            if kind == "discover":
                # Owed, not dropped: with rechecks running back to back on a busy source,
                # a skipped discovery would otherwise wait a whole interval, again and again.
                self._discovery_owed.add(source)
            return None
        try:
            with self.sessions.begin() as session:
                taken = leases.acquire(
                    session,
                    crawl_lease(source),
                    self.holder,
                    now=started,
                    ttl=self.options.lease_ttl,
                )
            if not taken:
                logger.info("%s: %s skipped: another daemon is crawling it", source, kind)
                return None
            if source in self._discovery_owed:
                # A discovery crawl fetches the due articles too: one crawl does both.
                self._discovery_owed.discard(source)
                kind = "discover"
            try:
                if not self.stopping:
                    self._crawl(source, kind)
            finally:
                with self.sessions.begin() as session:
                    leases.release(session, crawl_lease(source), self.holder)
        finally:
            lock.release()
        with self.sessions() as session:
            return next_sweep(schedule.earliest_due(session, source), started, utcnow(), poll)

    def _after_job(self, event: JobExecutionEvent) -> None:
        """Wake the source's recheck job when its next article is due, and its discovery
        job at once if a discovery was skipped while the crawl ran."""
        source = event.job_id.split(":", 1)[-1]
        if self.stopping or source not in self._source_locks:
            return
        if source in self._discovery_owed:
            with suppress(Exception):  # gone meanwhile, or the scheduler stopped
                self._scheduler.modify_job(f"discover:{source}", next_run_time=utcnow())
        if not isinstance(event.retval, datetime):
            return
        job_id = f"recheck:{source}"
        try:
            job = self._scheduler.get_job(job_id)
            wanted = max(event.retval, utcnow())
            if job is not None and job.next_run_time is not None and wanted < job.next_run_time:
                self._scheduler.modify_job(job_id, next_run_time=wanted)
        except Exception:
            logger.exception("Could not reschedule %s", job_id)

    # -- one crawl ---------------------------------------------------------------------

    def _crawl(self, source: str, kind: str) -> None:
        opts = self.options
        started = utcnow()
        with self.sessions.begin() as session:
            run_id = schedule.open_run(session, source, kind, self.holder, started)
        command = [
            *crawl_command(
                opts.config_path,
                database_url=opts.database_url,
                sources=[source],
                recheck="due",
                discover=kind == "discover",
                log_level=opts.crawl_log_level,
            ),
            "--run-id",
            str(run_id),
        ]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            child = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group: signalled and killed as one
                preexec_fn=_DIE_WITH_PARENT,
            )
            self._children[child.pid] = child
            logger.info("%s: %s crawl started (run %d, pid %d)", source, kind, run_id, child.pid)
            try:
                stop = self._watch(child, source)
            finally:
                kill_group(child.pid)  # stragglers, e.g. extraction workers of a crashed child
                self._children.pop(child.pid, None)
            summary, lines = _summary(out), _tail(err)
        ended = utcnow()
        with self.sessions.begin() as session:
            record = schedule.run_record(session, run_id)
            decided = settlement(
                record.status if record else None,
                child.returncode,
                stop,
                lines[-1][:300] if lines else "",
            )
            if decided is not None:
                counts = schedule.fetch_counts(session, source, started, ended)
                schedule.settle_run(
                    session, run_id, now=ended, status=decided[0], error=decided[1], counts=counts
                )
            record = schedule.run_record(session, run_id)
        self._log_end(source, kind, run_id, record, summary, lines, ended - started)

    def _watch(self, child: subprocess.Popen[bytes], source: str) -> Stop | None:
        """Wait for the child to end, stopping it on timeout, memory, lease loss or shutdown."""
        opts = self.options
        begun = time.monotonic()
        deadline = begun + opts.crawl_timeout.total_seconds()
        renew_every = opts.lease_ttl.total_seconds() / 3
        next_renew, next_memory = begun + renew_every, begun + MEMORY_CHECK_INTERVAL
        stop: Stop | None = None
        asked_at: float | None = None
        while True:
            try:
                child.wait(timeout=WATCH_INTERVAL)
                return stop
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if self.killing:
                if stop is None or stop.reason == "shutdown":
                    first = f"{stop.detail}; then " if stop else ""
                    stop = Stop("shutdown", f"{first}killed: the daemon was told to stop at once")
                kill_group(child.pid)
                continue
            if now >= next_memory:
                next_memory = now + MEMORY_CHECK_INTERVAL
                used = group_rss(child.pid) // 2**20
                if used > opts.crawl_memory_mb:
                    stop = Stop(
                        "memory",
                        f"used {used} MB, over the {opts.crawl_memory_mb} MB limit"
                        " (--crawl-memory), and was killed",
                    )
                    kill_group(child.pid)
                    continue
            if now >= next_renew:
                next_renew = now + renew_every
                if not self._renew(source) and stop is None:
                    stop = Stop("lease", "stopped: its lease on the source was lost")
            if stop is None and self.stopping:
                name = signal.Signals(self.stop_signal).name if self.stop_signal else "a signal"
                stop = Stop("shutdown", f"stopped early: the daemon received {name}")
            if stop is None and now > deadline:
                stop = Stop(
                    "timeout",
                    f"ran longer than {format_duration(opts.crawl_timeout)} (--crawl-timeout)"
                    " and was stopped",
                )
            if stop is not None and asked_at is None:
                # Scrapy's first SIGTERM is a graceful stop: requests in flight finish and
                # the pipeline stores its last batch.
                asked_at = now
                with suppress(ProcessLookupError):
                    child.send_signal(signal.SIGTERM)
            elif asked_at is not None and now > asked_at + opts.stop_timeout.total_seconds():
                kill_group(child.pid)

    def _renew(self, source: str) -> bool:
        """Extend this crawl's lease; False only when another holder took it over."""
        try:
            with self.sessions.begin() as session:
                return leases.renew(
                    session,
                    crawl_lease(source),
                    self.holder,
                    now=utcnow(),
                    ttl=self.options.lease_ttl,
                )
        except Exception:  # a busy or unreachable database: try again at the next renewal
            logger.warning("%s: could not renew the crawl's lease", source, exc_info=True)
            return True

    def _log_end(
        self,
        source: str,
        kind: str,
        run_id: int,
        record: schedule.RunRecord | None,
        summary: dict[str, Any],
        lines: list[str],
        took: timedelta,
    ) -> None:
        status = record.status if record else "lost"
        counts = (record.counts if record else None) or summary
        seconds = took.total_seconds()
        if status == "finished":
            logger.info(
                "%s: %s crawl finished in %.1f s: %s (run %d)",
                source,
                kind,
                seconds,
                describe_counts(counts),
                run_id,
            )
            for line in lines[-20:]:
                logger.info("%s | %s", source, line)
            return
        logger.warning(
            "%s: %s crawl %s after %.1f s: %s; stored before it ended: %s (run %d)",
            source,
            kind,
            status,
            seconds,
            record.error if record else "its run record is missing",
            describe_counts(counts),
            run_id,
        )
        for line in lines[-20:]:
            logger.warning("%s | %s", source, line)
