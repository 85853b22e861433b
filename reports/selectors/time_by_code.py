"""Report 2 (docs/reports.md): time on break and offline, by local date, agent, status and code.

One query computes everything a page shows: the window's intervals are cut at local
midnights (the days come from `Window.days`), summed per bucket in exact microseconds, and the
page rows, the subtotals, the totals and the chart are read from that one aggregate.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import Agent
from agents.timeline import ONE_MICROSECOND, over_max_us_sql
from core.choices import AgentStatus, EventKind, EventSource
from core.durations import ShareOfLoggedIn, hms, percent, whole_seconds

from . import sql
from .common import (
    CodeFilter,
    Column,
    Cte,
    PeriodReport,
    ReportPage,
    code_condition,
    order_clause,
    sort_terms,
)
from .labels import choice_labels, code_caption, code_label_sql, reason_label_sql
from .rolled import rolled_days
from .window import Granularity, Period, Window

REPORTED_STATUSES = (AgentStatus.ON_BREAK, AgentStatus.WORK_OFFLINE)
# The grains whose periods are whole local days, which the daily rollup can give.
ROLLED_GRAINS = (Granularity.DAY, Granularity.WEEK, Granularity.MONTH, Granularity.NONE)

CHART_STACKS = ("status", "agent")
# What the trend chart over the periods stacks: the time of each status, or of each code.
TREND_STACKS = ("status", "code")


@dataclass(frozen=True, slots=True)
class Figures(ShareOfLoggedIn):
    """Counts and exact durations of a row, a subtotal or the total."""

    count: int
    us: int
    logged_in_us: int
    exceeded_count: int
    exceeded_us: int

    @property
    def exceeded_seconds(self) -> int:
        return whole_seconds(self.exceeded_us)

    @property
    def exceeded_duration(self) -> str:
        return hms(self.exceeded_seconds)


@dataclass(frozen=True, slots=True)
class TimeByCodeRow:
    """Time of one agent in one period (a local date by default) in one status with one code
    (or none). `date` is the first local date of the window in the period, `period` how the
    report writes the period."""

    date: date
    period: str
    agent: str
    agent_name: str
    group: str
    status: str
    list: str
    code: str
    code_label: str
    figures: Figures
    paid: bool


@dataclass(frozen=True, slots=True)
class Subtotal:
    """Figures summed over the rows sharing `key` (an agent, a status), or all rows."""

    key: str
    label: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class TrendSegment:
    """Time in one period (its number) of one series: a status key, or a code (list, key and
    current label)."""

    period: int
    series: tuple[str, str, str] | str
    us: int


@dataclass(frozen=True, slots=True)
class GroupCode:
    """A group's time with one code (or none), and the group's time logged in."""

    group: str
    list: str
    code: str
    code_label: str
    us: int
    logged_in_us: int

    @property
    def duration(self) -> str:
        return hms(whole_seconds(self.us))

    @property
    def percent_of_logged_in(self) -> float | None:
        return percent(self.us, self.logged_in_us)

    @property
    def caption(self) -> str:
        return code_caption(self.list, self.code, self.code_label)


@dataclass(frozen=True, slots=True)
class ChartSegment:
    """Time with one code (list, key, current label) in one series (a status or an agent)."""

    list: str
    code: str
    code_label: str
    series: str
    us: int


# The section of the page's statement and the row's columns, in the order `report_rows` gives.
ROW_COLUMNS = (
    "period",
    "username",
    "agent_name",
    "group_name",
    "status",
    "list_name",
    "code",
    "code_label",
    "count",
    "us",
    "logged_in_us",
    "exceeded_count",
    "exceeded_us",
    "paid",
)
COLUMNS = ("section", "row_count", *ROW_COLUMNS)
# What the rows can be sorted by before they are named (columns of the step `reported`).
UNNAMED_SORTS = ("period", "status", "count", "us", "exceeded_count", "exceeded_us")


class TimeByCodeReport(PeriodReport):
    """The report for a set of agents, a window and optional status and code filters."""

    columns = (
        Column("date", _("Date"), sort="period", kind="date", xlsx="date"),
        Column("agent", _("Agent"), sort="username", text=True),
        Column("group", _("Group"), sort="group_name", text=True),
        Column("status", _("Status"), sort="status", text=True),
        Column("list", _("List"), sort="list_name", text=True),
        Column("code", _("Code"), sort="code", text=True),
        Column("code_label", _("Label"), sort="code_label", text=True),
        Column("count", _("Count"), sort="count", kind="number", accessor="figures__count"),
        Column("seconds", _("Time"), sort="us", kind="number", accessor="figures__seconds"),
        Column("duration", _("Duration"), on_page=False, xlsx="duration"),
        Column(
            "percent_of_logged_in",
            _("% of logged-in"),
            sort="CAST(us AS FLOAT) / logged_in_us",
            kind="number",
            accessor="figures__percent_of_logged_in",
        ),
        Column(
            "exceeded_count",
            _("Over max."),
            sort="exceeded_count",
            kind="number",
            accessor="figures__exceeded_count",
            exported=False,
        ),
        Column(
            "exceeded_seconds",
            _("Time over max."),
            sort="exceeded_us",
            kind="number",
            accessor="figures__exceeded_seconds",
            exported=False,
        ),
        Column("paid", _("Paid"), sort="paid", kind="flag", xlsx="flag"),
        # The status's label in the reader's language, after the columns of the contract.
        Column("status_label", _("Status"), on_page=False),
    )
    default_order = ("date", "agent", "group", "status", "list", "code")
    row_columns = ROW_COLUMNS

    def __init__(
        self,
        *,
        agents: QuerySet[Agent],
        window: Window,
        now: datetime,
        granularity: str = Granularity.DAY,
        statuses: Sequence[str] = REPORTED_STATUSES,
        code: CodeFilter = None,
        groups: Sequence[int] | QuerySet | None = None,
        rollup: bool = True,
    ) -> None:
        self.agents = agents
        # The groups whose time is reported, read from each event's group at the time (None:
        # every group): an agent who moved is reported in each group for the time spent there.
        self.groups = groups
        self.window = window
        self.now = now
        self.statuses = [status for status in statuses if status in REPORTED_STATUSES]
        self.code = code
        self._cut_into_periods(window, granularity, now=now)
        self.database = sql.reading_database()
        # Whether the whole past days that the daily rollup holds are read from it (docs/rollup.md).
        self.rollup = rollup
        self.status_labels = choice_labels(AgentStatus)
        # The count and microseconds of the rows the export wrote, for its totals row.
        self._exported = [0, 0]

    def _is_empty(self) -> bool:
        return not self.periods or not self.statuses

    @cached_property
    def _rolled(self) -> int:
        """How many of the leading periods are read from the daily rollup: those made of whole
        days that it holds (the window's zone must be the rollup's, the grain a day or longer).
        The events are read from the next period on only."""
        if not self.rollup or self._is_empty() or self.granularity not in ROLLED_GRAINS:
            return 0
        zone = self.window.zone
        last = _local_dates(self.periods[-1], zone)[-1]
        held = rolled_days(zone, self.periods[0].first_date, last, database=self.database)
        rolled = 0
        for period in self.periods:
            days = _local_dates(period, zone)
            if not days or not held.issuperset(days):
                break
            rolled += 1
        return rolled

    @cached_property
    def _events_start(self) -> datetime:
        """Where the events are read from: the start of the first period not rolled up."""
        if self._rolled < len(self.periods):
            return self.periods[self._rolled].start
        return self.periods[-1].end

    def _rolled_days(self) -> Cte:
        """`rolled_days (day, period)`: each day of the rolled periods, with its period."""
        values, params = sql.values_list(
            (sql.local_date(day), sql.integer(index))
            for index, period in enumerate(self.periods[: self._rolled])
            for day in _local_dates(period, self.window.zone)
        )
        return Cte("rolled_days (day, period)", values, params, materialized=True)

    def _rolled_condition(self, alias: str) -> tuple[str, list]:
        """The rolled days' rows of the agents in scope (and groups asked for) of the rollup
        table `alias`, for a WHERE clause."""
        first_sql, first_param = sql.local_date(self.periods[0].first_date)
        last_sql, last_param = sql.local_date(
            _local_dates(self.periods[self._rolled - 1], self.window.zone)[-1]
        )
        group_sql, group_params = self._group_condition(f"{alias}.group_id")
        return (
            f"{alias}.day >= {first_sql} AND {alias}.day <= {last_sql}"
            f" AND {alias}.agent_id IN (SELECT agent_id FROM scope){group_sql}",
            [first_param, last_param, *group_params],
        )

    def _group_condition(self, column: str) -> tuple[str, list]:
        """The groups filter on an event's group `column`, to add to a WHERE clause."""
        if self.groups is None:
            return "", []
        groups_sql, groups_params = sql.ids_in(self.groups)
        return f" AND {sql.not_for_index(column)} IN {groups_sql}", groups_params

    # --- the query, one step per CTE ------------------------------------------------------
    #
    # Only the intervals the report sums by code are cut into parts per period: on break and
    # offline. An agent's timeline has no gaps from their first change on (docs/timeline.md),
    # so the time logged in during a period is the part of the period after that first change
    # minus the time logged out in it; the logged-out intervals (nights: dozens of periods each
    # at 15 minutes) are not cut, but measured against the periods that have a row, and the many
    # short available/busy intervals are never read.

    def _steps(self, *, rows_logged_in: bool = True) -> list[Cte]:
        """The steps up to `report_rows`; without `rows_logged_in`, its rows carry no time
        logged in (the page asks it for its own rows only: `_page_logged_in()`)."""
        steps = [
            *self._period_steps(),
            *([self._rolled_days()] if self._rolled else []),
            *self._interval_steps(),
        ]
        if not rows_logged_in:
            return [
                *steps,
                self._logged_in(),
                self._reported(),
                self._report_rows(with_logged_in=False),
            ]
        return [
            *steps,
            self._logged_out(keys="buckets"),
            self._logged_in(),
            self._row_logged_in(),
            self._reported(),
            self._report_rows(),
        ]

    def rollup_steps(self) -> list[Cte]:
        """The steps the daily rollup is built from (reports/rollup.py): `buckets`, and
        `period_logged_in` (`logged_in_by_period()`)."""
        assert not self.rollup, "the rollup is built from the events alone"
        return [*self._period_steps(), *self._interval_steps(), *self.logged_in_by_period()]

    def _interval_steps(self) -> list[Cte]:
        """From the agents in scope to the buckets, and the logged-out intervals, the first
        changes and the groups the agents were in, which the time logged in is measured by."""
        return [
            self._scope(),
            self._started(),
            self._carried(),
            self._spread(),
            self._parts(),
            self._buckets(),
            self._logged_out_spans(),
            self._first_change(),
            self._moves(),
            self._membership(),
        ]

    def _scope(self) -> Cte:
        scope_sql, scope_params = sql.subquery(self.agents.order_by().values("pk"))
        return Cte("scope (agent_id)", scope_sql, scope_params)

    def _started(self) -> Cte:
        """Intervals starting inside the window, each with the period it starts in (found by
        equality: `_period_of`)."""
        now_sql, now_param = sql.instant(self.now)
        parted_sql, parted_params = _parted_statuses()
        period_sql, from_sql, period_params = self._period_of(
            "e.started_at", events=sql.table("events")
        )
        window_sql, window_params = "", []
        if sql.is_postgresql() or self._by_quarter_hour:
            # The window's events are read once, by the window's bounds (without them
            # PostgreSQL would read each agent's whole history). Where SQLite reads them period
            # by period it is not given them: it would use them instead of the period's own.
            start_sql, start_param = sql.instant(self._events_start)
            end_sql, end_param = sql.instant(self.periods[-1].end)
            window_sql = f" AND e.started_at >= {start_sql} AND e.started_at < {end_sql}"
            window_params = [start_param, end_param]
        elif self._rolled:
            window_sql = f" AND d.period >= {self._rolled}"
        group_sql, group_params = self._group_condition("e.group_id")
        scope_sql, scope_params = "SELECT agent_id FROM scope", []
        if sql.is_postgresql():
            # The agents' own query rather than the step: PostgreSQL guesses 200 rows for a
            # step, and for 1,000 agents would then read each agent's whole history through the
            # agent's index instead of the window's intervals through (kind, status,
            # started_at) (3 s instead of 0.3 s at 90 days).
            scope_sql, scope_params = sql.subquery(self.agents.order_by().values("pk"))
        return Cte(
            "started",
            f"""
            SELECT e.agent_id, e.group_id, e.status, e.code_id, e.system_reason, e.started_at,
                   COALESCE(e.ended_at, {now_sql}) AS ended_at, {period_sql}, c.max_minutes,
                   CASE WHEN e.source = '{EventSource.GROUP_MOVE}' THEN 0 ELSE 1 END AS starts
            FROM {from_sql}
            LEFT JOIN {sql.table("codes")} c ON c.id = e.code_id
            WHERE e.kind = {STATUS_KIND} AND {sql.not_for_index("e.status")} IN {parted_sql}
              AND e.agent_id IN ({scope_sql}){window_sql}{group_sql}""",
            [
                now_param,
                *period_params,
                *parted_params,
                *scope_params,
                *window_params,
                *group_params,
            ],
        )

    def _carried(self) -> Cte:
        """The interval each agent was in when the window opened: one index probe per agent."""
        now_sql, now_param = sql.instant(self.now)
        start_sql, start_param = sql.instant(self._events_start)
        parted_sql, parted_params = _parted_statuses()
        events = sql.table("events")
        group_sql, group_params = self._group_condition("e.group_id")
        if self._rolled == len(self.periods):
            # Every period is rolled up: no interval is carried into the events' part.
            group_sql = " AND 1 = 0"
            group_params = []
        return Cte(
            "carried",
            f"""
            SELECT e.agent_id, e.group_id, e.status, e.code_id, e.system_reason, e.started_at,
                   COALESCE(e.ended_at, {now_sql}) AS ended_at
            FROM {events} e
            WHERE e.id IN (
                SELECT (SELECT p.id FROM {events} p
                        WHERE p.agent_id = s.agent_id AND p.kind = {STATUS_KIND}
                          AND p.started_at < {start_sql}
                        ORDER BY p.started_at DESC LIMIT 1)
                FROM scope s)
              AND (e.ended_at IS NULL OR e.ended_at > {start_sql})
              AND e.status IN {parted_sql}{group_sql}""",
            [now_param, start_param, start_param, *parted_params, *group_params],
        )

    def _spread(self) -> Cte:
        """The later periods of each break or offline interval that outlasts the period it
        starts in (or that was open when the window opened): one step to the next period at a
        time, so the work grows with the parts, not with intervals × periods."""
        return Cte(
            "spread (agent_id, group_id, status, code_id, system_reason, ended_at, period,"
            " period_start, period_end)",
            f"""
            SELECT i.agent_id, i.group_id, i.status, i.code_id, i.system_reason, i.ended_at,
                   d.period, d.period_start, d.period_end
            FROM (SELECT agent_id, group_id, status, code_id, system_reason, ended_at,
                         period + 1 AS next_period
                  FROM started WHERE ended_at > period_end AND status <> {LOGGED_OUT}
                  UNION ALL
                  SELECT agent_id, group_id, status, code_id, system_reason, ended_at,
                         {self._rolled}
                  FROM carried WHERE status <> {LOGGED_OUT}) i
            JOIN periods d ON d.period = i.next_period
            UNION ALL
            SELECT s.agent_id, s.group_id, s.status, s.code_id, s.system_reason, s.ended_at,
                   d.period, d.period_start, d.period_end
            FROM spread s
            JOIN periods d ON d.period = s.period + 1
            WHERE s.ended_at > s.period_end""",
            recursive=True,
        )

    def _parts(self) -> Cte:
        """Each interval cut at the periods' bounds: the first part carries the count (and how
        far the whole interval went past its code's maximum), the later parts only time. The
        rest of an interval after a move to another group is not counted again."""
        over_us = over_max_us_sql(sql.duration_us("ended_at", "started_at"), "max_minutes")
        return Cte(
            "parts",
            f"""
            SELECT agent_id, group_id, status, code_id, system_reason, period, starts,
                   {sql.duration_us(sql.least("ended_at", "period_end"), "started_at")} AS us,
                   CASE WHEN max_minutes IS NULL THEN 0 ELSE {over_us} END AS over_us
            FROM started WHERE status <> {LOGGED_OUT}
            UNION ALL
            SELECT agent_id, group_id, status, code_id, system_reason, period, 0,
                   {sql.duration_us(sql.least("ended_at", "period_end"), "period_start")}, 0
            FROM spread""",
        )

    def _buckets(self) -> Cte:
        """The parts summed per period, agent, group, status and code; the rolled periods'
        from the rollup's day totals."""
        rolled_sql, rolled_params = "", []
        if self._rolled:
            condition, rolled_params = self._rolled_condition("t")
            keys = "rd.period, t.agent_id, t.group_id, t.status, t.code_id, t.system_reason"
            figures = "t.count, t.us, t.exceeded_count, t.exceeded_us"
            group_by = ""
            if self.granularity != Granularity.DAY:
                figures = "SUM(t.count), SUM(t.us), SUM(t.exceeded_count), SUM(t.exceeded_us)"
                group_by = f" GROUP BY {keys}"
            rolled_sql = f"""
            UNION ALL
            SELECT {keys}, {figures}
            FROM {sql.table("day_totals")} t JOIN rolled_days rd ON rd.day = t.day
            WHERE {condition}{group_by}"""
        return Cte(
            "buckets",
            f"""
            SELECT period, agent_id, group_id, status, code_id, system_reason,
                   SUM(starts) AS count, SUM(us) AS us,
                   SUM(CASE WHEN over_us > 0 THEN 1 ELSE 0 END) AS exceeded_count,
                   SUM(CASE WHEN over_us > 0 THEN over_us ELSE 0 END) AS exceeded_us
            FROM parts
            GROUP BY period, agent_id, group_id, status, code_id, system_reason{rolled_sql}""",
            rolled_params,
            materialized=True,
        )

    def _first_change(self) -> Cte:
        """Each agent's first recorded change: before it, the agent was logged out."""
        return Cte(
            "first_change",
            f"""
            SELECT s.agent_id,
                   (SELECT MIN(p.started_at) FROM {sql.table("events")} p
                    WHERE p.agent_id = s.agent_id AND p.kind = {STATUS_KIND}) AS started_at
            FROM scope s""",
            materialized=True,
        )

    def _moves(self) -> Cte:
        """Every move of the agents in scope from one group to another (few: read through their
        own partial index), with the group the agent left."""
        events = sql.table("events")
        return Cte(
            "moves",
            f"""
            SELECT m.agent_id, m.group_id, m.started_at,
                   (SELECT p.group_id FROM {events} p
                    WHERE p.agent_id = m.agent_id AND p.kind = {STATUS_KIND}
                      AND p.started_at < m.started_at
                    ORDER BY p.started_at DESC LIMIT 1) AS group_before
            FROM {events} m
            WHERE m.source = '{EventSource.GROUP_MOVE}' AND m.kind = {STATUS_KIND}
              AND m.agent_id IN (SELECT agent_id FROM scope)""",
            materialized=True,
        )

    def _membership(self) -> Cte:
        """When each agent in scope was in which group of the report (NULL bounds: open): an
        agent who never moved was always in their group; one who moved was in the group they
        left until their first move, then in each group from a move to the next."""
        group_sql, group_params = self._group_condition("group_id")
        # Typed: PostgreSQL gives a bare NULL the type text, which the UNION cannot match.
        no_instant = "CAST(NULL AS TIMESTAMP WITH TIME ZONE)" if sql.is_postgresql() else "NULL"
        return Cte(
            "membership (agent_id, group_id, span_start, span_end)",
            f"""
            SELECT * FROM (
                SELECT s.agent_id, a.group_id, {no_instant}, {no_instant}
                FROM scope s JOIN {sql.table("agents")} a ON a.id = s.agent_id
                WHERE s.agent_id NOT IN (SELECT agent_id FROM moves)
                UNION ALL
                SELECT m.agent_id, m.group_before, {no_instant}, m.started_at
                FROM moves m
                WHERE NOT EXISTS (SELECT 1 FROM moves e
                                  WHERE e.agent_id = m.agent_id AND e.started_at < m.started_at)
                UNION ALL
                SELECT m.agent_id, m.group_id, m.started_at,
                       (SELECT MIN(n.started_at) FROM moves n
                        WHERE n.agent_id = m.agent_id AND n.started_at > m.started_at)
                FROM moves m
            ) spans WHERE group_id IS NOT NULL{group_sql}""",
            group_params,
            materialized=True,
        )

    def _logged_out_spans(self) -> Cte:
        """The logged-out intervals of the window, whole (open ones end now), with the period
        each starts in (0 for the one open when the window opened)."""
        columns = "agent_id, group_id, started_at, ended_at"
        return Cte(
            "logged_out_spans",
            f"""
            SELECT {columns}, period FROM started WHERE status = {LOGGED_OUT}
            UNION ALL
            SELECT {columns}, {self._rolled} FROM carried WHERE status = {LOGGED_OUT}""",
            materialized=True,
        )

    def _logged_out(self, *, keys: str) -> Cte:
        """Each agent, group and period of the step `keys` (the buckets, or the page's rows),
        with the time logged out in it (0 for none): the parts of the logged-out intervals
        inside the period."""
        inside = sql.duration_us(
            sql.least("lo.ended_at", "d.period_end"),
            sql.greatest("lo.started_at", "d.period_start"),
        )
        return Cte(
            "logged_out",
            f"""
            SELECT k.period, k.agent_id, k.group_id,
                   -- (PostgreSQL's LEAST and GREATEST skip NULLs: no span, no time.)
                   SUM(CASE WHEN lo.agent_id IS NULL THEN 0 ELSE {inside} END) AS us
            FROM (SELECT DISTINCT period, agent_id, group_id FROM {keys}{self._unrolled()}) k
            JOIN periods d ON d.period = k.period
            LEFT JOIN logged_out_spans lo
              ON lo.agent_id = k.agent_id AND lo.group_id = k.group_id
             AND lo.period <= k.period AND lo.started_at < d.period_end
             AND lo.ended_at > d.period_start
            GROUP BY k.period, k.agent_id, k.group_id""",
            materialized=True,
        )

    def _logged_out_by_period(self) -> list[Cte]:
        """`period_logged_out (agent_id, group_id, period, us)`: the time logged out of each
        agent and group in every period (for `logged_in_by_period()`): the logged-out intervals
        cut at the periods' bounds, one step to the next period at a time."""
        inside = sql.duration_us(
            sql.least("ended_at", "period_end"), sql.greatest("started_at", "period_start")
        )
        return [
            Cte(
                "logged_out_parts (agent_id, group_id, started_at, ended_at, period,"
                " period_start, period_end)",
                """
                SELECT lo.agent_id, lo.group_id, lo.started_at, lo.ended_at, d.period,
                       d.period_start, d.period_end
                FROM logged_out_spans lo JOIN periods d ON d.period = lo.period
                UNION ALL
                SELECT p.agent_id, p.group_id, p.started_at, p.ended_at, d.period,
                       d.period_start, d.period_end
                FROM logged_out_parts p JOIN periods d ON d.period = p.period + 1
                WHERE p.ended_at > p.period_end""",
                recursive=True,
            ),
            Cte(
                "period_logged_out",
                f"""
                SELECT agent_id, group_id, period, SUM({inside}) AS us
                FROM logged_out_parts GROUP BY agent_id, group_id, period""",
                materialized=True,
            ),
        ]

    def logged_in_by_period(self) -> list[Cte]:
        """`period_logged_in (period, agent_id, group_id, us)`: the time each agent was logged
        in during each period while in each group, where not nothing — the period after the
        agent's first change while in the group, less the time logged out there (the daily
        rollup keeps it per day, the agent × code matrix has a row for each)."""
        return [
            *self._logged_out_by_period(),
            Cte(
                "period_logged_in",
                f"""
                SELECT * FROM (
                    SELECT i.period, i.agent_id, i.group_id, i.us - COALESCE(o.us, 0) AS us
                    FROM ({membership_us_sql("d.period_start", "d.period_end", "d.period")}
                          JOIN periods d
                            ON {membership_overlaps("d.period_start", "d.period_end")}
                          GROUP BY d.period, m.agent_id, m.group_id) i
                    LEFT JOIN period_logged_out o
                      ON o.agent_id = i.agent_id AND o.group_id = i.group_id
                     AND o.period = i.period
                ) logged_in WHERE us > 0""",
            ),
        ]

    def _logged_in(self) -> Cte:
        """Each agent's time logged in over the whole window in each group of the report (the
        subtotals' and totals' percentages): the window after the agent's first change while
        in the group, less the time logged out there."""
        logged_out_us = sql.duration_us(
            sql.least("lo.ended_at", "w.window_end"),
            sql.greatest("lo.started_at", "w.window_start"),
        )
        bounds = WINDOW_BOUNDS
        if self._rolled:
            # The events' part of the window only.
            bounds = f"""(SELECT MIN(period_start) AS window_start, MAX(period_end) AS window_end
                         FROM periods WHERE period >= {self._rolled})"""
        events_sql = f"""
            SELECT i.agent_id, i.group_id, i.us - COALESCE(o.us, 0) AS us
            FROM ({membership_us_sql("w.window_start", "w.window_end")}
                  JOIN {bounds} w ON {membership_overlaps("w.window_start", "w.window_end")}
                  GROUP BY m.agent_id, m.group_id) i
            LEFT JOIN (SELECT lo.agent_id, lo.group_id, SUM({logged_out_us}) AS us
                       FROM logged_out_spans lo CROSS JOIN {bounds} w
                       GROUP BY lo.agent_id, lo.group_id) o
              ON o.agent_id = i.agent_id AND o.group_id = i.group_id"""
        if not self._rolled:
            return Cte("logged_in", events_sql, materialized=True)
        condition, params = self._rolled_condition("dl")
        rolled_sql = f"""
                  SELECT dl.agent_id, dl.group_id, dl.us
                  FROM {sql.table("day_logged_in")} dl
                  WHERE {condition}"""
        if self._rolled < len(self.periods):
            # (Not when every period is rolled: the events' part would have no bounds, and
            # PostgreSQL's GREATEST and LEAST skip NULLs.)
            rolled_sql = f"{events_sql} UNION ALL {rolled_sql}"
        return Cte(
            "logged_in",
            f"""
            SELECT agent_id, group_id, SUM(us) AS us
            FROM ({rolled_sql}) parts
            GROUP BY agent_id, group_id""",
            params,
            materialized=True,
        )

    def _unrolled(self) -> str:
        """A WHERE clause keeping the periods read from the events (none when none is rolled)."""
        return f" WHERE period >= {self._rolled}" if self._rolled else ""

    def _row_logged_in(self, *, keys: str = "buckets") -> Cte:
        """The time logged in of each agent, group and period of the buckets (the rows'
        percentages): the period after the agent's first change while in the group, less the
        time logged out there (`logged_out`, which has each of them once: no join of two
        aggregates, whose sizes the planner cannot guess)."""
        inside = sql.duration_us(
            sql.least("d.period_end", "COALESCE(m.span_end, d.period_end)"),
            sql.greatest(
                "d.period_start", "f.started_at", "COALESCE(m.span_start, d.period_start)"
            ),
        )
        rolled_sql, rolled_params = "", []
        if self._rolled and keys == "buckets":
            # The rolled periods' from the rollup's days (`logged_out` has only the others):
            # every agent's, read by the days' range (the rows that have no bucket are dropped
            # by `report_rows`), rather than looked up for each of tens of thousands of keys.
            condition, rolled_params = self._rolled_condition("dl")
            rolled_sql = f"""
            UNION ALL
            SELECT rd.period, dl.agent_id, dl.group_id, SUM(dl.us)
            FROM {sql.table("day_logged_in")} dl JOIN rolled_days rd ON rd.day = dl.day
            WHERE {condition}
            GROUP BY rd.period, dl.agent_id, dl.group_id"""
        elif self._rolled:
            # The page's few rows: looked up.
            rolled_sql = f"""
            UNION ALL
            SELECT k.period, k.agent_id, k.group_id, SUM(dl.us)
            FROM (SELECT DISTINCT period, agent_id, group_id FROM {keys}
                  WHERE period < {self._rolled}) k
            JOIN rolled_days rd ON rd.period = k.period
            JOIN {sql.table("day_logged_in")} dl
              ON dl.day = rd.day AND dl.agent_id = k.agent_id AND dl.group_id = k.group_id
            GROUP BY k.period, k.agent_id, k.group_id"""
        return Cte(
            "row_logged_in",
            f"""
            SELECT k.period, k.agent_id, k.group_id, SUM({inside}) - k.us AS us
            FROM logged_out k
            JOIN periods d ON d.period = k.period
            JOIN membership m ON m.agent_id = k.agent_id AND m.group_id = k.group_id
            JOIN first_change f ON f.agent_id = m.agent_id
            WHERE {membership_overlaps("d.period_start", "d.period_end")}
            GROUP BY k.period, k.agent_id, k.group_id, k.us{rolled_sql}""",
            rolled_params,
            materialized=True,
        )

    def _group_logged_in(self) -> Cte:
        """The time logged in of each group's agents in scope (the group summary's
        percentages), those without a break included, each for the time while in the group."""
        return Cte(
            "group_logged_in",
            f"""
            SELECT g.name AS group_name, SUM(li.us) AS us
            FROM logged_in li
            JOIN {sql.table("groups")} g ON g.id = li.group_id
            GROUP BY g.name""",
        )

    def _reported(self) -> Cte:
        """The buckets of the statuses and codes asked for, by ids: the report's rows before
        their names, which the page's sections sum before naming the few sums."""
        statuses_sql, statuses_params = sql.in_list(self.statuses)
        code_sql, code_params = code_condition(self.code, column="b.code_id")
        return Cte(
            "reported",
            f"""
            SELECT period, agent_id, group_id, status, code_id, system_reason, count, us,
                   exceeded_count, exceeded_us
            FROM buckets b
            WHERE b.status IN {statuses_sql}{code_sql}""",
            [*statuses_params, *code_params],
        )

    def _report_rows(self, *, with_logged_in: bool = True) -> Cte:
        """The report's rows: the buckets of the statuses asked for, with names and labels (the
        group is the one the agent was in), and the agent's time logged in during the row's
        period while in that group (`row_logged_in`).

        The time logged in reaches each bucket through a window over both steps, not a join:
        PostgreSQL cannot estimate the size of either (with the table's statistics up to date it
        guessed a few rows and joined 70,000 × 70,000 in a nested loop, minutes for a page)."""
        if with_logged_in:
            rows = """(SELECT * FROM (
                    SELECT k.*, MAX(k.row_logged_in_us)
                                  OVER (PARTITION BY k.period, k.agent_id, k.group_id)
                                  AS logged_in_us
                    FROM (SELECT r.*, NULL AS row_logged_in_us FROM reported r
                          UNION ALL
                          SELECT period, agent_id, group_id, NULL, NULL, NULL, NULL, NULL, NULL,
                                 NULL, us
                          FROM row_logged_in) k) w
                  WHERE w.status IS NOT NULL) b"""
            logged_in_sql = "COALESCE(b.logged_in_us, 0)"
        else:
            rows, logged_in_sql = "reported b", "0"
        agent_sql, agent_joins = _agent_names("b")
        code_sql, code_joins, code_params = _code_names("b")
        return Cte(
            "report_rows",
            f"""
            SELECT b.period, b.agent_id, b.group_id, {agent_sql},
                   g.name AS group_name, b.status, {code_sql},
                   b.count, b.us, {logged_in_sql} AS logged_in_us, b.exceeded_count,
                   b.exceeded_us
            FROM {rows}
            {agent_joins}
            JOIN {sql.table("groups")} g ON g.id = b.group_id
            {code_joins}""",
            code_params,
            # The export reads it once, the page (sorted by the share of logged-in time) too:
            # a fence for the export's plan; the page's other rows are cut straight from it.
            materialized=with_logged_in,
        )

    # --- reading it -----------------------------------------------------------------------

    def page(
        self,
        *,
        order: Sequence[str] = (),
        offset: int = 0,
        limit: int = 50,
        stack: str = "status",
        trend: str = "status",
    ) -> ReportPage:
        """Rows `offset` to `offset + limit` in `order`, with subtotals, totals and the charts.

        One query: the page, the subtotals by agent, by status and by group (and by group and
        code), the totals, the code chart's segments (stacked by `stack`) and the trend's
        (time per period, stacked by `trend`) are sections of a UNION over the aggregate, which
        is computed once.
        """
        accepted, order_sql = order_clause(order, self.ordering, self.default_order)
        if self._is_empty():
            return ReportPage(rows=[], count=0, offset=offset, summary=_empty_summary(accepted))
        series = "status" if stack != "agent" else "username"
        by_agent = series == "username"
        code_sums, trend_sums = self._code_sums(by_agent=by_agent), self._trend_sums(trend)
        agent_sql, agent_joins = _agent_names("s")
        sections = f"""
        UNION ALL
        SELECT 'agent', NULL, NULL, {agent_sql}, NULL, NULL, NULL, NULL, NULL,
               s.count, s.us, li.us, s.exceeded_count, s.exceeded_us, NULL
        FROM (SELECT agent_id, SUM(count) AS count, SUM(us) AS us,
                     SUM(exceeded_count) AS exceeded_count, SUM(exceeded_us) AS exceeded_us
              FROM reported GROUP BY agent_id) s
        JOIN (SELECT agent_id, SUM(us) AS us FROM logged_in GROUP BY agent_id) li
          ON li.agent_id = s.agent_id
        {agent_joins}
        UNION ALL
        SELECT 'status', NULL, NULL, NULL, NULL, NULL, status, NULL, NULL, NULL,
               SUM(count), SUM(us), (SELECT SUM(us) FROM logged_in),
               SUM(exceeded_count), SUM(exceeded_us), NULL
        FROM code_sums GROUP BY status
        UNION ALL
        SELECT 'paid', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               SUM(count), SUM(us), (SELECT SUM(us) FROM logged_in),
               SUM(exceeded_count), SUM(exceeded_us), paid
        FROM code_sums GROUP BY paid
        UNION ALL
        SELECT 'total', COALESCE(SUM(row_count), 0), NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               NULL, SUM(count), SUM(us), (SELECT SUM(us) FROM logged_in),
               SUM(exceeded_count), SUM(exceeded_us), NULL
        FROM code_sums
        UNION ALL
        SELECT 'chart', NULL, NULL, {"username" if by_agent else "NULL"},
               NULL, NULL, {"status" if series == "status" else "NULL"},
               list_name, code, code_label, NULL, SUM(us), NULL, NULL, NULL, NULL
        FROM code_sums GROUP BY list_name, code, code_label, {series}
        UNION ALL
        SELECT 'trend', NULL, period, NULL, NULL, NULL, status, list_name, code, code_label,
               NULL, us, NULL, NULL, NULL, NULL
        FROM trend_sums
        UNION ALL
        SELECT 'group', NULL, NULL, NULL, NULL, r.group_name, NULL, NULL, NULL, NULL,
               SUM(r.count), SUM(r.us), gl.us, SUM(r.exceeded_count), SUM(r.exceeded_us), NULL
        FROM code_sums r JOIN group_logged_in gl ON gl.group_name = r.group_name
        GROUP BY r.group_name, gl.us
        UNION ALL
        SELECT 'group_code', NULL, NULL, NULL, NULL, r.group_name, NULL,
               r.list_name, r.code, r.code_label, NULL, SUM(r.us), gl.us, NULL, NULL, NULL
        FROM code_sums r JOIN group_logged_in gl ON gl.group_name = r.group_name
        GROUP BY r.group_name, r.list_name, r.code, r.code_label, gl.us"""
        extra = [self._group_logged_in(), code_sums, trend_sums]
        if "percent_of_logged_in" in (name.lstrip("-") for name in accepted):
            # Sorted by the share of logged-in time: every row needs its time logged in.
            results = self._read_sections(
                sections, order_sql, offset=offset, limit=limit, extra=extra
            )
        else:
            # Only the page's rows show a time logged in of their own (the sections read the
            # window's, per agent and group): found for those 50, not for every row.
            results = self._read_sections(
                sections,
                order_sql,
                offset=offset,
                limit=limit,
                steps=[
                    *self._steps(rows_logged_in=False),
                    *self._page_logged_in(order, order_sql, offset=offset, limit=limit),
                    *extra,
                ],
                page_rows=self._page_rows_sql(),
            )
        return _page_from_results(results, offset=offset, order=accepted, row=self._row)

    def _code_sums(self, *, by_agent: bool) -> Cte:
        """`code_sums`: the rows summed by group, status, paid and code (and agent, when the
        chart stacks agents), a few hundred rows from which six of the page's sections are read.
        Summed by ids first, then named: naming every row would cost more than the sums."""
        keys = "group_id, status, code_id, system_reason" + (", agent_id" if by_agent else "")
        code_sql, code_joins, code_params = _code_names("k")
        agent_sql, agent_joins = _agent_names("k") if by_agent else ("NULL AS username", "")
        return Cte(
            "code_sums",
            f"""
            SELECT group_name, status, paid, list_name, code, code_label, username,
                   SUM(row_count) AS row_count, SUM(count) AS count, SUM(us) AS us,
                   SUM(exceeded_count) AS exceeded_count, SUM(exceeded_us) AS exceeded_us
            FROM (SELECT g.name AS group_name, k.status, {code_sql}, {agent_sql}, k.row_count,
                         k.count, k.us, k.exceeded_count, k.exceeded_us
                  FROM (SELECT {keys}, COUNT(*) AS row_count, SUM(count) AS count,
                               SUM(us) AS us, SUM(exceeded_count) AS exceeded_count,
                               SUM(exceeded_us) AS exceeded_us
                        FROM reported GROUP BY {keys}) k
                  JOIN {sql.table("groups")} g ON g.id = k.group_id
                  {code_joins}
                  {agent_joins}) named
            GROUP BY group_name, status, paid, list_name, code, code_label, username""",
            code_params,
            materialized=True,
        )

    def _trend_sums(self, trend: str) -> Cte:
        """`trend_sums (period, status, list_name, code, code_label, us)`: the time per period
        of each status, or of each code when the trend is stacked by code (status NULL)."""
        if trend != "code":
            return Cte(
                "trend_sums",
                """
                SELECT period, status, NULL AS list_name, NULL AS code, NULL AS code_label,
                       SUM(us) AS us
                FROM reported GROUP BY period, status""",
            )
        code_sql, code_joins, code_params = _code_names("k")
        return Cte(
            "trend_sums",
            f"""
            SELECT period, NULL AS status, list_name, code, code_label, SUM(us) AS us
            FROM (SELECT k.period, k.us, {code_sql}
                  FROM (SELECT period, code_id, system_reason, SUM(us) AS us
                        FROM reported GROUP BY period, code_id, system_reason) k
                  {code_joins}) named
            GROUP BY period, list_name, code, code_label""",
            code_params,
        )

    def _page_logged_in(
        self, order: Sequence[str], order_sql: str, *, offset: int, limit: int
    ) -> list[Cte]:
        """`page_rows`, the page's rows cut from `report_rows` (without time logged in), and
        the time logged in of each (`row_logged_in`).

        Where the order starts with a figure the rows have before their names (the period by
        default), only the rows up to the page's last value of it are named and sorted: a
        month's first page names a day's rows, not the month's."""
        first, descending = sort_terms(order, self.ordering, self.default_order)[1][0]
        bound, bound_params = "", []
        if first in UNNAMED_SORTS:
            bound = f"""
                WHERE {first} {">=" if descending else "<="} COALESCE(
                    (SELECT {first} FROM reported
                     ORDER BY {first} {"DESC" if descending else "ASC"} LIMIT 1 OFFSET %s),
                    {first})"""
            bound_params = [offset + limit - 1]
        return [
            Cte(
                "page_rows",
                f"""
                SELECT * FROM report_rows{bound}
                ORDER BY {order_sql} LIMIT %s OFFSET %s""",
                [*bound_params, limit, offset],
                materialized=True,
            ),
            self._logged_out(keys="page_rows"),
            self._row_logged_in(keys="page_rows"),
        ]

    def _page_rows_sql(self) -> str:
        """The page's rows with their time logged in, in the columns of `row_columns`."""
        columns = ", ".join(
            "COALESCE(li.us, 0) AS logged_in_us" if column == "logged_in_us" else f"p.{column}"
            for column in self.row_columns
        )
        return f"""
            SELECT {columns}
            FROM page_rows p
            LEFT JOIN row_logged_in li
              ON li.period = p.period AND li.agent_id = p.agent_id AND li.group_id = p.group_id"""

    def _row(self, values: dict) -> TimeByCodeRow:
        period = self.periods[values["period"]]
        return TimeByCodeRow(
            date=period.first_date,
            period=period.label,
            agent=values["username"],
            agent_name=values["agent_name"],
            group=values["group_name"],
            status=values["status"],
            list=values["list_name"],
            code=values["code"],
            code_label=values["code_label"],
            figures=_figures(values),
            paid=bool(values["paid"]),
        )

    def _cells(self, values: tuple) -> list:
        period, agent, _name, group, status, code_list, code, label, count, us, logged_in = values[
            :11
        ]
        seconds = whole_seconds(int(us))
        self._exported[0] += int(count)
        self._exported[1] += int(us)
        return [
            self.labels[period],
            agent,
            group,
            status,
            code_list,
            code,
            label,
            int(count),
            seconds,
            hms(seconds),
            percent(int(us), int(logged_in or 0)),
            "true" if values[13] else "false",
            self.status_labels.get(status, ""),
        ]

    def cells(self, *, order: Sequence[str] = ()) -> Iterator[list]:
        self._exported = [0, 0]
        return super().cells(order=order)

    def export_totals(self) -> dict:
        """The count and time of every exported row, as the page's totals compute them (the
        seconds rounded once, from the exact sum)."""
        count, us = self._exported
        seconds = whole_seconds(us)
        return {"count": count, "seconds": seconds, "duration": hms(seconds)}


