"""The report filter forms: the window (dates, time zone) and each report's own criteria.

The FilterSets of `reports.filters` add the group and agent fields, limited to the reader's
scope. Every bad value is a form error shown on the page, never an exception.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

from agents.services import SUPERVISOR_ACTIONS
from core.choices import AgentAction, AgentStatus, Channel
from statuscodes.models import StatusCode
from statuscodes.validators import CODE_KEY_MAX_LENGTH

from .selectors.common import NO_CODE
from .selectors.time_by_code import CHART_STACKS, REPORTED_STATUSES, TREND_STACKS
from .selectors.window import (
    MAX_SUB_DAY_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    SUB_DAY_MINUTES,
    Granularity,
    Window,
    time_zone_names,
)

# A report's default window when no date is given: the last seven local days, today included.
DEFAULT_WINDOW_DAYS = 7
EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2999, 12, 31)

FIELD_ORDER = [
    "date_from",
    "date_to",
    "tz",
    "granularity",
    "group",
    "agent",
    "status",
    "channel",
    "code",
]


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in time_zone_names()]


class Select(forms.Select):
    """A drop-down written in Python rather than one template per option.

    Django renders each option through a template, about 0.1 ms apiece: the time zone list
    (about 600 names) and the agents of a large contact center made that most of a page's time.
    """

    def render(self, name, value, attrs=None, renderer=None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class CodeField(ModelChoiceField):
    """A code of the reader's lists, or "no code" (`NO_CODE`), or empty for any code."""

    def __init__(self) -> None:
        super().__init__(
            queryset=StatusCode.objects.none(),
            required=False,
            label=_("Code"),
            empty_label=_("All codes"),
            null_label=_("(no code)"),
            null_value=NO_CODE,
            widget=Select,
        )

    def label_from_instance(self, obj: StatusCode) -> str:
        return f"{obj.code_list.name} / {obj.code} — {obj.label}"


class TimeZoneMixin(forms.Form):
    tz = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=time_zone_choices,
        widget=Select,
        error_messages={
            "invalid_choice": _(
                "Unknown time zone “%(value)s”: use an IANA name such as Europe/Madrid."
            )
        },
    )

    def __init__(self, data=None, *args, **kwargs) -> None:
        # Without a zone in the query, the drop-down must show the center's zone as chosen:
        # otherwise the browser shows the first name of the list, and applying any other
        # filter would quietly switch the report to that zone.
        if data is not None and not data.get("tz"):
            data = data.copy()
            data["tz"] = settings.TIME_ZONE
        super().__init__(data, *args, **kwargs)

    def clean_tz(self) -> ZoneInfo:
        return ZoneInfo(self.cleaned_data["tz"] or settings.TIME_ZONE)


def today_in(zone: ZoneInfo) -> date:
    return timezone.now().astimezone(zone).date()


def default_date_from(date_to: date) -> date:
    return date_to - timedelta(days=DEFAULT_WINDOW_DAYS - 1)


class WindowForm(TimeZoneMixin):
    """Local dates `date_from` to `date_to` inclusive in a time zone; `clean()` adds `window`."""

    field_order = FIELD_ORDER

    def __init__(self, data=None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        # The date inputs show the window in use: without dates, the default window's (when
        # the zone is known and the other date, if any, is a date).
        if self.is_bound and not (self.data.get("date_from") and self.data.get("date_to")):
            self.data = self.data.copy()
            try:
                zone = ZoneInfo(self.data.get("tz") or settings.TIME_ZONE)
                date_to = date.fromisoformat(self.data.get("date_to") or today_in(zone).isoformat())
            except (ValueError, KeyError):
                return
            self.data["date_to"] = date_to.isoformat()
            if not self.data.get("date_from"):
                self.data["date_from"] = default_date_from(date_to).isoformat()

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self) -> dict:
        cleaned = super().clean()
        zone = cleaned.get("tz")
        if zone is None or "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        date_to = cleaned.get("date_to") or today_in(zone)
        date_from = cleaned.get("date_from")
        if any(not EARLIEST_DATE <= day <= LATEST_DATE for day in (date_from, date_to) if day):
            raise forms.ValidationError(
                _("Dates must be between %(earliest)s and %(latest)s."),
                params={"earliest": EARLIEST_DATE, "latest": LATEST_DATE},
            )
        date_from = date_from or default_date_from(date_to)
        if date_to < date_from:
            raise forms.ValidationError(_("The end date is before the start date."))
        days = (date_to - date_from).days + 1
        if days > MAX_WINDOW_DAYS:
            raise forms.ValidationError(
                _("A report covers at most %(max)s days; this window has %(days)s."),
                params={"max": MAX_WINDOW_DAYS, "days": days},
            )
        cleaned["window"] = Window(date_from=date_from, date_to=date_to, zone=zone)
        return cleaned


