"""One django-tables2 table per report; column names are the selectors' sort keys.

Time-by-code and rejections are sorted, cut into pages and counted by their one SQL query;
`PrefetchedPage` hands that page to the table so the table neither sorts nor counts again.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableData, TableQuerysetData

from agents.timeline import time_in_status
from core.choices import AgentStatus, Channel, EventSource
from core.durations import hms, whole_seconds

from .selectors.common import ReportPage
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


class SelectedQueryset(TableQuerysetData):
    """A queryset the selector sorted (with a tie-break) and whose rows the view counted."""

    def __init__(self, queryset, count: int) -> None:
        super().__init__(queryset)
        self._length = count

    def order_by(self, aliases) -> None:
        """The selector sorted the rows already."""


def status_label(value: str) -> str:
    return AgentStatus(value).label if value else ""


def agent_cell(username: str, name: str, day_url: str = "") -> str:
    shown = format_html('<a href="{}">{}</a>', day_url, username) if day_url else username
    if name:
        return format_html('{}<br><span class="muted">{}</span>', shown, name)
    return shown


class ReportTable(tables.Table):
    # Subclasses say `class Meta(ReportTable.Meta)`: tables2 does not inherit Meta by itself.
    class Meta:
        attrs = {"class": "report"}
        empty_text = _("Nothing in this window for these filters.")
        orderable = True


class TimeByCodeTable(ReportTable):
    date = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d", attrs=WHOLE)
    agent = tables.Column(verbose_name=_("Agent"))
    group = tables.Column(verbose_name=_("Group"))
    status = tables.Column(verbose_name=_("Status"))
    list = tables.Column(verbose_name=_("List"))
    code = tables.Column(verbose_name=_("Code"), default="")
    code_label = tables.Column(verbose_name=_("Label"), default="")
    count = tables.Column(verbose_name=_("Count"), accessor="figures__count", attrs=NUMBER)
    seconds = tables.Column(verbose_name=_("Time"), accessor="figures__seconds", attrs=NUMBER)
    percent_of_logged_in = tables.Column(
        verbose_name=_("% of logged-in"), accessor="figures__percent_of_logged_in", attrs=NUMBER
    )
    exceeded_count = tables.Column(
        verbose_name=_("Over max."), accessor="figures__exceeded_count", attrs=NUMBER
    )
    exceeded_seconds = tables.Column(
        verbose_name=_("Time over max."), accessor="figures__exceeded_seconds", attrs=NUMBER
    )

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


class RejectionsTable(ReportTable):
    date = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d", attrs=WHOLE)
    agent = tables.Column(verbose_name=_("Agent"))
    group = tables.Column(verbose_name=_("Group"))
    channel = tables.Column(verbose_name=_("Channel"))
    list = tables.Column(verbose_name=_("List"))
    code = tables.Column(verbose_name=_("Code"), default="")
    code_label = tables.Column(verbose_name=_("Label"), default="")
    count = tables.Column(verbose_name=_("Count"), attrs=NUMBER)

    class Meta(ReportTable.Meta):
        pass

    def render_agent(self, record) -> str:
        return agent_cell(record.agent, record.agent_name)

    def render_channel(self, value: str) -> str:
        return Channel(value).label

    def render_code(self, value: str) -> str:
        return value or "—"


class StatusChangesTable(ReportTable):
    timestamp = tables.Column(verbose_name=_("Time"), accessor="started_at", attrs=WHOLE)
    agent = tables.Column(verbose_name=_("Agent"), accessor="agent_username")
    group = tables.Column(verbose_name=_("Group"), accessor="group_name")
    previous_status = tables.Column(verbose_name=_("Previous status"))
    status = tables.Column(verbose_name=_("Status"))
    list = tables.Column(verbose_name=_("List"), accessor="list_name")
    code = tables.Column(verbose_name=_("Code"), accessor="code_key")
    code_label = tables.Column(verbose_name=_("Label"))
    duration_seconds = tables.Column(
        verbose_name=_("Duration"), accessor="duration_us", attrs=NUMBER
    )
    ongoing = tables.BooleanColumn(verbose_name=_("Ongoing"), yesno=(_("yes"), ""))
    source = tables.Column(verbose_name=_("Source"))

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


class LiveTable(ReportTable):
    agent = tables.Column(verbose_name=_("Agent"), accessor="agent_username")
    group = tables.Column(verbose_name=_("Group"), accessor="group_name")
    status = tables.Column(verbose_name=_("Status"), accessor="status_now")
    list = tables.Column(verbose_name=_("List"), accessor="list_name")
    code = tables.Column(verbose_name=_("Code"), accessor="code_key")
    code_label = tables.Column(verbose_name=_("Label"))
    since = tables.Column(verbose_name=_("Since"), orderable=False, attrs=WHOLE)
    seconds_in_status = tables.Column(
        verbose_name=_("Time in status"), accessor="since", attrs=NUMBER, empty_values=()
    )
    max_minutes = tables.Column(verbose_name=_("Max. minutes"), attrs=NUMBER, orderable=False)
    exceeded = tables.Column(
        verbose_name=_("Exceeded"), accessor="since", orderable=False, empty_values=()
    )

    class Meta(ReportTable.Meta):
        row_attrs = {"class": lambda table, record: "exceeded" if table.is_exceeded(record) else ""}

    def __init__(self, *args, zone: ZoneInfo, now: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.now = now

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
