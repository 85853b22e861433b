"""Which period a subscription covers, and when: daily and weekly, in several zones and across
daylight-saving changes (no database)."""

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from schedules.periods import ReportPeriod, latest_whole_period
from tests.reports.timeline import at

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")


def daily(now, zone, send_time=time(7, 0)):
    return latest_whole_period(
        frequency="daily", weekday=None, send_time=send_time, zone=zone, now=now
    )


def weekly(now, zone, weekday=0, send_time=time(7, 0)):
    return latest_whole_period(
        frequency="weekly", weekday=weekday, send_time=send_time, zone=zone, now=now
    )


def days(first, last=None):
    return ReportPeriod(date.fromisoformat(first), date.fromisoformat(last or first))


def test_daily_sends_yesterday_from_the_send_time_on():
    assert daily(at("2025-03-10 06:59", "Europe/Madrid"), MADRID) == days("2025-03-08")
    assert daily(at("2025-03-10 07:00", "Europe/Madrid"), MADRID) == days("2025-03-09")
    assert daily(at("2025-03-10 23:59", "Europe/Madrid"), MADRID) == days("2025-03-09")


def test_the_same_instant_is_a_different_day_in_another_zone():
    instant = at("2025-03-10 23:30")
    assert daily(instant, ZoneInfo("UTC")) == days("2025-03-09")
    # 08:30 on the 11th in Tokyo: the 10th is yesterday there.
    assert daily(instant, ZoneInfo("Asia/Tokyo")) == days("2025-03-10")
    # 16:30 on the 10th in Los Angeles.
    assert daily(instant, ZoneInfo("America/Los_Angeles")) == days("2025-03-09")


def test_a_send_time_skipped_by_the_spring_change_is_reached_just_after_it():
    # New York, 9 March 2025: 02:00 EST jumps to 03:00 EDT; 02:30 never happens.
    send = time(2, 30)
    assert daily(at("2025-03-09 06:59"), NEW_YORK, send) == days("2025-03-07")  # 01:59 EST
    assert daily(at("2025-03-09 07:00"), NEW_YORK, send) == days("2025-03-08")  # 03:00 EDT


def test_a_send_time_repeated_by_the_autumn_change_gives_one_period():
    # New York, 2 November 2025: 01:00-02:00 happens twice (EDT, then EST).
    send = time(1, 30)
    assert daily(at("2025-11-02 05:29"), NEW_YORK, send) == days("2025-10-31")
    first, second = at("2025-11-02 05:30"), at("2025-11-02 06:30")  # 01:30 EDT, 01:30 EST
    assert daily(first, NEW_YORK, send) == daily(second, NEW_YORK, send) == days("2025-11-01")


def test_madrid_spring_and_autumn_days_are_sent_on_the_local_clock():
    # Madrid changes on 30 March and 26 October 2025; 07:00 local is 05:00 or 06:00 UTC.
    assert daily(at("2025-03-31 04:59"), MADRID) == days("2025-03-29")
    assert daily(at("2025-03-31 05:00"), MADRID) == days("2025-03-30")
    assert daily(at("2025-10-27 05:59"), MADRID) == days("2025-10-25")
    assert daily(at("2025-10-27 06:00"), MADRID) == days("2025-10-26")


@pytest.mark.parametrize(
    ("local_now", "expected"),
    [
        # Monday 10 March 2025 at 07:00 is the send time: the week of 3-9 March.
        ("2025-03-10 06:59", ("2025-02-24", "2025-03-02")),
        ("2025-03-10 07:00", ("2025-03-03", "2025-03-09")),
        ("2025-03-13 12:00", ("2025-03-03", "2025-03-09")),
        ("2025-03-16 23:59", ("2025-03-03", "2025-03-09")),
        ("2025-03-17 07:00", ("2025-03-10", "2025-03-16")),
    ],
)
def test_weekly_on_monday_sends_the_last_whole_monday_to_sunday_week(local_now, expected):
    assert weekly(at(local_now, "Europe/Madrid"), MADRID) == days(*expected)


def test_weekly_on_sunday_waits_for_the_week_to_end():
    # Sunday 9 March at 08:00: the week of 3-9 March has not ended, so the one before.
    assert weekly(
        at("2025-03-09 08:00", "Europe/Madrid"), MADRID, weekday=6, send_time=time(8)
    ) == (days("2025-02-24", "2025-03-02"))


def test_weekly_across_the_spring_change():
    # Madrid's week of 24-30 March 2025 has a 23-hour Sunday; sent Monday 31 at 07:00 CEST.
    assert weekly(at("2025-03-31 04:59"), MADRID) == days("2025-03-17", "2025-03-23")
    assert weekly(at("2025-03-31 05:00"), MADRID) == days("2025-03-24", "2025-03-30")
