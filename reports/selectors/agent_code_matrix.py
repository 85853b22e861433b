"""The agent × code matrix (docs/reports.md, "Agent × code"): the time-by-code report laid out as
supervisors know it from VICIdial's Agent Time Detail and Cisco's Not Ready reports — one row
per agent and period, one column per code, next to the time logged in and the share of it on
break and offline.

It reads the time-by-code report's own steps (the same periods, scope, filters and figures), so
that every cell equals the sum of the corresponding time-by-code rows. A row is an agent and a
period in which the agent was logged in, whether or not they took a break in it: an agent
without a break shows 0, not nothing. An agent who moved to another group during a period has a
row per group, each with the time spent in that group (docs/reports.md, "Who sees what").
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import connections

from core.durations import ExactTime, ShareOfLoggedIn, hms, whole_seconds

from . import sql
from .common import Cte, with_clause
from .labels import code_caption
from .time_by_code import TimeByCodeReport


@dataclass(frozen=True, slots=True)
class MatrixCode:
    """One column of codes: a status and a code of a list (or no code)."""

    status: str
    list: str
    code: str
    code_label: str

    @property
    def key(self) -> str:
        """The export's header for the column: `status:list:code`, `none` for no code; a system
        reason has no list (`on_break::missed`)."""
        return f"{self.status}:{self.list}:{self.code or 'none'}"

    @property
    def caption(self) -> str:
        return code_caption(self.list, self.code, self.code_label)


@dataclass(frozen=True, slots=True)
class MatrixCell(ExactTime):
    us: int


@dataclass(frozen=True, slots=True)
class StatusShare(ShareOfLoggedIn):
    """The time in one status of a row (or the totals) and its share of the time logged in."""

    status: str
    us: int
    logged_in_us: int


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """An agent in a period (or the totals, where `agent` is empty)."""

    period: str
    agent: str
    agent_name: str
    group: str
    logged_in_us: int
    shares: tuple[StatusShare, ...]
    cells: tuple[MatrixCell, ...]

    @property
    def logged_in_seconds(self) -> int:
        return whole_seconds(self.logged_in_us)

    @property
    def logged_in_duration(self) -> str:
        return hms(self.logged_in_seconds)


@dataclass(frozen=True)
class MatrixPage:
    codes: list[MatrixCode]
    statuses: list[str]
    rows: list[MatrixRow]
    count: int
    offset: int
    totals: MatrixRow


class AgentCodeMatrix:
    """The matrix of `report`: its periods, agents in scope and filters."""

    def __init__(self, report: TimeByCodeReport) -> None:
        # Its rows' time logged in is measured per period from the logged-out intervals,
        # which a report reading the daily rollup has for its later periods only.
        assert not report.rollup, "the matrix reads the events (TimeByCodeReport(rollup=False))"
        self.report = report
        self.statuses = list(report.statuses)
        # The columns, time logged in and time by code of the rows the export wrote.
        self._exported: list = [(), 0, {}]

    # --- the query: the report's steps, then the rows (agent × period logged in) -------------

    def _keys(self) -> Cte:
        """Every agent, group and period in which the agent was logged in while in the group
        (`period_logged_in`), with the names the rows show."""
        return Cte(
            "matrix_keys",
            f"""
            SELECT l.period, l.agent_id, l.group_id, u.username,
                   TRIM(u.first_name || ' ' || u.last_name) AS agent_name,
                   g.name AS group_name, l.us AS logged_in_us
            FROM period_logged_in l
            JOIN {sql.table("agents")} a ON a.id = l.agent_id
            JOIN {sql.table("users")} u ON u.id = a.user_id
            JOIN {sql.table("groups")} g ON g.id = l.group_id""",
            materialized=True,
        )

    def _execute(self, query_tail: str, params: Sequence = ()) -> list[tuple]:
        steps = [*self.report._steps(), *self.report.logged_in_by_period(), self._keys()]
        clause, clause_params = with_clause(steps)
        with connections[self.report.database].cursor() as cursor:
            cursor.execute(f"{clause} {query_tail}", [*clause_params, *params])
            return cursor.fetchall()

    def _lines(self, *, offset: int = 0, limit: int | None = None) -> list[tuple]:
        """The lines (one per row and code, or one for a row without breaks) of the rows
        `offset` to `offset + limit` in period and agent order."""
        cut, params = ("", []) if limit is None else (" LIMIT %s OFFSET %s", [limit, offset])
        return self._execute(
            f"""
            , page_keys AS (
                SELECT * FROM matrix_keys ORDER BY period, username, group_name{cut})
            SELECT k.period, k.username, k.agent_name, k.group_name, k.logged_in_us,
                   r.status, r.list_name, r.code, r.us
            FROM page_keys k
            LEFT JOIN report_rows r
              ON r.agent_id = k.agent_id AND r.group_id = k.group_id AND r.period = k.period
            ORDER BY k.period, k.username, k.group_name""",
            params,
        )

    def codes(self) -> list[MatrixCode]:
        """The columns: every status and code with time in the whole matrix, by status (in the
        report's order), list and code."""
        if self.report._is_empty():
            return []
        found = self._execute(
            "SELECT DISTINCT status, list_name, code, code_label FROM report_rows"
        )
        order = {status: index for index, status in enumerate(self.statuses)}
        return sorted(
            (MatrixCode(*values) for values in found),
            key=lambda code: (order.get(code.status, len(order)), code.list, code.code),
        )

    def count(self) -> int:
        if self.report._is_empty():
            return 0
        return self._execute("SELECT COUNT(*) FROM matrix_keys")[0][0]

    # --- reading it ----------------------------------------------------------------------------

    def page(self, *, offset: int = 0, limit: int = 50) -> MatrixPage:
        codes = self.codes()
        rows = (
            [] if self.report._is_empty() else list(self._rows(codes, offset=offset, limit=limit))
        )
        return MatrixPage(
            codes=codes,
            statuses=self.statuses,
            rows=rows,
            count=self.count(),
            offset=offset,
            totals=self.totals(codes),
        )

    def totals(self, codes: Sequence[MatrixCode]) -> MatrixRow:
        """The sum of every row of the matrix (not only the page's)."""
        if self.report._is_empty():
            return self._row("", ("", "", ""), 0, {}, codes)
        (logged_in,) = self._execute("SELECT SUM(logged_in_us) FROM matrix_keys")[0]
        found = self._execute(
            "SELECT status, list_name, code, SUM(us) FROM report_rows "
            "GROUP BY status, list_name, code"
        )
        times = {(status, code_list, code): int(us) for status, code_list, code, us in found}
        return self._row("", ("", "", ""), int(logged_in or 0), times, codes)

    def _rows(
        self, codes: Sequence[MatrixCode], *, offset: int = 0, limit: int | None = None
    ) -> Iterator[MatrixRow]:
        """The lines pivoted: one row per agent and period."""
        current, agent, times, logged_in = None, ("", "", ""), {}, 0
        for line in self._lines(offset=offset, limit=limit):
            period, username, name, group, row_logged_in, status, code_list, code, us = line
            if (period, username, group) != current:
                if current is not None:
                    yield self._row(self.report.labels[current[0]], agent, logged_in, times, codes)
                current, agent = (period, username, group), (username, name, group)
                times, logged_in = {}, int(row_logged_in)
            if status is not None:
                times[(status, code_list, code)] = int(us)
        if current is not None:
            yield self._row(self.report.labels[current[0]], agent, logged_in, times, codes)

    def _row(
        self,
        period: str,
        agent: tuple[str, str, str],
        logged_in_us: int,
        times: dict,
        codes: Sequence[MatrixCode],
    ) -> MatrixRow:
        shares = tuple(
            StatusShare(
                status,
                sum(us for (row_status, *_), us in times.items() if row_status == status),
                logged_in_us,
            )
            for status in self.statuses
        )
        cells = tuple(
            MatrixCell(times.get((code.status, code.list, code.code), 0)) for code in codes
        )
        return MatrixRow(period, *agent, logged_in_us, shares, cells)

    # --- the export ----------------------------------------------------------------------------

    def export_header(self, codes: Sequence[MatrixCode]) -> list[str]:
        first = "date" if self.report.granularity == "day" else "period"
        shares = [
            name
            for status in self.statuses
            for name in (f"{status}_seconds", f"{status}_percent_of_logged_in")
        ]
        return [
            first,
            "agent",
            "agent_name",
            "group",
            "logged_in_seconds",
            *shares,
            *(code.key for code in codes),
        ]

    def export_kinds(self, codes: Sequence[MatrixCode]) -> list[str]:
        """How the XLSX file types each column (reports.exports): the period as a date, every
        time as a time value, every share as a percentage."""
        shares = ["seconds", "percent"] * len(self.statuses)
        return ["date", "", "", "", "seconds", *shares, *["seconds"] * len(codes)]

    # Agent, name and group: the cells people typed (formula neutralising).
    text_columns = (1, 2, 3)

    def cells(self, codes: Sequence[MatrixCode]) -> Iterator[list]:
        """The export's rows; the exact times of the rows written are summed as they go, for
        `export_totals`."""
        keys = [(code.status, code.list, code.code) for code in codes]
        times = dict.fromkeys(keys, 0)
        self._exported = [codes, 0, times]
        for row in self._rows(codes):
            self._exported[1] += row.logged_in_us
            for key, cell in zip(keys, row.cells, strict=True):
                times[key] += cell.us
            yield [
                row.period,
                row.agent,
                row.agent_name,
                row.group,
                row.logged_in_seconds,
                *(
                    value
                    for share in row.shares
                    for value in (share.seconds, share.percent_of_logged_in)
                ),
                *(cell.seconds for cell in row.cells),
            ]

    def export_totals(self) -> dict:
        """The totals of the rows `cells` wrote, by column: each time summed exactly and rounded
        once, each share the summed time's share of the summed time logged in (not a sum of
        shares) — the page's totals."""
        codes, logged_in, times = self._exported
        totals = self._row("", ("", "", ""), logged_in, times, codes)
        header = self.export_header(codes)
        shares = (
            value
            for share in totals.shares
            for value in (share.seconds, share.percent_of_logged_in)
        )
        values = [
            totals.logged_in_seconds,
            *shares,
            *(cell.seconds for cell in totals.cells),
        ]
        return dict(zip(header[4:], values, strict=True))
