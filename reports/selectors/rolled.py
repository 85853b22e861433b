"""Which days the daily rollup holds (reports/rollup.py builds it; docs/rollup.md)."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections

from reports.models import RolledDay, RollupState

from . import sql


def rolled_days(zone: ZoneInfo, first: date, last: date, *, database: str) -> set[date]:
    """The days from `first` to `last` that the rollup holds for `zone` (none for another zone
    than the rollup's, or before the builder has rolled them in its zone), read from the
    report's `database`: those it rolled, and those before the first status change, which have
    no time. Plain SQL: it is read on every time-by-code page, and building the queryset cost
    more than running it."""
    if zone.key != settings.REPORTS_ROLLUP_ZONE:
        return set()
    connection = connections[database]
    days, state = (
        connection.ops.quote_name(model._meta.db_table) for model in (RolledDay, RollupState)
    )
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT d.day, NULL FROM {days} d
                WHERE d.day >= %s AND d.day <= %s
                  AND EXISTS (SELECT 1 FROM {state} s WHERE s.zone = %s)
                UNION ALL
                SELECT NULL, s.first_day FROM {state} s
                WHERE s.zone = %s AND s.first_day > %s""",
            [adapt(first), adapt(last), zone.key, zone.key, adapt(first)],
        )
        held, before = set(), None
        for day, first_day in cursor.fetchall():
            if day is not None:
                held.add(sql.as_date(day))
            else:
                before = sql.as_date(first_day)
    if before is not None:
        held.update(
            first + timedelta(days=n)
            for n in range((min(before, last + timedelta(days=1)) - first).days)
        )
    return held
