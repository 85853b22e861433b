"""Which days the daily rollup holds (reports/rollup.py builds it; docs/rollup.md)."""

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections

from reports.models import RolledDay, RollupState


def rolled_days(zone: ZoneInfo, first: date, last: date, *, database: str) -> set[date]:
    """The days from `first` to `last` that the rollup holds for `zone` (none for another zone
    than the rollup's, or before the builder has rolled them in its zone), read from the
    report's `database`. Plain SQL: it is read on every time-by-code page, and building the
    queryset cost more than running it."""
    if zone.key != settings.REPORTS_ROLLUP_ZONE:
        return set()
    connection = connections[database]
    days, state = (
        connection.ops.quote_name(model._meta.db_table) for model in (RolledDay, RollupState)
    )
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT d.day FROM {days} d
                WHERE d.day >= %s AND d.day <= %s
                  AND EXISTS (SELECT 1 FROM {state} s WHERE s.zone = %s)""",
            [adapt(first), adapt(last), zone.key],
        )
        return {
            day if isinstance(day, date) else date.fromisoformat(day)
            for (day,) in cursor.fetchall()
        }
