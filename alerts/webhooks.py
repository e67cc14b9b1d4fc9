"""Sending the webhook outbox: each owed delivery POSTed as JSON, retried with backoff.

``send_due`` claims due deliveries (storage/alerts.py), POSTs each with urllib, and
records what came of it: a 2xx answer marks it delivered; anything else (another status,
a refused connection, a timeout) is recorded and retried after an exponential backoff,
until MAX_ATTEMPTS attempts have failed and it is marked failed. ``Sender`` runs that in a
background thread during `mediawatch crawl`; the daemon (scheduler.py) calls ``send_due``
on a schedule, so retries happen between crawls too. A dead receiver only leaves rows
pending: it never fails, slows or stops a crawl.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from storage import alerts
from storage.db import make_sessionmaker

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
MAX_ATTEMPTS = 8
BACKOFF_ENV = "MEDIAWATCH_WEBHOOK_BACKOFF_SECONDS"  # tests make it small
DEFAULT_BACKOFF_SECONDS = 30.0  # 30 s, 1 m, 2 m, ... : eight attempts span about two hours
MAX_BACKOFF = timedelta(hours=6)
# A claimed delivery is due again after this, should its sender die before recording it.
CLAIM_WINDOW = timedelta(seconds=TIMEOUT_SECONDS * 6)
BATCH = 20
ERROR_BODY_BYTES = 300  # of a failed answer's body, kept with the error


def backoff_base() -> float:
    """Seconds before the first retry: $MEDIAWATCH_WEBHOOK_BACKOFF_SECONDS, or 30."""
    value = os.environ.get(BACKOFF_ENV)
    try:
        return max(0.0, float(value)) if value else DEFAULT_BACKOFF_SECONDS
    except ValueError:
        logger.warning(
            "%s=%r is not a number of seconds; using %s",
            BACKOFF_ENV,
            value,
            DEFAULT_BACKOFF_SECONDS,
        )
        return DEFAULT_BACKOFF_SECONDS


def retry_delay(attempts: int, base: float) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: base, 2 base, 4 base..."""
    return min(timedelta(seconds=base * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirected POST would be re-sent as a GET without its body: count it as a failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Answer:
    """What one POST came to: the HTTP status (None when none came) and any error."""

    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


def post_json(url: str, document: Any, user_agent: str, timeout: float = TIMEOUT_SECONDS) -> Answer:
    """POST ``document`` as JSON to ``url``; never raises for a network or HTTP failure."""
    request = urllib.request.Request(
        url,
        data=json.dumps(document, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": user_agent},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(ERROR_BODY_BYTES)
            status = int(response.status)
            return Answer(status, None if 200 <= status < 300 else f"HTTP {status}")
    except urllib.error.HTTPError as exc:
        body = exc.read(ERROR_BODY_BYTES).decode("utf-8", "replace").strip()
        exc.close()
        return Answer(exc.code, f"HTTP {exc.code} {exc.reason}" + (f": {body}" if body else ""))
    except urllib.error.URLError as exc:
        return Answer(None, f"could not connect: {exc.reason}")
    except (TimeoutError, OSError) as exc:  # a read that timed out, a reset connection
        return Answer(None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    except ValueError as exc:  # http.client's answer to a response that is not HTTP
        return Answer(None, f"not an HTTP answer: {exc}")


@dataclass
class SendCounts:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def sent(self) -> int:
        return self.delivered + self.retrying + self.failed


def send_due(
    engine: Engine,
    user_agent: str,
    *,
    deadline: float | None = None,
    stop: threading.Event | None = None,
) -> SendCounts:
    """Send every due delivery, until none is due, or ``deadline`` (time.monotonic())
    has passed, or ``stop`` is set; returns what came of the attempts."""
    sessions = make_sessionmaker(engine)
    base = backoff_base()
    counts = SendCounts()
    while True:
        if (deadline is not None and time.monotonic() >= deadline) or (stop and stop.is_set()):
            return counts
        now = datetime.now(UTC)
        # A read first, in its own transaction: polling takes no write lock while nothing
        # is due (SQLite has one writer, the crawl).
        with sessions() as session:
            due = alerts.next_due(session)
        if due is None or due > now:
            return counts
        with sessions.begin() as session:
            claimed = alerts.claim_deliveries(
                session, now=now, until=now + CLAIM_WINDOW, limit=BATCH
            )
        if not claimed:
            return counts
        for index, delivery in enumerate(claimed):
            late = deadline is not None and time.monotonic() >= deadline
            if late or (stop and stop.is_set()):
                _unclaim(sessions, claimed[index:])
                return counts
            answer = post_json(delivery.url, delivery.payload, user_agent)
            _record(sessions, delivery, answer, base, counts)


def _record(
    sessions: Any, delivery: alerts.Claimed, answer: Answer, base: float, counts: SendCounts
) -> None:
    now = datetime.now(UTC)
    with sessions.begin() as session:
        if answer.ok:
            assert answer.status is not None
            alerts.mark_delivered(session, delivery.id, now=now, status=answer.status)
            counts.delivered += 1
            return
        retry_at = None
        if delivery.attempts < MAX_ATTEMPTS:
            retry_at = now + retry_delay(delivery.attempts, base)
        alerts.mark_failed_attempt(
            session,
            delivery.id,
            status=answer.status,
            error=answer.error or f"HTTP {answer.status}",
            retry_at=retry_at,
        )
    if retry_at is None:
        counts.failed += 1
        logger.warning(
            "Webhook %s: gave up after %d attempts: %s",
            delivery.url,
            delivery.attempts,
            answer.error,
        )
    else:
        counts.retrying += 1
        logger.info(
            "Webhook %s: attempt %d failed (%s); retrying at %s",
            delivery.url,
            delivery.attempts,
            answer.error,
            retry_at.isoformat(timespec="seconds"),
        )


def _unclaim(sessions: Any, deliveries: list[alerts.Claimed]) -> None:
    """Give back claimed deliveries not sent: due at once, their attempt not counted."""
    with sessions.begin() as session:
        alerts.release_claims(session, [d.id for d in deliveries], now=datetime.now(UTC))


class Sender:
    """Sends due deliveries in a background thread while a crawl runs.

    ``finish`` gives the last deliveries a bounded time and returns how many are left
    pending; the thread is a daemon thread, so a receiver that hangs never holds the
    process either.
    """

    POLL_SECONDS = 1.0

    def __init__(self, engine: Engine, user_agent: str) -> None:
        self.engine = engine
        self.user_agent = user_agent
        self.counts = SendCounts()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._deadline: float | None = None
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)

    def start(self) -> Sender:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = send_due(
                    self.engine, self.user_agent, deadline=self._deadline, stop=self._stop
                )
                for name in ("delivered", "retrying", "failed"):
                    setattr(self.counts, name, getattr(self.counts, name) + getattr(done, name))
            except Exception:  # the archive is busy or away: the rows wait for the next pass
                logger.warning("Could not send webhook deliveries", exc_info=True)
            if self._deadline is not None:
                return  # finishing: one last pass
            self._wake.wait(self.POLL_SECONDS)
            self._wake.clear()

    def finish(self, grace: float) -> int:
        """Send what is due for at most ``grace`` seconds more, then stop; returns the
        number of deliveries left pending."""
        self._deadline = time.monotonic() + grace
        self._wake.set()
        self._thread.join(grace + 1.0)
        self._stop.set()
        with make_sessionmaker(self.engine)() as session:
            return alerts.delivery_counts(session)["pending"]
