"""Report 3 (docs/reports.md): rejections inside the window by local date, agent, channel and
code."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connections
from django.db.models import QuerySet

from agents.models import Agent
from core.choices import Channel, EventKind

from . import sql
from .common import CodeFilter, GroupedReport, ReportPage, code_condition, order_clause
from .labels import code_label_sql
from .window import Window

ORDERING = {
    "date": "local_date",
    "agent": "username",
    "group": "group_name",
    "channel": "channel",
    "list": "list_name",
    "code": "code",
    "code_label": "code_label",
    "count": "count",
}
DEFAULT_ORDER = ("date", "agent", "channel", "list", "code")


@dataclass(frozen=True, slots=True)
class RejectionRow:
    """How many interactions one agent rejected on one local date, on one channel, with one code."""

    date: date
    agent: str
    agent_name: str
    group: str
    channel: str
    list: str
    code: str
    code_label: str
    count: int


@dataclass(frozen=True, slots=True)
class RejectionSubtotal:
    key: str
    label: str
    count: int


COLUMNS = (
    "section",
    "row_count",
    "local_date",
    "username",
    "agent_name",
    "group_name",
    "channel",
    "list_name",
    "code",
    "code_label",
    "count",
)
ROW_COLUMNS = COLUMNS[2:]


class RejectionsReport(GroupedReport):
    """The report for a set of agents (None: every agent), a window and optional channel and
    code filters."""

    ordering = ORDERING
    default_order = DEFAULT_ORDER
    row_columns = ROW_COLUMNS

    def __init__(
        self,
        *,
        agents: QuerySet[Agent] | None,
        window: Window,
        now: datetime,
        channels: Sequence[str] = (),
        code: CodeFilter = None,
    ) -> None:
        self.agents = agents
        self.days = window.days(now=now)
        self.channels = [channel for channel in channels if channel in Channel.values]
        self.code = code
        self.database = sql.reading_database()

    def _is_empty(self) -> bool:
        return not self.days

    def _report_rows(self) -> tuple[str, list]:
        """The WITH clause ending in `report_rows`, and its parameters."""
        days_values, days_params = sql.values_list(
            (sql.local_date(day.local_date), sql.instant(day.start), sql.instant(day.end))
            for day in self.days
        )
        scope_sql, scope_params = "", []
        if self.agents is not None:
            # Only when it narrows: SQLite would otherwise probe each agent's rejections day by
            # day, 30,000 probes for 1,000 agents and 30 days (docs/performance.md, "Reports").
            scope_sql, scope_params = sql.subquery(self.agents.order_by().values("pk"))
            scope_sql = f" AND e.agent_id IN ({scope_sql})"
        channel_sql, channel_params = "", []
        if self.channels:
            channel_sql, channel_params = sql.in_list(self.channels)
            channel_sql = f" AND e.channel IN {channel_sql}"
        code_sql, code_params = code_condition(self.code, column="e.code_id")
        with_clause = f"""
        WITH days (local_date, day_start, day_end) AS ({days_values}),
        buckets AS (
            SELECT d.local_date, e.agent_id, e.channel, e.code_id, COUNT(*) AS count
            FROM days d
            JOIN {sql.table("events")} e
              ON e.started_at >= d.day_start AND e.started_at < d.day_end
            WHERE e.kind = '{EventKind.REJECTION}'{scope_sql}{channel_sql}{code_sql}
            GROUP BY d.local_date, e.agent_id, e.channel, e.code_id
        ),
        report_rows AS MATERIALIZED (
            SELECT b.local_date, u.username,
                   TRIM(u.first_name || ' ' || u.last_name) AS agent_name,
                   g.name AS group_name, b.channel,
                   COALESCE(l.name, '') AS list_name, COALESCE(c.code, '') AS code,
                   COALESCE({code_label_sql("c")}, '') AS code_label, b.count
            FROM buckets b
            JOIN {sql.table("agents")} a ON a.id = b.agent_id
            JOIN {sql.table("users")} u ON u.id = a.user_id
            JOIN {sql.table("groups")} g ON g.id = a.group_id
            LEFT JOIN {sql.table("codes")} c ON c.id = b.code_id
            LEFT JOIN {sql.table("lists")} l ON l.id = c.code_list_id
        )"""
        return with_clause, [*days_params, *scope_params, *channel_params, *code_params]

    def page(self, *, order: Sequence[str] = (), offset: int = 0, limit: int = 50) -> ReportPage:
        """Rows `offset` to `offset + limit` in `order`, with subtotals by channel and by code
        and the total, in one query."""
        accepted, order_sql = order_clause(order, ORDERING, DEFAULT_ORDER)
        summary = {"order": accepted, "total": 0, "by_channel": [], "by_code": []}
        if self._is_empty():
            return ReportPage(rows=[], count=0, offset=offset, summary=summary)
        with_clause, params = self._report_rows()
        query = f"""{with_clause}
        SELECT * FROM (
        SELECT * FROM (
            SELECT 'row' AS section, 0 AS row_count, local_date, username, agent_name,
                   group_name, channel,
                   list_name, code, code_label, count
            FROM report_rows ORDER BY {order_sql} LIMIT %s OFFSET %s) page_rows
        UNION ALL
        SELECT 'channel', NULL, NULL, NULL, NULL, NULL, channel, NULL, NULL, NULL,
               SUM(count)
        FROM report_rows GROUP BY channel
        UNION ALL
        SELECT 'code', NULL, NULL, NULL, NULL, NULL, NULL, list_name, code, code_label,
               SUM(count)
        FROM report_rows GROUP BY list_name, code, code_label
        UNION ALL
        SELECT 'total', COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               SUM(count)
        FROM report_rows
        ) sections
        -- The page's rows first, in their order (see TimeByCodeReport.page).
        ORDER BY CASE WHEN section = 'row' THEN 0 ELSE 1 END, {order_sql}"""
        with connections[self.database].cursor() as cursor:
            cursor.execute(query, [*params, limit, offset])
            results = cursor.fetchall()
        page_rows, count = [], 0
        for result in results:
            values = dict(zip(COLUMNS, result, strict=True))
            section, figure = values["section"], int(values["count"] or 0)
            if section == "row":
                page_rows.append(_row(values))
            elif section == "channel":
                label = str(Channel(values["channel"]).label)
                summary["by_channel"].append(RejectionSubtotal(values["channel"], label, figure))
            elif section == "code":
                key = f"{values['list_name']} / {values['code']}" if values["code"] else ""
                summary["by_code"].append(RejectionSubtotal(key, values["code_label"], figure))
            else:
                count = int(values["row_count"])
                summary["total"] = figure
        summary["by_channel"].sort(key=lambda subtotal: Channel.values.index(subtotal.key))
        summary["by_code"].sort(key=lambda subtotal: (-subtotal.count, subtotal.key))
        return ReportPage(rows=page_rows, count=count, offset=offset, summary=summary)

    def _row(self, values: dict) -> RejectionRow:
        return _row(values)


def _row(values: dict) -> RejectionRow:
    return RejectionRow(
        date=sql.as_date(values["local_date"]),
        agent=values["username"],
        agent_name=values["agent_name"],
        group=values["group_name"],
        channel=values["channel"],
        list=values["list_name"],
        code=values["code"],
        code_label=values["code_label"],
        count=int(values["count"]),
    )
