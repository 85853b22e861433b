"""What the report selectors share: the code filter and the sort order (each spelt for SQL and
for the ORM from one rule), and the shape of every report — its column spec, `page()`, `rows()`
and `cells()`."""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import ClassVar

from django.db import connections
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from statuscodes.models import StatusCode

from . import sql
from .window import Granularity, Period, Window, periods

# The finest step of every period's bounds, in seconds, and how many of them a window may
# have for its periods to be found by equality (a year has 35,136).
QUARTER_HOUR = 900
MAX_QUARTER_HOURS = 40_000
# From this many periods on, SQLite finds each interval's period through its quarter hour
# rather than reading the window's intervals period by period (one probe per agent and period).
MANY_PERIODS = 100

# The code filter's value that selects intervals and rejections recorded without a code.
NO_CODE = "none"

# What the code filter holds: codes, "no code" (NO_CODE), or both, as a sequence; one code or
# NO_CODE alone; empty or None for any code.
CodeFilter = Sequence[StatusCode | str] | StatusCode | str | None


def _code_lookup(code: CodeFilter) -> tuple[list[int], bool] | None:
    """The code filter as the ids of the codes chosen and whether "no code" is chosen; None when
    it selects any code."""
    if code is None:
        return None
    chosen = [code] if isinstance(code, StatusCode | str) else list(code)
    if not chosen:
        return None
    return [item.pk for item in chosen if item != NO_CODE], NO_CODE in chosen


def code_q(code: CodeFilter, *, path: str) -> Q:
    """The code filter as an ORM condition on the code at `path` (e.g. `current__code`)."""
    lookup = _code_lookup(code)
    if lookup is None:
        return Q()
    ids, no_code = lookup
    none = Q(**{f"{path}__isnull": True})
    if not ids:
        return none
    chosen = Q(**{f"{path}__in": ids})
    return chosen | none if no_code else chosen


def code_condition(code: CodeFilter, *, column: str) -> tuple[str, list]:
    """The code filter as SQL on the code id `column`, to add to a WHERE clause."""
    lookup = _code_lookup(code)
    if lookup is None:
        return "", []
    ids, no_code = lookup
    terms = [f"{column} IS NULL"] if no_code else []
    if ids:
        terms.append(f"{column} IN ({', '.join(['%s'] * len(ids))})")
    return f" AND ({' OR '.join(terms)})", ids


def sort_terms(
    order: Sequence[str], columns: Mapping[str, str], default: Sequence[str]
) -> tuple[tuple[str, ...], list[tuple[str, bool]]]:
    """How a table is sorted by `order` (column names of `columns`, '-' for descending).

    Unknown names are dropped (they come from the URL); the `default` order follows as
    tie-break so that pages never overlap, each column once. Returns the accepted names and
    the terms, (what `columns` sorts the column by, descending or not), for `order_clause`
    (SQL) and `order_fields` (ORM).
    """
    accepted = tuple(name for name in order if name.lstrip("-") in columns)
    terms, seen = [], set()
    for name in (*accepted, *default):
        bare = name.lstrip("-")
        if bare in seen:
            continue
        seen.add(bare)
        terms.append((columns[bare], name.startswith("-")))
    return accepted, terms


def order_clause(
    order: Sequence[str], columns: Mapping[str, str], default: Sequence[str]
) -> tuple[tuple[str, ...], str]:
    """`sort_terms` as the SQL of an ORDER BY: the accepted names and the SQL."""
    accepted, terms = sort_terms(order, columns, default)
    return accepted, ", ".join(
        f"{sql} {'DESC' if descending else 'ASC'}" for sql, descending in terms
    )


def order_fields(
    order: Sequence[str], columns: Mapping[str, str], default: Sequence[str]
) -> tuple[tuple[str, ...], list[str]]:
    """`sort_terms` for the ORM: the accepted names and the fields to `order_by()`."""
    accepted, terms = sort_terms(order, columns, default)
    return accepted, [("-" if descending else "") + field for field, descending in terms]


