"""One article, whatever address it answers at: aliases, moves and merges.

Sites move articles: the slug changes with the headline and the old address answers 301
to the new one, or the page's canonical link moves; and they serve copies of one story
at several addresses (an AMP page, a print view, another host) that all name one
canonical address. Each of these is one article in the archive: its ``url`` is where it
is fetched, and every other address it is known by is an :class:`ArticleAlias`, found
by every URL argument and never fetched or discovered again.

When two archived articles turn out to be one (the new address was discovered and
archived before the old one answered its 301), :func:`merge_articles` makes them one:
the older keeps its id, the other's versions follow its own (renumbered, their changes
measured again against the version before them), a version whose content the article
already has is not kept twice (its fetches become returns to the one it repeats), and
every fetch, alias and watch match moves over. Nothing archived is lost but repeats.
The fetch that stored the absorbed article's first version made a new article then; it
made a new version of the one it joins (outcome "changed"). Each fetch whose outcome a
merge rewrites is listed in ``session.info["rewritten_outcomes"]`` (when it was fetched,
its outcome before and after), so that a crawl's summary counts what the archive holds.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage import dialect
from storage.changes import ArticleContent, changed_fields, classify_change, word_counts
from storage.diff import article_document
from storage.models import (
    Article,
    ArticleAlias,
    Fetch,
    PendingArticle,
    Version,
    WatchMatch,
    WebhookDelivery,
)

__all__ = ["add_alias", "aliased_articles", "merge_articles"]

ALIAS_KINDS = ("redirect", "canonical", "copy", "merged")
# session.info key: (fetched_at, outcome before, outcome after) of each rewritten fetch.
REWRITTEN_OUTCOMES = "rewritten_outcomes"


def aliased_articles(session: Session, urls: Iterable[str]) -> dict[str, Article]:
    """The articles that ``urls`` are aliases of, by alias URL."""
    wanted = sorted(set(urls))
    found: dict[str, Article] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(ArticleAlias.url, Article)
            .join(Article, Article.id == ArticleAlias.article_id)
            .where(ArticleAlias.url.in_(wanted[start : start + 500]))
        )
        for url, article in rows:
            found[url] = article
    return found


def add_alias(session: Session, article: Article, url: str, kind: str, now: datetime) -> None:
    """Record ``url`` as another address of ``article`` (once; a URL that is an alias of
    another article moves to this one), and take it off the queue of new articles."""
    if url == article.url:
        return
    session.flush()  # an alias added a moment ago in this batch is found below
    existing = session.scalar(select(ArticleAlias).where(ArticleAlias.url == url))
    if existing is None:
        session.add(ArticleAlias(article=article, url=url, kind=kind, first_seen=now))
    else:
        existing.article = article
    session.execute(delete(PendingArticle).where(PendingArticle.url == url))
    session.flush()


def _content(version: Version) -> ArticleContent:
    return ArticleContent.of(version.title, version.authors, version.published, version.text)


def merge_articles(
    session: Session,
    keep: Article,
    absorb: Article,
    now: datetime,
    unindexed: Container[Version] = (),
) -> set[int]:
    """Make ``absorb`` part of ``keep`` (see the module docstring) and delete it; returns
    the ids of the versions dropped as repeats. ``unindexed``: versions not in the search
    index yet (stored by the batch that merges). The caller sets ``keep.url``."""
    session.flush()
    kept = list(
        session.scalars(
            select(Version).where(Version.article_id == keep.id).order_by(Version.number)
        )
    )
    moving = list(
        session.scalars(
            select(Version).where(Version.article_id == absorb.id).order_by(Version.number)
        )
    )
    by_hash = {version.content_hash: version for version in kept}
    current = next(
        (v for v in kept if v.number == (keep.current_version or keep.version_count)), None
    )
    number = keep.version_count
    dropped: set[int] = set()
    # Numbers the moved versions do not have yet, so that renumbering them one by one
    # never meets the unique (article_id, number) on the way.
    for version in moving:
        version.number = -version.number
    session.flush()
    for version in moving:
        twin = by_hash.get(version.content_hash)
        if twin is not None:
            _drop_repeat(
                session,
                version,
                twin,
                was_current=current is twin,
                indexed=version not in unindexed,
            )
            dropped.add(version.id)
            continue
        number += 1
        if current is not None:
            old, new = _content(current), _content(version)
            version.changed = changed_fields(old, new)
            version.words_added, version.words_removed = word_counts(
                article_document(old.title, old.text), article_document(new.title, new.text)
            )
            version.change_kind = classify_change(old, new)
        if number > 1:  # no longer the first version of an article: a new version of `keep`
            _rewrite_outcomes(session, version, lambda old: "changed" if old == "new" else old)
        version.article = keep  # the relationship too: `absorb` must not hold it any more
        version.number = number
        by_hash[version.content_hash] = version
        current = version
    session.flush()
    # Rows this session holds move by their relationship (their objects would otherwise
    # still name `absorb`), the rest in one statement per table.
    for held in list(session.identity_map.values()):
        if isinstance(held, (Fetch, WatchMatch, ArticleAlias)) and held.article_id == absorb.id:
            held.article = keep
    session.flush()
    for model in (Fetch, WatchMatch, ArticleAlias):
        session.execute(
            update(model).where(model.article_id == absorb.id).values(article_id=keep.id)
        )
    keep.version_count = number
    keep.current_version = current.number if current is not None else None
    keep.first_seen = min(keep.first_seen, absorb.first_seen)
    keep.last_checked = _latest(keep.last_checked, absorb.last_checked)
    keep.last_changed = _latest(keep.last_changed, absorb.last_changed)
    keep.return_count += absorb.return_count
    keep.canonical_url = absorb.canonical_url or keep.canonical_url
    absorbed_url = absorb.url
    session.delete(absorb)
    session.flush()
    add_alias(session, keep, absorbed_url, "merged", now)
    return dropped


def _drop_repeat(
    session: Session, version: Version, twin: Version, *, was_current: bool, indexed: bool
) -> None:
    """``version`` repeats ``twin`` (same content): its fetches become fetches of the twin,
    its alerts go (the twin was announced already), and the row with them."""
    repeated = "unchanged" if was_current else "returned"
    _rewrite_outcomes(session, version, lambda old: repeated)
    session.execute(update(Fetch).where(Fetch.version_id == version.id).values(version_id=twin.id))
    session.execute(delete(WatchMatch).where(WatchMatch.version_id == version.id))
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.version_id == version.id))
    if indexed:
        dialect.unindex_versions(session, [(version.id, version.title, version.text)])
    session.delete(version)
    session.flush()


def _rewrite_outcomes(session: Session, version: Version, rewrite: Callable[[str], str]) -> None:
    """Give the fetches that stored or returned to ``version`` the outcome ``rewrite``
    makes of theirs, and list each change in ``session.info``."""
    rewritten: list[tuple[datetime, str, str]] = session.info.setdefault(REWRITTEN_OUTCOMES, [])
    fetches = session.execute(
        select(Fetch.id, Fetch.fetched_at, Fetch.outcome).where(Fetch.version_id == version.id)
    ).all()
    for fetch_id, fetched_at, outcome in fetches:
        new = rewrite(outcome)
        if new == outcome:
            continue
        session.execute(update(Fetch).where(Fetch.id == fetch_id).values(outcome=new))
        rewritten.append((fetched_at, outcome, new))


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((t for t in (a, b) if t is not None), default=None)
