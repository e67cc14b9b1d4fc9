"""Copying a whole archive into another database (`mediawatch migrate-archive`).

A user who outgrows SQLite moves to PostgreSQL and keeps every article, version, fetch
and crawl; SQLite to SQLite (moving a file) and PostgreSQL to SQLite work the same way.

The copy refuses, before writing anything, a target that is the source itself or that
already holds archive rows. It then gives an empty target the schema by the same
migrations as `mediawatch init` (one transaction of its own: a failed copy leaves an
empty, initialised archive, and running the command again starts over), and copies
every table in one transaction on the target: rows in batches read from one snapshot of
the source, ids kept so that every reference stays valid, the search index filled, the
id sequences moved past the copied ids. Before that transaction commits, every row on
both sides is compared; any difference rolls it back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, inspect, select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from storage import dialect, schema
from storage.errors import ArchiveError
from storage.models import Base

# The order tables are copied and reported in: parents before children (articles name a
# source, versions an article, fetches both). Tables added later follow, in dependency order.
_FIRST = ("sources", "articles", "versions", "fetches", "crawl_runs", "leases")
# Rows read and written at a time: memory follows it (about 0.14 MB a row of corpus pages,
# raw HTML and text; a page may be up to the 10 MB download limit), speed hardly does.
BATCH = 100
# Mismatches named in the error before "and N more".
_SHOWN_MISMATCHES = 5

Progress = Callable[[str, int, int], None]  # (table, rows copied so far, rows in all)
VERIFIED = "verified"  # what progress calls the comparison of every row, after the copy


class MigrationRefused(ArchiveError):
    """The copy was not started: the target cannot take it. Nothing was written."""


class MigrationFailed(ArchiveError):
    """The copy ran but the target does not match the source; it was rolled back."""


@dataclass(frozen=True)
class MigrationReport:
    source: str  # URLs without passwords
    target: str
    counts: dict[str, int]  # rows copied per table, in TABLE_ORDER
    schema_created: bool  # the target was given the schema (else it had it, empty)

    def document(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "tables": self.counts,
            "schema_created": self.schema_created,
            "verified": True,
        }


def shown_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def tables() -> list[Table]:
    """The archive's tables, every one in storage/models.py, in the order they are copied."""
    known = Base.metadata.tables
    ordered = [known[name] for name in _FIRST if name in known]
    ordered += [table for table in Base.metadata.sorted_tables if table.name not in _FIRST]
    copied: set[str] = set()
    for table in ordered:
        parents = {key.column.table.name for key in table.foreign_keys} - {table.name}
        assert parents <= copied, f"{table.name} is copied before {parents - copied}"
        copied.add(table.name)
    return ordered


TABLE_ORDER = tuple(table.name for table in tables())


def migrate_archive(
    source: Engine, target: Engine, *, batch: int = BATCH, progress: Progress | None = None
) -> MigrationReport:
    """Copy the archive at ``source`` into the empty database at ``target`` and verify it.

    Raises MigrationRefused (nothing written) or MigrationFailed (rolled back).
    """
    schema.require_current(source)
    _refuse_unsuitable_target(source, target)
    revision = schema.current_revision(target)
    schema_created = revision != schema.HEAD_REVISION
    if schema_created:
        _upgrade_empty_target(target, revision)
    with source.connect() as reading, Session(target) as writing, writing.begin():
        dialect.begin_snapshot(reading)
        counts = {table.name: _count(reading, table) for table in tables()}
        for table in tables():
            _copy_table(reading, writing, table, counts[table.name], batch, progress)
        dialect.reset_id_sequences(writing, [t.name for t in tables() if "id" in t.c])
        mismatches = _mismatches(reading, writing.connection(), batch, counts, progress)
        if mismatches:  # raised inside the transaction, which rolls it back
            raise MigrationFailed(_mismatch_message(mismatches, shown_url(target)))
    return MigrationReport(shown_url(source), shown_url(target), counts, schema_created)


def _refuse_unsuitable_target(source: Engine, target: Engine) -> None:
    """MigrationRefused unless ``target`` is reachable, not the source, and holds no rows."""
    where = shown_url(target)
    try:
        connection = target.connect()
    except DatabaseError as exc:
        raise MigrationRefused(
            f"cannot connect to the target database {where}: {_one_line(exc)}"
        ) from exc
    with connection, source.connect() as source_connection:
        identity = dialect.database_identity(connection)
        if identity is not None and identity == dialect.database_identity(source_connection):
            raise MigrationRefused(
                f"the target {where} is the archive itself; give --to another database"
            )
        held = _rows_held(connection)
    if held:
        what = ", ".join(f"{name}: {count}" for name, count in held.items())
        raise MigrationRefused(
            f"the target {where} already holds an archive ({what}); "
            "migrate-archive copies into an empty database only: give --to a new one"
        )


