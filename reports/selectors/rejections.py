"""Report 3 (docs/reports.md): rejections inside the window by local date, agent, channel and
code."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agents.models import Agent
from core.choices import Channel, EventKind

from . import sql
from .common import CodeFilter, Column, Cte, PeriodReport, ReportPage, code_condition, order_clause
from .labels import choice_labels, code_label_sql, reason_label_sql
from .window import Granularity, Window


@dataclass(frozen=True, slots=True)
class RejectionRow:
    """How many interactions one agent rejected in one period (a local date by default), on one
    channel, with one code."""

    date: date
    period: str
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


ROW_COLUMNS = (
    "period",
    "username",
    "agent_name",
    "group_name",
    "channel",
    "list_name",
    "code",
    "code_label",
    "count",
)
COLUMNS = ("section", "row_count", *ROW_COLUMNS)


class RejectionsReport(PeriodReport):
    """The report for a set of agents (None: every agent), a window and optional channel and
    code filters."""

    columns = (
        Column("date", _("Date"), sort="period", kind="date", xlsx="date"),
        Column("agent", _("Agent"), sort="username", text=True),
        Column("group", _("Group"), sort="group_name", text=True),
        Column("channel", _("Channel"), sort="channel", text=True),
        Column("list", _("List"), sort="list_name", text=True),
        Column("code", _("Code"), sort="code", text=True),
        Column("code_label", _("Label"), sort="code_label", text=True),
        Column("count", _("Count"), sort="count", kind="number"),
        # The channel's label in the reader's language, after the columns of the contract.
        Column("channel_label", _("Channel"), on_page=False),
    )
    default_order = ("date", "agent", "group", "channel", "list", "code")
    row_columns = ROW_COLUMNS

    def __init__(
        self,
        *,
        agents: QuerySet[Agent] | None,
        window: Window,
        now: datetime,
        granularity: str = Granularity.DAY,
        channels: Sequence[str] = (),
        code: CodeFilter = None,
        groups: Sequence[int] | QuerySet | None = None,
    ) -> None:
        self.agents = agents
        # The groups whose rejections are counted, by the agent's group at the time (None:
        # every group).
        self.groups = groups
        self._cut_into_periods(window, granularity, now=now)
        self.channels = [channel for channel in channels if channel in Channel.values]
        self.code = code
        self.database = sql.reading_database()
        self.channel_labels = choice_labels(Channel)
        # The rejections the export wrote, for its totals row.
        self._exported = 0

    def _is_empty(self) -> bool:
        return not self.periods

    def _steps(self) -> list[Cte]:
        return [self._periods(), self._buckets(), self._report_rows()]

    def _buckets(self) -> Cte:
        """The rejections counted per local date, agent, channel and code."""
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
        group_sql, group_params = "", []
        if self.groups is not None:
            group_sql, group_params = sql.ids_in(self.groups)
            group_sql = f" AND {sql.not_for_index('e.group_id')} IN {group_sql}"
        return Cte(
            "buckets",
            f"""
            SELECT d.period, e.agent_id, e.group_id, e.channel, e.code_id, e.system_reason,
                   COUNT(*) AS count
            FROM periods d
            JOIN {sql.table("events")} e
              ON e.started_at >= d.period_start AND e.started_at < d.period_end
            WHERE e.kind = '{EventKind.REJECTION}'{scope_sql}{channel_sql}{code_sql}{group_sql}
            GROUP BY d.period, e.agent_id, e.group_id, e.channel, e.code_id, e.system_reason""",
            [*scope_params, *channel_params, *code_params, *group_params],
        )

    def _report_rows(self) -> Cte:
        """The buckets with names and labels; a missed offer shows its system reason as the
        code, with no list."""
        reason_sql, reason_params = reason_label_sql("b.system_reason")
        return Cte(
            "report_rows",
            f"""
            SELECT b.period, u.username,
                   TRIM(u.first_name || ' ' || u.last_name) AS agent_name,
                   g.name AS group_name, b.channel,
                   COALESCE(l.name, '') AS list_name,
                   COALESCE(c.code, b.system_reason, '') AS code,
                   COALESCE({reason_sql}, {code_label_sql("c")}, '') AS code_label, b.count
            FROM buckets b
            JOIN {sql.table("agents")} a ON a.id = b.agent_id
            JOIN {sql.table("users")} u ON u.id = a.user_id
            JOIN {sql.table("groups")} g ON g.id = b.group_id
            LEFT JOIN {sql.table("codes")} c ON c.id = b.code_id
            LEFT JOIN {sql.table("lists")} l ON l.id = c.code_list_id""",
            reason_params,
            materialized=True,
        )

    def page(self, *, order: Sequence[str] = (), offset: int = 0, limit: int = 50) -> ReportPage:
        """Rows `offset` to `offset + limit` in `order`, with subtotals by channel and by code
        and the total, in one query."""
        accepted, order_sql = order_clause(order, self.ordering, self.default_order)
        summary = {"order": accepted, "total": 0, "by_channel": [], "by_code": []}
        if self._is_empty():
            return ReportPage(rows=[], count=0, offset=offset, summary=summary)
        sections = """
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
        FROM report_rows"""
        results = self._read_sections(sections, order_sql, offset=offset, limit=limit)
        page_rows, count = [], 0
        for result in results:
            values = dict(zip(COLUMNS, result, strict=True))
            section, figure = values["section"], int(values["count"] or 0)
            if section == "row":
                page_rows.append(self._row(values))
            elif section == "channel":
                label = str(Channel(values["channel"]).label)
                summary["by_channel"].append(RejectionSubtotal(values["channel"], label, figure))
            elif section == "code":
                key = _code_key(values["list_name"], values["code"])
                summary["by_code"].append(RejectionSubtotal(key, values["code_label"], figure))
            else:
                count = int(values["row_count"])
                summary["total"] = figure
        summary["by_channel"].sort(key=lambda subtotal: Channel.values.index(subtotal.key))
        summary["by_code"].sort(key=lambda subtotal: (-subtotal.count, subtotal.key))
        return ReportPage(rows=page_rows, count=count, offset=offset, summary=summary)

    def _row(self, values: dict) -> RejectionRow:
        period = self.periods[values["period"]]
        return RejectionRow(
            date=period.first_date,
            period=period.label,
            agent=values["username"],
            agent_name=values["agent_name"],
            group=values["group_name"],
            channel=values["channel"],
            list=values["list_name"],
            code=values["code"],
            code_label=values["code_label"],
            count=int(values["count"]),
        )

    def _cells(self, values: tuple) -> list:
        period, agent, _name, group, channel, code_list, code, label, count = values
        self._exported += int(count)
        return [
            self.labels[period],
            agent,
            group,
            channel,
            code_list,
            code,
            label,
            int(count),
            self.channel_labels.get(channel, ""),
        ]

    def cells(self, *, order: Sequence[str] = ()) -> Iterator[list]:
        self._exported = 0
        return super().cells(order=order)

    def export_totals(self) -> dict:
        return {"count": self._exported}


def _code_key(list_name: str, code: str) -> str:
    """How the subtotals name a code: `list / key`, a system reason by its key alone."""
    if not code:
        return ""
    return f"{list_name} / {code}" if list_name else code
