"""Alerts in the archive: watch matches and the webhook outbox.

``record_alerts`` runs inside the transaction that stores new versions (``store_pages``):
it records which new versions match which watch (a saved search) and queues one webhook
delivery per webhook and qualifying version. Both are written with the versions or not at
all, so a crash never loses an alert nor sends one twice for one version.

A version matches a watch when the watch's query finds it exactly as `mediawatch search`
would on this backend (the query is run against the search index, restricted to the new
version ids) and, for an edit, when one of the query's positive terms (not under NOT) is
among the words the edit added or removed: an edit elsewhere in a matching article is not
news about the watch.

The outbox is then emptied by ``alerts/webhooks.py``: ``claim_deliveries`` takes due
rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers never take one row together)
and moves their next attempt past the send's timeout, so that a claim outlives its
transaction and a worker that dies mid-send leaves a row that is simply due again later.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from storage.dialect import pg_config_of, pg_own_reading, pg_readings, versions_matching
from storage.diff import article_document, word_diff
from storage.errors import BadQuery
from storage.models import Version, WatchMatch, WebhookDelivery
from storage.search_query import query_tokens, shown_query

SNIPPET_CHARS = 200
# The search index's own tokens (FTS5 unicode61): runs of letters and digits.
_INDEX_WORD = re.compile(r"[^\W_]+")
_COLUMN_FILTER = re.compile(r"^-?\w+:")  # FTS5's "title:" in front of a word


@dataclass(frozen=True)
class WatchRule:
    """A watch from the config: its name, query and sources (None: every source)."""

    name: str
    query: str
    sources: frozenset[str] | None = None


@dataclass(frozen=True)
class HookRule:
    """A webhook from the config."""

    url: str
    sources: frozenset[str] | None = None
    min_words_changed: int = 0


@dataclass(frozen=True)
class AlertRules:
    """What the config asks to be alerted about; empty rules cost nothing."""

    watches: tuple[WatchRule, ...] = ()
    webhooks: tuple[HookRule, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.watches or self.webhooks)


@dataclass(frozen=True)
class NewVersion:
    """A version stored in this transaction, the one before it (None for a new article)
    and its source's name."""

    version: Version
    previous: Version | None
    source: str


@dataclass(frozen=True)
class Term:
    """A positive word of a query, folded as the index folds it; ``prefix`` for ``foo*``."""

    word: str
    prefix: bool = False

    def matches(self, folded_word: str) -> bool:
        if self.prefix:
            return folded_word.startswith(self.word)
        return folded_word == self.word


# --- queries and terms -----------------------------------------------------------------


