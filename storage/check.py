"""Verifying the archive (`mediawatch check`): every stored fact that another can vouch for.

Each ``check_*`` function reads the archive and returns the problems it found, never
repairs anything: a version's content hash against its fields, version numbers against
the article's count, the search index against the versions, rows that point at rows
that are not there, and raw HTML that no longer decompresses. :func:`check_archive` runs
them all. The archive's own writes (storage/archive.py) keep all of this true inside
one transaction per batch, so any problem means damage from outside: a disk, a hand
edit, a tool that bypassed mediawatch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from storage import dialect
from storage.archive import decompress_html
from storage.changes import ArticleContent, fingerprint
from storage.models import OUTCOMES, Article, ArticleAlias, Fetch, Source, Version

# Rows read at a time when every version is read: the text (or raw HTML) of a few
# hundred articles, never the whole archive, is in memory at once.
_BATCH = 500

KINDS = (
    "hash",
    "numbering",
    "search-index",
    "orphan",
    "unlogged",
    "raw-html",
    "alias",
    "return",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the archive, with the rows it is about."""

    kind: str  # one of KINDS
    what: str  # what is wrong, said of the row named by the ids
    article_id: int | None = None
    url: str | None = None
    version: int | None = None  # the version's number within its article
    version_id: int | None = None
    fetch_id: int | None = None

    def line(self) -> str:
        """The problem as one line: the kind, the row it is about, what is wrong."""
        subject = []
        if self.url is not None:
            subject.append(self.url)
        elif self.article_id is not None:
            subject.append(f"article id {self.article_id}")
        if self.version is not None:
            subject.append(f"version {self.version}")
        ids = [
            f"{name} id {value}"
            for name, value in (("version", self.version_id), ("fetch", self.fetch_id))
            if value is not None
        ]
        if subject and ids:
            where = f"{' '.join(subject)} ({', '.join(ids)})"
        else:
            where = " ".join(subject) or ", ".join(ids)
        return f"{self.kind}: {where}: {self.what}" if where else f"{self.kind}: {self.what}"

    def document(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.line(),
            "article_id": self.article_id,
            "url": self.url,
            "version": self.version,
            "version_id": self.version_id,
            "fetch_id": self.fetch_id,
        }


@dataclass
class Report:
    articles: int
    versions: int
    fetches: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def document(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "articles": self.articles,
            "versions": self.versions,
            "fetches": self.fetches,
            "problems": [problem.document() for problem in self.problems],
        }


def check_hashes(session: Session) -> list[Problem]:
    """Versions whose content_hash is not the fingerprint of their title, authors,
    stated publication date and text (computed as storage.archive stores it)."""
    query = select(
        Version.id,
        Version.article_id,
        Version.number,
        Version.title,
        Version.authors,
        Version.published,
        Version.text,
        Version.content_hash,
    ).order_by(Version.id)
    problems = []
    for row in session.execute(query.execution_options(yield_per=_BATCH)):
        content = ArticleContent.of(row.title, row.authors or [], row.published, row.text)
        digest = fingerprint(content)
        if digest != row.content_hash:
            problems.append(
                Problem(
                    "hash",
                    f"content_hash {row.content_hash[:12]}… does not match its title, authors, "
                    f"published date and text (they hash to {digest[:12]}…)",
                    article_id=row.article_id,
                    version=row.number,
                    version_id=row.id,
                )
            )
    return problems


def check_numbering(session: Session) -> list[Problem]:
    """Articles whose versions are not numbered 1..n with n their version_count."""
    counts = (
        select(
            Version.article_id,
            func.count().label("rows"),
            func.count(func.distinct(Version.number)).label("numbers"),
            func.min(Version.number).label("lowest"),
            func.max(Version.number).label("highest"),
        )
        .group_by(Version.article_id)
        .subquery()
    )
    query = (
        select(Article.id, Article.version_count, counts)
        .outerjoin(counts, counts.c.article_id == Article.id)
        .order_by(Article.id)
    )
    problems = []
    for row in session.execute(query):
        rows, expected = row.rows or 0, row.version_count
        if rows == 0:
            if expected != 0:
                problems.append(
                    Problem(
                        "numbering",
                        f"version_count is {expected} but it has no versions",
                        article_id=row.id,
                    )
                )
            continue
        if rows == expected == row.numbers and row.lowest == 1 and row.highest == expected:
            continue
        numbers = session.scalars(
            select(Version.number).where(Version.article_id == row.id).order_by(Version.number)
        ).all()
        problems.append(
            Problem(
                "numbering",
                f"version_count is {expected} but its versions are numbered "
                f"{_number_list(numbers)} (expected 1..{expected})",
                article_id=row.id,
            )
        )
    return problems


