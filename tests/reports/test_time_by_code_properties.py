"""Properties of time by code, the agent × code matrix and rejections over generated
timelines (docs/reports.md, docs/rollup.md).

Whatever two agents did over ten days around a daylight-saving change (New York's autumn and
spring changes) or in a half-hour zone (Kolkata) — breaks and offline spells with or without a
code, across midnights, moves between groups in the middle of a break, an interval still going
on now, fractions of a second — and whatever the window:

- at `day` and at a grain shorter than a day, each row's count, seconds and share of the time
  logged in are the figures worked out here in Python from the intervals alone (local days from
  zoneinfo, or the instants where the local wall clock shows a multiple of 15, 30 or 60
  minutes; each interval cut at those bounds, counted in the period it began unless it is the
  rest of one begun in another group, the time logged in per period, agent and group at the
  time); the page's sections (by agent, status and group, each group's codes, the total) sum
  them, each with the time logged in it is a share of; and the agent × code matrix has a row
  for each agent, group and period logged in, with that time logged in, the time and share of
  each status and the time with each code; the rejections report counts each rejection in the
  period of its instant, in the group the agent was in then;
- through the daily rollup, rolled then or read hours later, every grain made of days gives the
  pages (rows in three orders, sections, count) and the export the events alone give, with or
  without a group filter.

Hand-computed timelines of the same cases are in test_rollup.py and test_granularity.py; this
searches the cases no one thought of.
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import event, given
from hypothesis import strategies as st

from agents.models import Agent, StatusEvent
from core.choices import EventKind, EventSource
from core.durations import percent, whole_seconds
from reports import rollup
from reports.selectors.agent_code_matrix import AgentCodeMatrix, MatrixCode
from reports.selectors.rejections import RejectionsReport
from reports.selectors.time_by_code import TimeByCodeReport
from reports.selectors.window import Window
from statuscodes.models import StatusCode
from tests.fuzz_profiles import budget

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

REPORTED = ("on_break", "work_offline")
# (zone, the local date the timelines start on): the autumn and spring changes of New York
# fall on the third day, Kolkata is 5:30 ahead of UTC all year.
PLACES = (
    ("America/New_York", date(2025, 10, 31)),
    ("America/New_York", date(2025, 3, 7)),
    ("Asia/Kolkata", date(2025, 6, 10)),
)
DAYS = 10
# Codes by status, from each agent's own list (a code keeps its list when the agent moves).
CODES = {
    "on_break": ("LUNCH", "SHORT", None),
    "work_offline": ("MEETING", None),
    "logged_out": ("EOS", None),
    "available": (None,),
    "busy": (None,),
}
ORDERS = ((), ("-seconds", "agent"), ("percent_of_logged_in",))
GRAIN_MINUTES = {"15m": 15, "30m": 30, "hour": 60}


@dataclass(frozen=True)
class Step:
    """A change after `gap` from the previous one (or from 20:00 on the first day): a status
    with a code, or the agent moved to the other group, the interval going on; `rejection`
    (channel, code) is an interaction rejected halfway through the gap."""

    gap: timedelta
    status: str
    code: str | None
    move: bool
    rejection: tuple[str, str | None] | None


steps = st.builds(
    Step,
    gap=st.builds(
        timedelta,
        minutes=st.sampled_from([1, 9, 25, 50, 95, 240, 420, 700]),
        seconds=st.integers(0, 59),
        microseconds=st.sampled_from([0, 0, 400_000, 500_000, 999_999]),
    ),
    status=st.sampled_from(list(CODES)),
    code=st.integers(0, 2),
    # One change in five is a move.
    move=st.integers(0, 4).map(lambda draw: draw == 0),
    rejection=st.none()
    | st.tuples(st.sampled_from(["phone", "chat", "email"]), st.sampled_from(["CASE", None])),
)


@st.composite
def timelines(draw):
    """Each agent's steps, the place, the window and whether the report keeps one group."""
    zone, first_day = draw(st.sampled_from(PLACES))
    changes = {name: draw(st.lists(steps, min_size=3, max_size=22)) for name in ("ana", "sam")}
    date_from = first_day + timedelta(days=draw(st.integers(0, 4)))
    date_to = date_from + timedelta(days=draw(st.integers(0, DAYS - 1)))
    return {
        "zone": zone,
        "first_day": first_day,
        "changes": changes,
        "window": (date_from, date_to),
        "one_group": draw(st.booleans()),
        "short_grain": draw(st.sampled_from(list(GRAIN_MINUTES))),
        # The report is read when the days were rolled, or later: an interval still going on
        # then has gone on since.
        "read_after": timedelta(hours=draw(st.sampled_from([0, 5, 30]))),
    }


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def local_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Rejection:
    agent: str
    group: str
    channel: str
    code: StatusCode | None
    at: datetime


