"""Report 1 (docs/reports.md): every status change that starts inside the window, one row each."""

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
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
from django.utils.translation import gettext_lazy as _

from agents.models import Agent, StatusEvent
from core.choices import AgentStatus
from core.durations import hms, whole_seconds

from .common import CodeFilter, Column, Report, ReportPage, code_q, order_fields
from .labels import choice_labels, code_or_reason_label_expression
from .sql import Microseconds, reading_database
from .window import Window


class StatusChangesReport(Report):
    """The status changes of a set of agents (None: every agent) starting inside a window and
    before `now`, with optional status and code filters."""

    columns = (
        Column(
            "timestamp",
            _("Time"),
            sort="started_at",
            kind="instant",
            accessor="started_at",
            xlsx="instant",
        ),
        Column("agent", _("Agent"), sort="agent_username", text=True, accessor="agent_username"),
        Column("group", _("Group"), sort="group_name", text=True, accessor="group_name"),
        Column("previous_status", _("Previous status"), sort="previous_status", text=True),
        Column("status", _("Status"), sort="status", text=True),
        Column("list", _("List"), sort="list_name", text=True, accessor="list_name"),
        Column("code", _("Code"), sort="code_key", text=True, accessor="code_key"),
        Column("code_label", _("Label"), sort="code_label", text=True),
        Column(
            "duration_seconds",
            _("Duration"),
            sort="duration_us",
            kind="number",
            accessor="duration_us",
        ),
        Column("ongoing", _("Ongoing"), sort="ongoing", kind="flag", xlsx="flag"),
        Column("source", _("Source"), sort="source", text=True),
        # Who acted when it was not the agent: a supervisor or an integration's user.
        Column(
            "changed_by",
            _("Changed by"),
            sort="changed_by_username",
            text=True,
            accessor="changed_by_username",
        ),
        # The statuses' labels in the reader's language, after the columns of the contract.
        Column("previous_status_label", _("Previous status"), on_page=False),
        Column("status_label", _("Status"), on_page=False),
        # `duration_seconds` as H:MM:SS, which the XLSX file writes as a time value.
        Column("duration", _("Duration"), on_page=False, xlsx="duration"),
    )
    # Newest first: what a supervisor looks for is what just happened.
    default_order = ("-timestamp", "agent")

    # The fields each row reads: the columns' accessors, the agent's name and the id.
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
        "changed_by_username",
    )

    def __init__(
        self,
        *,
        agents: QuerySet[Agent] | None,
        window: Window,
        now: datetime,
        statuses: Sequence[str] = (),
        code: CodeFilter = None,
        groups: Sequence[int] | QuerySet | None = None,
    ) -> None:
        self.window = window
        self.now = now
        self.status_labels = choice_labels(AgentStatus)
        self.changes = status_changes(
            agents=agents, window=window, now=now, statuses=statuses, code=code, groups=groups
        )

    def _with_columns(self, order: Sequence[str]) -> QuerySet:
        """The changes as dicts of the report's columns, sorted by `order`, then by time and
        agent. `duration_us` is the whole interval's length, up to `now` while ongoing."""
        now = Value(self.now, output_field=DateTimeField())
        return (
            self.changes.annotate(
                agent_username=F("agent__user__username"),
                agent_name=Trim(
                    Concat("agent__user__first_name", Value(" "), "agent__user__last_name")
                ),
                # The agent's group when the change happened.
                group_name=F("group__name"),
                list_name=Coalesce(F("code__code_list__name"), Value("")),
                # A system reason (missed, timeout, supervisor) shows as a code of no list.
                code_key=Coalesce(F("code__code"), F("system_reason"), Value("")),
                code_label=code_or_reason_label_expression("code", "system_reason"),
                changed_by_username=Coalesce(F("changed_by__username"), Value("")),
                duration_us=Microseconds(Coalesce("ended_at", now), "started_at"),
                ongoing=ExpressionWrapper(Q(ended_at__isnull=True), output_field=BooleanField()),
            )
            .order_by(*order_fields(order, self.ordering, self.default_order)[1])
            .values(*self.FIELDS)
        )

    def page(self, *, order: Sequence[str] = (), offset: int = 0, limit: int = 50) -> ReportPage:
        """Rows `offset` to `offset + limit` as dicts, and how many changes in all (two
        queries: the bare count is cheap, the columns are read for the page only)."""
        count = self.changes.count()
        rows = list(self._with_columns(order)[offset : offset + limit]) if count > offset else []
        return ReportPage(rows=rows, count=count, offset=offset)

    def rows(self, *, order: Sequence[str] = ()) -> Iterator[dict]:
        return self._with_columns(order).iterator(2000)

    def cells(self, *, order: Sequence[str] = ()) -> Iterator[list]:
        """Every change as the export's cells, read straight from the cursor in chunks.

        On a large export the ORM's conversions of each value cost more than the query itself:
        `started_at` is read as the UTC text or datetime the database gives, the durations as
        integers.
        """
        zone, labels = self.window.zone, self.status_labels
        columns = self._with_columns(order).values_list(*EXPORT_FIELDS)
        try:
            query, params = columns.query.sql_with_params()
        except EmptyResultSet:
            # A filter that can match nothing (a scope without agents): no SQL, no rows.
            return
        with connections[self.changes.db].chunked_cursor() as cursor:
            cursor.execute(query, params)
            names = [column[0] for column in cursor.description]
            in_export_order = itemgetter(*(names.index(field) for field in EXPORT_FIELDS))
            while chunk := cursor.fetchmany(5000):
                for result in chunk:
                    started_at, *middle, duration_us, ongoing, source, changed_by = in_export_order(
                        result
                    )
                    previous_status, status = middle[2], middle[3]
                    seconds = whole_seconds(int(duration_us))
                    yield [
                        # To the microsecond where the change has a fraction of a second: two
                        # changes in one second keep their order when the file is sorted.
                        _instant(started_at).astimezone(zone).isoformat(),
                        *middle,
                        seconds,
                        "true" if ongoing else "false",
                        source,
                        changed_by,
                        labels.get(previous_status, ""),
                        labels.get(status, ""),
                        hms(seconds),
                    ]


