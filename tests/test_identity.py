"""One article whatever address it answers at, each distinct content stored once: A/B
headlines, moved URLs, copies and merges in the archive (storage/archive.py and
storage/identity.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from storage import queries
from storage.alerts import AlertRules, HookRule
from storage.archive import Archive, FetchedPage
from storage.check import check_archive
from storage.models import Article, ArticleAlias, Fetch, Version, WebhookDelivery

T0 = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
OLD = "https://news.example/2026/11/ferry-fares-rise.html"
NEW = "https://news.example/2026/11/ferry-fares-rise-by-twelve-per-cent.html"
AMP = "https://news.example/amp/2026/11/ferry-fares-rise.html"
BODY = "\n\n".join(
    f"Paragraph {n}: the harbour authority said on Monday that ferry fares would rise in"
    f" January, after a review of the operator's costs ({n})."
    for n in range(6)
)


def page(
    hours: float,
    url: str = OLD,
    title: str = "Ferry fares to rise",
    text: str = BODY,
    canonical: str | None = None,
    **kwargs: Any,
) -> FetchedPage:
    extracted = {
        "title": title,
        "authors": ["Ada Byline"],
        "published": "2026-11-03",
        "modified": None,
        "language": "en",
        "text": text,
        "canonical_url": canonical,
        "extractor": "trafilatura",
    }
    signals = {"wall": None, "paywall": None, "not_free": False, "complete": True}
    if canonical:
        signals["canonical"] = canonical
    return FetchedPage(
        url=url,
        source="news",
        fetched_at=T0 + timedelta(hours=hours),
        http_status=200,
        raw_html=b"<html><body><p>page</p></body></html>",
        extracted=extracted,
        signals=signals,
        **kwargs,
    )


def count(engine: Engine, model: Any) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def assert_archive_checks(archive: Archive) -> None:
    with archive.sessions() as session:
        assert [p.line() for p in check_archive(session).problems] == []


def test_headlines_that_flip_are_each_stored_once_and_shown_as_returns(engine: Engine) -> None:
    archive = Archive(engine, alerts=AlertRules(webhooks=(HookRule("http://127.0.0.1:9/"),)))
    titles = ["Ferry fares to rise", "Fares up 12% on the ferry", "Ferry fares to rise"]
    titles += ["Fares up 12% on the ferry", "Ferry fares to rise"]
    outcomes = [archive.store(page(n, title=title)) for n, title in enumerate(titles)]
    assert [(r.outcome, r.version) for r in outcomes] == [
        ("new", 1),
        ("changed", 2),
        ("returned", 1),
        ("returned", 2),
        ("returned", 1),
    ]
    assert count(engine, Version) == 2
    # A webhook hears of each variant once, never of a flip.
    assert count(engine, WebhookDelivery) == 2
    with archive.sessions() as session:
        article = queries.find_article(session, [OLD])
        history = queries.timeline(session, article)
        rows = queries.article_rows(session)
    assert history.variants == [1, 2]
    assert [r["version"] for r in history.rows] == [1, 2]
    assert [[b["from_version"] for b in r["returns"]] for r in history.rows] == [[2, 2], [1]]
    assert rows[0]["headline_test"] is True and rows[0]["current_version"] == 1
    # The next edit is measured against what the page showed (version 1), not version 2.
    edited = archive.store(page(6, text=BODY + "\n\nA correction was added."))
    assert (edited.outcome, edited.version, edited.changed) == ("changed", 3, ["text"])
    with archive.sessions() as session:
        third = session.scalars(select(Version).where(Version.number == 3)).one()
        fetches = session.scalars(select(Fetch).where(Fetch.outcome == "returned")).all()
    assert third.words_added == 4 and third.words_removed == 0
    assert {f.version_id for f in fetches} == {v.id for v in versions(engine)[:2]}
    assert_archive_checks(archive)


def versions(engine: Engine) -> list[Version]:
    with engine.connect() as connection:
        return list(connection.execute(select(Version).order_by(Version.id)).all())  # type: ignore[arg-type]  # rows, read for their columns


def test_a_301_moves_the_article_and_keeps_the_old_address_as_an_alias(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store(page(0))
    moved = archive.store(page(1, final_url=NEW, permanent_redirect=True))
    assert moved.outcome == "unchanged"
    with archive.sessions() as session:
        article = session.scalars(select(Article)).one()
        assert article.url == NEW
        assert queries.find_article(session, [OLD]).id == article.id
        assert queries.aliases_of(session, [article.id]) == {article.id: [OLD]}
    # The new headline that came with the new slug is one version, at the new address.
    edited = archive.store(page(2, url=NEW, title="Ferry fares to rise by 12 per cent"))
    assert (edited.outcome, edited.version) == ("changed", 2)
    assert count(engine, Article) == 1
    assert_archive_checks(archive)


def test_a_temporary_redirect_moves_nothing(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store(page(0))
    archive.store(page(1, final_url=NEW, permanent_redirect=False))
    with archive.sessions() as session:
        assert session.scalars(select(Article.url)).one() == OLD
        assert session.scalar(select(func.count()).select_from(ArticleAlias)) == 0


def test_a_new_address_archived_before_the_old_one_redirects_is_merged(engine: Engine) -> None:
    """The feed lists the new slug and it is fetched first; then the old address answers
    301 to it: one article, its history in order, the repeat not stored twice."""
    archive = Archive(engine, alerts=AlertRules(webhooks=(HookRule("http://127.0.0.1:9/"),)))
    archive.opened_at = T0  # the crawl began before these fetches
    archive.store(page(0))
    archive.store(page(1, title="Ferry fares to rise by 12 per cent"))  # v2 at the old address
    first = archive.store(page(2, url=NEW, title="Ferry fares to rise by 12 per cent"))
    assert first.outcome == "new"
    assert count(engine, Article) == 2
    merged = archive.store(
        page(3, title="Ferry fares to rise by 12 per cent", final_url=NEW, permanent_redirect=True)
    )
    assert merged.outcome == "unchanged"
    assert count(engine, Article) == 1
    with archive.sessions() as session:
        article = session.scalars(select(Article)).one()
        assert (article.url, article.version_count) == (NEW, 2)
        assert sorted(queries.aliases_of(session, [article.id])[article.id]) == [OLD]
        titles = [row["title"] for row in queries.version_rows(session, article)]
        # Every fetch is the article's now, the new address's first one among them.
        urls = set(session.scalars(select(Fetch.url).where(Fetch.article_id == article.id)))
    assert titles == ["Ferry fares to rise", "Ferry fares to rise by 12 per cent"]
    assert urls == {OLD, NEW}
    # The new address's fetch repeated the current version: unchanged, not a new article.
    assert +archive.recounted == {"unchanged": 1} and -archive.recounted == {"new": 1}
    assert count(engine, Version) == 2
    # The repeat's webhook delivery went with it.
    assert count(engine, WebhookDelivery) == 2
    assert_archive_checks(archive)


def test_a_copy_naming_an_archived_article_as_canonical_is_an_alias(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store(page(0, canonical=OLD))
    # The AMP copy extracts a little differently: it is not compared, only recorded.
    amp_text = BODY.replace("Paragraph 5", "Para 5") + "\n\nShare this story"
    copy = archive.store(page(1, url=AMP, text=amp_text, canonical=OLD))
    assert copy.outcome == "copy"
    assert count(engine, Article) == 1 and count(engine, Version) == 1
    with archive.sessions() as session:
        assert queries.find_article(session, [AMP]).url == OLD
        known = queries.article_rows(session)[0]["aliases"]
    assert known == [AMP]
    assert_archive_checks(archive)


def test_a_copy_that_holds_more_of_the_story_than_the_article_is_an_alias(
    engine: Engine,
) -> None:
    """The article's own page reads short (its template cut the extraction halfway); its
    print view holds the whole story: more than half of the copy is not in the article,
    but all of the article is in the copy."""
    archive = Archive(engine)
    half = "\n\n".join(BODY.split("\n\n")[:3])
    archive.store(page(0, text=half, canonical=OLD))
    rest = "\n\n".join(
        f"Later, {n}: operators of the island routes warned of timetable cuts in spring,"
        f" and unions asked for talks before any crossing is dropped ({n})."
        for n in range(8)
    )
    copy = archive.store(page(1, url=AMP, text=f"{half}\n\n{rest}", canonical=OLD))
    assert copy.outcome == "copy"
    assert count(engine, Article) == 1 and count(engine, Version) == 1
    assert_archive_checks(archive)


def test_a_canonical_link_that_names_another_story_is_not_believed(engine: Engine) -> None:
    """A site whose every page names its home page, or one story, as canonical."""
    archive = Archive(engine)
    archive.store(page(0, canonical=OLD))
    other = "Paragraph: the council voted on Tuesday to close the library for refurbishment."
    result = archive.store(page(1, url=NEW, text=other * 5, canonical=OLD))
    assert result.outcome == "new"
    assert count(engine, Article) == 2


def test_a_moved_canonical_link_joins_the_two_addresses(engine: Engine) -> None:
    """The old address still answers 200 but names the new one as canonical; the new
    address was archived on its own first."""
    archive = Archive(engine)
    archive.store(page(0, canonical=OLD))
    archive.store(page(1, url=NEW, title="Ferry fares to rise by 12%", canonical=NEW))
    result = archive.store(page(2, title="Ferry fares to rise by 12%", canonical=NEW))
    assert result.outcome == "unchanged"
    with archive.sessions() as session:
        article = session.scalars(select(Article)).one()
        assert article.url == NEW and article.version_count == 2
        assert queries.find_article(session, [OLD]).id == article.id
    assert_archive_checks(archive)


def test_blocked_and_truncated_fetches_keep_the_version_and_back_off(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store(page(0))
    wall = {"kind": "bot_check", "reason": "bot check: title 'Just a moment...'"}
    blocked = page(1, title="Just a moment...", text="Checking your browser.")
    blocked = FetchedPage(**{**blocked.__dict__, "signals": {**blocked.signals, "wall": wall}})
    teaser = page(2, text="\n\n".join(BODY.split("\n\n")[:2]))
    teaser = FetchedPage(
        **{**teaser.__dict__, "signals": {**teaser.signals, "paywall": "the page says 'x'"}}
    )
    results = [archive.store(blocked), archive.store(teaser)]
    assert [(r.outcome, r.version) for r in results] == [("blocked", None), ("truncated", None)]
    assert "bot check" in (results[0].reason or "")
    with archive.sessions() as session:
        article = session.scalars(select(Article)).one()
        assert (article.status, article.version_count, article.failed_checks) == ("live", 1, 2)
        assert article.next_check is not None
        waits = article.next_check - (T0 + timedelta(hours=2))
        status = queries.status_document(session)
    # Second failure in a row: twice the first back-off, never sooner than the tier.
    assert waits == timedelta(minutes=30)
    source = status["sources"][0]
    assert (source["blocked"], source["truncated"]) == (1, 1)
    assert source["last_blocked"]["outcome"] == "truncated"
    # The real page again: no version (it did not change), the back-off is over.
    assert archive.store(page(3)).outcome == "unchanged"
    with archive.sessions() as session:
        assert session.scalars(select(Article.failed_checks)).one() == 0
    assert_archive_checks(archive)


def test_a_moved_canonical_link_seen_before_the_new_address_moves_the_article(
    engine: Engine,
) -> None:
    """The old address is rechecked first and names the new one as canonical; then the
    new address is fetched: the article moves there, one article."""
    archive = Archive(engine)
    archive.store(page(0, canonical=OLD))
    assert archive.store(page(1, canonical=NEW)).outcome == "unchanged"
    result = archive.store(page(2, url=NEW, canonical=NEW))
    assert result.outcome == "unchanged"
    with archive.sessions() as session:
        article = session.scalars(select(Article)).one()
        assert article.url == NEW and article.version_count == 1
        assert queries.find_article(session, [OLD]).id == article.id
    assert_archive_checks(archive)


def test_a_move_found_within_one_batch_keeps_the_search_index_whole(engine: Engine) -> None:
    """The new address and the old one's 301 in one batch: the new address's first
    version repeats the article's and is dropped before it was ever indexed."""
    archive = Archive(engine)
    archive.store(page(0))
    results = archive.store_many(
        [page(1, url=NEW), page(1.5, final_url=NEW, permanent_redirect=True)]
    )
    assert [r.outcome for r in results] == ["new", "unchanged"]
    assert count(engine, Article) == 1 and count(engine, Version) == 1
    assert_archive_checks(archive)