STATUS_KIND = f"'{EventKind.STATUS}'"
LOGGED_OUT = f"'{AgentStatus.LOGGED_OUT}'"
WINDOW_BOUNDS = (
    "(SELECT MIN(period_start) AS window_start, MAX(period_end) AS window_end FROM periods)"
)


def _local_dates(period: Period, zone: ZoneInfo) -> list[date]:
    """The local dates a period of a day or longer covers, in order."""
    first = period.first_date
    last = timezone.localtime(period.end - ONE_MICROSECOND, zone).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def membership_overlaps(start: str, end: str) -> str:
    """SQL: the span `m` of `membership`, after the agent's first change `f`, overlaps the
    period from `start` to `end`."""
    return (
        f"{sql.greatest(start, 'f.started_at', f'COALESCE(m.span_start, {start})')}"
        f" < {sql.least(end, f'COALESCE(m.span_end, {end})')}"
    )


def membership_us_sql(start: str, end: str, *keys: str) -> str:
    """SQL (SELECT … FROM … to be joined and grouped by the caller): the microseconds of each
    span `m` of `membership` inside the period from `start` to `end`, after the agent's first
    change `f`, summed per agent and group (and `keys`)."""
    inside = sql.duration_us(
        sql.least(end, f"COALESCE(m.span_end, {end})"),
        sql.greatest(start, "f.started_at", f"COALESCE(m.span_start, {start})"),
    )
    selected = "".join(f"{key} AS {key.rpartition('.')[2]}, " for key in keys)
    return f"""SELECT {selected}m.agent_id, m.group_id,
                      SUM({inside}) AS us
               FROM membership m
               JOIN first_change f ON f.agent_id = m.agent_id"""