def fold(word: str) -> str:
    """A word as the SQLite index compares it: case and diacritics dropped."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def positive_terms(query: str) -> list[Term]:
    """The words of ``query`` not under NOT (phrases give each of their words)."""
    tokens = query_tokens(query)
    terms: list[Term] = []
    negated_depth: int | None = None  # the group depth a NOT (...) began at
    depth = 0
    negate_next = False
    for index, (kind, value) in enumerate(tokens):
        if kind == "(":
            if negate_next and negated_depth is None:
                negated_depth = depth
            negate_next = False
            depth += 1
            continue
        if kind == ")":
            depth -= 1
            if negated_depth is not None and depth == negated_depth:
                negated_depth = None
            continue
        if kind == "op":
            negate_next = value == "NOT"
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if kind == "word" and value == "NEAR" and following == ("(", ""):
            continue
        negated = negate_next or negated_depth is not None
        negate_next = False
        if negated:
            continue
        if kind == "phrase":
            terms += [Term(fold(word)) for word in _INDEX_WORD.findall(value)]
            continue
        word = _COLUMN_FILTER.sub("", value)
        prefix = word.endswith("*")
        terms += [Term(fold(part)) for part in _INDEX_WORD.findall(word)[:-1]]
        terms += [Term(fold(part), prefix) for part in _INDEX_WORD.findall(word)[-1:]]
    return terms


def check_watch_query(session: Session, name: str, query: str) -> None:
    """BadQuery naming the watch when its query is malformed on this backend."""
    try:
        if "\0" in query:
            raise BadQuery(f"cannot search for {shown_query(query)}: it contains a NUL character")
        versions_matching(session, query, [])
    except BadQuery as exc:
        raise BadQuery(f"watch {name!r}: {exc}; fix its query in the config") from exc


def _touches(session: Session, terms: Sequence[Term], changed: str, language: str | None) -> bool:
    """Whether the words an edit added or removed hold one of ``terms``, compared as the
    search index compares words (stemmed by language on PostgreSQL)."""
    if not terms or not changed.strip():
        return False
    if session.get_bind().dialect.name != "postgresql":
        folded = [fold(word) for word in _INDEX_WORD.findall(changed)]
        return any(term.matches(word) for term in terms for word in folded)
    query = " OR ".join(f"{term.word}*" if term.prefix else f'"{term.word}"' for term in terms)
    columns, params = pg_readings(query)
    language_sql = "CAST(:language AS text)"
    found = session.scalar(
        text(
            f"WITH q AS (SELECT {columns}) SELECT to_tsvector({pg_config_of(language_sql)},"
            f" :changed) @@ ({pg_own_reading(language_sql)}) FROM q"
        ),
        {**params, "language": language, "changed": changed},
    )
    return bool(found)


def snippet(body: str, terms: Sequence[Term], inserted: Sequence[tuple[int, int]] = ()) -> str:
    """About SNIPPET_CHARS of ``body`` around the first word matching ``terms`` (first
    looked for within the ``inserted`` spans of an edit, if any): plain text on one line,
    with "…" where it was cut."""
    words = [(m.start(), fold(m.group())) for m in _INDEX_WORD.finditer(body)]
    hits = [start for start, word in words if any(term.matches(word) for term in terms)]
    in_edit = [start for start in hits if any(a <= start < b for a, b in inserted)]
    position = (in_edit or hits or [0])[0]
    start = max(0, position - SNIPPET_CHARS // 3)
    if start:  # from the start of a word
        space = max(body.rfind(" ", 0, start), body.rfind("\n", 0, start))
        start = space + 1 if space >= 0 else 0
    end = min(len(body), start + SNIPPET_CHARS)
    if end < len(body):  # to the end of a word
        space = max(body.rfind(" ", position, end), body.rfind("\n", position, end))
        end = space if space > position else end
    passage = " ".join(body[start:end].split())
    return ("…" if start else "") + passage + ("…" if end < len(body) else "")


# --- in the storing transaction --------------------------------------------------------


def _changed_text(new: NewVersion, document: str) -> tuple[str, list[tuple[int, int]]]:
    """The words an edit added or removed, as one text, and where the insertions stand
    in ``document`` (the new version's headline and text)."""
    assert new.previous is not None
    ops = word_diff(article_document(new.previous.title, new.previous.text), document)
    inserted: list[tuple[int, int]] = []
    position = 0
    for op in ops:
        if op.op == "delete":
            continue
        if op.op == "insert":
            inserted.append((position, position + len(op.text)))
        position += len(op.text)
    return " ".join(op.text for op in ops if op.op != "equal"), inserted


def _passage(
    version: Version, document: str, terms: Sequence[Term], inserted: Sequence[tuple[int, int]]
) -> str:
    """The snippet of a match: from the body text, or from the headline when only the
    headline holds a matched word (``inserted`` spans are offsets into ``document``)."""
    offset = len(document) - len(version.text)
    words = (fold(word) for word in _INDEX_WORD.findall(version.text))
    if version.title and not any(term.matches(word) for word in words for term in terms):
        return snippet(version.title, terms)
    in_text = [(max(0, a - offset), b - offset) for a, b in inserted if b > offset]
    return snippet(version.text, terms, in_text)


def _in(sources: frozenset[str] | None, source: str) -> bool:
    return sources is None or source in sources


def record_alerts(
    session: Session,
    new_versions: Sequence[NewVersion],
    rules: AlertRules,
    now: datetime,
) -> None:
    """Record the watch matches and queue the webhook deliveries of ``new_versions``,
    all stored (flushed and indexed) in this transaction."""
    if not rules or not new_versions:
        return
    by_id = {new.version.id: new for new in new_versions}
    snippets: dict[int, list[dict[str, str]]] = {id_: [] for id_ in by_id}
    for watch in rules.watches:
        wanted = [id_ for id_, new in by_id.items() if _in(watch.sources, new.source)]
        if not wanted:
            continue
        terms = positive_terms(watch.query)
        for version_id in sorted(versions_matching(session, watch.query, wanted)):
            new = by_id[version_id]
            version = new.version
            document = article_document(version.title, version.text)
            inserted: list[tuple[int, int]] = []
            if new.previous is not None:
                changed, inserted = _changed_text(new, document)
                if not _touches(session, terms, changed, version.language):
                    continue
            passage = _passage(version, document, terms, inserted)
            session.add(
                WatchMatch(
                    watch=watch.name,
                    article_id=version.article_id,
                    version_id=version_id,
                    kind="new" if new.previous is None else "edit",
                    snippet=passage,
                    matched_at=now,
                )
            )
            snippets[version_id].append({"name": watch.name, "snippet": passage})
    for hook in rules.webhooks:
        for version_id, new in by_id.items():
            version = new.version
            words = version.words_added + version.words_removed
            if not _in(hook.sources, new.source):
                continue
            if new.previous is not None and words < hook.min_words_changed:
                continue
            session.add(
                WebhookDelivery(
                    url=hook.url,
                    version_id=version_id,
                    payload=payload(new, snippets[version_id]),
                    created_at=now,
                    status="pending",
                    attempts=0,
                    next_attempt=now,
                )
            )
    session.flush()


def payload(new: NewVersion, watches: list[dict[str, str]]) -> dict[str, Any]:
    """The JSON a webhook is sent about one new version (field names as in SPEC section 2)."""
    version, article = new.version, new.version.article
    return {
        "event": "new_article" if new.previous is None else "new_version",
        "url": article.url,
        "canonical_url": article.canonical_url,
        "source": new.source,
        "title": version.title,
        "version": version.number,
        "versions": article.version_count,
        "fetched_at": version.fetched_at.isoformat(),
        "words_added": version.words_added,
        "words_removed": version.words_removed,
        "changed": list(version.changed),
        "change_kind": version.change_kind,
        "watches": watches,
    }


# --- the outbox ------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """A delivery claimed for sending: ``attempts`` counts this one."""

    id: int
    url: str
    payload: dict[str, Any]
    attempts: int


def claim_deliveries(
    session: Session, *, now: datetime, until: datetime, limit: int
) -> list[Claimed]:
    """Claim up to ``limit`` due pending deliveries (oldest due first) in one statement:
    their attempt is counted and their next attempt moved to ``until``. Commit at once."""
    wanted = select(WebhookDelivery.id).where(
        WebhookDelivery.status == "pending", WebhookDelivery.next_attempt <= now
    )
    # SKIP LOCKED (PostgreSQL; SQLite has one writer at a time): rows another worker is
    # claiming this moment are left to it, never taken twice.
    chosen = (
        wanted.order_by(WebhookDelivery.next_attempt, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(chosen))
        .values(attempts=WebhookDelivery.attempts + 1, next_attempt=until)
        .returning(
            WebhookDelivery.id,
            WebhookDelivery.url,
            WebhookDelivery.payload,
            WebhookDelivery.attempts,
        )
    )
    rows = session.connection().execute(statement)
    claimed = [Claimed(r.id, r.url, r.payload, r.attempts) for r in rows]
    return sorted(claimed, key=lambda c: c.id)  # RETURNING keeps no order


def mark_delivered(session: Session, delivery_id: int, *, now: datetime, status: int) -> None:
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(
            status="delivered",
            delivered_at=now,
            next_attempt=None,
            last_status=status,
            last_error=None,
        )
    )