def _number_list(numbers: Sequence[int], shown: int = 20) -> str:
    listed = ", ".join(str(n) for n in numbers[:shown])
    return listed + (f", … ({len(numbers)} in all)" if len(numbers) > shown else "")


def check_search_index(session: Session) -> list[Problem]:
    """Versions the search index lacks, holds but the archive does not, or holds with
    other words (see storage.dialect.search_index_problems)."""
    found = dialect.search_index_problems(session)
    ids = [version_id for version_id, _ in found if version_id is not None]
    where = _version_places(session, ids)
    problems = []
    for version_id, what in found:
        article_id, number = where.get(version_id, (None, None)) if version_id else (None, None)
        problems.append(
            Problem(
                "search-index",
                what,
                article_id=article_id,
                version=number,
                version_id=version_id,
            )
        )
    return problems


def check_orphans(session: Session) -> list[Problem]:
    """Rows that point at rows that are not there: versions and fetches without their
    article, fetches without their version, articles without their source."""
    problems = []
    missing_article = select(Article.id).where(Article.id == Version.article_id).exists()
    for version_id, article_id, number in session.execute(
        select(Version.id, Version.article_id, Version.number)
        .where(~missing_article)
        .order_by(Version.id)
    ):
        problems.append(
            Problem(
                "orphan",
                "its article is not in the archive",
                article_id=article_id,
                version=number,
                version_id=version_id,
            )
        )
    fetch_article = select(Article.id).where(Article.id == Fetch.article_id).exists()
    for fetch_id, article_id, url in session.execute(
        select(Fetch.id, Fetch.article_id, Fetch.url).where(~fetch_article).order_by(Fetch.id)
    ):
        problems.append(
            Problem(
                "orphan",
                f"fetch of {url}, but its article is not in the archive",
                article_id=article_id,
                fetch_id=fetch_id,
            )
        )
    fetch_version = select(Version.id).where(Version.id == Fetch.version_id).exists()
    for row in session.execute(
        select(Fetch.id, Fetch.article_id, Fetch.version_id)
        .where(Fetch.version_id.is_not(None), ~fetch_version)
        .order_by(Fetch.id)
    ):
        problems.append(
            Problem(
                "orphan",
                f"fetch stored version id {row.version_id}, which is not in the archive",
                article_id=row.article_id,
                fetch_id=row.id,
            )
        )
    article_source = select(Source.id).where(Source.id == Article.source_id).exists()
    for article_id, source_id in session.execute(
        select(Article.id, Article.source_id).where(~article_source).order_by(Article.id)
    ):
        problems.append(
            Problem(
                "orphan",
                f"its source (id {source_id}) is not in the archive",
                article_id=article_id,
            )
        )
    return problems


def check_fetch_log(session: Session) -> list[Problem]:
    """Versions that no fetch in the log stored: every version is written together with
    the fetch that found it, so one without is half of a write."""
    logged = aliased(Fetch)
    query = (
        select(Version.id, Version.article_id, Version.number)
        .where(~select(logged.id).where(logged.version_id == Version.id).exists())
        .order_by(Version.id)
    )
    return [
        Problem(
            "unlogged",
            "no fetch in the log stored this version",
            article_id=article_id,
            version=number,
            version_id=version_id,
        )
        for version_id, article_id, number in session.execute(query)
    ]


def check_raw_html(session: Session) -> list[Problem]:
    """Raw HTML that does not decompress, or not to the size recorded beside it."""
    query = (
        select(
            Version.id,
            Version.article_id,
            Version.number,
            Version.raw_html,
            Version.raw_html_size,
        )
        .where(Version.raw_html.is_not(None))
        .order_by(Version.id)
    )
    problems = []
    for row in session.execute(query.execution_options(yield_per=_BATCH)):
        try:
            size = len(decompress_html(row.raw_html))
        except Exception as exc:  # zstandard and zlib each raise their own error types
            what = f"raw HTML does not decompress ({type(exc).__name__}: {exc})"
        else:
            if size == row.raw_html_size:
                continue
            what = f"raw HTML decompresses to {size} bytes, {row.raw_html_size} recorded"
        problems.append(
            Problem(
                "raw-html", what, article_id=row.article_id, version=row.number, version_id=row.id
            )
        )
    return problems


