"""The report filter forms: the window (dates, time zone) and each report's own criteria.

The FilterSets of `reports.filters` add the group and agent fields, limited to the reader's
scope. Every bad value is a form error shown on the page, never an exception.
"""

from datetime import date, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import get_select2_language
from django.forms.utils import flatatt
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField, ModelChoiceIterator, ModelMultipleChoiceField

from agents.services import SUPERVISOR_ACTIONS
from core.choices import AgentAction, AgentStatus, Channel
from statuscodes.models import StatusCode
from statuscodes.validators import CODE_KEY_MAX_LENGTH

from .selectors.common import NO_CODE
from .selectors.scope import agent_choice_label, code_choice_label, name_choice_label
from .selectors.time_by_code import CHART_STACKS, REPORTED_STATUSES, TREND_STACKS
from .selectors.window import (
    MAX_SUB_DAY_WINDOW_DAYS,
    MAX_WINDOW_DAYS,
    SUB_DAY_MINUTES,
    Granularity,
    Window,
    time_zones_common_first,
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


class Select(forms.Select):
    """A drop-down written in Python rather than one template per option.

    Django renders each option through a template, about 0.1 ms apiece: the time zone list
    (about 600 names) and the agents of a large contact center made that most of a page's time.
    """

    def render(self, name, value, attrs=None, renderer=None) -> str:
        widget = self.get_context(name, value, attrs)["widget"]
        return _select_html(
            widget["name"],
            widget["attrs"],
            (
                (
                    group,
                    [(option["value"], option["label"], option["selected"]) for option in options],
                )
                for group, options, _index in widget["optgroups"]
            ),
            multiple=self.allow_multiple_selected,
        )


class SelectMultiple(Select):
    """Several choices at once (a plain `<select multiple>`)."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple.value_from_datadict(self, data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return False


def _select_html(name: str, attrs: dict, groups, *, multiple: bool = False) -> str:
    """A `<select>` of `groups`: (label or None, [(value, label, selected), …])."""
    parts = []
    for group, options in groups:
        html = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((value, " selected" if selected else "", label) for value, label, selected in options),
        )
        parts.append(
            format_html('<optgroup label="{}">{}</optgroup>', group, html) if group else html
        )
    return format_html(
        '<select name="{}"{}{}>{}</select>',
        name,
        " multiple" if multiple else "",
        flatatt(attrs),
        mark_safe("".join(parts)),  # noqa: S308 (each part is escaped by format_html)
    )


# The searchable pickers are the admin's own autocomplete (Select2, shipped with Django, and
# its start-up script): no script of ours, none inline, nothing from another site. Without
# JavaScript they are the plain lists they are written as.
def _picker_media() -> forms.Media:
    extra = "" if settings.DEBUG else ".min"
    language = get_select2_language()
    i18n = (f"admin/js/vendor/select2/i18n/{language}.js",) if language else ()
    return forms.Media(
        js=(
            f"admin/js/vendor/jquery/jquery{extra}.js",
            f"admin/js/vendor/select2/select2.full{extra}.js",
            *i18n,
            "admin/js/jquery.init.js",
            "admin/js/autocomplete.js",
            # The labels Select2 leaves out for screen readers, as in the admin.
            "js/admin_a11y.js",
        ),
        css={
            "screen": (
                f"admin/css/vendor/select2/select2{extra}.css",
                "admin/css/autocomplete.css",
                "css/pickers.css",
            )
        },
    )


def _picker_attrs(url_name: str) -> dict:
    return {
        "class": "admin-autocomplete",
        "data-ajax--url": reverse_lazy(url_name),
        "data-ajax--cache": "true",
        "data-ajax--delay": "250",
        "data-ajax--type": "GET",
        "data-theme": "admin-autocomplete",
        "data-allow-clear": "false",
        "data-width": "resolve",
    }


# Up to this many agents in scope the agent picker lists them all, so that it works without
# JavaScript; beyond, it lists the chosen ones only (the rest are found by typing): a page
# does not write a thousand agents' names (docs/performance.md).
ALL_AGENT_OPTIONS_UP_TO = 100


class AgentPicker(SelectMultiple):
    """Several agents, searched by name through `reports:agent-search` (in the reader's
    scope), shown with full name and username."""

    def __init__(self) -> None:
        super().__init__(attrs=_picker_attrs("reports:agent-search"))

    @property
    def media(self) -> forms.Media:
        return _picker_media()

    # The agents the form's field found valid (`AgentField.clean`), in the picker's order.
    validated: list | None = None

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = {str(item) for item in (value or []) if str(item).isdigit()}
        # One query, of plain rows: one more than the limit tells a large center, whose rows
        # are then not needed.
        rows = list(
            self.choices.queryset.values_list(
                "pk", "user__username", "user__first_name", "user__last_name"
            )[: ALL_AGENT_OPTIONS_UP_TO + 1]
        )
        if len(rows) <= ALL_AGENT_OPTIONS_UP_TO:
            # Labelled from the rows: no model instances for a list of up to a hundred.
            options = [(pk, name_choice_label(*names), str(pk) in chosen) for pk, *names in rows]
        else:
            validated = self.validated
            if validated is not None and {str(agent.pk) for agent in validated} == chosen:
                # The chosen agents as the form read them to validate them: not read again.
                agents = validated
            else:
                agents = self.choices.queryset.filter(pk__in=chosen) if chosen else []
            options = [(agent.pk, agent_choice_label(agent), True) for agent in agents]
        attributes = self.build_attrs(self.attrs, {**(attrs or {}), "id": f"id_{name}"})
        return _select_html(name, attributes, [(None, options)], multiple=True)


class CodePicker(SelectMultiple):
    """Several codes (and "no code"), searched through `reports:code-search` (the codes of the
    reader's lists), shown with list, key and label. A few dozen codes: the page lists them all,
    so that without JavaScript it is a plain multiple choice list."""

    def __init__(self) -> None:
        super().__init__(attrs=_picker_attrs("reports:code-search"))

    @property
    def media(self) -> forms.Media:
        return _picker_media()


class TimeZonePicker(Select):
    """The ~600 zone names, the common ones first, searched through `reports:time-zone-search`.

    The page writes the common zones only (the chosen one is among them, `TimeZoneChoices`):
    the whole list was a good part of every report page's fixed cost (docs/performance.md).
    The others are found by typing; without JavaScript the common zones are a plain list, and
    any other zone can be given in the address (`?tz=Asia/Tokyo`)."""

    def __init__(self) -> None:
        super().__init__(attrs=_picker_attrs("reports:time-zone-search"))

    @property
    def media(self) -> forms.Media:
        return _picker_media()

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = set(self.format_value(value))
        label, common = next(iter(self.choices))
        options = [(zone, text, zone in chosen) for zone, text in common]
        attributes = self.build_attrs(self.attrs, {**(attrs or {}), "id": f"id_{name}"})
        return _select_html(name, attributes, [(label, options)])


class TimeZoneChoices(BaseChoiceIterator):
    """The time zone field's choices: the common zones, then every other one.

    Lazy, and listed once per form: Django turns a plain list of choices into its own form as
    it is set, which for the ~600 zones took about 1 ms of every report page, although the
    page writes the common zones only and a valid zone is found among them."""

    def __init__(self, *, preferred=()) -> None:
        self.preferred = tuple(preferred)
        self.groups = None

    def __iter__(self):
        if self.groups is None:
            common, rest = time_zones_common_first(preferred=self.preferred)
            self.groups = [
                (_("Common time zones"), [(name, name) for name in common]),
                (_("All time zones"), [(name, name) for name in rest]),
            ]
        return iter(self.groups)

    def __copy__(self) -> "TimeZoneChoices":
        # Each form's field and widget list the zones afresh (the center's zone is read as it
        # is listed), never from a class's field.
        return TimeZoneChoices(preferred=self.preferred)

    def __deepcopy__(self, memo) -> "TimeZoneChoices":
        return self.__copy__()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


# The code filter's choice for time without a code (`NO_CODE`).
NO_CODE_LABEL = _("(no code)")


class ChoicesReadAtOnce(ModelChoiceIterator):
    """A picker's choices read in one statement. Django reads them through `.iterator()`,
    which on PostgreSQL opens a server-side cursor (DECLARE, FETCH, CLOSE: three round trips)
    for the few dozen groups or codes a reader has."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class GroupField(ModelChoiceField):
    iterator = ChoicesReadAtOnce


class AgentField(ModelMultipleChoiceField):
    """Agents of the reader's scope; the ones found valid are handed to the picker
    (`AgentPicker.validated`), which writes them without reading them again."""

    def clean(self, value):
        agents = super().clean(value)
        self.widget.validated = list(agents)
        return agents


class CodeField(ModelMultipleChoiceField):
    """Codes of the reader's lists, and/or "no code" (`NO_CODE`); none chosen: any code."""

    iterator = ChoicesReadAtOnce

    def __init__(self) -> None:
        super().__init__(
            queryset=StatusCode.objects.none(),
            required=False,
            label=_("Codes"),
            null_label=NO_CODE_LABEL,
            null_value=NO_CODE,
            widget=CodePicker,
        )

    def label_from_instance(self, obj: StatusCode) -> str:
        return code_choice_label(obj)

    def clean(self, value) -> list:
        return list(super().clean(value))


class MergedMedia(forms.Media):
    """Scripts and styles merged and written once."""

    @cached_property
    def rendered(self) -> SafeString:
        return super().render()

    def render(self) -> SafeString:
        return self.rendered


# By the form's widget classes, the language and DEBUG: what the pickers' media depend on.
_MERGED_MEDIA: dict[tuple, MergedMedia] = {}


class TimeZoneMixin(forms.Form):
    @property
    def media(self) -> forms.Media:
        """The pickers' scripts and styles, merged and written once per set of widgets and
        language (Django merges every widget's lists, and writes each address, on each page:
        about 0.8 ms)."""
        widgets = [field.widget for field in self.fields.values()]
        key = (tuple(type(widget) for widget in widgets), get_select2_language(), settings.DEBUG)
        if key not in _MERGED_MEDIA:
            merged = sum((widget.media for widget in widgets), forms.Media())
            _MERGED_MEDIA[key] = MergedMedia(css=merged._css, js=merged._js)
        return _MERGED_MEDIA[key]

    tz = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=TimeZoneChoices(),
        widget=TimeZonePicker,
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
