"""What the report selectors share: the code filter and the sort order (each spelt for SQL and
for the ORM from one rule), and the page of a report."""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Q

from statuscodes.models import StatusCode

# The code filter's value that selects intervals and rejections recorded without a code.
NO_CODE = "none"

# What the code filter holds: one code, no code (NO_CODE), or any code (None).
CodeFilter = StatusCode | str | None


def _code_lookup(code: CodeFilter) -> tuple[str, object] | None:
    """The code filter as one lookup on an event's code; None when it selects any code."""
    if code is None:
        return None
    if code == NO_CODE:
        return "isnull", True
    return "exact", code.pk


def code_q(code: CodeFilter, *, path: str) -> Q:
    """The code filter as an ORM condition on the code at `path` (e.g. `current__code`)."""
    lookup = _code_lookup(code)
    if lookup is None:
        return Q()
    name, value = lookup
    return Q(**{f"{path}__{name}": value})


def code_condition(code: CodeFilter, *, column: str) -> tuple[str, list]:
    """The code filter as SQL on the code id `column`, to add to a WHERE clause."""
    lookup = _code_lookup(code)
    if lookup is None:
        return "", []
    name, value = lookup
    if name == "isnull":
        return f" AND {column} IS NULL", []
    return f" AND {column} = %s", [value]


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


@dataclass
class ReportPage:
    """One page of a report's rows, the number of rows in all, and the report's summaries."""

    rows: list
    count: int
    offset: int
    summary: dict = field(default_factory=dict)


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


class GroupedReport:
    """A report whose rows are the `report_rows` of one WITH clause (time by code, rejections).

    Subclasses give the clause (`_report_rows`), their sortable columns and row columns, and
    how a row is built; the rows are read here, in the order asked for.
    """

    ordering: Mapping[str, str]
    default_order: Sequence[str]
    row_columns: Sequence[str]
    database: str

    def _is_empty(self) -> bool:
        raise NotImplementedError

    def _report_rows(self) -> tuple[str, list]:
        raise NotImplementedError

    def _row(self, values: dict):
        raise NotImplementedError

    def rows(self, *, order: Sequence[str] = ()) -> Iterator:
        """Every row in `order` as a row object, read from the database in chunks."""
        for values in self.row_values(order=order):
            yield self._row(dict(zip(self.row_columns, values, strict=True)))

    def row_values(self, *, order: Sequence[str] = ()) -> Iterator[tuple]:
        """Every row in `order` as a tuple of `row_columns`, straight from the cursor (exports:
        a row object per line would cost more than the query)."""
        if self._is_empty():
            return
        _, order_sql = order_clause(order, self.ordering, self.default_order)
        with_clause, params = self._report_rows()
        yield from stream_report_rows(
            database=self.database,
            with_clause=with_clause,
            params=params,
            columns=self.row_columns,
            order_sql=order_sql,
        )
