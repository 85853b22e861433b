"""Granularity: periods of 15 minutes to months on the wall clock of the report zone, computed by
hand on the daylight-saving days of New York and Los Angeles and in Kolkata (UTC+05:30).

Instants are written in UTC where a local time would be ambiguous (the repeated autumn hour).
"""

import csv
import io

import pytest

from tests.reports.timeline import at, rejection, timeline

# Each figure the same whichever way the periods are found (conftest).
pytestmark = pytest.mark.usefixtures("both_period_lookups")

TIME_BY_CODE = "/reports/time-by-code/"
REJECTIONS = "/reports/rejections/"
FIGURES = ("period", "status", "code", "count", "seconds", "duration", "percent_of_logged_in")


def exported(client, url: str, **filters) -> list[dict]:
    response = client.get(url, {**filters, "_export": "csv"})
    assert response.status_code == 200, response.content
    return list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )


def figures(client, **filters) -> list[tuple]:
    return [
        tuple(row[name] for name in FIGURES) for row in exported(client, TIME_BY_CODE, **filters)
    ]


def one_day(day: str, zone: str, granularity: str) -> dict:
    return {"date_from": day, "date_to": day, "tz": zone, "granularity": granularity}


def test_new_york_autumn_the_repeated_hour_is_two_periods(client_for, ana, superuser):
    # 00:30 EDT logs in; 01:15 EDT (05:15 UTC) a break until 01:20 EST (06:20 UTC), 65 minutes
    # later; logged out at 02:30 EST.
    timeline(
        ana,
        (at("2025-11-02 04:30"), "available"),
        (at("2025-11-02 05:15"), "on_break", "SHORT"),
        (at("2025-11-02 06:20"), "available"),
        (at("2025-11-02 07:30"), "logged_out"),
    )
    rows = figures(client_for(superuser), **one_day("2025-11-02", "America/New_York", "hour"))
    assert rows == [
        # 45 of the 60 minutes logged in of the first 01:00, counted where the break starts.
        ("2025-11-02T01:00-04:00", "on_break", "SHORT", "1", "2700", "0:45:00", "75.0"),
        # 20 of the 60 minutes of the second 01:00.
        ("2025-11-02T01:00-05:00", "on_break", "SHORT", "0", "1200", "0:20:00", "33.3"),
    ]


def test_new_york_spring_the_skipped_hour_is_no_period(client_for, ana, superuser):
    # 01:30 EST logs in; 01:45 EST (06:45 UTC) lunch until 03:30 EDT (07:30 UTC): 45 minutes;
    # logged out at 03:45 EDT.
    timeline(
        ana,
        (at("2025-03-09 06:30"), "available"),
        (at("2025-03-09 06:45"), "on_break", "LUNCH"),
        (at("2025-03-09 07:30"), "available"),
        (at("2025-03-09 07:45"), "logged_out"),
    )
    rows = figures(client_for(superuser), **one_day("2025-03-09", "America/New_York", "hour"))
    assert rows == [
        ("2025-03-09T01:00-05:00", "on_break", "LUNCH", "1", "900", "0:15:00", "50.0"),
        # No 02:00: the next hour is 03:00 EDT, 45 minutes logged in of which 30 at lunch.
        ("2025-03-09T03:00-04:00", "on_break", "LUNCH", "0", "1800", "0:30:00", "66.7"),
    ]


def test_los_angeles_autumn_in_half_hours(client_for, ana, superuser):
    # Logged in at 01:00 PDT (08:00 UTC); a break from 01:40 PDT (08:40 UTC) to 01:10 PST
    # (09:10 UTC); logged out at 02:00 PST (10:00 UTC).
    timeline(
        ana,
        (at("2025-11-02 08:00"), "available"),
        (at("2025-11-02 08:40"), "on_break", "SHORT"),
        (at("2025-11-02 09:10"), "available"),
        (at("2025-11-02 10:00"), "logged_out"),
    )
    rows = figures(client_for(superuser), **one_day("2025-11-02", "America/Los_Angeles", "30m"))
    assert rows == [
        ("2025-11-02T01:30-07:00", "on_break", "SHORT", "1", "1200", "0:20:00", "66.7"),
        ("2025-11-02T01:00-08:00", "on_break", "SHORT", "0", "600", "0:10:00", "33.3"),
    ]


