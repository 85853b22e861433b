"""One django-tables2 table per report, its columns derived from the report's column spec.

Each table class here says how the cells are shown (`render_<column>`); `table_for` adds the
columns. Every report is sorted, cut into pages and counted by the report itself (its `page()`);
`PrefetchedPage` hands that page to the table so the table neither sorts nor counts again.
"""

import copy
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import django_tables2 as tables
from django.db import models
from django.template import Context
from django.template.base import render_value_in_context
from django.template.loader import render_to_string
from django.templatetags import l10n
from django.utils.html import conditional_escape, escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableData
from django_tables2.utils import signature

from agents.timeline import time_in_status
from core.choices import AgentStatus, Channel, EventSource
from core.durations import hms, whole_seconds

from .selectors.common import Column, Report, ReportPage
from .selectors.live import SupervisorAction
from .templatetags.agent_day import agent_day_url

NUMBER = {"td": {"class": "num"}, "th": {"class": "num"}}
# Dates and instants stay on one line however narrow the table gets.
WHOLE = {"td": {"class": "nowrap"}}


class PrefetchedPage(TableData):
    """The rows of one page, already sorted and cut by the database, and how many rows in all."""

    def __init__(self, page: ReportPage) -> None:
        super().__init__(page.rows)
        self.page = page

    def __len__(self) -> int:
        return self.page.count

    def __getitem__(self, key):
        # The paginator asks for exactly the page that was read.
        if isinstance(key, slice):
            return self.page.rows
        return self.page.rows[key - self.page.offset]

    def order_by(self, aliases) -> None:
        """The database sorted the rows already."""


def status_label(value: str) -> str:
    return AgentStatus(value).label if value else ""


def agent_cell(username: str, name: str, day_url: str = "") -> str:
    shown = format_html('<a href="{}">{}</a>', day_url, username) if day_url else username
    if name:
        return format_html('{}<br><span class="muted">{}</span>', shown, name)
    return shown


# The line breaks and indents of django-tables2's template around the header cells.
_LINE = {indent: "\n" + " " * indent for indent in (16, 20, 24, 28)}


class ReportTable(tables.Table):
    # Subclasses say `class Meta(ReportTable.Meta)`: tables2 does not inherit Meta by itself.
    class Meta:
        attrs = {"class": "report"}
        empty_text = _("Nothing in this window for these filters.")
        orderable = True
        # django-tables2's bootstrap5.html with the header cells of `header_cells`.
        template_name = "reports/_table.html"

    def before_render(self, request) -> None:
        self.request = request

    @property
    def header_cells(self) -> str:
        """The `<th>` of each column, as django-tables2's template writes them (same text,
        white space included), written in Python: the template's loop, with a link per column
        built by `{% querystring_replace %}`, was most of an empty table's time."""
        # The query string with the sort field changed, as `{% querystring_replace %}` writes it:
        # the sort in its place, or last; the rest encoded once for all the columns.
        query = dict(self.request.GET)
        field = self.prefixed_order_by_field
        names = list(query)
        place = names.index(field) if field in names else len(names)
        before = urlencode({name: query[name] for name in names[:place]}, doseq=True)
        after = urlencode({name: query[name] for name in names[place + 1 :]}, doseq=True)
        cells = []
        for column in self.columns:
            attributes = column.attrs.get("th")
            header = conditional_escape(column.header)
            if column.orderable:
                sort = urlencode({field: column.order_by_alias.next})
                link = escape("?" + "&".join(part for part in (before, sort, after) if part))
                inner = f'{_LINE[28]}<a href="{link}">{header}</a>{_LINE[24]}'
            else:
                inner = f"{_LINE[28]}{header}{_LINE[24]}"
            cells.append(
                f"{_LINE[20]}<th {attributes.as_html() if attributes else ''} "
                f'scope="col">{_LINE[24]}{inner}{_LINE[20]}</th>{_LINE[16]}'
            )
        return mark_safe("".join(cells))  # noqa: S308 (each part escaped above)

    @property
    def body_rows(self) -> str:
        """The `<tr>` of the page's rows, as django-tables2's template writes them (same text,
        white space included: `tests/reports/test_table_rows.py` compares them), written in
        Python: for every cell the template had django-tables2 work out the header's, the
        cell's and the footer's attributes and inspect the render method's signature, which was
        most of the time of a page of 50 rows. Here each column's are worked out once; a column
        whose cells need more (attributes computed per record, a link, localization chosen)
        is written by django-tables2 itself."""
        page_rows = list(self.paginated_rows)
        if not page_rows:
            return ""
        writers = [_cell_writer(self, column) for column in self.columns]
        if any(writer is None for writer in writers):
            return mark_safe("".join(map(_row_by_tables2, page_rows)))  # noqa: S308
        return mark_safe(  # noqa: S308 (each cell escaped as the template does)
            "".join(
                _row_html(row, ((td, write(row, row.record)) for td, write in writers))
                for row in page_rows
            )
        )