def check_aliases(session: Session) -> list[Problem]:
    """Aliases (other addresses of an article) that are an article's own address too, or
    whose article is not in the archive."""
    problems = []
    for alias_id, url, article_id in session.execute(
        select(ArticleAlias.id, ArticleAlias.url, Article.id)
        .join(Article, Article.url == ArticleAlias.url)
        .order_by(ArticleAlias.id)
    ):
        problems.append(
            Problem(
                "alias",
                f"{url} is an alias (id {alias_id}) and also an article's own address",
                article_id=article_id,
            )
        )
    has_article = select(Article.id).where(Article.id == ArticleAlias.article_id).exists()
    for alias_id, url, article_id in session.execute(
        select(ArticleAlias.id, ArticleAlias.url, ArticleAlias.article_id)
        .where(~has_article)
        .order_by(ArticleAlias.id)
    ):
        problems.append(
            Problem(
                "orphan",
                f"alias {url} (id {alias_id}) names an article that is not in the archive",
                article_id=article_id,
            )
        )
    return problems


def check_returns(session: Session) -> list[Problem]:
    """Fetches that went back to an earlier version (A/B headlines, reverts) without
    naming a version of their own article, fetches with an outcome mediawatch does not
    write, and articles whose current version is not one of theirs."""
    problems = []
    own = aliased(Version)
    query = (
        select(Fetch.id, Fetch.article_id, Fetch.version_id, own.article_id.label("owner"))
        .outerjoin(own, own.id == Fetch.version_id)
        .where(Fetch.outcome == "returned")
        .order_by(Fetch.id)
    )
    for row in session.execute(query):
        if row.version_id is None:
            what = "fetch went back to an earlier version but names none"
        elif row.owner != row.article_id:
            what = f"fetch went back to version id {row.version_id}, another article's"
        else:
            continue
        problems.append(Problem("return", what, article_id=row.article_id, fetch_id=row.id))
    for fetch_id, article_id, outcome in session.execute(
        select(Fetch.id, Fetch.article_id, Fetch.outcome)
        .where(Fetch.outcome.not_in(OUTCOMES))
        .order_by(Fetch.id)
    ):
        problems.append(
            Problem(
                "return",
                f"fetch has the outcome {outcome!r}, which is not one of {', '.join(OUTCOMES)}",
                article_id=article_id,
                fetch_id=fetch_id,
            )
        )
    for article_id, current, count in session.execute(
        select(Article.id, Article.current_version, Article.version_count)
        .where(
            Article.current_version.is_not(None)
            & ((Article.current_version < 1) | (Article.current_version > Article.version_count))
        )
        .order_by(Article.id)
    ):
        problems.append(
            Problem(
                "numbering",
                f"its current version is {current}, not one of its versions 1..{count}",
                article_id=article_id,
            )
        )
    return problems


CHECKS: tuple[Callable[[Session], list[Problem]], ...] = (
    check_hashes,
    check_numbering,
    check_search_index,
    check_orphans,
    check_fetch_log,
    check_raw_html,
    check_aliases,
    check_returns,
)


def check_archive(session: Session) -> Report:
    """Every check, with each problem's article named by its URL where it has one."""
    report = Report(
        articles=session.scalar(select(func.count()).select_from(Article)) or 0,
        versions=session.scalar(select(func.count()).select_from(Version)) or 0,
        fetches=session.scalar(select(func.count()).select_from(Fetch)) or 0,
    )
    for check in CHECKS:
        report.problems += check(session)
    urls = _article_urls(session, [p.article_id for p in report.problems if p.article_id])
    report.problems = [
        replace(problem, url=urls.get(problem.article_id)) if problem.article_id else problem
        for problem in report.problems
    ]
    return report


def _version_places(session: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    """Version id -> (article id, number), for the ids that are in the archive."""
    places = {}
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        for version_id, article_id, number in session.execute(
            select(Version.id, Version.article_id, Version.number).where(Version.id.in_(chunk))
        ):
            places[version_id] = (article_id, number)
    return places


def _article_urls(session: Session, ids: list[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    urls = {}
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        for article_id, url in session.execute(
            select(Article.id, Article.url).where(Article.id.in_(chunk))
        ):
            urls[article_id] = url
    return urls