def test_a_move_with_a_new_headline_found_within_one_batch_keeps_the_new_version(
    engine: Engine,
) -> None:
    """The new address, with the new headline, and the old one's 301 in one batch: the
    version stored a moment ago at the new address becomes the article's second."""
    archive = Archive(engine)
    archive.opened_at = T0  # the crawl began before these fetches
    archive.store(page(0))
    retitled = "Ferry fares to rise by 12 per cent"
    results = archive.store_many(
        [
            page(1, url=NEW, title=retitled),
            page(1.5, title=retitled, final_url=NEW, permanent_redirect=True),
        ]
    )
    assert [r.outcome for r in results] == ["new", "unchanged"]
    with archive.sessions() as session:
        article = session.scalars(select(Article)).one()
        titles = [row["title"] for row in queries.version_rows(session, article)]
        outcomes = {
            url: outcome
            for url, outcome in session.execute(
                select(Fetch.url, Fetch.outcome).where(Fetch.url == NEW)
            )
        }
    assert (article.url, titles) == (NEW, ["Ferry fares to rise", retitled])
    # The new address's fetch made the article's second version, not an article: the
    # fetch says so, and the crawl's counts are set right.
    assert outcomes == {NEW: "changed"}
    assert +archive.recounted == {"changed": 1} and -archive.recounted == {"new": 1}
    assert_archive_checks(archive)