@dataclass
class Interval:
    agent: str
    group: str
    status: str
    code: StatusCode | None
    start: datetime
    end: datetime | None
    moved: bool


def record(agent: Agent, other_group, first_day: date, zone: ZoneInfo, changes, now):
    """The agent's status changes as the services chain them, the last one ongoing, and their
    rejections; returns the intervals and the rejections. A move keeps the status and code and
    records the other group."""
    codes = {code.code: code for code in StatusCode.objects.filter(code_list=agent.group.code_list)}
    groups = (agent.group, other_group)
    at = local_start(first_day, zone) + timedelta(hours=20)
    events, rejections, group, status, code = [], [], 0, None, None
    for step in changes:
        if events and step.rejection and at + step.gap / 2 < now:
            channel, key = step.rejection
            rejections.append(
                StatusEvent(
                    agent=agent,
                    group=groups[group],
                    kind=EventKind.REJECTION,
                    channel=channel,
                    code=codes.get(key),
                    started_at=at + step.gap / 2,
                    source=EventSource.CONSOLE,
                )
            )
        at += step.gap
        if at >= now:
            break
        moved = bool(events) and step.move
        if moved:
            group = 1 - group
        else:
            status = step.status
            options = CODES[status]
            code = codes.get(options[step.code % len(options)])
        events.append(
            StatusEvent(
                agent=agent,
                group=groups[group],
                kind=EventKind.STATUS,
                status=status,
                previous_status=events[-1].status if events else "",
                code=code,
                started_at=at,
                source=EventSource.GROUP_MOVE if moved else EventSource.CONSOLE,
            )
        )
    for earlier, later in zip(events, events[1:], strict=False):
        earlier.ended_at = later.started_at
    StatusEvent.objects.bulk_create([*events, *rejections])
    intervals = [
        Interval(
            agent=agent.user.username,
            group=event_.group.name,
            status=event_.status,
            code=event_.code,
            start=event_.started_at,
            end=event_.ended_at,
            moved=event_.source == EventSource.GROUP_MOVE,
        )
        for event_ in events
    ]
    return intervals, [
        Rejection(
            agent=agent.user.username,
            group=rejection.group.name,
            channel=rejection.channel,
            code=rejection.code,
            at=rejection.started_at,
        )
        for rejection in rejections
    ]


def periods_of(
    window: Window, now: datetime, granularity: str
) -> list[tuple[str, datetime, datetime]]:
    """The window's periods before `now` as (label, start, end): local days, or for a grain
    shorter than a day each instant whose local wall clock shows a multiple of the grain's
    minutes, found by walking the window in real quarter hours (so that the repeated autumn
    hour gives two periods and the skipped spring hour none)."""
    zone = window.zone
    starts = []
    if granularity == "day":
        day = window.date_from
        while day <= window.date_to + timedelta(days=1):
            starts.append((day.isoformat(), local_start(day, zone)))
            day += timedelta(days=1)
    else:
        instant, end = (
            local_start(window.date_from, zone),
            local_start(window.date_to + timedelta(days=1), zone),
        )
        while instant <= end:
            wall = instant.astimezone(zone)
            if wall.minute % GRAIN_MINUTES[granularity] == 0:
                starts.append((wall.isoformat(timespec="minutes"), instant))
            instant += timedelta(minutes=15)
    return [
        (label, start, min(following, now))
        for (label, start), (_, following) in zip(starts, starts[1:], strict=False)
        if start < now
    ]


def named(code: StatusCode | None) -> tuple[str, str]:
    """A code as the reports name it: its list and key, both empty for no code."""
    return (code.code_list.name, code.code) if code else ("", "")


