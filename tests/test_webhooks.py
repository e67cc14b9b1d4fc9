"""Webhooks: the outbox sent to a real HTTP receiver on 127.0.0.1 (a stdlib http.server in
a thread), with retries and backoff, on SQLite and PostgreSQL; and end to end, through a
real crawl of the fixture news site."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import Engine, select

from alerts import webhooks
from cli.main import cli
from config import load_config
from crawler.child import crawl_in_child
from storage.alerts import AlertRules, HookRule, WatchRule
from storage.archive import Archive, FetchedPage
from storage.db import make_engine
from storage.models import WebhookDelivery
from storage.schema import upgrade
from tests.fixture_site import FixtureSite

USER_AGENT = "mediawatch-tests (+https://example.org/contact)"
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
README = Path(__file__).resolve().parent.parent / "README.md"


class Receiver:
    """A webhook receiver: records every POST and answers with the next scripted status
    (200 once the script runs out). ``stop`` closes its port; ``start`` opens it again."""

    def __init__(self, script: list[int] | None = None, delay: float = 0.0) -> None:
        self.script = list(script or [])
        self.delay = delay
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.port = 0
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.delay)
                with receiver.lock:
                    status = receiver.script.pop(0) if receiver.script else 200
                    receiver.received.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers),
                            "json": json.loads(body),
                            "answered": status,
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def delivered(self) -> list[dict[str, Any]]:
        return [r["json"] for r in self.received if r["answered"] == 200]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(webhooks.BACKOFF_ENV, "0.05")


def store_articles(engine: Engine, hook: str, count: int = 1) -> None:
    rules = AlertRules(watches=(WatchRule("ferries", "ferry"),), webhooks=(HookRule(hook),))
    Archive(engine, alerts=rules).store_many(
        [
            FetchedPage(
                url=f"https://news.example/2026/11/story-{n}.html",
                source="news",
                fetched_at=T0,
                http_status=200,
                extracted={"title": f"Story {n}", "text": f"The ferry number {n} sailed late."},
            )
            for n in range(count)
        ]
    )


def deliveries(engine: Engine) -> list[WebhookDelivery]:
    with Archive(engine).sessions() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def send_until_settled(engine: Engine, rounds: int = 200) -> None:
    """send_due until nothing is pending (retries fall due after the short backoff)."""
    for _ in range(rounds):
        webhooks.send_due(engine, USER_AGENT)
        if all(d.status != "pending" for d in deliveries(engine)):
            return
        time.sleep(0.02)
    raise AssertionError(
        f"still pending: {[(d.attempts, d.last_error) for d in deliveries(engine)]}"
    )


def test_a_receiver_that_fails_twice_gets_the_delivery_on_the_third_attempt(
    engine: Engine, receiver: Receiver
) -> None:
    receiver.script = [500]
    store_articles(engine, receiver.url)
    assert webhooks.send_due(engine, USER_AGENT).retrying == 1
    [row] = deliveries(engine)
    assert (row.status, row.attempts, row.last_status) == ("pending", 1, 500)
    assert row.last_error is not None and row.last_error.startswith("HTTP 500")
    assert row.next_attempt is not None and row.next_attempt > row.created_at

    receiver.stop()  # the second attempt finds the port closed: connection refused
    for _ in range(500):  # until the short backoff has passed and the retry was made
        if deliveries(engine)[0].attempts >= 2:
            break
        webhooks.send_due(engine, USER_AGENT)
        time.sleep(0.02)
    [row] = deliveries(engine)
    assert (row.status, row.attempts, row.last_status) == ("pending", 2, None)
    assert row.last_error is not None and "could not connect" in row.last_error

    receiver.start()  # the same port again, answering 200
    send_until_settled(engine)
    [row] = deliveries(engine)
    assert (row.status, row.attempts, row.last_status) == ("delivered", 3, 200)
    assert row.delivered_at is not None and row.last_error is None
    assert [r["answered"] for r in receiver.received] == [500, 200]
    first, last = receiver.received
    assert first["json"] == last["json"] == row.payload  # the same document each time
    headers = {k.lower(): v for k, v in last["headers"].items()}
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == USER_AGENT
    assert (
        last["json"]["event"] == "new_article" and last["json"]["watches"][0]["name"] == "ferries"
    )


def test_a_receiver_that_always_fails_is_given_up_on_and_shown_in_status(
    engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "MAX_ATTEMPTS", 3)
    receiver = Receiver(script=[503] * 10).start()
    try:
        store_articles(engine, receiver.url)
        send_until_settled(engine)
    finally:
        receiver.stop()
    [row] = deliveries(engine)
    assert (row.status, row.attempts, row.last_status, row.next_attempt) == ("failed", 3, 503, None)
    config = tmp_path / "sources.yaml"
    config.write_text(
        yaml.safe_dump(
            {"database_url": database_url, "sources": [{"name": "news", "feeds": [receiver.url]}]}
        )
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "status", "--json"])
    hooks = json.loads(result.stdout)["webhooks"]
    assert (hooks["pending"], hooks["failed"], hooks["delivered"]) == (0, 1, 0)
    assert hooks["latest_failed"][0]["attempts"] == 3
    text = CliRunner().invoke(cli, ["--config", str(config), "status"]).stdout
    assert "webhook deliveries: 0 pending, 1 failed" in text
    assert f"gave up on {receiver.url} after 3 attempts: HTTP 503" in text


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt() -> None:
    slow = Receiver(delay=2.0).start()
    try:
        answer = webhooks.post_json(slow.url, {"event": "new_article"}, USER_AGENT, timeout=0.2)
    finally:
        slow.stop()
    assert not answer.ok and answer.status is None
    assert answer.error is not None and "timed out" in answer.error


def test_retry_delays_double_up_to_a_cap() -> None:
    delays = [webhooks.retry_delay(n, 30.0) for n in range(1, 12)]
    assert delays[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert max(delays) == webhooks.MAX_BACKOFF


def test_two_workers_never_send_one_delivery_twice(engine: Engine, database_url: str) -> None:
    receiver = Receiver(delay=0.01).start()
    try:
        store_articles(engine, receiver.url, count=40)
        engines = [make_engine(database_url) for _ in range(2)]
        start = threading.Barrier(2)

        def work(own: Engine) -> None:
            start.wait()
            webhooks.send_due(own, USER_AGENT)

        threads = [threading.Thread(target=work, args=(own,)) for own in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for own in engines:
            own.dispose()
    finally:
        receiver.stop()
    urls = [document["url"] for document in receiver.delivered()]
    assert len(urls) == 40 and len(set(urls)) == 40  # each once, none twice
    assert all((d.status, d.attempts) == ("delivered", 1) for d in deliveries(engine))


def test_the_daemon_sends_due_deliveries_on_its_schedule(
    engine: Engine, database_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    from scheduler import Daemon, DaemonOptions

    config = tmp_path / "sources.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "database_url": database_url,
                "sources": [{"name": "news", "feeds": ["https://news.example/rss.xml"]}],
                "notify": {"webhooks": [{"url": receiver.url}]},
            }
        )
    )
    store_articles(engine, receiver.url, count=2)
    daemon = Daemon(load_config(config), DaemonOptions(config_path=config), engine)
    daemon._send_webhooks()  # the job `mediawatch run` runs every WEBHOOK_EVERY seconds
    assert len(receiver.delivered()) == 2
    assert {d.status for d in deliveries(engine)} == {"delivered"}


# --- end to end, through a crawl ----------------------------------------------------------


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    with FixtureSite() as started:
        yield started


def crawl_config(path: Path, database_url: str, site: FixtureSite, hook: str) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "database_url": database_url,
                "user_agent": USER_AGENT,
                "sources": [site.source()],
                "watch": [{"name": "banks", "query": "bank* OR lender"}],
                "notify": {"webhooks": [{"url": hook, "min_words_changed": 2}]},
            }
        )
    )
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    return path


def test_a_crawl_posts_each_new_version_with_its_watch_matches(
    site: FixtureSite, receiver: Receiver, database_url: str, tmp_path: Path
) -> None:
    config = crawl_config(tmp_path / "sources.yaml", database_url, site, receiver.url)
    summary = crawl_in_child(config)
    assert summary["webhooks_pending"] == 0
    articles = site.article_urls()
    first = receiver.delivered()
    assert {d["url"] for d in first} == articles and len(first) == len(articles)
    assert summary["webhooks_delivered"] == len(articles)
    bank = next(d for d in first if "bank-merger" in d["url"])
    assert bank["event"] == "new_article" and bank["version"] == bank["versions"] == 1
    assert bank["source"] == "courier" and bank["changed"] == []
    [match] = bank["watches"]
    assert match["name"] == "banks" and "banks" in match["snippet"]
    assert [d["url"] for d in first if d["watches"]] == [bank["url"]]
    # The README shows a payload this test produced: it must keep the real fields.
    section = README.read_text().split("## Alerts: watch terms and webhooks")[1]
    shown = json.loads(section.split("```json\n")[1].split("```")[0])
    assert shown.keys() == bank.keys() and shown["watches"][0].keys() == match.keys()

    # An edit that brings in a watched word: a new version, matched, posted with its snippet.
    path = "/2026/11/port-workers-agree-new-contract.html"
    paragraphs = list(site.articles[path].paragraphs)
    paragraphs[1] += " A regional bank will lend the ports money for new cranes."
    site.edit_article(path, paragraphs=paragraphs)
    crawl_in_child(config, recheck="all", discover=False)
    [edit] = receiver.delivered()[len(first) :]
    assert edit["event"] == "new_version" and edit["version"] == 2 and edit["changed"] == ["text"]
    assert edit["words_added"] == 11 and edit["words_removed"] == 0
    [match] = edit["watches"]
    assert match["name"] == "banks" and "A regional bank will lend" in match["snippet"]

    result = CliRunner().invoke(
        cli, ["--config", str(config), "articles", "--watch", "banks", "--json"]
    )
    rows = json.loads(result.stdout)
    assert rows[0]["url"] == site.url(path) and rows[0]["versions"] == 2  # newest match first
    assert any("bank-merger" in row["url"] for row in rows)


def test_a_dead_receiver_never_fails_the_crawl(
    site: FixtureSite, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(webhooks.BACKOFF_ENV, "3600")  # retried an hour later, not in this crawl
    dead = Receiver().start()
    dead.stop()  # its port now refuses connections
    config = crawl_config(tmp_path / "sources.yaml", database_url, site, dead.url)
    summary = crawl_in_child(config)  # raises unless it exits 0 with a summary
    articles = site.article_urls()
    assert summary["new_articles"] == len(articles)
    assert summary["webhooks_pending"] == len(articles) and summary["webhooks_delivered"] == 0
    assert f"{len(articles)} webhook deliveries left pending" in summary["stderr"]
    engine = make_engine(database_url)
    try:
        rows = deliveries(engine)
    finally:
        engine.dispose()
    assert len(rows) == len(articles)
    for row in rows:
        assert (row.status, row.attempts, row.last_status) == ("pending", 1, None)
        assert row.last_error is not None and "could not connect" in row.last_error
