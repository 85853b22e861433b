"""The report window (docs/timeline.md, "The report window"): local dates in a report time zone,
turned into UTC instants."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

# The longest window a report accepts: a year, leap day included.
MAX_WINDOW_DAYS = 366


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (scanning the database once)."""
    return tuple(sorted(available_timezones()))


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