# What an export reads, in the order of the export's columns.
EXPORT_FIELDS = tuple(
    name for name in StatusChangesReport.FIELDS if name not in ("id", "agent_name")
)


def status_changes(
    *,
    agents: QuerySet[Agent] | None,
    window: Window,
    now: datetime,
    statuses: Sequence[str] = (),
    code: CodeFilter = None,
    groups: Sequence[int] | QuerySet | None = None,
) -> QuerySet[StatusEvent]:
    """The status changes of `agents` (None: every agent) starting inside `window` and before
    `now` while the agent was in one of `groups` (None: any group), with the status and code
    filters; bare events, cheap to count."""
    events = StatusEvent.objects.status_changes().filter(
        started_at__gte=window.start, started_at__lt=min(window.end, now)
    )
    if agents is not None:
        # The agents' ids rather than a subquery: SQLite has no statistics unless ANALYZE ran,
        # cannot tell how few agents a subquery returns, and would read the whole window in
        # time order to find one agent's changes (docs/performance.md, "Reports").
        events = events.filter(agent_id__in=list(agents.order_by().values_list("pk", flat=True)))
    if groups is not None:
        # `+ 0`: a condition, not an index to read by (SQLite would pick the (group, agent)
        # index and read the agents' whole history).
        events = events.alias(event_group=F("group_id") + 0).filter(event_group__in=groups)
    if statuses:
        events = events.filter(status__in=statuses)
    return events.filter(code_q(code, path="code")).using(reading_database())


def _instant(value: datetime | str) -> datetime:
    # SQLite hands back the UTC text it stored.
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value
