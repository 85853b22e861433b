"""The live board (docs/reports.md, "4. Live board"): where every agent in scope is now.

Whether a code's time is up is `agents.timeline.time_in_status`, as on the agent console.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import F, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Trim
from django.utils.translation import gettext_lazy as _

from agents.models import Agent
from agents.timeline import time_in_status
from core.choices import AgentStatus, EventKind

from .common import CodeFilter, Column, Report, ReportPage, code_q, order_fields
from .labels import choice_labels, code_label_expression
from .sql import reading_database


class LiveBoard(Report):
    """Every agent of a set with their ongoing interval now, with optional status and code
    filters; an agent with no recorded change is logged out, with no `since`."""

    columns = (
        Column("agent", _("Agent"), sort="agent_username", text=True, accessor="agent_username"),
        Column("group", _("Group"), sort="group_name", text=True, accessor="group_name"),
        Column("status", _("Status"), sort="status_now", text=True, accessor="status_now"),
        Column("list", _("List"), sort="list_name", text=True, accessor="list_name"),
        Column("code", _("Code"), sort="code_key", text=True, accessor="code_key"),
        Column("code_label", _("Label"), sort="code_label", text=True),
        Column("since", _("Since"), kind="instant", xlsx="instant"),
        # The longest time in status first: the earliest start.
        Column(
            "seconds_in_status",
            _("Time in status"),
            sort="since",
            kind="number",
            accessor="since",
            computed=True,
        ),
        Column("max_minutes", _("Max. minutes"), kind="number"),
        Column("exceeded", _("Exceeded"), accessor="since", computed=True, xlsx="flag"),
        # The status's label in the reader's language, after the columns of the contract.
        Column("status_label", _("Status"), on_page=False),
    )
    default_order = ("agent",)

    FIELDS = (
        "id",
        "agent_username",
        "agent_name",
        "group_name",
        "status_now",
        "list_name",
        "code_key",
        "code_label",
        "since",
        "max_minutes",
    )

    def __init__(
        self,
        *,
        agents: QuerySet[Agent],
        zone: ZoneInfo,
        now: datetime,
        statuses: Sequence[str] = (),
        code: CodeFilter = None,
    ) -> None:
        self.zone = zone
        self.now = now
        self.status_labels = choice_labels(AgentStatus)
        board = agents.annotate(
            current=FilteredRelation(
                "events", condition=Q(events__kind=EventKind.STATUS, events__ended_at__isnull=True)
            )
        ).annotate(
            agent_username=F("user__username"),
            agent_name=Trim(Concat("user__first_name", Value(" "), "user__last_name")),
            group_name=F("group__name"),
            status_now=Coalesce(F("current__status"), Value(AgentStatus.LOGGED_OUT.value)),
            since=F("current__started_at"),
            list_name=Coalesce(F("current__code__code_list__name"), Value("")),
            code_key=Coalesce(F("current__code__code"), Value("")),
            code_label=code_label_expression("current__code"),
            max_minutes=F("current__code__max_minutes"),
        )
        if statuses:
            board = board.filter(status_now__in=statuses)
        self.board = board.filter(code_q(code, path="current__code")).using(reading_database())

    def _sorted(self, order: Sequence[str]) -> QuerySet:
        return self.board.order_by(
            *order_fields(order, self.ordering, self.default_order)[1]
        ).values(*self.FIELDS)

    def page(self, *, order: Sequence[str] = (), offset: int = 0, limit: int = 50) -> ReportPage:
        count = self.board.count()
        rows = list(self._sorted(order)[offset : offset + limit]) if count > offset else []
        return ReportPage(rows=rows, count=count, offset=offset)

    def rows(self, *, order: Sequence[str] = ()) -> Iterator[dict]:
        return self._sorted(order).iterator(2000)

    def cells(self, *, order: Sequence[str] = ()) -> Iterator[list]:
        zone, now, labels = self.zone, self.now, self.status_labels
        for record in self.rows(order=order):
            since = record["since"]
            timing = time_in_status(since=since, max_minutes=record["max_minutes"], now=now)
            yield [
                record["agent_username"],
                record["group_name"],
                record["status_now"],
                record["list_name"],
                record["code_key"],
                record["code_label"],
                since.astimezone(zone).isoformat(timespec="seconds") if since else "",
                timing.seconds,
                record["max_minutes"],
                "true" if timing.exceeded else "false",
                labels.get(record["status_now"], ""),
            ]
