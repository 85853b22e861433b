"""The live board (docs/reports.md, "4. Live board"): where every agent in scope is now.

Whether a code's time is up is `agents.timeline.time_in_status`, as on the agent console.
"""

from collections.abc import Sequence

from django.db.models import F, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Trim

from agents.models import Agent
from core.choices import AgentStatus, EventKind

from .common import CodeFilter, code_q, order_fields
from .labels import code_label_expression
from .sql import reading_database

ORDERING = {
    "agent": "agent_username",
    "group": "group_name",
    "status": "status_now",
    "list": "list_name",
    "code": "code_key",
    "code_label": "code_label",
    # The longest time in status first: the earliest start.
    "seconds_in_status": "since",
}
DEFAULT_ORDER = ("agent",)

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


def live_board(
    *,
    agents: QuerySet[Agent],
    statuses: Sequence[str] = (),
    code: CodeFilter = None,
    order: Sequence[str] = (),
) -> QuerySet:
    """Every agent of `agents` with their ongoing interval, as dicts, sorted by `order`
    (ORDERING's names) then by username.

    An agent with no recorded change is logged out, with no `since`.
    """
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
    return (
        board.filter(code_q(code, path="current__code"))
        .using(reading_database())
        .order_by(*order_fields(order, ORDERING, DEFAULT_ORDER)[1])
        .values(*FIELDS)
    )
