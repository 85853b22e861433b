"""Transactions that wait a bounded time for locks, so a live request never queues behind a
long transaction such as a history import (docs/history-import.md, "Live changes during an
import").

The bound is `settings.AGENT_LOCK_TIMEOUT` (seconds). PostgreSQL: `SET LOCAL lock_timeout` in
the transaction, which bounds every wait for a row lock (safe behind PgBouncer in transaction
mode, unlike a session-wide SET); a caller whose first statement takes the lock may set it in
that statement instead (`with_lock_timeout`), sparing a round trip. SQLite: the connection's
busy timeout while the transaction begins, which is where it waits for the database's single
write lock (transactions begin IMMEDIATE, config/settings.py); the configured timeout is
restored afterwards.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import CharField, QuerySet
from django.db.models.expressions import RawSQL

from core.locks import is_lock_conflict


class LockWaitTimeout(Exception):
    """Another transaction held a lock for longer than AGENT_LOCK_TIMEOUT; nothing was written."""


@contextmanager
def atomic_with_lock_timeout(*, set_by_first_query: bool = False) -> Iterator[None]:
    """`transaction.atomic()` whose waits for locks end after AGENT_LOCK_TIMEOUT.

    `set_by_first_query`: the block's first statement is a queryset passed through
    `with_lock_timeout`, which sets the timeout on PostgreSQL before it waits for any lock.
    Raises LockWaitTimeout (the transaction rolled back) when a wait ran out.
    """
    timeout_ms = lock_timeout_ms()
    try:
        with _sqlite_busy_timeout(timeout_ms), transaction.atomic():
            if connection.vendor == "postgresql" and not set_by_first_query:
                with connection.cursor() as cursor:
                    # set_config(…, true) is SET LOCAL with a bound parameter.
                    cursor.execute(
                        "SELECT set_config('lock_timeout', %s, true)", [f"{timeout_ms}ms"]
                    )
            yield
    except OperationalError as error:
        if is_lock_conflict(error):
            raise LockWaitTimeout(str(error)) from error
        raise


def with_lock_timeout(queryset: QuerySet, *, timeout_ms: int | None = None) -> QuerySet:
    """`queryset`, setting PostgreSQL's `lock_timeout` for the transaction as it runs: the
    condition is evaluated on the rows found, before FOR UPDATE waits for their locks (the
    first statement of `atomic_with_lock_timeout(set_by_first_query=True)`). Unchanged on
    SQLite, which waits for its lock as the transaction begins. `timeout_ms` (default
    `lock_timeout_ms()`): given by a statement compiled once (core.precompiled)."""
    if connection.vendor != "postgresql":
        return queryset
    # set_config(…, true) is SET LOCAL with a bound parameter; it returns the value, never null.
    setting = RawSQL(
        "set_config('lock_timeout', %s, true)",
        [f"{timeout_ms or lock_timeout_ms()}ms"],
        output_field=CharField(),
    )
    return queryset.alias(lock_timeout_set=setting).filter(lock_timeout_set__isnull=False)


def lock_timeout_ms() -> int:
    """AGENT_LOCK_TIMEOUT in milliseconds."""
    return max(1, round(settings.AGENT_LOCK_TIMEOUT * 1000))


@contextmanager
def _sqlite_busy_timeout(timeout_ms: int) -> Iterator[None]:
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        # Inside a transaction SQLite already holds the write lock: nothing left to wait for.
        yield
        return
    connection.ensure_connection()
    database = connection.connection
    configured = database.execute("PRAGMA busy_timeout").fetchone()[0]
    database.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
    try:
        yield
    finally:
        database.execute(f"PRAGMA busy_timeout = {int(configured)}")