@dataclass(frozen=True)
class Column:
    """One column of a report, from which the page's table, the sort order and the export's
    header are derived.

    `name` is the key of the column everywhere: the `sort` parameter, the export's header, the
    table's column. `sort` is what the column sorts by (SQL for the SQL reports, a field for the
    ORM ones); None makes it unsortable. `text` marks cells that may hold text typed by people
    (names, labels): only those can start a spreadsheet formula, so only those are neutralised.
    `kind` says how the page's table shows it (`text`, `number`, `date`, `period`, `instant`,
    `flag`);
    `accessor` where the table reads it, when not `name`; a `computed` cell is worked out from
    the row even where its value is empty. A column is on the page, in the export, or both.
    `xlsx` says how the XLSX file types the export's cell (reports.exports): `date`, `instant`
    (ISO text with an offset, written as the local date and time), `duration` (`H:MM:SS`, written
    as a time value), `flag` (`true`/`false`, written as a boolean), or as it is.
    """

    name: str
    header: Promise | str
    sort: str | None = None
    text: bool = False
    kind: str = "text"
    accessor: str | None = None
    computed: bool = False
    on_page: bool = True
    exported: bool = True
    xlsx: str = ""


@dataclass
class ReportPage:
    """One page of a report's rows, the number of rows in all, and the report's summaries."""

    rows: list
    count: int
    offset: int
    summary: dict = field(default_factory=dict)


class Report:
    """The shape of every report: a column spec and three ways to read the rows.

    - `page(order=, offset=, limit=)`: one page of rows for the table, with the count and
      the summaries (`ReportPage`);
    - `rows(order=)`: every row, as the page shows it (a row object or a dict);
    - `cells(order=)`: every row as the export's cells, in the order of `export_columns`.

    `order` is a sequence of column names (`-` for descending); unknown names are dropped and
    `default_order` breaks ties. From `columns` the class derives `ordering` (name → what it
    sorts by), `export_columns`, `export_header` and `text_indexes` (the export's cells that
    are neutralised).
    """

    columns: ClassVar[tuple[Column, ...]]
    default_order: ClassVar[tuple[str, ...]]
    ordering: ClassVar[dict[str, str]]
    export_columns: ClassVar[tuple[Column, ...]]
    export_header: ClassVar[tuple[str, ...]]
    page_columns: ClassVar[tuple[Column, ...]]
    text_indexes: ClassVar[tuple[int, ...]]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "columns" in cls.__dict__:
            _derive(cls, cls.columns)

    def _use_columns(self, columns: tuple[Column, ...]) -> None:
        """This report's own columns, where a parameter changes the spec (a granularity)."""
        _derive(self, columns)

    def accepted_order(self, order: Sequence[str]) -> tuple[str, ...]:
        """The names of `order` that are sortable columns (what the table shows as sorted)."""
        return sort_terms(order, self.ordering, self.default_order)[0]

    def page(self, *, order: Sequence[str] = (), offset: int = 0, limit: int = 50) -> ReportPage:
        raise NotImplementedError

    def rows(self, *, order: Sequence[str] = ()) -> Iterator:
        raise NotImplementedError

    def cells(self, *, order: Sequence[str] = ()) -> Iterator[list]:
        raise NotImplementedError

    def export_totals(self) -> dict | None:
        """The totals of the rows `cells()` gave, by export column name, for the XLSX file's
        totals row; None for a report without totals."""
        return None


def _derive(target, columns: tuple[Column, ...]) -> None:
    """Set on a report class or instance what its column spec gives."""
    target.columns = columns
    target.ordering = {column.name: column.sort for column in columns if column.sort}
    target.export_columns = tuple(column for column in columns if column.exported)
    target.export_header = tuple(column.name for column in target.export_columns)
    target.page_columns = tuple(column for column in columns if column.on_page)
    target.text_indexes = tuple(
        index for index, column in enumerate(target.export_columns) if column.text
    )


@dataclass(frozen=True)
class Cte:
    """One named step of a report's WITH clause, with its parameters in the order they appear."""

    name: str
    sql: str
    params: Sequence = ()
    materialized: bool = False
    # Refers to itself (WITH RECURSIVE): SQLite and PostgreSQL allow other steps beside it.
    recursive: bool = False


def with_clause(steps: Sequence[Cte]) -> tuple[str, list]:
    """The WITH clause of `steps`, in order, and its parameters."""
    parts, params = [], []
    for step in steps:
        keyword = " AS MATERIALIZED" if step.materialized else " AS"
        parts.append(f"{step.name}{keyword} ({step.sql})")
        params.extend(step.params)
    keyword = "WITH RECURSIVE " if any(step.recursive for step in steps) else "WITH "
    return keyword + ",\n".join(parts), params


