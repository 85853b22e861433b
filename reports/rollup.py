"""The daily rollup (docs/rollup.md): whole past days of the timeline summed per agent, group,
status and code in the contact center's zone, which time by code reads instead of the events
for the days it holds.

A day is rolled once it can no longer change by itself: it is over, every break or offline
interval that started in it has ended (the count, the time over the maximum of an interval
belong to the day it started in, and depend on its end) and no timer due in it is still waiting
for the worker (a timer ends its interval at the instant it was due, however late it fires).
What can still change a rolled day is said here by whoever changes it: a history import
(`forget_days_from`) and a code's maximum (`forget_code`). Both take the rollup's lock, as the
builder does, so that a day is never rolled from events that a change in progress is rewriting.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from agents.models import Agent, StatusEvent
from core.choices import EventKind

from .models import DayLoggedIn, DayTotal, RolledDay, RollupState
from .selectors.common import with_clause
from .selectors.time_by_code import REPORTED_STATUSES, TimeByCodeReport
from .selectors.window import Granularity, Window

# How many days one run of the builder rolls at most (a first run on years of history is
# spread over the worker's runs, a month at a time), and in one transaction: the rollup's lock
# is held that long, and on SQLite, every write of the database waits meanwhile.
DAYS_PER_RUN = 31
DAYS_PER_TRANSACTION = 7


def rollup_zone() -> ZoneInfo:
    """The zone whose local dates the rollup holds: the contact center's (REPORTS_ROLLUP_ZONE,
    by default TIME_ZONE)."""
    return ZoneInfo(settings.REPORTS_ROLLUP_ZONE)


def _locked_state() -> RollupState:
    """The rollup's one row, locked for the rest of the transaction (a write, so that SQLite
    takes its write lock too, before anything is read). Created if need be: the migration
    creates it, but a database emptied by `flush` has none."""
    now = timezone.now()
    if not RollupState.objects.filter(pk=1).update(updated_at=now):
        RollupState.objects.get_or_create(pk=1, defaults={"updated_at": now})
    return RollupState.objects.select_for_update().get(pk=1)


def _forget(days=None) -> None:
    """Drop the rolled `days` (a list or a query of days; None: every day)."""
    for model in (DayTotal, DayLoggedIn, RolledDay):
        rows = model.objects.all() if days is None else model.objects.filter(day__in=days)
        rows.delete()


def forget_days_from(instant: datetime) -> None:
    """Drop the rolled days from the local date of `instant` on: the events from then on are
    being changed (history import), in the caller's transaction. The worker rolls them again."""
    with transaction.atomic():
        state = _locked_state()
        if not state.zone:
            return
        first = timezone.localtime(instant, ZoneInfo(state.zone)).date()
        _forget(RolledDay.objects.filter(day__gte=first).values("day"))
        if state.first_day is not None and first < state.first_day:
            # The import wrote nothing before `instant`: the days before it still have no time.
            RollupState.objects.filter(pk=1).update(first_day=first)


def forget_code(code_id: int) -> None:
    """Drop the rolled days where the code has time: its maximum changed, and with it which
    of its intervals went past the maximum, by how much."""
    with transaction.atomic():
        _locked_state()
        _forget(list(DayTotal.objects.filter(code_id=code_id).values_list("day", flat=True)))


def on_history_rewritten(sender, *, since: datetime, **kwargs) -> None:
    """`agents.signals.history_rewritten`: the import's days are rolled again."""
    forget_days_from(since)


def on_code_saving(sender, *, instance, raw: bool = False, **kwargs) -> None:
    """`pre_save` of a status code (admin, import, history): a new maximum changes which of
    its intervals went past it, so the days with its time are rolled again. A receiver, not a
    line in each of the places that save a code, because every one of them saves the model."""
    if raw or instance.pk is None:
        return
    before = type(instance).objects.filter(pk=instance.pk).values_list("max_minutes", flat=True)
    if before and before[0] != instance.max_minutes:
        forget_code(instance.pk)


def _blocked_from(zone: ZoneInfo, now: datetime) -> tuple[set[date], date | None]:
    """The days that cannot be rolled yet: those where a break or offline interval that
    started in them is still going on, and every day from that of the earliest timer already
    due (its interval will end at the instant it was due)."""
    ongoing = StatusEvent.objects.filter(kind=EventKind.STATUS, ended_at__isnull=True)
    open_breaks = {
        timezone.localtime(started_at, zone).date()
        for started_at in ongoing.filter(status__in=REPORTED_STATUSES).values_list(
            "started_at", flat=True
        )
    }
    due = ongoing.filter(due_at__lte=now).aggregate(first=Min("due_at"))["first"]
    return open_breaks, (timezone.localtime(due, zone).date() if due is not None else None)