def _by_hash() -> str:
    """Written after a joined id on PostgreSQL, which guesses a few rows for the report's steps
    (for tens of thousands) and would look each row's agent and user up by index: kept off the
    index, they are read once into a hash."""
    return " + 0" if sql.is_postgresql() else ""


def _agent_names(alias: str) -> tuple[str, str]:
    """The agent's `username` and `agent_name` for the row `alias` (its `agent_id`): the
    columns to select and the joins that find them."""
    by_hash = _by_hash()
    return (
        "u.username, TRIM(u.first_name || ' ' || u.last_name) AS agent_name",
        f"""JOIN {sql.table("agents")} a ON a.id{by_hash} = {alias}.agent_id
            JOIN {sql.table("users")} u ON u.id{by_hash} = a.user_id""",
    )


def _code_names(alias: str) -> tuple[str, str, list]:
    """The `list_name`, `code`, `code_label` and `paid` of the row `alias` (its `code_id` or
    `system_reason`): the columns to select, the joins that find them, and the columns'
    parameters (the system reasons' labels in the reader's language)."""
    reason_sql, reason_params = reason_label_sql(f"{alias}.system_reason")
    return (
        f"""COALESCE(l.name, '') AS list_name,
            COALESCE(c.code, {alias}.system_reason, '') AS code,
            COALESCE({reason_sql}, {code_label_sql("c")}, '') AS code_label,
            COALESCE(c.paid, FALSE) AS paid""",
        f"""LEFT JOIN {sql.table("codes")} c ON c.id = {alias}.code_id
            LEFT JOIN {sql.table("lists")} l ON l.id = c.code_list_id""",
        reason_params,
    )


