"""The time-by-code charts: horizontal bars, one per code, stacked by status or by agent; and
the trend, one column per period, stacked by status or by code.

Drawn on the server as SVG (no JavaScript, no CDN): this module computes the geometry, the
templates `reports/_chart.html` and `reports/_trend.html` draw it.
"""

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.durations import hms, whole_seconds

from .selectors.labels import code_caption
from .selectors.time_by_code import ChartSegment, TrendSegment

PALETTE = (
    "#1f6feb",
    "#e8833a",
    "#2e7d32",
    "#8e44ad",
    "#c62828",
    "#00838f",
    "#b26a00",
    "#5b6775",
    "#d81b60",
)
# Stacking by agent shows the agents with the most time; the others share one colour.
MAX_SERIES = len(PALETTE) - 1
LABEL_WIDTH = 240
BAR_AREA = 560
ROW_HEIGHT = 26
BAR_HEIGHT = 18


@dataclass
class Rect:
    x: float
    width: float
    colour: str
    title: str


@dataclass
class Bar:
    label: str
    y: int
    total: str
    rects: list[Rect] = field(default_factory=list)
    end_x: float = LABEL_WIDTH

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 4


@dataclass
class Chart:
    bars: list[Bar]
    legend: list[tuple[str, str]]
    width: int = LABEL_WIDTH + BAR_AREA + 80
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return len(self.bars) * ROW_HEIGHT


def stacked_bars(
    segments: Iterable[ChartSegment], *, series_label: Callable[[str], str]
) -> Chart | None:
    """Bars of time by code, longest first, stacked by the segments' series."""
    by_code: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_series: dict[str, int] = defaultdict(int)
    for segment in segments:
        by_code[(segment.list, segment.code, segment.code_label)][segment.series] += segment.us
        per_series[segment.series] += segment.us
    if not by_code:
        return None
    ranked = sorted(per_series, key=lambda series: (-per_series[series], series))
    shown, others = ranked[:MAX_SERIES], ranked[MAX_SERIES:]
    if len(others) == 1:
        shown, others = ranked, []
    colours = {series: PALETTE[index] for index, series in enumerate(shown)}
    other_label = _("Others")
    legend = [(series_label(series), colours[series]) for series in shown]
    if others:
        legend.append((other_label, PALETTE[-1]))
    totals = {key: sum(values.values()) for key, values in by_code.items()}
    scale = BAR_AREA / max(max(totals.values()), 1)
    bars = []
    for index, key in enumerate(sorted(totals, key=lambda key: (-totals[key], key))):
        list_name, code, code_label = key
        label = code_caption(list_name, code, code_label)
        bar = Bar(label=label, y=index * ROW_HEIGHT, total=hms(whole_seconds(totals[key])))
        x = float(LABEL_WIDTH)
        values = by_code[key]
        stacked = [
            (series_label(series), colours[series], values.get(series, 0)) for series in shown
        ]
        stacked.append((other_label, PALETTE[-1], sum(values.get(series, 0) for series in others)))
        for name, colour, us in stacked:
            if us:
                width = us * scale
                bar.rects.append(Rect(x, width, colour, f"{name}: {hms(whole_seconds(us))}"))
                x += width
        bar.end_x = x + 6
        bars.append(bar)
    return Chart(bars=bars, legend=legend)


# The trend: one column per period, stacked by status or by code, drawn up to this many periods
# (beyond, a column would be narrower than a pixel on a laptop: the page asks for a longer grain).
MAX_TREND_PERIODS = 400
TREND_LEFT = 80
TREND_AREA_WIDTH = 760
TREND_AREA_HEIGHT = 220
TREND_BOTTOM = 72
TREND_TOP = 26
# At most this many period labels under the axis, evenly spaced.
TREND_LABELS = 8


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class PeriodLabel:
    x: float
    label: str