# The columns whose cells `body_rows` writes itself: django-tables2 renders them with no more
# than the value, the record or the column.
PLAIN_COLUMNS = (tables.Column, tables.BooleanColumn)
# A template's `{{ cell }}`: localized and escaped as in any template.
_CELL_CONTEXT = Context(autoescape=True)


def _cell_writer(table: ReportTable, column):
    """(the `td`'s attributes, a function writing a cell of the column from its row and
    record), as django-tables2 would for a plain column; None for any other column."""
    plain = (
        type(column.column) in (*PLAIN_COLUMNS, IsoDateColumn)
        and not column.link
        and column.localize is None
        and not _computed_per_cell(table.attrs)
        and not _computed_per_cell(column.column.attrs)
    )
    if not plain:
        return None
    td = column.attrs["td"].as_html()
    render, accessor, empty_values = column.render, column.accessor, column.column.empty_values
    default = column.default
    arguments, takes_any = signature(render)

    def write(row, record) -> str:
        if isinstance(record, models.Model):  # django-tables2 may show a field's choice label
            return render_value_in_context(row.get_cell(column.name), _CELL_CONTEXT)
        try:
            value = accessor.resolve(record)
        except Exception:  # as django-tables2: a cell it cannot read is empty
            value = None
        if value in empty_values:
            content = default
        else:
            given = {
                "value": value,
                "record": record,
                "column": column.column,
                "bound_column": column,
                "bound_row": row,
                "table": table,
            }
            if not takes_any:
                given = {name: given[name] for name in arguments if name in given}
            content = render(**given) if len(given) == len(arguments) or takes_any else None
        return render_value_in_context(content, _CELL_CONTEXT)

    return td, write


def _computed_per_cell(attrs) -> bool:
    """Whether `attrs` (a table's or a column's) hold values computed for each cell."""
    return any(
        callable(value) for key in ("td", "cell") for value in (attrs.get(key) or {}).values()
    )


def _row_by_tables2(row) -> str:
    """A row written with django-tables2's own cells, as its template does."""
    return _row_html(
        row,
        ((column.attrs["td"].as_html(), _localized(column, cell)) for column, cell in row.items()),
    )


def _row_html(row, cells) -> str:
    """A `<tr>` of `cells` (the `td`'s attributes, its content), with the white space of
    django-tables2's template."""
    tds = "".join(f"{_LINE[28]}<td {td}>{content}</td>{_LINE[24]}" for td, content in cells)
    return (
        f"{_LINE[20]}{_LINE[20]}<tr {row.attrs.as_html()}>{_LINE[24]}{tds}"
        f"{_LINE[20]}</tr>{_LINE[20]}{_LINE[16]}"
    )


def _localized(column, cell) -> str:
    """The template's `{{ cell }}`, `{{ cell|localize }}` or `{{ cell|unlocalize }}`, as the
    column's `localize` says."""
    if column.localize is not None:
        cell = l10n.localize(cell) if column.localize else l10n.unlocalize(cell)
    return render_value_in_context(cell, _CELL_CONTEXT)


class IsoDateColumn(tables.Column):
    """A local date as YYYY-MM-DD (django-tables2's DateColumn compiles a template per cell)."""

    def render(self, value) -> str:
        return value.isoformat()


def _table_column(column: Column) -> tables.Column:
    """The django-tables2 column of a report's column spec."""
    options = {
        "verbose_name": column.header,
        "orderable": column.sort is not None,
    }
    if column.computed:
        options["empty_values"] = ()
    if column.accessor:
        options["accessor"] = column.accessor
    if column.kind == "date":
        return IsoDateColumn(attrs=WHOLE, **options)
    if column.kind == "flag":
        return tables.BooleanColumn(yesno=(_("yes"), ""), **options)
    if column.kind == "number":
        options["attrs"] = NUMBER
    elif column.kind in ("instant", "period"):
        options["attrs"] = WHOLE
    return tables.Column(**options)


def table_for(report: Report | type[Report], base: type[ReportTable]) -> type[ReportTable]:
    """The table of `report` (a class, or an instance whose parameters changed its spec):
    `base` (how cells are rendered) with one column per column of the spec that is on the page,
    in the spec's order."""
    return _table_class(base, report.page_columns)


