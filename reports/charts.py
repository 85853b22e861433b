"""The time-by-code chart: horizontal bars, one per code, stacked by status or by agent.

Drawn on the server as SVG (no JavaScript, no CDN): this module computes the geometry, the
template `reports/_chart.html` draws it.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.durations import hms, whole_seconds

from .selectors.time_by_code import ChartSegment

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
        label = f"{code_label} ({list_name} / {code})" if code else _("(no code)")
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
