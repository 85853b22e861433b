"""What a refused wait for a lock looks like, on either database."""

import sqlite3

from django.db import OperationalError, connection

# PostgreSQL's SQLSTATE for lock_timeout (and NOWAIT): lock_not_available.
LOCK_NOT_AVAILABLE = "55P03"


def is_lock_conflict(error: OperationalError) -> bool:
    """Whether `error` is a wait for a lock that ran out (another transaction writes)."""
    cause = error.__cause__
    if connection.vendor == "postgresql":
        return getattr(cause, "sqlstate", None) == LOCK_NOT_AVAILABLE
    if isinstance(cause, sqlite3.OperationalError):
        # SQLITE_BUSY: another connection writes; SQLITE_LOCKED: the same, between connections
        # sharing a cache (the in-memory test database).
        return getattr(cause, "sqlite_errorcode", 0) & 0xFF in (
            sqlite3.SQLITE_BUSY,
            sqlite3.SQLITE_LOCKED,
        )
    return False