def summed(intervals, periods, now: datetime, group: str | None):
    """Worked out from the intervals alone: the time (µs) and count of each row (period, agent,
    group, status, list, code), and the time logged in of each (period, agent, group)."""
    time, counts, logged_in = defaultdict(int), defaultdict(int), defaultdict(int)
    for interval in intervals:
        if group is not None and interval.group != group:
            continue
        end = interval.end or now
        for label, period_start, period_end in periods:
            overlap = min(end, period_end) - max(interval.start, period_start)
            if overlap <= timedelta(0):
                continue
            us = overlap // timedelta(microseconds=1)
            if interval.status != "logged_out":
                logged_in[label, interval.agent, interval.group] += us
            if interval.status not in REPORTED:
                continue
            key = (label, interval.agent, interval.group, interval.status, *named(interval.code))
            time[key] += us
            began_here = period_start <= interval.start < period_end
            counts[key] += 1 if began_here and not interval.moved else 0
    return time, counts, logged_in


def expected_rows(time, counts, logged_in) -> dict:
    """Time by code's rows: {(period, agent, group, status, list, code): (count, seconds,
    % of logged-in)}."""
    return {
        key: (counts[key], whole_seconds(us), percent(us, logged_in[key[:3]]))
        for key, us in time.items()
    }


def expected_matrix(time, logged_in, codes: list[MatrixCode], statuses) -> dict:
    """The matrix's rows: {(period, agent, group): [time logged in, (time in each status, its
    share)..., time with each code...]} for every agent and period logged in."""
    rows = {}
    for row_key, logged_in_us in logged_in.items():
        in_status = [
            sum(us for key, us in time.items() if key[:3] == row_key and key[3] == status)
            for status in statuses
        ]
        rows[row_key] = [
            whole_seconds(logged_in_us),
            *(
                value
                for us in in_status
                for value in (whole_seconds(us), percent(us, logged_in_us))
            ),
            *(
                whole_seconds(time.get((*row_key, code.status, code.list, code.code), 0))
                for code in codes
            ),
        ]
    return rows


def expected_subtotals(time, counts, logged_in) -> dict:
    """The page's sections: {section: {key: (count, µs, µs logged in)}}; the groups' codes
    {(group, list, code): (µs, µs logged in)}."""
    subtotals = {name: defaultdict(lambda: [0, 0, 0]) for name in ("agent", "status", "group")}
    by_group_code = defaultdict(int)
    for key, us in time.items():
        _, agent, group, status, list_name, code = key
        for name, subtotal_key in (("agent", agent), ("status", status), ("group", group)):
            subtotals[name][subtotal_key][0] += counts[key]
            subtotals[name][subtotal_key][1] += us
        by_group_code[group, list_name, code] += us
    everyone = sum(logged_in.values())
    for (_, agent, group), us in logged_in.items():
        if agent in subtotals["agent"]:
            subtotals["agent"][agent][2] += us
        if group in subtotals["group"]:
            subtotals["group"][group][2] += us
    for figures in subtotals["status"].values():
        figures[2] = everyone
    group_logged_in = {name: figures[2] for name, figures in subtotals["group"].items()}
    return {
        **{
            name: {key: tuple(figures) for key, figures in by.items()}
            for name, by in subtotals.items()
        },
        "total": (sum(counts.values()), sum(time.values()), everyone),
        "group_code": {key: (us, group_logged_in[key[0]]) for key, us in by_group_code.items()},
    }


def page_subtotals(summary: dict) -> dict:
    def figures(figures) -> tuple:
        return (figures.count, figures.us, figures.logged_in_us)

    return {
        "agent": {item.key: figures(item.figures) for item in summary["by_agent"]},
        "status": {item.key: figures(item.figures) for item in summary["by_status"]},
        "group": {item.key: figures(item.figures) for item in summary["by_group"]},
        "total": figures(summary["total"]),
        "group_code": {
            (item.group, item.list, item.code): (item.us, item.logged_in_us)
            for item in summary["by_group_code"]
        },
    }