def mark_failed_attempt(
    session: Session,
    delivery_id: int,
    *,
    status: int | None,
    error: str,
    retry_at: datetime | None,
) -> None:
    """Record a failed attempt: retried at ``retry_at``, or given up when it is None."""
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(
            status="pending" if retry_at is not None else "failed",
            next_attempt=retry_at,
            last_status=status,
            last_error=error[:2000],
        )
    )


def delivery_counts(session: Session) -> dict[str, int]:
    """How many webhook deliveries are pending, delivered and failed."""
    counts = dict.fromkeys(("pending", "delivered", "failed"), 0)
    for status, count in session.execute(
        select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
    ):
        counts[status] = count
    return counts


def next_due(session: Session) -> datetime | None:
    """When the earliest pending delivery is due (None when none is pending)."""
    return session.scalar(
        select(func.min(WebhookDelivery.next_attempt)).where(WebhookDelivery.status == "pending")
    )


def failed_deliveries(session: Session, limit: int = 5) -> list[dict[str, Any]]:
    """The latest deliveries given up on, for `mediawatch status`."""
    rows = session.execute(
        select(
            WebhookDelivery.url,
            WebhookDelivery.attempts,
            WebhookDelivery.last_status,
            WebhookDelivery.last_error,
            WebhookDelivery.created_at,
        )
        .where(WebhookDelivery.status == "failed")
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return [
        {
            "url": r.url,
            "attempts": r.attempts,
            "last_status": r.last_status,
            "last_error": r.last_error,
            "created_at": r.created_at.isoformat(),
        }
        for r in rows
    ]


def release_claims(session: Session, delivery_ids: Sequence[int], *, now: datetime) -> None:
    """Give back claimed deliveries that were not sent: due at ``now``, the attempt their
    claim counted taken back."""
    if delivery_ids:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(delivery_ids), WebhookDelivery.status == "pending")
            .values(attempts=WebhookDelivery.attempts - 1, next_attempt=now)
        )