class SqlReport(Report):
    """A report whose rows are the `report_rows` step of one WITH clause (time by code,
    rejections): the page, the subtotals and the totals are read in one statement, the export
    from a server-side cursor in chunks."""

    # The columns `report_rows` gives a row, in the order of the row's tuple.
    row_columns: ClassVar[tuple[str, ...]]
    database: str

    def _is_empty(self) -> bool:
        raise NotImplementedError

    def _steps(self) -> list[Cte]:
        """The named steps of the WITH clause; the last is `report_rows`."""
        raise NotImplementedError

    def _row(self, values: dict):
        raise NotImplementedError

    def _cells(self, values: tuple) -> list:
        """A row tuple as the export's cells, in the order of `export_columns`."""
        raise NotImplementedError

    def rows(self, *, order: Sequence[str] = ()) -> Iterator:
        """Every row in `order` as a row object, read from the database in chunks."""
        for values in self.row_values(order=order):
            yield self._row(dict(zip(self.row_columns, values, strict=True)))

    def cells(self, *, order: Sequence[str] = ()) -> Iterator[list]:
        # Straight from the cursor: a row object per line would cost more than the query.
        return map(self._cells, self.row_values(order=order))

    def row_values(self, *, order: Sequence[str] = ()) -> Iterator[tuple]:
        """Every row in `order` as a tuple of `row_columns`, straight from the cursor."""
        if self._is_empty():
            return
        _, order_sql = order_clause(order, self.ordering, self.default_order)
        clause, params = with_clause(self._steps())
        yield from stream_report_rows(
            database=self.database,
            with_clause=clause,
            params=params,
            columns=self.row_columns,
            order_sql=order_sql,
        )

    def _read_sections(
        self,
        sections_sql: str,
        order_sql: str,
        *,
        offset: int,
        limit: int,
        extra: Sequence = (),
        steps: Sequence | None = None,
        page_rows: str | None = None,
    ):
        """The page's rows (sorted, cut by the database) followed by the summary `sections`,
        in one statement over `report_rows` (and the `extra` steps the sections read).

        `steps` replaces the report's own steps (and `extra`), and `page_rows` the page's rows
        when the steps have already cut them (a query giving `row_columns`)."""
        if steps is None:
            steps = [*self._steps(), *extra]
        clause, params = with_clause(steps)
        if page_rows is None:
            columns = ", ".join(self.row_columns)
            page_rows = f"SELECT {columns} FROM report_rows ORDER BY {order_sql} LIMIT %s OFFSET %s"
            params = [*params, limit, offset]
        query = f"""{clause}
        SELECT * FROM (
        SELECT * FROM (
            SELECT 'row' AS section, 0 AS row_count, r.* FROM ({page_rows}) r) page_rows
        {sections_sql}
        ) sections
        -- The page's rows first, in their order (sorting the few rows of the union is cheap;
        -- numbering all the report's rows instead would defeat the database's top-N sort).
        ORDER BY CASE WHEN section = 'row' THEN 0 ELSE 1 END, {order_sql}"""
        with connections[self.database].cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()


def stream_report_rows(
    *, database: str, with_clause: str, params: list, columns: Sequence[str], order_sql: str
) -> Iterator[tuple]:
    """Every row of a report's `report_rows` as a tuple of `columns`, in `order_sql`, read from
    a server-side cursor in chunks (exports stay flat in memory)."""
    query = f"{with_clause} SELECT {', '.join(columns)} FROM report_rows ORDER BY {order_sql}"
    with connections[database].chunked_cursor() as cursor:
        cursor.execute(query, params)
        while chunk := cursor.fetchmany(2000):
            yield from chunk


