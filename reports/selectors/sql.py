"""The few SQL spellings that differ between SQLite and PostgreSQL, for the report queries.

(A reports replica, when configured, runs the same engine as the primary: the spellings are
chosen from the primary's connection.)

Report queries are hand-written SQL (a VALUES list of local days joined to the timeline is not
expressible with the ORM); everything they need from the database dialect is here. Durations
are exact integers of microseconds on both databases: PostgreSQL's EXTRACT(EPOCH ...) is an
exact numeric, and SQLite stores instants as text, whose whole seconds and fraction digits are
read separately (julianday() is a float and would drift by tens of microseconds).
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from django.db import connection, router
from django.db.models import BigIntegerField, Func, QuerySet

from agents.models import Agent, AgentGroup, StatusEvent
from reports.models import DayLoggedIn, DayTotal
from statuscodes.models import StatusCode, StatusCodeList

TABLES = {
    "events": StatusEvent._meta.db_table,
    "agents": Agent._meta.db_table,
    "groups": AgentGroup._meta.db_table,
    "users": Agent._meta.get_field("user").related_model._meta.db_table,
    "codes": StatusCode._meta.db_table,
    "lists": StatusCodeList._meta.db_table,
    "day_totals": DayTotal._meta.db_table,
    "day_logged_in": DayLoggedIn._meta.db_table,
}


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def reading_database() -> str:
    """The database the reports read: the replica inside `reports.routers.report_reads()` when
    one is configured, else the primary. The report objects keep it, so that an export
    streamed after the view has returned still reads where the page did."""
    return router.db_for_read(StatusEvent)


def table(name: str) -> str:
    return connection.ops.quote_name(TABLES[name])


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def not_for_index(column: str) -> str:
    """`column` written so that SQLite's planner does not pick an index for the condition.

    SQLite has no statistics unless ANALYZE ran: offered the (kind, status, started_at) index
    it prefers it to the agent's own index even for one agent (0.1 s instead of 2 ms). A unary
    plus is SQLite's documented way to take a term out of its index choice.
    """
    return column if is_postgresql() else f"+{column}"


def least(*expressions: str) -> str:
    return f"{'LEAST' if is_postgresql() else 'MIN'}({', '.join(expressions)})"


def greatest(*expressions: str) -> str:
    return f"{'GREATEST' if is_postgresql() else 'MAX'}({', '.join(expressions)})"


def sqlite_epoch_us(expression: str) -> str:
    # Stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC; strftime('%s') would round a fraction.
    return (
        f"(CAST(strftime('%%s', substr({expression}, 1, 19)) AS INTEGER) * 1000000"
        f" + CAST(substr({expression} || '.000000', 21, 6) AS INTEGER))"
    )


def sqlite_epoch_seconds(expression: str) -> str:
    """SQLite: the whole seconds since the epoch of the instant `expression`."""
    return f"CAST(strftime('%%s', substr({expression}, 1, 19)) AS INTEGER)"


def epoch_seconds(value: datetime) -> int:
    """The whole seconds since the epoch of `value` (an aware instant)."""
    delta = value - EPOCH
    return delta.days * 86_400 + delta.seconds


def duration_us(end: str, start: str) -> str:
    """SQL for the exact number of microseconds from instant `start` to instant `end`."""
    if is_postgresql():
        return f"CAST(EXTRACT(EPOCH FROM ({end}) - ({start})) * 1000000 AS BIGINT)"
    return f"({sqlite_epoch_us(end)} - {sqlite_epoch_us(start)})"


class Microseconds(Func):
    """ORM expression: the exact integer of microseconds from instant `start` to `end`.

    Django's own `end - start` is a Python function called for every row on SQLite.
    """

    arity = 2
    output_field = BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        (end, end_params), (start, start_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        if connection.vendor == "postgresql":
            return duration_us(end, start), [*end_params, *start_params]
        # The SQLite spelling reads each instant twice (whole seconds, then the fraction).
        return duration_us(end, start), [*end_params, *end_params, *start_params, *start_params]


def instant(value: datetime) -> tuple[str, object]:
    """A placeholder and parameter for an instant, typed so PostgreSQL never has to guess."""
    placeholder = "CAST(%s AS TIMESTAMP WITH TIME ZONE)" if is_postgresql() else "%s"
    return placeholder, connection.ops.adapt_datetimefield_value(value)


def integer(value: int) -> tuple[str, object]:
    placeholder = "CAST(%s AS INTEGER)" if is_postgresql() else "%s"
    return placeholder, value


def local_date(value: date) -> tuple[str, object]:
    placeholder = "CAST(%s AS DATE)" if is_postgresql() else "%s"
    return placeholder, connection.ops.adapt_datefield_value(value)


def as_date(value: date | str) -> date:
    """A date column as a date: SQLite returns the text it stored."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def values_list(rows: Iterable[Sequence[tuple[str, object]]]) -> tuple[str, list]:
    """`VALUES (...), (...)` from rows of (placeholder, parameter) pairs."""
    sql_rows, params = [], []
    for row in rows:
        sql_rows.append("(" + ", ".join(placeholder for placeholder, _ in row) + ")")
        params.extend(parameter for _, parameter in row)
    return "VALUES " + ", ".join(sql_rows), params


def in_list(values: Sequence[str]) -> tuple[str, list]:
    return "(" + ", ".join(["%s"] * len(values)) + ")", list(values)


def ids_in(ids: Sequence[int] | QuerySet) -> tuple[str, list]:
    """`(…)` for an IN condition on ids: a list of ids, or a queryset of one column of ids
    (embedded as a subquery: no query of its own)."""
    if isinstance(ids, QuerySet):
        ids_sql, ids_params = subquery(ids.order_by())
        return f"({ids_sql})", list(ids_params)
    return in_list(list(ids))


def subquery(queryset: QuerySet) -> tuple[str, tuple]:
    """The SQL of a queryset, to embed in a hand-written query."""
    return queryset.query.sql_with_params()
