"""Report 1 (docs/reports.md): every status change that starts inside the window, one row each."""

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from operator import itemgetter

from django.db import connections
from django.db.models import (
    BooleanField,
    DateTimeField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, Concat, Trim

from agents.models import Agent, StatusEvent

from .common import CodeFilter, code_q, order_fields
from .labels import code_label_expression
from .sql import Microseconds, reading_database
from .window import Window

# Sortable columns of the report and the fields they sort by.
ORDERING = {
    "timestamp": "started_at",
    "agent": "agent_username",
    "group": "group_name",
    "previous_status": "previous_status",
    "status": "status",
    "list": "list_name",
    "code": "code_key",
    "code_label": "code_label",
    "duration_seconds": "duration_us",
    "ongoing": "ongoing",
    "source": "source",
}
DEFAULT_ORDER = ("timestamp", "agent")

FIELDS = (
    "id",
    "started_at",
    "agent_username",
    "agent_name",
    "group_name",
    "previous_status",
    "status",
    "list_name",
    "code_key",
    "code_label",
    "duration_us",
    "ongoing",
    "source",
)


def status_changes(
    *,
    agents: QuerySet[Agent] | None,
    window: Window,
    now: datetime,
    statuses: Sequence[str] = (),
    code: CodeFilter = None,
) -> QuerySet[StatusEvent]:
    """The status changes of `agents` (None: every agent) starting inside `window` and before
    `now`, with the status and code filters; bare events, cheap to count."""
    events = StatusEvent.objects.status_changes().filter(
        started_at__gte=window.start, started_at__lt=min(window.end, now)
    )
    if agents is not None:
        # The agents' ids rather than a subquery: SQLite has no statistics unless ANALYZE ran,
        # cannot tell how few agents a subquery returns, and would read the whole window in
        # time order to find one agent's changes (docs/performance.md, "Reports").
        events = events.filter(agent_id__in=list(agents.order_by().values_list("pk", flat=True)))
    if statuses:
        events = events.filter(status__in=statuses)
    return events.filter(code_q(code, path="code")).using(reading_database())


def with_report_columns(
    changes: QuerySet[StatusEvent], *, now: datetime, order: Sequence[str] = ()
) -> QuerySet:
    """`changes` as dicts of the report's columns, sorted by `order` (ORDERING's names), then
    by time and agent.

    `duration_us` is the whole interval's length in microseconds, up to `now` while ongoing.
    """
    return (
        changes.annotate(
            agent_username=F("agent__user__username"),
            agent_name=Trim(
                Concat("agent__user__first_name", Value(" "), "agent__user__last_name")
            ),
            group_name=F("agent__group__name"),
            list_name=Coalesce(F("code__code_list__name"), Value("")),
            code_key=Coalesce(F("code__code"), Value("")),
            code_label=code_label_expression("code"),
            duration_us=Microseconds(
                Coalesce("ended_at", Value(now, output_field=DateTimeField())), "started_at"
            ),
            ongoing=ExpressionWrapper(Q(ended_at__isnull=True), output_field=BooleanField()),
        )
        .order_by(*order_fields(order, ORDERING, DEFAULT_ORDER)[1])
        .values(*FIELDS)
    )


# The columns of an export (docs/reports.md): the page's, less the id and the name.
EXPORT_FIELDS = tuple(name for name in FIELDS if name not in ("id", "agent_name"))


def status_change_rows(
    changes: QuerySet[StatusEvent], *, now: datetime, order: Sequence[str] = ()
) -> Iterator[tuple]:
    """Every row of `changes` as a tuple of EXPORT_FIELDS, in `order`, read from the cursor in
    chunks.

    On a large export the ORM's conversions of each value cost more than the query itself, so
    the rows are read straight from the cursor: `started_at` as an aware datetime, `duration`
    and `duration_us` as integers.
    """
    columns = with_report_columns(changes, now=now, order=order).values_list(*EXPORT_FIELDS)
    query, params = columns.query.sql_with_params()
    with connections[changes.db].chunked_cursor() as cursor:
        cursor.execute(query, params)
        names = [column[0] for column in cursor.description]
        in_export_order = itemgetter(*(names.index(field) for field in EXPORT_FIELDS))
        while chunk := cursor.fetchmany(5000):
            for result in chunk:
                started_at, *middle, duration_us, ongoing, source = in_export_order(result)
                yield (_instant(started_at), *middle, int(duration_us), bool(ongoing), source)


def _instant(value: datetime | str) -> datetime:
    # SQLite hands back the UTC text it stored.
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value
