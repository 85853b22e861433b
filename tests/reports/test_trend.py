"""The trend chart over the periods and the per-group summary of the time-by-code page: the
same numbers as the table."""

from collections import defaultdict

from core.durations import hms, whole_seconds
from reports.charts import MAX_TREND_PERIODS, trend_columns
from reports.selectors.time_by_code import TrendSegment
from tests.conftest import make_agent
from tests.reports.conftest import WINDOW
from tests.reports.timeline import at, timeline

URL = "/reports/time-by-code/"
HOUR = 3_600_000_000


def test_the_trend_has_the_time_of_each_period_of_the_table(client_for, history, superuser):
    response = client_for(superuser).get(URL, {**WINDOW, "granularity": "hour"})
    table = defaultdict(int)
    for row in response.context["table"].paginated_rows:
        table[row.record.period] += row.record.figures.us
    columns = {column.label: column.total for column in response.context["trend"].columns}
    drawn = {label: total for label, total in columns.items() if total != "0:00:00"}
    assert drawn == {label: hms(whole_seconds(us)) for label, us in table.items()}
    # One column per period of the window, drawn or empty: two days of hours.
    assert len(columns) == 48
    html = response.content.decode()
    assert 'class="bar-chart trend-chart"' in html
    assert "Time (h:mm)" in html


def test_the_trend_stacks_by_code_on_request(client_for, history, superuser):
    response = client_for(superuser).get(URL, {**WINDOW, "trend": "code"})
    legend = [label for label, _colour in response.context["trend"].legend]
    assert "Lunch (Support / LUNCH)" in legend
    assert "stack by status" in response.content.decode()


def test_the_trend_is_drawn_up_to_its_period_limit():
    labels = [f"p{index}" for index in range(MAX_TREND_PERIODS + 1)]
    segments = [TrendSegment(0, "on_break", HOUR)]
    assert trend_columns(segments, period_labels=labels[:-1], series_label=str) is not None
    assert trend_columns(segments, period_labels=labels, series_label=str) is None


def test_the_tallest_period_fits_the_axis_and_the_others_scale_to_it():
    chart = trend_columns(
        [
            TrendSegment(0, "on_break", HOUR),
            TrendSegment(0, "work_offline", HOUR),
            TrendSegment(1, "on_break", HOUR),
        ],
        period_labels=["2025-03-01", "2025-03-02"],
        series_label=str.upper,
    )
    first, second = chart.columns
    assert [column.total for column in chart.columns] == ["2:00:00", "1:00:00"]
    assert sum(rect.height for rect in first.rects) == 2 * sum(r.height for r in second.rects)
    assert chart.ticks[-1].y <= min(rect.y for rect in first.rects)
    assert [label for label, _colour in chart.legend] == ["ON_BREAK", "WORK_OFFLINE"]


def test_each_group_has_its_time_by_code_and_share_of_logged_in_time(
    client_for, history, superuser, sales_group
):
    # A second Sales agent logged in for 2 hours without a break still counts in Sales' share.
    timeline(
        make_agent("walter", sales_group),
        (at("2025-03-02 08:00"), "available"),
        (at("2025-03-02 10:00"), "logged_out"),
    )
    summary = client_for(superuser).get(URL, WINDOW).context["summary"]
    by_group = {subtotal.key: subtotal.figures for subtotal in summary["by_group"]}
    # sam: logged in 09:00 to the window's end (15 h), lunch 40 min; walter: 2 h.
    sales = by_group["Sales Team"]
    assert (sales.duration, sales.logged_in_us) == ("0:40:00", 17 * HOUR)
    assert sales.percent_of_logged_in == 3.9
    codes = [(item.group, item.code, item.duration) for item in summary["by_group_code"]]
    assert ("Sales Team", "LUNCH", "0:40:00") in codes
    assert {item.group for item in summary["by_group_code"]} == {"Sales Team", "Support Tier 1"}
