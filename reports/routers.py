"""Optional routing of report queries to a PostgreSQL read replica.

Switched on by `REPORTS_DATABASE_URL`: the settings then add a "reports" database and this
router. Only reads made inside `report_reads()` (the report views wrap themselves in it) go to
the replica; everything else — the agents' writes and the reads that must see them — stays on
the primary.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REPORTS_DATABASE = "reports"

_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)


@contextmanager
def report_reads() -> Iterator[None]:
    """Route the ORM reads made inside this block to the reports replica, when configured."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


class ReportsReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPORTS_DATABASE if _reading_reports.get() else None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary through replication, never through migrate.
        return db != REPORTS_DATABASE