def any_status_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *AgentStatus.choices],
        widget=Select,
    )


class StatusChangesForm(WindowForm):
    status = any_status_field()
    code = CodeField()


class GranularityMixin(forms.Form):
    """The `granularity` of a report by period; grains shorter than a day take windows of at
    most `MAX_SUB_DAY_WINDOW_DAYS` days."""

    granularity = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=Granularity.choices,
        widget=Select,
        error_messages={
            "invalid_choice": _(
                "Unknown granularity “%(value)s”: use 15m, 30m, hour, day, week, month or none."
            )
        },
    )

    def __init__(self, data=None, *args, **kwargs) -> None:
        # As for the zone: without one in the query, the drop-down shows the default as chosen.
        if data is not None and not data.get("granularity"):
            data = data.copy()
            data["granularity"] = Granularity.DAY
        super().__init__(data, *args, **kwargs)

    def clean_granularity(self) -> str:
        return self.cleaned_data["granularity"] or Granularity.DAY

    def clean(self) -> dict:
        cleaned = super().clean()
        window, granularity = cleaned.get("window"), cleaned.get("granularity")
        if window is None or granularity not in SUB_DAY_MINUTES:
            return cleaned
        days = (window.date_to - window.date_from).days + 1
        if days > MAX_SUB_DAY_WINDOW_DAYS:
            raise forms.ValidationError(
                _(
                    "Periods shorter than a day (15 minutes, 30 minutes, hours) cover windows of "
                    "at most %(max)s days; this window has %(days)s. Choose a shorter window, or "
                    "periods of days, weeks or months."
                ),
                params={"max": MAX_SUB_DAY_WINDOW_DAYS, "days": days},
            )
        return cleaned


class TimeByCodeForm(GranularityMixin, WindowForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("On break and offline"))]
        + [(status.value, status.label) for status in REPORTED_STATUSES],
        widget=Select,
    )
    code = CodeField()
    stack = forms.ChoiceField(
        label=_("Chart by"),
        required=False,
        choices=[(CHART_STACKS[0], _("Status")), (CHART_STACKS[1], _("Agent"))],
        widget=Select,
    )
    trend = forms.ChoiceField(
        label=_("Trend by"),
        required=False,
        choices=[(TREND_STACKS[0], _("Status")), (TREND_STACKS[1], _("Code"))],
        widget=Select,
    )


class RejectionsForm(GranularityMixin, WindowForm):
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All channels")), *Channel.choices],
        widget=Select,
    )
    code = CodeField()


class LiveForm(TimeZoneMixin):
    field_order = FIELD_ORDER

    status = any_status_field()
    code = CodeField()


class SupervisorActionForm(forms.Form):
    """A supervisor's action on an agent from the live board. The code is checked by the service
    (`agents.services.agent_supervise`), against the agent's list, as for every other door."""

    action = forms.ChoiceField(
        choices=[(action, AgentAction(action).label) for action in SUPERVISOR_ACTIONS]
    )
    code = forms.CharField(required=False, max_length=CODE_KEY_MAX_LENGTH)
    # The board's own query string (its filters), to go back to the same board.
    filters = forms.CharField(required=False, max_length=2000)