class ColumnsCopiedShallow(OrderedDict):
    """A table class's columns, which each table copies (django-tables2 deep-copies them, and
    their lazy translations: about 1 ms a page). A shallow copy of each is enough: a table
    changes which columns it has, and sets a column's accessor to its name, but changes
    nothing the columns share."""

    def __deepcopy__(self, memo) -> OrderedDict:
        return OrderedDict((name, copy.copy(column)) for name, column in self.items())


@lru_cache(maxsize=32)
def _table_class(base: type[ReportTable], columns: tuple[Column, ...]) -> type[ReportTable]:
    attrs = {column.name: _table_column(column) for column in columns}
    attrs["Meta"] = type("Meta", (base.Meta,), {"sequence": [column.name for column in columns]})
    table = type(base.__name__.replace("Cells", "Table"), (base,), attrs)
    table.base_columns = ColumnsCopiedShallow(table.base_columns)
    return table


class TimeByCodeCells(ReportTable):
    class Meta(ReportTable.Meta):
        pass

    def __init__(self, *args, zone: ZoneInfo, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    def render_agent(self, record) -> str:
        day_url = agent_day_url(record.agent, record.date, self.zone)
        return agent_cell(record.agent, record.agent_name, day_url)

    def render_status(self, value: str) -> str:
        return status_label(value)

    def render_code(self, value: str) -> str:
        return value or "—"

    def render_seconds(self, value: int) -> str:
        return hms(value)

    def render_percent_of_logged_in(self, value: float) -> str:
        return f"{value:.1f}"

    def render_exceeded_seconds(self, value: int) -> str:
        return hms(value)


class RejectionsCells(ReportTable):
    class Meta(ReportTable.Meta):
        pass

    def render_agent(self, record) -> str:
        return agent_cell(record.agent, record.agent_name)

    def render_channel(self, value: str) -> str:
        return Channel(value).label

    def render_code(self, value: str) -> str:
        return value or "—"


class StatusChangesCells(ReportTable):
    class Meta(ReportTable.Meta):
        pass

    def __init__(self, *args, zone: ZoneInfo, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    def render_timestamp(self, value: datetime) -> str:
        return value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def render_agent(self, record: dict) -> str:
        username = record["agent_username"]
        day = record["started_at"].astimezone(self.zone).date()
        return agent_cell(username, record["agent_name"], agent_day_url(username, day, self.zone))

    def render_previous_status(self, value: str) -> str:
        return status_label(value)

    def render_status(self, value: str) -> str:
        return status_label(value)

    def render_code(self, value: str) -> str:
        return value or "—"

    def render_duration_seconds(self, value: int) -> str:
        return hms(whole_seconds(value))

    def render_source(self, value: str) -> str:
        return EventSource(value).label


class LiveCells(ReportTable):
    class Meta(ReportTable.Meta):
        row_attrs = {"class": lambda table, record: "exceeded" if table.is_exceeded(record) else ""}

    def __init__(
        self,
        *args,
        zone: ZoneInfo,
        now: datetime,
        actions: Mapping[int, list[SupervisorAction]] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.now = now
        self.actions = actions or {}

    def timing(self, record: dict):
        return time_in_status(
            since=record["since"], max_minutes=record["max_minutes"], now=self.now
        )

    def is_exceeded(self, record: dict) -> bool:
        return self.timing(record).exceeded

    def render_agent(self, record: dict) -> str:
        return agent_cell(record["agent_username"], record["agent_name"])

    def render_status(self, value: str) -> str:
        return format_html('<span class="status">{}</span>', status_label(value))

    def render_code(self, value: str) -> str:
        return value or "—"

    def render_since(self, value: datetime) -> str:
        return value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def render_seconds_in_status(self, record: dict) -> str:
        timing = self.timing(record)
        return "—" if timing.seconds is None else hms(timing.seconds)

    def render_exceeded(self, record: dict) -> str:
        timing = self.timing(record)
        if not timing.exceeded:
            return ""
        return format_html('<strong class="warn">+{}</strong>', hms(timing.over_seconds))

    def render_offer(self, value: str) -> str:
        if not value:
            return ""
        return format_html(
            '<span class="status ringing">{}</span>',
            _("ringing: %(channel)s") % {"channel": Channel(value).label},
        )

    def render_actions(self, record: dict) -> str:
        """The supervisor's forms for this agent (none where the reader may not act)."""
        actions = self.actions.get(record["id"])
        if not actions:
            return ""
        return render_to_string(
            "reports/_live_actions.html",
            {
                "username": record["agent_username"],
                "actions": actions,
                "filters": self.request.GET.urlencode(),
            },
            request=self.request,
        )