def _parted_statuses() -> tuple[str, list]:
    """The statuses whose intervals are cut: the reported ones, and logged out (for the time
    logged in)."""
    return sql.in_list([*REPORTED_STATUSES, AgentStatus.LOGGED_OUT])


def _figures(values: dict) -> Figures:
    return Figures(
        count=int(values["count"] or 0),
        us=int(values["us"] or 0),
        logged_in_us=int(values["logged_in_us"] or 0),
        exceeded_count=int(values["exceeded_count"] or 0),
        exceeded_us=int(values["exceeded_us"] or 0),
    )


def _empty_summary(order: Sequence[str]) -> dict:
    zero = Figures(count=0, us=0, logged_in_us=0, exceeded_count=0, exceeded_us=0)
    return {
        "order": tuple(order),
        "total": zero,
        "by_agent": [],
        "by_status": [],
        "by_group": [],
        "by_paid": [],
        "by_group_code": [],
        "chart": [],
        "trend": [],
    }


def _page_from_results(
    results: list[tuple], *, offset: int, order: Sequence[str], row: Callable[[dict], TimeByCodeRow]
) -> ReportPage:
    page_rows, summary = [], _empty_summary(order)
    count = 0
    for result in results:
        values = dict(zip(COLUMNS, result, strict=True))
        section = values["section"]
        if section == "row":
            page_rows.append(row(values))
        elif section == "agent":
            label = values["agent_name"] or values["username"]
            summary["by_agent"].append(Subtotal(values["username"], label, _figures(values)))
        elif section == "status":
            label = str(AgentStatus(values["status"]).label)
            summary["by_status"].append(Subtotal(values["status"], label, _figures(values)))
        elif section == "paid":
            paid = bool(values["paid"])
            label = str(_("Paid") if paid else _("Unpaid"))
            summary["by_paid"].append(
                Subtotal("paid" if paid else "unpaid", label, _figures(values))
            )
        elif section == "total":
            count = int(values["row_count"])
            summary["total"] = _figures(values)
        elif section == "trend":
            series = values["status"] or (values["list_name"], values["code"], values["code_label"])
            summary["trend"].append(TrendSegment(values["period"], series, int(values["us"])))
        elif section == "group":
            name = values["group_name"]
            summary["by_group"].append(Subtotal(name, name, _figures(values)))
        elif section == "group_code":
            summary["by_group_code"].append(
                GroupCode(
                    group=values["group_name"],
                    list=values["list_name"],
                    code=values["code"],
                    code_label=values["code_label"],
                    us=int(values["us"]),
                    logged_in_us=int(values["logged_in_us"] or 0),
                )
            )
        else:
            summary["chart"].append(
                ChartSegment(
                    list=values["list_name"],
                    code=values["code"],
                    code_label=values["code_label"],
                    series=values["status"] or values["username"],
                    us=int(values["us"]),
                )
            )
    summary["by_agent"].sort(key=lambda subtotal: subtotal.key)
    summary["by_group"].sort(key=lambda subtotal: subtotal.key)
    summary["by_paid"].sort(key=lambda subtotal: subtotal.key)
    summary["by_group_code"].sort(key=lambda item: (item.group, -item.us, item.list, item.code))
    summary["by_status"].sort(key=lambda subtotal: REPORTED_STATUSES.index(subtotal.key))
    return ReportPage(rows=page_rows, count=count, offset=offset, summary=summary)