def _upgrade_empty_target(target: Engine, revision: str | None) -> None:
    """The newest schema on an empty target, as `mediawatch init` makes it."""
    from alembic.util.exc import CommandError

    try:
        schema.upgrade(target)
    except CommandError as exc:  # a revision from a newer mediawatch: Alembic cannot place it
        raise MigrationRefused(
            f"the target {shown_url(target)} has the schema of another mediawatch version "
            f"(revision {revision}; this one makes {schema.HEAD_REVISION}); give --to a new "
            "database"
        ) from exc


def _rows_held(connection: Connection) -> dict[str, int]:
    """The archive tables in a database that hold rows, with their counts."""
    present = set(inspect(connection).get_table_names())
    counts = {t.name: _count(connection, t) for t in tables() if t.name in present}
    return {name: count for name, count in counts.items() if count}


def _count(connection: Connection, table: Table) -> int:
    return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def _one_line(exc: DatabaseError) -> str:
    return " ".join(str(exc.orig if exc.orig is not None else exc).split())


def _copy_table(
    reading: Connection,
    writing: Session,
    table: Table,
    total: int,
    batch: int,
    progress: Progress | None,
) -> None:
    """Every row of ``table``, ids included, in batches; versions also into the search index."""
    done = 0
    if progress is not None:
        progress(table.name, done, total)
    for rows in _batches(reading, select(table).order_by(*table.primary_key), batch):
        writing.execute(table.insert(), [dict(row._mapping) for row in rows])
        if table.name == "versions":
            dialect.index_versions(writing, ((row.id, row.title, row.text) for row in rows))
        done += len(rows)
        if progress is not None:
            progress(table.name, done, total)


def _batches(connection: Connection, query: Any, batch: int) -> Iterator[Sequence[Any]]:
    """The rows of ``query`` a batch at a time (a server-side cursor on PostgreSQL)."""
    result = connection.execution_options(yield_per=batch).execute(query)
    yield from result.partitions()


def _compared_columns(table: Table) -> list[ColumnElement[Any]]:
    """Every column, but raw HTML by its stored length (beside raw_html_size, its length
    unpacked): reading every page twice more would double the time of a big migration."""
    return [
        func.length(column).label(column.name) if column.name == "raw_html" else column
        for column in table.columns
    ]


def _mismatches(
    source: Connection,
    target: Connection,
    batch: int,
    counts: dict[str, int],
    progress: Progress | None,
) -> list[str]:
    """How the target differs from the source, row by row and column by column; progress
    is reported as the table ``verified``, a table at a time."""
    found: list[str] = []
    done, total = 0, sum(counts.values())
    for table in tables():
        if progress is not None:
            progress(VERIFIED, done, total)
        done += counts[table.name]
        source_count, target_count = _count(source, table), _count(target, table)
        if source_count != target_count:
            found.append(f"{table.name}: {source_count} rows in the source, {target_count} copied")
            continue
        query = select(*_compared_columns(table)).order_by(*table.primary_key)
        pairs = zip_longest(_rows(source, query, table, batch), _rows(target, query, table, batch))
        for source_row, target_row in pairs:
            if source_row != target_row:
                found.append(_row_difference(table, source_row, target_row))
    if progress is not None:
        progress(VERIFIED, done, total)
    return found


def _rows(
    connection: Connection, query: Any, table: Table, batch: int
) -> Iterator[tuple[Any, ...]]:
    integer_key = all(column.type.python_type is int for column in table.primary_key)
    if integer_key:
        for rows in _batches(connection, query, batch):
            yield from (tuple(row) for row in rows)
    else:
        # Text keys sort by each database's own collation; these tables are small (one
        # lease per source), so they are put in one order here.
        yield from sorted(tuple(row) for row in connection.execute(query))


def _row_difference(
    table: Table, source_row: tuple[Any, ...] | None, target_row: tuple[Any, ...] | None
) -> str:
    key = table.primary_key.columns[0]
    at = list(table.columns).index(key)
    if target_row is None or source_row is None:
        row = source_row or target_row
        assert row is not None
        side = "the target" if target_row is None else "the source"
        return f"{table.name} {key.name} {row[at]}: missing from {side}"
    names = [
        column.name
        for column, before, after in zip(table.columns, source_row, target_row, strict=True)
        if before != after
    ]
    what = ", ".join("raw_html length" if name == "raw_html" else name for name in names)
    return (
        f"{table.name} {key.name} {source_row[at]}: {what} differ{'s' if len(names) == 1 else ''}"
    )


def _mismatch_message(mismatches: list[str], target: str) -> str:
    shown = "; ".join(mismatches[:_SHOWN_MISMATCHES])
    more = len(mismatches) - _SHOWN_MISMATCHES
    if more > 0:
        shown += f"; and {more} more"
    return f"the copy in {target} does not match the source ({shown}); nothing was kept there"