def expected_rejections(rejections, periods, group: str | None) -> dict:
    """The rejections report's rows: {(period, agent, group, channel, list, code): count}."""
    counts = defaultdict(int)
    for rejection in rejections:
        if group is not None and rejection.group != group:
            continue
        for label, period_start, period_end in periods:
            if period_start <= rejection.at < period_end:
                key = (label, rejection.agent, rejection.group, rejection.channel)
                counts[(*key, *named(rejection.code))] += 1
    return dict(counts)


def exported_rows(report: TimeByCodeReport) -> dict:
    rows = {}
    for (
        day,
        agent,
        group,
        status,
        list_name,
        code,
        _,
        count,
        seconds,
        _,
        share,
        *_,
    ) in report.cells():
        rows[day, agent, group, status, list_name, code] = (count, seconds, share)
    return rows


@budget(15)
@given(case=timelines())
def test_time_by_code_is_the_intervals_summed_and_reads_alike_through_the_rollup(
    ana, sam, support_group, sales_group, case
):
    zone = ZoneInfo(case["zone"])
    rolled_at = local_start(case["first_day"] + timedelta(days=DAYS), zone) + timedelta(hours=15)
    with rolled_back(), override_settings(REPORTS_ROLLUP_ZONE=case["zone"]):
        intervals, rejections = [], []
        for agent, other in ((ana, sales_group), (sam, support_group)):
            changes = case["changes"][agent.user.username]
            agent_intervals, agent_rejections = record(
                agent, other, case["first_day"], zone, changes, rolled_at
            )
            intervals += agent_intervals
            rejections += agent_rejections
        rolled = rollup.roll_up(now=rolled_at, limit=100)
        now = rolled_at + case["read_after"]
        window = Window(*case["window"], zone)
        group = support_group if case["one_group"] else None

        def report(*, rollup_on: bool, granularity: str = "day") -> TimeByCodeReport:
            return TimeByCodeReport(
                agents=Agent.objects.all(),
                window=window,
                now=now,
                granularity=granularity,
                groups=[group.pk] if group else None,
                rollup=rollup_on,
            )

        group_name = group.name if group else None
        for granularity in ("day", case["short_grain"]):
            periods = periods_of(window, now, granularity)
            time, counts, logged_in = summed(intervals, periods, now, group_name)
            events = report(rollup_on=False, granularity=granularity)
            assert exported_rows(events) == expected_rows(time, counts, logged_in)
            assert page_subtotals(events.page(limit=1).summary) == expected_subtotals(
                time, counts, logged_in
            )
            matrix = AgentCodeMatrix(events)
            codes = matrix.codes()
            assert {
                (period, agent, group_then): figures
                for period, agent, _, group_then, *figures in matrix.cells(codes)
            } == expected_matrix(time, logged_in, codes, matrix.statuses)
            event(f"matrix rows at {granularity}: {'some' if logged_in else 'none'}")
            rejected = RejectionsReport(
                agents=Agent.objects.all(),
                window=window,
                now=now,
                granularity=granularity,
                groups=[group.pk] if group else None,
            )
            expected_rejected = expected_rejections(rejections, periods, group_name)
            assert {tuple(row[:6]): row[7] for row in rejected.cells()} == expected_rejected
            event(f"rejections at {granularity}: {'some' if expected_rejected else 'none'}")
        event(f"days rolled: {'some' if rolled else 'none'}")
        event(f"periods read from the rollup at day: {report(rollup_on=True)._rolled > 0}")
        for granularity in ("day", "week", "month", "none"):
            through = list(report(rollup_on=True, granularity=granularity).cells())
            events = list(report(rollup_on=False, granularity=granularity).cells())
            assert through == events, granularity
            # Whole pages (every row's time over its code's maximum is on the page only), and
            # one page further on.
            for order, offset, limit in (*((order, 0, 1000) for order in ORDERS), ((), 3, 4)):
                through_page = report(rollup_on=True, granularity=granularity).page(
                    order=order, offset=offset, limit=limit
                )
                events_page = report(rollup_on=False, granularity=granularity).page(
                    order=order, offset=offset, limit=limit
                )
                assert through_page.rows == events_page.rows, (granularity, order, offset)
                assert through_page.summary == events_page.summary, granularity
                assert through_page.count == events_page.count