@dataclass
class TrendChart:
    columns: list["PeriodColumn"]
    legend: list[tuple[str, str]]
    ticks: list[Tick]
    labels: list[PeriodLabel]
    width: int = TREND_LEFT + TREND_AREA_WIDTH + 16
    height: int = TREND_TOP + TREND_AREA_HEIGHT + TREND_BOTTOM
    left: int = TREND_LEFT
    top: int = TREND_TOP
    bottom: int = TREND_TOP + TREND_AREA_HEIGHT
    right: int = TREND_LEFT + TREND_AREA_WIDTH


@dataclass
class PeriodColumn:
    """One period's stacked column: its rectangles bottom up."""

    label: str
    total: str
    rects: list["TrendRect"] = field(default_factory=list)


@dataclass
class TrendRect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


def _tick_step_seconds(top_seconds: int) -> int:
    """A round step for about four gridlines: minutes, quarter hours, hours, days."""
    for step in (60, 300, 900, 1800, 3600, 7200, 4 * 3600, 12 * 3600, 86400, 7 * 86400):
        if top_seconds / step <= 5:
            return step
    return 30 * 86400


def trend_columns(
    segments: Iterable[TrendSegment],
    *,
    period_labels: Sequence[str],
    series_label: Callable[[object], str],
) -> TrendChart | None:
    """Columns of time per period, stacked by the segments' series (statuses or codes), with a
    time axis, period labels and a legend; None when there is nothing to draw or too many
    periods to draw legibly."""
    per_period: dict[int, dict[object, int]] = defaultdict(lambda: defaultdict(int))
    per_series: dict[object, int] = defaultdict(int)
    for segment in segments:
        per_period[segment.period][segment.series] += segment.us
        per_series[segment.series] += segment.us
    count = len(period_labels)
    if not per_period or count > MAX_TREND_PERIODS:
        return None
    ranked = sorted(per_series, key=lambda series: (-per_series[series], str(series)))
    shown, others = ranked[:MAX_SERIES], ranked[MAX_SERIES:]
    if len(others) == 1:
        shown, others = ranked, []
    colours = {series: PALETTE[index] for index, series in enumerate(shown)}
    other_label = _("Others")
    legend = [(series_label(series), colours[series]) for series in shown]
    if others:
        legend.append((other_label, PALETTE[-1]))
    top_us = max(sum(values.values()) for values in per_period.values())
    step = _tick_step_seconds(math.ceil(whole_seconds(top_us) or 1))
    top_seconds = step * math.ceil(max(whole_seconds(top_us), 1) / step)
    scale = TREND_AREA_HEIGHT / (top_seconds * 1_000_000)
    slot = TREND_AREA_WIDTH / count
    width = max(slot * 0.8, 0.5)
    bottom = TREND_TOP + TREND_AREA_HEIGHT
    columns = []
    for period in range(count):
        values = per_period.get(period, {})
        label = period_labels[period]
        column = PeriodColumn(label=label, total=hms(whole_seconds(sum(values.values()))))
        x, y = TREND_LEFT + period * slot + (slot - width) / 2, float(bottom)
        stacked = [(series_label(s), colours[s], values.get(s, 0)) for s in shown]
        stacked.append((other_label, PALETTE[-1], sum(values.get(s, 0) for s in others)))
        for name, colour, us in stacked:
            if us:
                height = us * scale
                y -= height
                title = f"{label} — {name}: {hms(whole_seconds(us))}"
                column.rects.append(TrendRect(x, y, width, height, colour, title))
        columns.append(column)
    ticks = [
        Tick(y=bottom - seconds * 1_000_000 * scale, label=hms(seconds)[:-3])
        for seconds in range(0, top_seconds + 1, step)
    ]
    every = max(math.ceil(count / TREND_LABELS), 1)
    labels = [
        PeriodLabel(x=TREND_LEFT + index * slot + slot / 2, label=_short(period_labels[index]))
        for index in range(0, count, every)
    ]
    return TrendChart(columns=columns, legend=legend, ticks=ticks, labels=labels)


def _short(label: str) -> str:
    """A period's label under the axis: `03-09 01:00` for a time of day (the full label, with
    its offset, is in each column's title), the date otherwise."""
    if "T" not in label:
        return label
    day, clock = label.split("T")
    return f"{day[5:]} {clock[:5]}"
