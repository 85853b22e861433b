"""Time on break/offline by code (docs/timeline.md), hand-computed, on the selector with a frozen
`now`."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agents.models import Agent
from agents.timeline import time_in_status
from reports.selectors.common import NO_CODE
from reports.selectors.time_by_code import TimeByCodeReport
from reports.selectors.window import Window
from statuscodes.models import StatusCode
from tests.reports.timeline import at, timeline

# Each figure the same whichever way the periods are found (conftest).
pytestmark = pytest.mark.usefixtures("both_period_lookups")

LATER = datetime(2030, 1, 1, tzinfo=UTC)
HOUR = 3600


def report(first: str, last: str, *, zone: str = "UTC", now: datetime = LATER, **filters):
    window = Window(date.fromisoformat(first), date.fromisoformat(last), ZoneInfo(zone))
    return TimeByCodeReport(agents=Agent.objects.all(), window=window, now=now, **filters)


def table(first: str, last: str, **options) -> dict:
    """{(date, agent, status, code): (count, seconds)} of every row."""
    return {
        (str(row.date), row.agent, row.status, row.code): (row.figures.count, row.figures.seconds)
        for row in report(first, last, **options).rows()
    }


def test_a_break_across_midnight_is_split_and_counted_on_the_day_it_starts(ana):
    timeline(
        ana,
        (at("2025-03-01 22:00"), "available"),
        (at("2025-03-01 23:30"), "on_break", "LUNCH"),
        (at("2025-03-02 00:45"), "available"),
        (at("2025-03-02 02:00"), "logged_out", "EOS"),
    )
    assert table("2025-03-01", "2025-03-02") == {
        ("2025-03-01", "ana", "on_break", "LUNCH"): (1, 30 * 60),
        ("2025-03-02", "ana", "on_break", "LUNCH"): (0, 45 * 60),
    }


def test_only_the_part_of_an_interval_inside_the_window_counts(ana):
    timeline(
        ana,
        (at("2025-03-01 23:00"), "on_break", "LUNCH"),
        (at("2025-03-02 00:30"), "available"),
        (at("2025-03-03 23:50"), "on_break", "SHORT"),
        (at("2025-03-04 00:20"), "available"),
    )
    assert table("2025-03-02", "2025-03-03") == {
        # Started before the window: its time inside counts, its start does not.
        ("2025-03-02", "ana", "on_break", "LUNCH"): (0, 30 * 60),
        # Ends after the window: counted, cut at the window's end.
        ("2025-03-03", "ana", "on_break", "SHORT"): (1, 10 * 60),
    }


def test_an_ongoing_interval_counts_up_to_now(ana):
    timeline(
        ana, (at("2025-03-01 09:00"), "available"), (at("2025-03-01 10:00"), "on_break", "SHORT")
    )
    now = at("2025-03-01 10:25:30")
    assert table("2025-03-01", "2025-03-05", now=now) == {
        ("2025-03-01", "ana", "on_break", "SHORT"): (1, 25 * 60 + 30),
    }


def test_an_ongoing_interval_never_counts_past_the_window_end(ana):
    timeline(ana, (at("2025-03-01 23:00"), "work_offline", "MEETING"))
    now = at("2025-03-05 08:00")
    assert table("2025-03-01", "2025-03-01", now=now) == {
        ("2025-03-01", "ana", "work_offline", "MEETING"): (1, HOUR),
    }


def test_spring_forward_day_in_new_york_has_23_hours(ana):
    zone = "America/New_York"
    timeline(
        ana,
        (at("2025-03-08 22:00", zone), "work_offline", "TRAINING"),
        (at("2025-03-10 01:00", zone), "available"),
    )
    rows = report("2025-03-08", "2025-03-10", zone=zone).rows()
    figures = {str(row.date): row.figures for row in rows}
    assert figures["2025-03-08"].seconds == 2 * HOUR
    assert figures["2025-03-09"].seconds == 23 * HOUR
    assert figures["2025-03-09"].percent_of_logged_in == 100.0
    assert figures["2025-03-10"].seconds == HOUR


def test_fall_back_day_in_new_york_has_25_hours(ana):
    zone = "America/New_York"
    timeline(
        ana,
        (at("2025-11-01 23:00", zone), "on_break", "LUNCH"),
        (at("2025-11-03 00:00", zone), "available"),
    )
    rows = {str(row.date): row for row in report("2025-11-02", "2025-11-02", zone=zone).rows()}
    assert rows["2025-11-02"].figures.seconds == 25 * HOUR
    assert rows["2025-11-02"].figures.duration == "25:00:00"
    assert rows["2025-11-02"].figures.count == 0


def test_a_zone_east_of_utc_splits_at_its_own_midnight(ana):
    # 23:30 to 00:30 in Kolkata (+05:30) is 18:00 to 19:00 on one UTC date.
    timeline(
        ana,
        (at("2025-03-01 18:00"), "on_break", "SHORT"),
        (at("2025-03-01 19:00"), "available"),
    )
    assert table("2025-03-01", "2025-03-02", zone="Asia/Kolkata") == {
        ("2025-03-01", "ana", "on_break", "SHORT"): (1, 30 * 60),
        ("2025-03-02", "ana", "on_break", "SHORT"): (0, 30 * 60),
    }
    assert table("2025-03-01", "2025-03-01") == {
        ("2025-03-01", "ana", "on_break", "SHORT"): (1, HOUR),
    }


def test_time_without_a_code_is_reported_under_an_empty_code(nocode):
    timeline(
        nocode,
        (at("2025-03-01 09:00"), "available"),
        (at("2025-03-01 10:00"), "on_break"),
        (at("2025-03-01 10:20"), "available"),
    )
    [row] = report("2025-03-01", "2025-03-01").rows()
    assert (row.list, row.code, row.code_label, row.figures.seconds) == ("", "", "", 20 * 60)
    assert table("2025-03-01", "2025-03-01", code=NO_CODE) == {
        ("2025-03-01", "nocode", "on_break", ""): (1, 20 * 60),
    }


def test_a_renamed_code_relabels_its_history_without_splitting_it(ana):
    timeline(
        ana,
        (at("2025-03-01 12:00"), "on_break", "LUNCH"),
        (at("2025-03-01 12:30"), "available"),
        (at("2025-03-01 15:00"), "on_break", "LUNCH"),
        (at("2025-03-01 15:10"), "available"),
    )
    StatusCode.objects.filter(code="LUNCH").update(label_en="Meal")
    [row] = report("2025-03-01", "2025-03-01").rows()
    assert (row.code, row.code_label, row.figures.count, row.figures.seconds) == (
        "LUNCH",
        "Meal",
        2,
        40 * 60,
    )


def test_switching_codes_without_going_available_makes_two_intervals(ana):
    timeline(
        ana,
        (at("2025-03-01 12:00"), "on_break", "LUNCH"),
        (at("2025-03-01 12:30"), "on_break", "SHORT"),
        (at("2025-03-01 12:40"), "available"),
    )
    assert table("2025-03-01", "2025-03-01") == {
        ("2025-03-01", "ana", "on_break", "LUNCH"): (1, 30 * 60),
        ("2025-03-01", "ana", "on_break", "SHORT"): (1, 10 * 60),
    }


def test_percent_of_logged_in_divides_by_the_agents_logged_in_time_that_date(ana):
    timeline(
        ana,
        (at("2025-03-01 09:00"), "available"),
        (at("2025-03-01 11:00"), "logged_out", "EOS"),
        (at("2025-03-01 12:00"), "available"),
        (at("2025-03-01 13:00"), "on_break", "LUNCH"),
        (at("2025-03-01 13:45"), "busy"),
        (at("2025-03-01 17:00"), "logged_out", "EOS"),
    )
    [row] = report("2025-03-01", "2025-03-01").rows()
    # Logged in 09-11 and 12-17: 7 h; 45 min of it on break is 10.714…%.
    assert row.figures.logged_in_us == 7 * HOUR * 1_000_000
    assert row.figures.percent_of_logged_in == 10.7


def test_time_before_an_agents_first_change_is_not_logged_in(ana):
    timeline(
        ana,
        (at("2025-03-01 12:00"), "available"),
        (at("2025-03-01 13:00"), "on_break", "SHORT"),
        (at("2025-03-01 13:30"), "available"),
    )
    now = at("2025-03-01 14:00")
    [row] = report("2025-03-01", "2025-03-01", now=now).rows()
    assert row.figures.logged_in_us == 2 * HOUR * 1_000_000
    assert row.figures.percent_of_logged_in == 25.0


def test_a_break_over_several_days_counts_once_and_adds_time_to_each_day(ana):
    timeline(
        ana,
        (at("2025-03-01 20:00"), "work_offline", "TRAINING"),
        (at("2025-03-03 04:00"), "available"),
    )
    assert table("2025-03-01", "2025-03-03") == {
        ("2025-03-01", "ana", "work_offline", "TRAINING"): (1, 4 * HOUR),
        ("2025-03-02", "ana", "work_offline", "TRAINING"): (0, 24 * HOUR),
        ("2025-03-03", "ana", "work_offline", "TRAINING"): (0, 4 * HOUR),
    }


def test_seconds_are_summed_exactly_and_rounded_once(ana):
    # Three breaks of 599.7 s: 1799.1 s in all, shown as 1799 (not 3 × 600).
    steps = []
    for hour in (9, 11, 13):
        steps += [
            (at(f"2025-03-01 {hour:02d}:00:00.300000"), "on_break", "SHORT"),
            (at(f"2025-03-01 {hour:02d}:10"), "available"),
        ]
    timeline(ana, *steps)
    [row] = report("2025-03-01", "2025-03-01").rows()
    assert row.figures.us == 1_799_100_000
    assert (row.figures.seconds, row.figures.duration) == (1799, "0:29:59")


def test_half_a_second_rounds_up(ana):
    timeline(
        ana,
        (at("2025-03-01 09:00:00"), "on_break", "SHORT"),
        (at("2025-03-01 09:00:10.500000"), "available"),
    )
    [row] = report("2025-03-01", "2025-03-01").rows()
    assert row.figures.seconds == 11


def test_intervals_over_the_codes_maximum_are_counted_where_they_start(ana):
    # LUNCH has a 60-minute maximum: 80 minutes across midnight is 20 minutes over.
    timeline(
        ana,
        (at("2025-03-01 23:20"), "on_break", "LUNCH"),
        (at("2025-03-02 00:40"), "available"),
        (at("2025-03-02 12:00"), "on_break", "LUNCH"),
        (at("2025-03-02 12:50"), "available"),
    )
    figures = {str(row.date): row.figures for row in report("2025-03-01", "2025-03-02").rows()}
    assert (figures["2025-03-01"].exceeded_count, figures["2025-03-01"].exceeded_seconds) == (
        1,
        20 * 60,
    )
    assert figures["2025-03-02"].exceeded_count == 0


def test_the_report_and_the_live_rule_agree_on_the_maximum_to_the_microsecond(ana):
    # LUNCH has a 60-minute maximum: exactly 60 minutes is not over it, one microsecond more is.
    timeline(
        ana,
        (at("2025-03-01 12:00"), "on_break", "LUNCH"),
        (at("2025-03-01 13:00"), "available"),
        (at("2025-03-02 12:00"), "on_break", "LUNCH"),
        (at("2025-03-02 13:00:00.000001"), "available"),
    )
    figures = {str(row.date): row.figures for row in report("2025-03-01", "2025-03-02").rows()}
    assert (figures["2025-03-01"].exceeded_count, figures["2025-03-01"].exceeded_us) == (0, 0)
    assert (figures["2025-03-02"].exceeded_count, figures["2025-03-02"].exceeded_us) == (1, 1)

    # What the console and the live board say of the same intervals, ongoing at those instants.
    exactly = time_in_status(
        since=at("2025-03-01 12:00"), max_minutes=60, now=at("2025-03-01 13:00")
    )
    beyond = time_in_status(
        since=at("2025-03-02 12:00"), max_minutes=60, now=at("2025-03-02 13:00:00.000001")
    )
    assert (exactly.exceeded, beyond.exceeded) == (False, True)
    assert exactly.exceeds_in == timedelta(0) and beyond.exceeds_in is None


def test_other_statuses_are_not_reported_and_filters_narrow_the_rows(ana):
    timeline(
        ana,
        (at("2025-03-01 09:00"), "available"),
        (at("2025-03-01 09:30"), "busy"),
        (at("2025-03-01 10:00"), "on_break", "SHORT"),
        (at("2025-03-01 10:10"), "work_offline", "MEETING"),
        (at("2025-03-01 11:00"), "available"),
    )
    assert set(table("2025-03-01", "2025-03-01")) == {
        ("2025-03-01", "ana", "on_break", "SHORT"),
        ("2025-03-01", "ana", "work_offline", "MEETING"),
    }
    assert set(table("2025-03-01", "2025-03-01", statuses=["work_offline"])) == {
        ("2025-03-01", "ana", "work_offline", "MEETING"),
    }
    short = StatusCode.objects.get(code_list=ana.group.code_list, code="SHORT")
    assert set(table("2025-03-01", "2025-03-01", code=short)) == {
        ("2025-03-01", "ana", "on_break", "SHORT"),
    }


@pytest.fixture
def busy_day(ana, sofia, sam):
    timeline(
        ana,
        (at("2025-03-01 08:00"), "available"),
        (at("2025-03-01 10:00:00.400000"), "on_break", "SHORT"),
        (at("2025-03-01 10:12"), "available"),
        (at("2025-03-01 23:30"), "work_offline", "MEETING"),
        (at("2025-03-02 01:00"), "logged_out", "EOS"),
    )
    timeline(
        sofia,
        (at("2025-03-01 09:00"), "available"),
        (at("2025-03-01 12:00"), "on_break", "LUNCH"),
        (at("2025-03-01 13:05:00.700000"), "available"),
        (at("2025-03-02 12:00"), "on_break", "LUNCH"),
        (at("2025-03-02 12:30"), "logged_out", "EOS"),
    )
    timeline(
        sam,
        (at("2025-03-02 09:00"), "on_break", "LUNCH"),
        (at("2025-03-02 09:40"), "available"),
    )


def test_totals_and_subtotals_are_the_sums_of_the_rows(busy_day):
    every = report("2025-03-01", "2025-03-02")
    rows = list(every.rows())
    page = every.page(limit=2)
    assert page.count == len(rows) == 6
    assert len(page.rows) == 2
    total = page.summary["total"]
    assert total.count == sum(row.figures.count for row in rows) == 5
    assert total.us == sum(row.figures.us for row in rows)
    for subtotals, key in (
        (page.summary["by_agent"], "agent"),
        (page.summary["by_status"], "status"),
    ):
        assert sum(subtotal.figures.us for subtotal in subtotals) == total.us
        for subtotal in subtotals:
            mine = [row for row in rows if getattr(row, key) == subtotal.key]
            assert subtotal.figures.count == sum(row.figures.count for row in mine)
            assert subtotal.figures.us == sum(row.figures.us for row in mine)


def test_pages_are_cut_from_the_sorted_rows(busy_day):
    every = report("2025-03-01", "2025-03-02")
    by_time = list(every.rows(order=["-seconds"]))
    assert [row.figures.us for row in by_time] == sorted(
        (row.figures.us for row in by_time), reverse=True
    )
    second_page = every.page(order=["-seconds"], offset=2, limit=2)
    assert second_page.rows == by_time[2:4]
    assert second_page.summary["order"] == ("-seconds",)


def test_a_window_with_nothing_has_empty_totals(ana):
    page = report("2025-03-01", "2025-03-02").page()
    assert (page.count, page.rows, page.summary["total"].us) == (0, [], 0)
