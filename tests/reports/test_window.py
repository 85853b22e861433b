"""Local days of a report window become UTC instants, 23 or 25 hours long around DST changes."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from reports.selectors.window import Window

LATER = datetime(2030, 1, 1, tzinfo=UTC)


def test_a_day_lasts_24_hours_in_utc():
    window = Window(date(2025, 3, 1), date(2025, 3, 1), ZoneInfo("UTC"))
    [day] = window.days(now=LATER)
    assert (day.start, day.end) == (
        datetime(2025, 3, 1, tzinfo=UTC),
        datetime(2025, 3, 2, tzinfo=UTC),
    )


def test_spring_forward_day_in_new_york_lasts_23_hours():
    window = Window(date(2025, 3, 9), date(2025, 3, 9), ZoneInfo("America/New_York"))
    [day] = window.days(now=LATER)
    assert day.start == datetime(2025, 3, 9, 5, tzinfo=UTC)
    assert day.end - day.start == timedelta(hours=23)


def test_fall_back_day_in_new_york_lasts_25_hours():
    window = Window(date(2025, 11, 2), date(2025, 11, 2), ZoneInfo("America/New_York"))
    [day] = window.days(now=LATER)
    assert day.start == datetime(2025, 11, 2, 4, tzinfo=UTC)
    assert day.end - day.start == timedelta(hours=25)


def test_a_zone_east_of_utc_starts_its_day_the_evening_before_in_utc():
    window = Window(date(2025, 3, 1), date(2025, 3, 2), ZoneInfo("Asia/Kolkata"))
    first, second = window.days(now=LATER)
    assert first.start == datetime(2025, 2, 28, 18, 30, tzinfo=UTC)
    assert first.end == second.start == datetime(2025, 3, 1, 18, 30, tzinfo=UTC)


def test_days_stop_at_now_and_the_current_day_ends_at_now():
    window = Window(date(2025, 3, 1), date(2025, 3, 7), ZoneInfo("UTC"))
    now = datetime(2025, 3, 2, 9, 30, tzinfo=UTC)
    days = window.days(now=now)
    assert [day.local_date for day in days] == [date(2025, 3, 1), date(2025, 3, 2)]
    assert days[-1].end == now


def test_a_window_in_the_future_has_no_days():
    window = Window(date(2025, 3, 1), date(2025, 3, 7), ZoneInfo("UTC"))
    assert window.days(now=datetime(2025, 2, 1, tzinfo=UTC)) == []
