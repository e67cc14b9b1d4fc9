"""Leases: which process may do a piece of work right now, across processes and hosts.

A lease is one row, ``(name, holder, acquired_at, expires_at)``. ``acquire`` takes it in
one atomic statement (``INSERT ... ON CONFLICT (name) DO UPDATE ... WHERE expired``, on
SQLite and PostgreSQL alike) when nobody holds it or the last holder's time has run out;
the holder ``renew``s it while it works and ``release``s it when done. A holder that dies
without releasing loses the lease when it expires, and the work can be taken over.

A lease is not re-entrant: a holder asking again for a lease it still holds is refused,
so two jobs of one process cannot both take it either. Expiry times come from the
callers' clocks: hosts sharing a database need clocks in step (NTP), far closer than
the lease's time to live.

Each function works inside the caller's transaction; commit it at once
(``with sessions.begin() as session: acquire(session, ...)``), or the lease is not
visible to anyone else.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, Executable, delete, select, update
from sqlalchemy.orm import Session

from storage import dialect
from storage.models import Lease


@dataclass(frozen=True)
class LeaseInfo:
    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime


def new_holder() -> str:
    """A name for this process that no other process, here or on another host, will have."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def holder_gone(holder: str) -> bool:
    """True when ``holder`` (a :func:`new_holder` name) is a process on this host that has
    ended; a holder on another host, or one that cannot be read, is taken to be alive."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: is there such a process (no signal is sent)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def acquire(session: Session, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Take the lease ``name`` for ``ttl`` if it is free or expired; True if taken."""
    insert = dialect.insert_ignoring_conflicts(session, Lease).values(
        name=name, holder=holder, acquired_at=now, expires_at=now + ttl
    )
    statement = insert.on_conflict_do_update(
        index_elements=[Lease.name],
        set_={
            "holder": insert.excluded.holder,
            "acquired_at": insert.excluded.acquired_at,
            "expires_at": insert.excluded.expires_at,
        },
        where=Lease.expires_at <= now,
    )
    # A row comes back when it was inserted or taken over, none when a live lease blocked
    # the update. (RETURNING, not the row count: psycopg reports no count for an INSERT
    # run through SQLAlchemy.)
    taken = session.connection().execute(statement.returning(Lease.name)).first()
    return taken is not None


def renew(session: Session, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Extend a lease ``holder`` holds to ``now + ttl``; False if it has been taken over."""
    statement = (
        update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=now + ttl)
    )
    return _rowcount(session, statement) == 1


def release(session: Session, name: str, holder: str) -> bool:
    """Give the lease back at once; False if ``holder`` no longer held it."""
    return _rowcount(session, delete(Lease).where(Lease.name == name, Lease.holder == holder)) == 1


def live_leases(session: Session, *, now: datetime, prefix: str = "") -> list[LeaseInfo]:
    """The leases held at ``now`` whose names start with ``prefix``, by name."""
    rows = session.scalars(
        select(Lease)
        .where(Lease.expires_at > now, Lease.name.startswith(prefix, autoescape=True))
        .order_by(Lease.name)
    )
    return [LeaseInfo(r.name, r.holder, r.acquired_at, r.expires_at) for r in rows]


def forget_expired(session: Session, *, now: datetime) -> int:
    """Delete leases that expired before ``now`` (free anyway); returns how many."""
    return _rowcount(session, delete(Lease).where(Lease.expires_at <= now))


def _rowcount(session: Session, statement: Executable) -> int:
    """How many rows an UPDATE or DELETE changed (run as Core, not as an ORM statement)."""
    result = session.connection().execute(statement)
    assert isinstance(result, CursorResult), result
    return result.rowcount
