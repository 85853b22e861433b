"""Which period a subscription's file covers (docs/scheduled-reports.md, "When a report is
sent"): the last whole local day or Monday-to-Sunday week in the report's time zone whose send
time has come."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .choices import Frequency


@dataclass(frozen=True)
class ReportPeriod:
    """Local dates `date_from` to `date_to` inclusive."""

    date_from: date
    date_to: date


def latest_whole_period(
    *, frequency: str, weekday: int | None, send_time: time, zone: ZoneInfo, now: datetime
) -> ReportPeriod:
    """The period of the latest send time at or before `now`, read on the zone's wall clock.

    Wall-clock reading is what makes daylight-saving changes harmless: a send time that the
    spring change skips is reached at the first minute after it, and one that the autumn change
    repeats is reached twice for the same period, which is then already sent.
    """
    local = now.astimezone(zone).replace(tzinfo=None)
    if frequency == Frequency.DAILY:
        send_day = local.date() if local.time() >= send_time else local.date() - timedelta(days=1)
        yesterday = send_day - timedelta(days=1)
        return ReportPeriod(yesterday, yesterday)
    days_since = (local.weekday() - weekday) % 7
    send_day = local.date() - timedelta(days=days_since)
    if days_since == 0 and local.time() < send_time:
        send_day -= timedelta(days=7)
    # The last whole week: the Sunday strictly before the send day, and the Monday before it.
    sunday = send_day - timedelta(days=send_day.weekday() + 1)
    return ReportPeriod(sunday - timedelta(days=6), sunday)