def first_day(zone: ZoneInfo) -> date | None:
    """The local date of the first status change (None: there is none)."""
    first_event = StatusEvent.objects.filter(kind=EventKind.STATUS).aggregate(
        first=Min("started_at")
    )["first"]
    return None if first_event is None else timezone.localtime(first_event, zone).date()


def days_to_roll(*, start: date, zone: ZoneInfo, now: datetime, limit: int) -> list[date]:
    """The next days to roll from `start` (the first change's day), oldest first: over, not
    rolled yet, not blocked."""
    day = start
    today = timezone.localtime(now, zone).date()
    open_breaks, due_from = _blocked_from(zone, now)
    rolled = set(RolledDay.objects.filter(day__gte=start).values_list("day", flat=True))
    days = []
    while day < today and len(days) < limit and (due_from is None or day < due_from):
        if day not in rolled and day not in open_breaks:
            days.append(day)
        day += timedelta(days=1)
    return days


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    runs = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


# The columns of `buckets` a day total keeps as they are (its system reason is "" for none).
TOTAL_FIELDS = (
    "agent_id",
    "group_id",
    "status",
    "code_id",
    "count",
    "us",
    "exceeded_count",
    "exceeded_us",
)


def _roll(first: date, last: date, *, zone: ZoneInfo, now: datetime) -> None:
    """Roll the days `first` to `last` from the events, with the report's own query (at the
    `day` grain, every agent, from the events alone)."""
    report = TimeByCodeReport(
        agents=Agent.objects.all(),
        window=Window(first, last, zone),
        now=now,
        granularity=Granularity.DAY,
        rollup=False,
    )
    clause, params = with_clause(report.rollup_steps())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{clause}
            SELECT period, {", ".join(TOTAL_FIELDS)}, system_reason FROM buckets""",
            params,
        )
        totals = [
            DayTotal(
                day=report.periods[period].first_date,
                **dict(zip(TOTAL_FIELDS, figures, strict=True)),
                system_reason=system_reason or "",
            )
            for period, *figures, system_reason in cursor.fetchall()
        ]
        cursor.execute(
            f"{clause} SELECT period, agent_id, group_id, us FROM period_logged_in", params
        )
        logged_in = [
            DayLoggedIn(
                day=report.periods[period].first_date, agent_id=agent_id, group_id=group_id, us=us
            )
            for period, agent_id, group_id, us in cursor.fetchall()
        ]
    DayTotal.objects.bulk_create(totals, batch_size=2000)
    DayLoggedIn.objects.bulk_create(logged_in, batch_size=2000)
    RolledDay.objects.bulk_create(
        RolledDay(day=period.first_date, rolled_at=now) for period in report.periods
    )


def _forget_all() -> None:
    _forget()
    RollupState.objects.filter(pk=1).update(first_day=None)


def roll_up(*, now: datetime | None = None, limit: int = DAYS_PER_RUN) -> int:
    """Roll the next whole past days (at most `limit`), a few per transaction, each holding the
    rollup's lock; how many were rolled. When the contact center's zone changed, every rolled
    day is dropped first (they were local dates of the other zone)."""
    now = now or timezone.now()
    zone = rollup_zone()
    rolled = 0
    while rolled < limit:
        with transaction.atomic():
            state = _locked_state()
            start = state.first_day
            if state.zone != zone.key:
                _forget_all()
                start = None
            if start is None:
                start = first_day(zone)
                RollupState.objects.filter(pk=1).update(zone=zone.key, first_day=start)
            days = []
            if start is not None:
                days = days_to_roll(
                    start=start,
                    zone=zone,
                    now=now,
                    limit=min(DAYS_PER_TRANSACTION, limit - rolled),
                )
            for first, last in _runs(days):
                _roll(first, last, zone=zone, now=now)
        if not days:
            break
        rolled += len(days)
    return rolled


def rebuild(*, now: datetime | None = None) -> int:
    """Drop every rolled day and roll every whole past day again; how many were rolled."""
    now = now or timezone.now()
    with transaction.atomic():
        _locked_state()
        _forget_all()
    rolled = 0
    while count := roll_up(now=now):
        rolled += count
    return rolled