def test_los_angeles_spring_in_quarter_hours(client_for, ana, superuser):
    # Logged in at 01:30 PST (09:30 UTC); a break from 01:50 PST (09:50 UTC) to 03:05 PDT
    # (10:05 UTC), 15 minutes; logged out at 03:15 PDT.
    timeline(
        ana,
        (at("2025-03-09 09:30"), "available"),
        (at("2025-03-09 09:50"), "on_break", "SHORT"),
        (at("2025-03-09 10:05"), "available"),
        (at("2025-03-09 10:15"), "logged_out"),
    )
    rows = figures(client_for(superuser), **one_day("2025-03-09", "America/Los_Angeles", "15m"))
    assert rows == [
        ("2025-03-09T01:45-08:00", "on_break", "SHORT", "1", "600", "0:10:00", "66.7"),
        ("2025-03-09T03:00-07:00", "on_break", "SHORT", "0", "300", "0:05:00", "33.3"),
    ]


def test_kolkata_hours_start_on_the_local_hour(client_for, ana, superuser):
    # 09:00 to 12:00 IST logged in; a break from 10:45 to 11:15 IST.
    zone = "Asia/Kolkata"
    timeline(
        ana,
        (at("2025-03-01 09:00", zone), "available"),
        (at("2025-03-01 10:45", zone), "on_break", "SHORT"),
        (at("2025-03-01 11:15", zone), "available"),
        (at("2025-03-01 12:00", zone), "logged_out"),
    )
    rows = figures(client_for(superuser), **one_day("2025-03-01", zone, "hour"))
    assert rows == [
        ("2025-03-01T10:00+05:30", "on_break", "SHORT", "1", "900", "0:15:00", "25.0"),
        ("2025-03-01T11:00+05:30", "on_break", "SHORT", "0", "900", "0:15:00", "25.0"),
    ]


def test_an_offset_of_odd_minutes_cuts_hours_on_the_local_hour(client_for, ana, superuser):
    # Monrovia was UTC-00:44:30 until 1972: its hours do not start on a UTC quarter hour.
    # 08:00 to 11:00 local logged in; a break from 08:30 to 10:15 local.
    zone = "Africa/Monrovia"
    timeline(
        ana,
        (at("1971-06-01 08:00", zone), "available"),
        (at("1971-06-01 08:30", zone), "on_break", "SHORT"),
        (at("1971-06-01 10:15", zone), "available"),
        (at("1971-06-01 11:00", zone), "logged_out"),
    )
    rows = figures(client_for(superuser), **one_day("1971-06-01", zone, "hour"))
    assert rows == [
        ("1971-06-01T08:00-00:44:30", "on_break", "SHORT", "1", "1800", "0:30:00", "50.0"),
        ("1971-06-01T09:00-00:44:30", "on_break", "SHORT", "0", "3600", "1:00:00", "100.0"),
        ("1971-06-01T10:00-00:44:30", "on_break", "SHORT", "0", "900", "0:15:00", "25.0"),
    ]


def test_weeks_start_on_monday_and_are_clipped_to_the_window(client_for, ana, superuser):
    # Saturday 1 March to Wednesday 12 March 2025; offline from Sunday 22:00 to Monday 02:00.
    timeline(
        ana,
        (at("2025-03-02 20:00"), "available"),
        (at("2025-03-02 22:00"), "work_offline", "MEETING"),
        (at("2025-03-03 02:00"), "logged_out"),
    )
    window = {"date_from": "2025-03-01", "date_to": "2025-03-12", "tz": "UTC"}
    rows = figures(client_for(superuser), **window, granularity="week")
    assert rows == [
        # The first week is the window's Saturday and Sunday: 2 of the 4 hours logged in.
        ("2025-03-01", "work_offline", "MEETING", "1", "7200", "2:00:00", "50.0"),
        ("2025-03-03", "work_offline", "MEETING", "0", "7200", "2:00:00", "100.0"),
    ]
    assert figures(client_for(superuser), **window, granularity="month") == [
        ("2025-03-01", "work_offline", "MEETING", "1", "14400", "4:00:00", "66.7"),
    ]
    assert figures(client_for(superuser), **window, granularity="none") == [
        ("2025-03-01", "work_offline", "MEETING", "1", "14400", "4:00:00", "66.7"),
    ]


