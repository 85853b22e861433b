"""The report window (docs/timeline.md, "The report window"): local dates in a report time zone,
turned into UTC instants, and cut into the periods of a granularity (docs/reports.md,
"Granularity")."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The longest window a report accepts: a year, leap day included.
MAX_WINDOW_DAYS = 366
# The longest window of a grain shorter than a day: 31 days of 15 minutes are 2,976 periods.
MAX_SUB_DAY_WINDOW_DAYS = 31


class Granularity(models.TextChoices):
    """How a report cuts its window into periods (the `granularity` parameter)."""

    MINUTES_15 = "15m", _("15 minutes")
    MINUTES_30 = "30m", _("30 minutes")
    HOUR = "hour", _("Hour")
    DAY = "day", _("Day")
    WEEK = "week", _("Week (from Monday)")
    MONTH = "month", _("Month")
    NONE = "none", _("Whole window")


# The grains shorter than a day, in minutes: their periods start at a local time that is a
# whole multiple of their length past local midnight.
SUB_DAY_MINUTES = {Granularity.MINUTES_15: 15, Granularity.MINUTES_30: 30, Granularity.HOUR: 60}


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (scanning the database once)."""
    return tuple(sorted(available_timezones()))


def time_zones_common_first(
    *, preferred: Sequence[str] = (), term: str = ""
) -> tuple[list[str], list[str]]:
    """The zone names holding `term` (any case, a space for `_`), split into the common ones —
    the `preferred` (the reader's), the center's (settings.TIME_ZONE), UTC — and the rest,
    sorted."""
    wanted = term.strip().lower().replace(" ", "_")
    names = [name for name in time_zone_names() if wanted in name.lower()]
    known = set(names)
    common = [
        name for name in dict.fromkeys((*preferred, settings.TIME_ZONE, "UTC")) if name in known
    ]
    chosen = set(common)
    return common, [name for name in names if name not in chosen]


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins in `zone`.

    Where a daylight-saving jump skips midnight, fold=0 resolves to the instant of the jump,
    which is when the day really begins; where midnight happens twice, to the first.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Day:
    """One local date of a window and the UTC instants [start, end) it covers."""

    local_date: date
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Window:
    """Local dates `date_from` to `date_to` inclusive in `zone`."""

    date_from: date
    date_to: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return local_midnight(self.date_from, self.zone)

    @property
    def end(self) -> datetime:
        return local_midnight(self.date_to + timedelta(days=1), self.zone)

    def days(self, *, now: datetime) -> list[Day]:
        """The window's local dates with their UTC bounds, clipped to `now`.

        Days are computed here, with zoneinfo, and handed to the query: a local day lasts 23 or
        25 hours around a daylight-saving change. Days that have not begun yet are left out and
        the current day ends at `now`, so an ongoing interval never counts past the present.
        """
        days = []
        current = self.date_from
        start = self.start
        while current <= self.date_to and start < now:
            following = current + timedelta(days=1)
            end = local_midnight(following, self.zone)
            days.append(Day(local_date=current, start=start, end=min(end, now)))
            current, start = following, end
        return days


@dataclass(frozen=True)
class Period:
    """One period of a window at a granularity: the UTC instants [start, end) it covers (clipped
    to the window and to now), its local start, and the first local date of the window in it."""

    start: datetime
    end: datetime
    local_start: datetime
    first_date: date
    granularity: str

    @property
    def label(self) -> str:
        """How reports write the period: the local start with its offset for grains shorter
        than a day (`2025-11-02T01:00-05:00`), else the first window date in it."""
        if self.granularity in SUB_DAY_MINUTES:
            return self.local_start.isoformat(timespec="minutes")
        return self.first_date.isoformat()


def _sub_day_boundaries(window: Window, minutes: int) -> list[datetime]:
    """The UTC instants inside the window whose local wall-clock time is a whole multiple of
    `minutes` past local midnight.

    Each wall-clock time of each local date is tried at both folds: a time repeated by an
    autumn change gives two instants (two periods with different offsets), a time skipped by a
    spring change gives none (it does not read back as itself).
    """
    zone, boundaries = window.zone, set()
    day = window.date_from
    while day <= window.date_to:
        for minute in range(0, 24 * 60, minutes):
            wall = datetime.combine(day, time(minute // 60, minute % 60))
            for fold in (0, 1):
                instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
                if instant.astimezone(zone).replace(tzinfo=None) == wall:
                    boundaries.add(instant)
        day += timedelta(days=1)
    return sorted(boundaries)


def _calendar_boundaries(window: Window, granularity: str) -> list[datetime]:
    """Local midnights starting each day, ISO week (Monday) or month of the window."""
    if granularity == Granularity.NONE:
        return [window.start]
    days, day = [], window.date_from
    while day <= window.date_to:
        if (
            granularity == Granularity.DAY
            or (granularity == Granularity.WEEK and day.weekday() == 0)
            or (granularity == Granularity.MONTH and day.day == 1)
        ):
            days.append(day)
        day += timedelta(days=1)
    return [local_midnight(day, window.zone) for day in days]


def periods(window: Window, granularity: str, *, now: datetime) -> list[Period]:
    """The periods of `window` at `granularity`, clipped to the window and to `now`.

    Computed here with zoneinfo and handed to the queries: around a daylight-saving change a
    period is real elapsed time (a local day of 23 or 25 hours, a repeated autumn hour as two
    periods, a skipped spring hour as none). Periods that have not begun are left out and the
    current one ends at `now`.
    """
    if granularity in SUB_DAY_MINUTES:
        boundaries = _sub_day_boundaries(window, SUB_DAY_MINUTES[granularity])
    else:
        boundaries = _calendar_boundaries(window, granularity)
    start, end = window.start, min(window.end, now)
    # The window's start is a boundary even where a period began before it (a week, a month).
    instants = sorted({start, *(b for b in boundaries if start < b < end)})
    result = []
    for index, begins in enumerate(instants):
        if begins >= end:
            break
        ends = instants[index + 1] if index + 1 < len(instants) else end
        local_start = begins.astimezone(window.zone)
        result.append(
            Period(
                start=begins,
                end=ends,
                local_start=local_start,
                first_date=local_start.date(),
                granularity=granularity,
            )
        )
    return result
