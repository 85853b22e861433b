"""The time-by-code chart: one bar per code, longest first, stacked by status or by agent."""

from reports.charts import BAR_AREA, MAX_SERIES, stacked_bars
from reports.selectors.time_by_code import ChartSegment

HOUR = 3_600_000_000


def test_bars_are_sorted_by_time_and_scaled_to_the_longest():
    chart = stacked_bars(
        [
            ChartSegment("Support", "SHORT", "Short Break", "on_break", HOUR),
            ChartSegment("Support", "LUNCH", "Lunch", "on_break", 3 * HOUR),
            ChartSegment("Support", "LUNCH", "Lunch", "work_offline", HOUR),
        ],
        series_label=str.upper,
    )
    assert [bar.label for bar in chart.bars] == [
        "Lunch (Support / LUNCH)",
        "Short Break (Support / SHORT)",
    ]
    assert [bar.total for bar in chart.bars] == ["4:00:00", "1:00:00"]
    lunch, short = chart.bars
    assert [round(rect.width) for rect in lunch.rects] == [BAR_AREA * 3 / 4, BAR_AREA / 4]
    assert round(short.rects[0].width) == BAR_AREA / 4
    assert chart.legend[0][0] == "ON_BREAK"


def test_time_without_a_code_has_its_own_bar():
    chart = stacked_bars([ChartSegment("", "", "", "on_break", HOUR)], series_label=str)
    assert [bar.label for bar in chart.bars] == ["(no code)"]


def test_agents_beyond_the_palette_share_one_colour():
    segments = [
        ChartSegment("Support", "LUNCH", "Lunch", f"agent{number}", (number + 1) * HOUR)
        for number in range(MAX_SERIES + 3)
    ]
    chart = stacked_bars(segments, series_label=str)
    assert len(chart.legend) == MAX_SERIES + 1
    assert chart.legend[0][0] == f"agent{MAX_SERIES + 2}"
    assert chart.legend[-1][0] == "Others"
    [bar] = chart.bars
    assert len(bar.rects) == MAX_SERIES + 1


def test_nothing_to_draw_is_no_chart():
    assert stacked_bars([], series_label=str) is None