def test_rejections_in_the_repeated_hour_are_two_rows(client_for, ana, superuser):
    rejection(ana, at("2025-11-02 05:30"), "phone", "CASE")  # 01:30 EDT
    rejection(ana, at("2025-11-02 06:30"), "phone", "CASE")  # 01:30 EST
    rows = exported(
        client_for(superuser), REJECTIONS, **one_day("2025-11-02", "America/New_York", "hour")
    )
    assert [(row["period"], row["channel"], row["code"], row["count"]) for row in rows] == [
        ("2025-11-02T01:00-04:00", "phone", "CASE", "1"),
        ("2025-11-02T01:00-05:00", "phone", "CASE", "1"),
    ]
    daily = exported(
        client_for(superuser), REJECTIONS, **one_day("2025-11-02", "America/New_York", "day")
    )
    assert [(row["date"], row["count"]) for row in daily] == [("2025-11-02", "2")]


@pytest.mark.parametrize("url", [TIME_BY_CODE, REJECTIONS])
def test_the_header_says_period_except_by_day(client_for, ana, superuser, url):
    window = {"date_from": "2025-03-01", "date_to": "2025-03-01", "tz": "UTC"}
    client = client_for(superuser)
    by_hour = client.get(url, {**window, "granularity": "hour", "_export": "csv"})
    assert b"".join(by_hour.streaming_content).decode("utf-8-sig").startswith("period,agent,group,")
    by_day = client.get(url, {**window, "_export": "csv"})
    assert b"".join(by_day.streaming_content).decode("utf-8-sig").startswith("date,agent,group,")


@pytest.mark.parametrize("url", [TIME_BY_CODE, REJECTIONS])
def test_sub_day_grains_are_refused_beyond_31_days(client_for, ana, superuser, url):
    client = client_for(superuser)
    window = {"date_from": "2025-03-01", "date_to": "2025-04-01", "tz": "UTC", "granularity": "15m"}
    page = client.get(url, window)
    assert page.status_code == 200
    assert "table" not in page.context
    assert "at most 31 days; this window has 32" in page.content.decode()
    export = client.get(url, {**window, "_export": "csv"})
    assert export.status_code == 400
    assert "at most 31 days" in export.content.decode()
    # 31 days are fine, and so is any grain of a day or more on the longer window.
    assert "table" in client.get(url, {**window, "date_to": "2025-03-31"}).context
    assert "table" in client.get(url, {**window, "granularity": "week"}).context


def test_an_unknown_granularity_is_a_form_error(client_for, ana, superuser):
    response = client_for(superuser).get(TIME_BY_CODE, {"granularity": "fortnight"})
    assert "Unknown granularity “fortnight”" in response.content.decode()


def test_the_page_shows_periods_and_its_export_links_keep_the_grain(client_for, ana, superuser):
    zone = "Asia/Kolkata"
    timeline(
        ana,
        (at("2025-03-01 09:00", zone), "available"),
        (at("2025-03-01 10:45", zone), "on_break", "SHORT"),
        (at("2025-03-01 11:15", zone), "available"),
    )
    response = client_for(superuser).get(TIME_BY_CODE, one_day("2025-03-01", zone, "hour"))
    table = response.context["table"]
    assert [row.get_cell("period") for row in table.paginated_rows] == [
        "2025-03-01T10:00+05:30",
        "2025-03-01T11:00+05:30",
    ]
    assert response.context["summary"]["total"].duration == "0:30:00"
    assert "granularity=hour" in response.context["export_links"]["csv"]
    assert '<option value="hour" selected>' in response.content.decode()
