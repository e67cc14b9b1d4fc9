"""The archive entry point, store_page, against a real SQLite file made by the migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.exc import IntegrityError

from storage.archive import Archive, FetchedPage, decompress_html
from storage.dialect import search_versions
from storage.models import Article, Fetch, Version

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
URL = "https://news.example/2026/11/harbour-ferry.html"
BODY = "The council voted on Tuesday to raise ferry fares by 12 percent.\n\nCommuters objected."


def extracted(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Ferry fares to rise",
        "authors": ["Ada Byline"],
        "published": "2026-11-01",
        "modified": None,
        "language": "en",
        "text": BODY,
        "canonical_url": URL,
        "extractor": "trafilatura 2.x",
    }
    fields.update(changes)
    return fields


def page(at: timedelta = timedelta(0), status: int = 200, **kwargs: Any) -> FetchedPage:
    defaults: dict[str, Any] = {
        "url": URL,
        "source": "news",
        "fetched_at": T0 + at,
        "http_status": status,
        "raw_html": b"<html><body><p>page</p></body></html>" if status == 200 else None,
        "extracted": extracted() if status == 200 else None,
        "etag": '"v1"' if status == 200 else None,
    }
    defaults.update(kwargs)
    return FetchedPage(**defaults)


def versions(engine: Engine) -> list[Version]:
    with Archive(engine).sessions() as session:
        return list(session.scalars(select(Version).order_by(Version.number)))


def fetch_outcomes(engine: Engine) -> list[str]:
    with Archive(engine).sessions() as session:
        return list(session.scalars(select(Fetch.outcome).order_by(Fetch.id)))


def article(engine: Engine) -> Article:
    with Archive(engine).sessions() as session:
        found = session.scalar(select(Article).where(Article.url == URL))
        assert found is not None
        return found


def test_first_fetch_stores_version_one(engine: Engine) -> None:
    result = Archive(engine).store(page())
    assert (result.outcome, result.version) == ("new", 1)
    [version] = versions(engine)
    assert version.title == "Ferry fares to rise"
    assert version.authors == ["Ada Byline"]
    assert version.text == BODY
    assert version.changed == []
    assert version.fetched_at == T0
    assert decompress_html(version.raw_html or b"") == b"<html><body><p>page</p></body></html>"
    assert version.raw_html_size == len(b"<html><body><p>page</p></body></html>")
    stored = article(engine)
    assert (stored.status, stored.version_count, stored.etag) == ("live", 1, '"v1"')
    assert stored.canonical_url == URL
    assert stored.last_changed == T0
    assert stored.next_check == T0 + timedelta(minutes=15)


def test_same_content_logs_fetch_but_stores_no_version(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store(page())
    # Only whitespace and an invisible character differ: not a change (SPEC section 3).
    again = page(timedelta(hours=1), extracted=extracted(text=BODY.replace(" ", "  ") + "\u200b"))
    assert archive.store(again).outcome == "unchanged"
    assert len(versions(engine)) == 1
    assert fetch_outcomes(engine) == ["new", "unchanged"]
    assert article(engine).last_checked == T0 + timedelta(hours=1)
    assert article(engine).last_changed == T0


def test_moving_modified_date_alone_is_recorded_with_the_fetch(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store(page())
    later = page(timedelta(hours=1), extracted=extracted(modified="2026-11-01T13:00:00+00:00"))
    assert archive.store(later).outcome == "unchanged"
    with archive.sessions() as session:
        logged = session.scalars(select(Fetch.last_modified).order_by(Fetch.id)).all()
    assert logged[-1] == "2026-11-01T13:00:00+00:00"
    assert len(versions(engine)) == 1


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"text": BODY.replace("12 percent", "15 percent")}, ["text"]),
        ({"title": "Ferry fares to rise sharply"}, ["title"]),
        ({"authors": ["Ada Byline", "Ben Second"]}, ["authors"]),
        ({"published": "2026-10-31"}, ["published"]),
        ({"title": "New headline", "text": BODY + "\n\nA new paragraph."}, ["title", "text"]),
    ],
)
def test_real_change_stores_next_version(
    engine: Engine, change: dict[str, Any], fields: list[str]
) -> None:
    archive = Archive(engine)
    archive.store(page())
    result = archive.store(page(timedelta(hours=2), extracted=extracted(**change)))
    assert (result.outcome, result.version, result.changed) == ("changed", 2, fields)
    first, second = versions(engine)
    assert second.changed == fields
    assert second.content_hash != first.content_hash
    assert article(engine).last_changed == T0 + timedelta(hours=2)


def test_one_word_edit_counts_words(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store(page())
    archive.store(page(timedelta(hours=1), extracted=extracted(text=BODY.replace("12", "15"))))
    second = versions(engine)[1]
    assert (second.words_added, second.words_removed) == (1, 1)


def test_typo_fix_is_a_minor_change(engine: Engine) -> None:
    long_body = " ".join(["The harbour ferry runs every hour from the old pier."] * 20)
    archive = Archive(engine)
    archive.store(page(extracted=extracted(text=long_body.replace("pier.", "peir.", 1))))
    archive.store(page(timedelta(hours=1), extracted=extracted(text=long_body)))
    assert versions(engine)[1].change_kind == "minor"


def test_gone_then_back(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store(page())
    archive.store(page(timedelta(hours=1), extracted=extracted(title="Edited")))
    assert archive.store(page(timedelta(hours=2), status=404)).outcome == "gone"
    gone = article(engine)
    assert (gone.status, gone.gone_since, gone.version_count) == (
        "gone",
        T0 + timedelta(hours=2),
        2,
    )
    assert len(versions(engine)) == 2  # versions are kept
    assert archive.store(page(timedelta(hours=3), status=410)).outcome == "gone"
    assert article(engine).gone_since == T0 + timedelta(hours=2)
    back = archive.store(page(timedelta(hours=4), extracted=extracted(title="Edited")))
    assert back.outcome == "unchanged"
    assert (article(engine).status, article(engine).gone_since) == ("live", None)


def test_not_modified_keeps_validators_and_version(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store(page())
    result = archive.store(page(timedelta(hours=1), status=304, etag=None))
    assert result.outcome == "not-modified"
    assert article(engine).etag == '"v1"'
    assert len(versions(engine)) == 1


def test_error_is_logged_with_reason_and_loses_nothing(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store(page())
    failed = page(timedelta(hours=1), status=503, error="HTTP 503 Service Unavailable")
    assert archive.store(failed).outcome == "error"
    with archive.sessions() as session:
        logged = session.execute(select(Fetch.http_status, Fetch.error).order_by(Fetch.id)).all()
    assert logged[-1] == (503, "HTTP 503 Service Unavailable")
    assert article(engine).status == "error"
    assert len(versions(engine)) == 1
    archive.store(page(timedelta(hours=2)))
    assert article(engine).status == "live"


def test_new_url_that_fails_is_an_error_article_without_versions(engine: Engine) -> None:
    result = Archive(engine).store(page(status=200, extracted=None, raw_html=b"\x00\x01"))
    assert result.outcome == "error"
    stored = article(engine)
    assert (stored.status, stored.version_count) == ("error", 0)
    with Archive(engine).sessions() as session:
        assert session.scalar(select(Fetch.error)) == "no article text found on the page"


def test_batch_is_one_transaction(engine: Engine) -> None:
    archive = Archive(engine)
    other = "https://news.example/2026/11/other.html"
    results = archive.store_many([page(), page(url=other)])
    assert [r.outcome for r in results] == ["new", "new"]
    with archive.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 2


def test_a_url_twice_in_one_batch_sees_its_first_fetch(engine: Engine) -> None:
    archive = Archive(engine)
    edited = extracted(text=BODY + "\n\nFares rise in March.")
    results = archive.store_many(
        [page(), page(timedelta(minutes=5)), page(timedelta(minutes=9), extracted=edited)]
    )
    assert [(r.outcome, r.version) for r in results] == [
        ("new", 1),
        ("unchanged", None),
        ("changed", 2),
    ]
    assert [v.number for v in versions(engine)] == [1, 2]
    assert versions(engine)[1].words_added == 4
    assert fetch_outcomes(engine) == ["new", "unchanged", "changed"]
    assert article(engine).version_count == 2


def test_a_batch_reads_the_archive_in_a_few_queries_not_a_few_per_page(engine: Engine) -> None:
    archive = Archive(engine)
    urls = [f"https://news.example/2026/11/story-{n}.html" for n in range(40)]
    # Each its own story: one text at many addresses is a page served instead of them.
    stories = [f"{BODY}\n\nStory number {n}." for n in range(40)]
    archive.store_many(
        [
            page(url=url, extracted=extracted(text=story))
            for url, story in zip(urls, stories, strict=True)
        ]
    )
    selects: list[str] = []

    def count_selects(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(engine, "before_cursor_execute", count_selects)
    try:
        results = archive.store_many(
            [
                page(
                    timedelta(hours=1),
                    url=url,
                    extracted=extracted(text=story + "\n\nA correction was appended."),
                )
                for url, story in zip(urls, stories, strict=True)
            ]
            + [page(timedelta(hours=1), url="https://news.example/new.html")]
        )
    finally:
        event.remove(engine, "before_cursor_execute", count_selects)
    assert [r.outcome for r in results] == ["changed"] * 40 + ["new"]
    # The articles, their latest versions and the source: not one query per page.
    assert len(selects) <= 4, selects


def test_version_numbers_are_unique_per_article(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store(page())
    with pytest.raises(IntegrityError), archive.sessions.begin() as session:
        first = session.scalars(select(Version)).one()
        session.execute(
            text(
                "INSERT INTO versions (article_id, number, fetched_at, authors, text, metadata,"
                " content_hash, changed, words_added, words_removed, raw_html_size)"
                " VALUES (:a, 1, :t, '[]', 'x', '{}', 'h', '[]', 0, 0, 0)"
            ),
            {"a": first.article_id, "t": T0.replace(tzinfo=None)},
        )


def test_new_versions_are_searchable(engine: Engine) -> None:
    archive = Archive(engine)
    archive.store(page())
    archive.store(page(timedelta(hours=1), extracted=extracted(text=BODY + "\n\nLighthouse.")))
    with archive.sessions() as session:
        hits = search_versions(session, "lighthouse", limit=10)
    assert [hit.version_id for hit in hits] == [versions(engine)[1].id]
