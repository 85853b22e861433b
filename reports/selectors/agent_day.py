"""An agent's day (docs/reports.md, "An agent's day"): one agent's intervals and rejections on a
few local dates, each interval cut at local midnight.

Two queries whatever the number of intervals: the intervals that overlap the dates, and the
rejections inside them, of the groups the reader sees (by the agent's group at the time: a
supervisor sees the time the agent spent in the supervisor's groups, the rest is left blank).
Everything else (cutting at midnight, clipping to now) is done here in Python, from the UTC
instants the window gives.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from agents.models import Agent, StatusEvent

from .labels import code_or_reason_label_expression
from .sql import reading_database
from .window import Window, local_midnight

# The most local dates one page shows: a week.
MAX_DAYS = 7

ONE_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Interval:
    """One status interval of the agent, whole: [start, end), end None while ongoing."""

    start: datetime
    end: datetime | None
    status: str
    list: str
    code: str
    code_label: str


@dataclass(frozen=True)
class Segment:
    """The part of `interval` on one local date: [start, end), clipped to the day and to now."""

    interval: Interval
    start: datetime
    end: datetime

    @property
    def us(self) -> int:
        return (self.end - self.start) // timedelta(microseconds=1)

    @property
    def ongoing(self) -> bool:
        return self.interval.end is None

    @property
    def from_day_before(self) -> bool:
        return self.interval.start < self.start

    @property
    def into_day_after(self) -> bool:
        # The interval goes on past this day's end (it is not cut by now).
        return self.interval.end is None or self.interval.end > self.end


@dataclass(frozen=True)
class Mark:
    """A rejection or a missed offer (`missed`): an instant, with its channel and code."""

    at: datetime
    channel: str
    list: str
    code: str
    code_label: str
    missed: bool = False


@dataclass
class Day:
    """One local date: [start, end) in UTC (23, 24 or 25 hours), its segments and marks."""

    local_date: date
    start: datetime
    end: datetime
    segments: list[Segment] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    @property
    def hours(self) -> float:
        return (self.end - self.start) / ONE_HOUR

    def hour_starts(self) -> list[datetime]:
        """Every whole elapsed hour from local midnight: 23, 24 or 25 instants."""
        count = int((self.end - self.start) // ONE_HOUR)
        return [self.start + index * ONE_HOUR for index in range(count)]

    def us_by_status(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for segment in self.segments:
            totals[segment.interval.status] = totals.get(segment.interval.status, 0) + segment.us
        return totals


def agent_day(
    *, agent: Agent, window: Window, now: datetime, groups: Sequence[int] | QuerySet | None = None
) -> list[Day]:
    """The local dates of `window` for `agent`, with each interval's part on each date (up to
    `now`) and the rejections, in time order; only those recorded while the agent was in one of
    `groups` (None: any group)."""
    days = []
    start = window.start
    current = window.date_from
    while current <= window.date_to:
        end = local_midnight(current + timedelta(days=1), window.zone)
        days.append(Day(local_date=current, start=start, end=end))
        current, start = current + timedelta(days=1), end
    until = min(window.end, now)
    if until <= window.start:
        return days
    for interval in _intervals(agent=agent, start=window.start, end=until, groups=groups):
        interval_end = min(interval.end or now, until)
        for day in days:
            part_start, part_end = max(interval.start, day.start), min(interval_end, day.end)
            if part_start < part_end:
                day.segments.append(Segment(interval=interval, start=part_start, end=part_end))
    for mark in _rejections(agent=agent, start=window.start, end=until, groups=groups):
        for day in days:
            if day.start <= mark.at < day.end:
                day.marks.append(mark)
    return days


def _with_labels(events, groups: Sequence[int] | None):
    """The events (in `groups` when given: the agent's time while in the reader's groups) with
    the code shown (a system reason where the product set the status by itself) and its label."""
    if groups is not None:
        events = events.filter(group_id__in=groups)
    return events.annotate(
        code_shown=Coalesce(F("code__code"), NullIf(F("system_reason"), Value(""))),
        code_label=code_or_reason_label_expression("code", "system_reason"),
    )


def _intervals(
    *, agent: Agent, start: datetime, end: datetime, groups: Sequence[int] | None
) -> list[Interval]:
    """The agent's intervals that overlap [start, end), by start."""
    rows = (
        _with_labels(StatusEvent.objects.status_changes(), groups)
        .filter(agent=agent, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .order_by("started_at")
        .values_list(
            "started_at", "ended_at", "status", "code__code_list__name", "code_shown", "code_label"
        )
        .using(reading_database())
    )
    return [
        Interval(
            start=started_at,
            end=ended_at,
            status=status,
            list=list_name or "",
            code=code or "",
            code_label=label or "",
        )
        for started_at, ended_at, status, list_name, code, label in rows
    ]


def _rejections(
    *, agent: Agent, start: datetime, end: datetime, groups: Sequence[int] | None
) -> list[Mark]:
    """The agent's rejections in [start, end), by instant."""
    rows = (
        _with_labels(StatusEvent.objects.rejections(), groups)
        .filter(agent=agent, started_at__gte=start, started_at__lt=end)
        .order_by("started_at")
        .values_list(
            "started_at", "channel", "code__code_list__name", "code_shown", "code_label", "missed"
        )
        .using(reading_database())
    )
    return [
        Mark(
            at=at,
            channel=channel,
            list=list_name or "",
            code=code or "",
            code_label=label or "",
            missed=missed,
        )
        for at, channel, list_name, code, label, missed in rows
    ]
