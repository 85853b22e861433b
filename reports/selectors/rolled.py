"""Which days the daily rollup holds (reports/rollup.py builds it; docs/rollup.md)."""

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists

from reports.models import RolledDay, RollupState


def rolled_days(zone: ZoneInfo, first: date, last: date, *, database: str) -> set[date]:
    """The days from `first` to `last` that the rollup holds for `zone` (none for another zone
    than the rollup's, or before the builder has rolled them in its zone), read from the
    report's `database`."""
    if zone.key != settings.REPORTS_ROLLUP_ZONE:
        return set()
    return set(
        RolledDay.objects.using(database)
        .filter(day__range=(first, last))
        .filter(Exists(RollupState.objects.using(database).filter(zone=zone.key)))
        .values_list("day", flat=True)
    )