class PeriodReport(SqlReport):
    """A SQL report by period (time by code, rejections): its rows are per period of the
    window at a granularity (docs/reports.md, "Granularity"), a local date by default.

    The periods are computed in Python (`window.periods()`) and handed to the query as the step
    `periods (period, period_start, period_end)`, numbered in time order: rows sort by that
    number, and the number gives the period's label. With a granularity other than `day`, the
    spec's first column `date` becomes `period`.
    """

    periods: list[Period]
    granularity: str

    def _cut_into_periods(self, window: Window, granularity: str, *, now: datetime) -> None:
        self.granularity = granularity
        self.periods = periods(window, granularity, now=now)
        if granularity != Granularity.DAY:
            date_column, *rest = self.columns
            period_column = replace(
                date_column, name="period", header=_("Period"), kind="period", accessor="period"
            )
            self._use_columns((period_column, *rest))
            self.default_order = tuple(
                "period" if name == date_column.name else name for name in self.default_order
            )

    @cached_property
    def labels(self) -> list[str]:
        return [period.label for period in self.periods]

    def _periods(self) -> Cte:
        values, params = sql.values_list(
            (sql.integer(index), sql.instant(period.start), sql.instant(period.end))
            for index, period in enumerate(self.periods)
        )
        # Materialized: the later parts of an interval are found by the period's number.
        return Cte("periods (period, period_start, period_end)", values, params, materialized=True)

    # --- finding an instant's period by equality --------------------------------------------
    #
    # A range join of the events with the periods costs one index probe per agent and period
    # (3 million for 1,000 agents at 15 minutes over a month). Instead the window's events are
    # read once and each one's period is looked up by equality: on PostgreSQL by a binary
    # search of the periods' starts (`width_bucket`), on SQLite through the UTC quarter hour
    # the instant is in, as every period of every grain starts on a UTC quarter hour in today's
    # zones (docs/performance.md, "Every grain, each interval's period found by equality").

    def _periods_in_quarter_hours(self) -> bool:
        """Whether the periods are many (the quarter hours cost about 10 ms to lay out: with
        few periods, reading each one's events is cheaper), every period starts on a UTC
        quarter hour (not so for a zone's offset of other minutes, as some had before 1980) and
        the window has few enough of them."""
        if len(self.periods) < MANY_PERIODS:
            return False
        units = 0
        for period in self.periods:
            start, end = sql.epoch_seconds(period.start), sql.epoch_seconds(period.end)
            if start % QUARTER_HOUR:
                return False
            units += -(-end // QUARTER_HOUR) - start // QUARTER_HOUR
        return units <= MAX_QUARTER_HOURS

    def _period_steps(self) -> list[Cte]:
        """`periods`, and on SQLite the quarter hours each instant's period is found by
        (`quarter_hours (unit, period)`), when the periods allow it."""
        steps = [self._periods()]
        self._by_quarter_hour = not sql.is_postgresql() and self._periods_in_quarter_hours()
        if self._by_quarter_hour:
            # Counted from the periods' own bounds (no parameters of their own).
            # The last period ends now, at any microsecond: the quarter hour after it is found
            # in microseconds, rounding up.
            first = f"{sql.sqlite_epoch_seconds('period_start')} / {QUARTER_HOUR}"
            quarter_us = QUARTER_HOUR * 1_000_000
            after = f"({sql.sqlite_epoch_us('period_end')} + {quarter_us - 1}) / {quarter_us}"
            steps.append(
                Cte(
                    "quarter_hours (unit, period, after_unit)",
                    f"""
                    SELECT {first}, period, {after} FROM periods
                    UNION ALL
                    SELECT unit + 1, period, after_unit FROM quarter_hours
                    WHERE unit + 1 < after_unit""",
                    recursive=True,
                )
            )
        return steps

    def _period_of(self, instant: str, *, events: str) -> tuple[str, str, list]:
        """The period of each row of the table `events` (alias `e`) by its `instant` (a column
        of `e`), for the rows inside the window (the caller keeps them there): the columns
        `period` and `period_end` to select, the FROM clause, and their parameters in that
        order. Call after `_period_steps()`."""
        if sql.is_postgresql():
            # No join: the columns are computed from the rows read, so that the planner's
            # estimate of them is the estimate of the window's rows.
            # The bounds as arrays read once from `periods` (no parameters of their own).
            starts = "(SELECT array_agg(period_start ORDER BY period) FROM periods)"
            ends = "(SELECT array_agg(period_end ORDER BY period) FROM periods)"
            return (
                f"width_bucket({instant}, {starts}) - 1 AS period,"
                f" ({ends})[width_bucket({instant}, {starts})] AS period_end",
                f"{events} e",
                [],
            )
        columns = "d.period, d.period_end"
        if self._by_quarter_hour:
            # CROSS JOIN: SQLite keeps this order, each event looking up its quarter hour,
            # then its period (else it may read the window's events once per period).
            return (
                columns,
                f"{events} e CROSS JOIN quarter_hours q"
                f" ON q.unit = {sql.sqlite_epoch_seconds(instant)} / {QUARTER_HOUR}"
                " CROSS JOIN periods d ON d.period = q.period",
                [],
            )
        # Any other offset: each period's events read through the index, period by period.
        return (
            columns,
            f"periods d JOIN {events} e"
            f" ON {instant} >= d.period_start AND {instant} < d.period_end",
            [],
        )
