"""What the report selectors share: the code filter, the sort order and the page of a report."""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connections

from statuscodes.models import StatusCode

# The code filter's value that selects intervals and rejections recorded without a code.
NO_CODE = "none"

CodeFilter = StatusCode | str | None


def code_condition(column: str, code: CodeFilter) -> tuple[str, list]:
    """SQL condition for the code filter: one code, no code (`NO_CODE`), or any (None)."""
    if code is None:
        return "", []
    if code == NO_CODE:
        return f" AND {column} IS NULL", []
    return f" AND {column} = %s", [code.pk]


def order_clause(
    order: Sequence[str], columns: Mapping[str, str], default: Sequence[str]
) -> tuple[tuple[str, ...], str]:
    """The ORDER BY of a table sorted by `order` (column names, '-' for descending).

    Unknown names are dropped (they come from the URL); the default order follows as tie-break
    so that pages never overlap. Returns the accepted names and the SQL.
    """
    accepted = tuple(name for name in order if name.lstrip("-") in columns)
    terms, seen = [], set()
    for name in (*accepted, *default):
        bare = name.lstrip("-")
        if bare in seen:
            continue
        seen.add(bare)
        terms.append(f"{columns[bare]} {'DESC' if name.startswith('-') else 'ASC'}")
    return accepted, ", ".join(terms)


def order_fields(
    order: Sequence[str], columns: Mapping[str, str], default: Sequence[str]
) -> tuple[tuple[str, ...], list[str]]:
    """`order_clause` for the ORM: the accepted names and the fields to `order_by()`."""
    accepted = tuple(name for name in order if name.lstrip("-") in columns)
    fields = [
        ("-" if name.startswith("-") else "") + columns[name.lstrip("-")] for name in accepted
    ]
    return accepted, [*fields, *default]


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
