"""The live board (docs/reports.md, "4. Live board"): where every agent in scope is now, and
what the reader may do about it.

Whether a code's time is up is `agents.timeline.time_in_status`, as on the agent console.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Trim
from django.utils.translation import gettext_lazy as _

from agents.models import Agent
from agents.selectors import agents_supervised_by, status_start_expression
from agents.services import SUPERVISOR_ACTIONS
from agents.timeline import time_in_status
from core.choices import AgentStatus, EventKind, OfferState
from statuscodes.models import StatusCode, StatusCodeList

from .common import CodeFilter, Column, Report, ReportPage, code_q, order_fields
from .labels import choice_labels, code_or_reason_label_expression
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
        # The offer ringing now, if any: its channel.
        Column("offer", _("Ringing"), sort="offer_channel", accessor="offer_channel"),
        Column("changed_by", _("Changed by"), sort="changed_by", text=True),
        # A supervisor's actions on the agent (page only; see `supervisor_actions`).
        Column("actions", _("Actions"), accessor="id", computed=True, exported=False),
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
        "offer_channel",
        "changed_by",
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
            ),
            # At most one offer per agent is pending (a database constraint).
            ringing=FilteredRelation("offers", condition=Q(offers__state=OfferState.PENDING)),
        ).annotate(
            agent_username=F("user__username"),
            agent_name=Trim(Concat("user__first_name", Value(" "), "user__last_name")),
            group_name=F("group__name"),
            status_now=Coalesce(F("current__status"), Value(AgentStatus.LOGGED_OUT.value)),
            # The time in status goes on across moves to another group (docs/timeline.md).
            since=Coalesce(
                status_start_expression("current", "started_at"), F("current__started_at")
            ),
            list_name=Coalesce(F("current__code__code_list__name"), Value("")),
            # A status the product set by itself shows its system reason as the code.
            code_key=Coalesce(F("current__code__code"), F("current__system_reason"), Value("")),
            code_label=code_or_reason_label_expression("current__code", "current__system_reason"),
            max_minutes=F("current__code__max_minutes"),
            offer_channel=Coalesce(F("ringing__channel"), Value("")),
            # Who put the agent in the status: after a move, not who moved them.
            changed_by=Coalesce(
                status_start_expression("current", "changed_by__username"), Value("")
            ),
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
                record["offer_channel"],
                record["changed_by"],
                labels.get(record["status_now"], ""),
            ]


@dataclass(frozen=True)
class SupervisorAction:
    """One action a supervisor may take on an agent from the board, with the codes of the
    agent's list offered for it (none: the change is recorded with the system reason
    `supervisor`)."""

    action: str
    codes: list[StatusCode]


def supervisor_actions(
    *, user: AbstractBaseUser, agent_ids: Iterable[int]
) -> dict[int, list[SupervisorAction]]:
    """The actions `user` may take on each of these agents: only the agents they supervise
    appear. A few queries whatever the number of agents: one per code list involved."""
    lists_of_agents = dict(
        agents_supervised_by(user=user)
        .filter(pk__in=list(agent_ids))
        .values_list("pk", "group__code_list_id")
    )
    lists = StatusCodeList.objects.filter(pk__in={pk for pk in lists_of_agents.values() if pk})
    actions_by_list = {code_list.pk: _actions_of(code_list) for code_list in lists}
    no_codes = [SupervisorAction(action, []) for action in SUPERVISOR_ACTIONS]
    return {
        agent_id: actions_by_list.get(list_id, no_codes)
        for agent_id, list_id in lists_of_agents.items()
    }


def _actions_of(code_list: StatusCodeList) -> list[SupervisorAction]:
    """The supervisor's actions with the codes `code_list` offers for each, in the drop-down's
    order."""
    codes = StatusCode.objects.offered(code_list=code_list).prefetch_related("actions")
    offered: dict[str, list[StatusCode]] = {action: [] for action in SUPERVISOR_ACTIONS}
    for code in codes:
        for action in code.actions.all():
            if action.pk in offered:
                offered[action.pk].append(code)
    return [SupervisorAction(action, offered[action]) for action in SUPERVISOR_ACTIONS]
