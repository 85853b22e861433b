"""An agent's day (docs/reports.md, "An agent's day"): one agent's timeline on one to seven
local dates, drawn as server-side SVG bars with a table of every interval.

The page: `/reports/agents/<username>/day/?date=YYYY-MM-DD&days=N&tz=Zone`. It admits whoever
reads reports, and shows only agents in the reader's scope: another agent is "not found" (404),
as an agent who does not exist.
"""

from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from agents.models import Agent
from core.choices import AgentStatus, Channel
from core.durations import hms, whole_seconds

from .forms import EARLIEST_DATE, LATEST_DATE, DateInput, TimeZoneMixin, today_in
from .routers import report_reads
from .selectors.agent_day import MAX_DAYS, Day, Mark, Segment, agent_day
from .selectors.scope import agents_in_scope, event_groups_in_scope
from .selectors.window import Window
from .views import ReportReaderRequired


class AgentDayForm(TimeZoneMixin):
    """A first local date (default: today in the zone), a number of days and a time zone;
    `clean()` adds the `window`."""

    field_order = ["date", "days", "tz"]

    date = forms.DateField(label=gettext_lazy("Date"), required=False, widget=DateInput())
    days = forms.IntegerField(
        label=gettext_lazy("Days"),
        required=False,
        min_value=1,
        max_value=MAX_DAYS,
        error_messages={
            "min_value": gettext_lazy("Show at least one day."),
            "max_value": gettext_lazy("Show at most %(limit_value)s days."),
        },
    )

    def __init__(self, data=None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        # The inputs show the dates in use: without a date, today in the zone (when the zone
        # is known), and one day.
        if self.is_bound and not (self.data.get("date") and self.data.get("days")):
            self.data = self.data.copy()
            self.data["days"] = self.data.get("days") or "1"
            if not self.data.get("date"):
                # An unknown zone is the form's error: the date is left empty, not guessed.
                with suppress(ValueError, KeyError):
                    self.data["date"] = today_in(ZoneInfo(self.data["tz"])).isoformat()

    def clean(self) -> dict:
        cleaned = super().clean()
        zone = cleaned.get("tz")
        if zone is None or self.errors:
            return cleaned
        first = cleaned.get("date") or today_in(zone)
        days = cleaned.get("days") or 1
        if not EARLIEST_DATE <= first <= LATEST_DATE:
            raise forms.ValidationError(
                _("Dates must be between %(earliest)s and %(latest)s."),
                params={"earliest": EARLIEST_DATE, "latest": LATEST_DATE},
            )
        last = first + timedelta(days=days - 1)
        cleaned["window"] = Window(date_from=first, date_to=last, zone=zone)
        return cleaned


# How each status is drawn: a colour and a pattern, so that colour is never the only signal.
STATUS_STYLES = {
    AgentStatus.AVAILABLE: ("#2e7d32", "solid"),
    AgentStatus.BUSY: ("#1f6feb", "dots"),
    AgentStatus.POST_PROCESSING: ("#00838f", "vertical"),
    AgentStatus.ON_BREAK: ("#e8833a", "diagonal"),
    AgentStatus.WORK_OFFLINE: ("#8e44ad", "cross"),
    AgentStatus.LOGGED_OUT: ("#6b7682", "horizontal"),
}
PX_PER_HOUR = 40
LEFT = 8
TICK_LABEL_Y = 12
BAR_Y = 18
BAR_HEIGHT = 26
MARK_Y = BAR_Y + BAR_HEIGHT + 2
MARK_SIZE = 10
LABEL_Y = MARK_Y + MARK_SIZE + 12
DAY_HEIGHT = LABEL_Y + 6
# A segment's label is written under it when it fits: about this wide per character (12 px).
PX_PER_CHARACTER = 7


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class DrawnSegment:
    x: float
    width: float
    status: str
    pattern: str
    label: str
    show_label: bool
    title: str
    start: str
    end: str
    duration: str
    status_label: str
    code: str
    code_label: str
    note: str

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class DrawnMark:
    x: float
    points: str
    title: str
    time: str
    channel: str
    code: str
    code_label: str
    missed: bool


@dataclass(frozen=True)
class DrawnDay:
    local_date: date
    heading: str
    summary: str
    width: float
    bar_width: float
    ticks: list[Tick]
    segments: list[DrawnSegment]
    marks: list[DrawnMark]
    now_x: float | None
    now_title: str

    height: int = DAY_HEIGHT
    left: int = LEFT
    bar_y: int = BAR_Y
    bar_height: int = BAR_HEIGHT
    bar_bottom: int = BAR_Y + BAR_HEIGHT
    tick_label_y: int = TICK_LABEL_Y
    label_y: int = LABEL_Y

    @property
    def end_x(self) -> float:
        return self.left + self.bar_width


def pattern_id(status: str) -> str:
    return f"agent-day-{status}"


def legend() -> list[tuple[str, str, str]]:
    """(label, pattern id, colour) of every status."""
    return [
        (str(AgentStatus(status).label), pattern_id(status), colour)
        for status, (colour, _pattern) in STATUS_STYLES.items()
    ]


def patterns() -> list[tuple[str, str, str]]:
    """(pattern id, colour, kind) of every status, for the SVG <pattern> definitions."""
    return [(pattern_id(status), colour, kind) for status, (colour, kind) in STATUS_STYLES.items()]


def _changes_offset(day: Day, zone: ZoneInfo) -> bool:
    return day.start.astimezone(zone).utcoffset() != day.end.astimezone(zone).utcoffset()


def _local(instant: datetime, day: Day, zone: ZoneInfo) -> str:
    """`HH:MM:SS` local, with the date when it is not the day's, and the zone's abbreviation on
    a daylight-saving day (the repeated hour happens twice, with two offsets)."""
    local = instant.astimezone(zone)
    text = f"{local:%H:%M:%S}"
    if local.date() != day.local_date:
        text = f"{local:%Y-%m-%d} {text}"
    if _changes_offset(day, zone):
        text = f"{text} {local:%Z}"
    return text


def _x(instant: datetime, day: Day) -> float:
    """Where `instant` is on the day's bar: real elapsed time since local midnight."""
    return LEFT + (instant - day.start) / timedelta(hours=1) * PX_PER_HOUR


def _tick_label(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{local:%H}" if local.minute == 0 else f"{local:%H:%M}"


def _code_text(code: str, code_label: str) -> str:
    return f"{code_label} ({code})" if code else ""


def _drawn_segment(segment: Segment, day: Day, zone: ZoneInfo, now: datetime) -> DrawnSegment:
    interval = segment.interval
    status_label = str(AgentStatus(interval.status).label)
    x = _x(segment.start, day)
    width = _x(segment.end, day) - x
    label = interval.code or status_label
    whole_end = interval.end or now
    whole_us = (whole_end - interval.start) // timedelta(microseconds=1)
    part = hms(whole_seconds(segment.us))
    end_text = _("ongoing") if segment.ongoing else _local(whole_end, day, zone)
    title = f"{status_label}"
    if interval.code:
        title += f" — {_code_text(interval.code, interval.code_label)}"
    title += f": {_local(interval.start, day, zone)} – {end_text}, {hms(whole_seconds(whole_us))}"
    if segment.from_day_before or (segment.into_day_after and not segment.ongoing):
        title += " " + _("(%(part)s this day)") % {"part": part}
    notes = []
    if segment.from_day_before:
        notes.append(_("from %(start)s") % {"start": _local(interval.start, day, zone)})
    if segment.ongoing:
        notes.append(_("ongoing"))
    elif segment.into_day_after:
        notes.append(_("until %(end)s") % {"end": _local(whole_end, day, zone)})
    return DrawnSegment(
        x=x,
        width=width,
        status=interval.status,
        pattern=pattern_id(interval.status),
        label=label,
        show_label=False,
        title=title,
        start=_local(segment.start, day, zone),
        end=_local(segment.end, day, zone),
        duration=part,
        status_label=status_label,
        code=interval.code,
        code_label=interval.code_label,
        note=", ".join(notes),
    )


def _drawn_mark(mark: Mark, day: Day, zone: ZoneInfo) -> DrawnMark:
    x = _x(mark.at, day)
    half = MARK_SIZE / 2
    channel = str(Channel(mark.channel).label)
    time = _local(mark.at, day, zone)
    if mark.missed:
        # A diamond rather than the rejection's triangle: the shape tells them apart, not only
        # the colour. The code is the system reason "missed", which the title already says.
        title = _("Missed %(channel)s offer at %(time)s") % {
            "channel": channel.lower(),
            "time": time,
        }
        points = (
            f"{x:.1f},{MARK_Y} {x - half:.1f},{MARK_Y + half:.1f} {x:.1f},{MARK_Y + MARK_SIZE} "
            f"{x + half:.1f},{MARK_Y + half:.1f}"
        )
    else:
        title = _("Rejected %(channel)s at %(time)s") % {"channel": channel.lower(), "time": time}
        if mark.code:
            title += f" — {_code_text(mark.code, mark.code_label)}"
        points = (
            f"{x:.1f},{MARK_Y} {x - half:.1f},{MARK_Y + MARK_SIZE} {x + half:.1f},"
            f"{MARK_Y + MARK_SIZE}"
        )
    return DrawnMark(
        x=x,
        points=points,
        title=title,
        time=time,
        channel=channel,
        code=mark.code,
        code_label=mark.code_label,
        missed=mark.missed,
    )


def _summary(username: str, day: Day, heading: str) -> str:
    """The text equivalent of a day's picture (the table below has every interval)."""
    hours = round(day.hours)
    parts = [
        f"{AgentStatus(status).label} {hms(whole_seconds(us))}"
        for status, us in sorted(day.us_by_status().items(), key=lambda item: -item[1])
    ]
    text = ngettext(
        "%(agent)s on %(day)s (%(hours)s hour): %(count)s interval",
        "%(agent)s on %(day)s (%(hours)s hours): %(count)s intervals",
        hours,
    ) % {"agent": username, "day": heading, "hours": hours, "count": len(day.segments)}
    if parts:
        text += " — " + ", ".join(parts)
    text += "; " + ngettext("%(count)s rejection.", "%(count)s rejections.", len(day.marks)) % {
        "count": len(day.marks)
    }
    return text


def _labelled(segments: list[DrawnSegment]) -> list[DrawnSegment]:
    """The segments, those whose label fits under them (and clears the previous label) with
    `show_label` set; the others are named by their tooltip and the table."""
    labelled, clear_from = [], 0.0
    for segment in segments:
        half = len(segment.label) * PX_PER_CHARACTER / 2 + 4
        fits = segment.width >= 2 * half and segment.label_x - half >= clear_from
        if fits:
            clear_from = segment.label_x + half
        labelled.append(replace(segment, show_label=fits))
    return labelled


def drawn_day(day: Day, *, username: str, zone: ZoneInfo, now: datetime) -> DrawnDay:
    """The geometry and texts of one day's bar: one pixel per 90 s of real elapsed time, so a
    23- or 25-hour day is shorter or longer than the others."""
    heading = date_format(day.local_date, "l Y-m-d")
    bar_width = day.hours * PX_PER_HOUR
    now_x = _x(now, day) if day.start <= now < day.end else None
    return DrawnDay(
        local_date=day.local_date,
        heading=heading,
        summary=_summary(username, day, heading),
        width=LEFT + bar_width + 24,
        bar_width=bar_width,
        ticks=[Tick(_x(hour, day), _tick_label(hour, zone)) for hour in day.hour_starts()],
        segments=_labelled([_drawn_segment(segment, day, zone, now) for segment in day.segments]),
        marks=[_drawn_mark(mark, day, zone) for mark in day.marks],
        now_x=now_x,
        now_title=_("Now: %(time)s") % {"time": _local(now, day, zone)} if now_x else "",
    )


class AgentDayView(ReportReaderRequired, View):
    def get(self, request: HttpRequest, username: str) -> HttpResponse:
        with report_reads():
            agent = get_object_or_404(
                agents_in_scope(user=request.user)
                .select_related("user", "group")
                .only("id", "user__username", "user__first_name", "user__last_name", "group__name"),
                user__username=username,
            )
            return self.respond(request, agent)

    def respond(self, request: HttpRequest, agent: Agent) -> HttpResponse:
        form = AgentDayForm(request.GET)
        now = timezone.now()
        context = {
            "title": _("An agent's day"),
            "agent": agent,
            "form": form,
            "legend": legend(),
            "patterns": patterns(),
        }
        if form.is_valid():
            window = form.cleaned_data["window"]
            days = agent_day(
                agent=agent,
                window=window,
                now=now,
                groups=event_groups_in_scope(user=request.user),
            )
            context.update(
                window=window,
                days=[
                    drawn_day(day, username=agent.username, zone=window.zone, now=now)
                    for day in days
                ],
                previous_link=self._shifted(request, window, -1),
                next_link=self._shifted(request, window, +1),
            )
        return render(request, "reports/agent_day.html", context)

    @staticmethod
    def _shifted(request: HttpRequest, window: Window, direction: int) -> str:
        """This page moved by its number of days, backwards or forwards."""
        length = (window.date_to - window.date_from).days + 1
        first = window.date_from + timedelta(days=direction * length)
        query = request.GET.copy()
        query["date"] = first.isoformat()
        query["tz"] = window.zone.key
        return f"?{query.urlencode()}"
