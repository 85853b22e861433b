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
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableData

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
