"""An agent's day (docs/reports.md, "An agent's day"): hand-computed timelines, refusals, links.

Geometry: a bar starts at x = 8 and takes 40 px per hour of real elapsed time, so a 24-hour day
is 960 px long, a 23-hour day 920 and a 25-hour day 1000.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.reports.timeline import at, rejection, timeline

pytestmark = pytest.mark.django_db


def url(username: str = "ana") -> str:
    return f"/reports/agents/{username}/day/"


def rows(day) -> list[tuple]:
    """A day's table: (start, end, duration, status, code, note) of each segment."""
    return [
        (segment.start, segment.end, segment.duration, segment.status, segment.code, segment.note)
        for segment in day.segments
    ]


def geometry(day) -> list[tuple]:
    return [(round(segment.x, 2), round(segment.width, 2)) for segment in day.segments]


def test_a_night_shift_appears_on_both_days(client_for, ana, supervisor_a):
    timeline(
        ana,
        (at("2025-03-01 22:00"), "available"),
        (at("2025-03-01 23:40"), "on_break", "SHORT"),
        (at("2025-03-02 00:25"), "available"),
        (at("2025-03-02 06:00"), "logged_out", "EOS"),
        (at("2025-03-04 08:00"), "available"),
    )
    response = client_for(supervisor_a).get(url(), {"date": "2025-03-01", "days": 2, "tz": "UTC"})
    assert response.status_code == 200
    first, second = response.context["days"]
    assert first.bar_width == second.bar_width == 960
    assert rows(first) == [
        ("22:00:00", "23:40:00", "1:40:00", "available", "", ""),
        (
            "23:40:00",
            "2025-03-02 00:00:00",
            "0:20:00",
            "on_break",
            "SHORT",
            "until 2025-03-02 00:25:00",
        ),
    ]
    assert rows(second) == [
        ("00:00:00", "00:25:00", "0:25:00", "on_break", "SHORT", "from 2025-03-01 23:40:00"),
        ("00:25:00", "06:00:00", "5:35:00", "available", "", ""),
        (
            "06:00:00",
            "2025-03-03 00:00:00",
            "18:00:00",
            "logged_out",
            "EOS",
            "until 2025-03-04 08:00:00",
        ),
    ]
    # 22:00 is 22 hours in: x = 8 + 22 × 40; the break's 20 minutes are 13.33 px.
    assert geometry(first) == [(888.0, 66.67), (954.67, 13.33)]
    assert geometry(second)[0] == (8.0, 16.67)
    # A label is written under a segment only where it fits (about 7 px a character and a
    # margin): not "SHORT" under 16.67 px, "Available" under 223.33 px, "EOS" under 720.
    assert [segment.show_label for segment in second.segments] == [False, True, True]
    # The tooltip gives the whole interval, and the part on this day.
    assert first.segments[1].title == (
        "On break — Short Break (SHORT): 23:40:00 – 2025-03-02 00:25:00, 0:45:00 (0:20:00 this day)"
    )
    assert [tick.label for tick in first.ticks] == [f"{hour:02d}" for hour in range(24)]


def test_spring_forward_in_new_york_is_a_23_hour_bar(client_for, ana, supervisor_a):
    ny = "America/New_York"
    timeline(
        ana,
        (at("2025-03-09 01:30", ny), "on_break", "LUNCH"),
        (at("2025-03-09 03:30", ny), "available"),
        (at("2025-03-09 12:00", ny), "logged_out", "EOS"),
        (at("2025-03-10 08:00", ny), "available"),
    )
    response = client_for(supervisor_a).get(url(), {"date": "2025-03-09", "tz": ny})
    (day,) = response.context["days"]
    assert day.bar_width == 920
    labels = [tick.label for tick in day.ticks]
    assert labels == ["00", "01", *(f"{hour:02d}" for hour in range(3, 24))]
    # 01:30 EST to 03:30 EDT is one real hour: 40 px, starting 1.5 hours after midnight.
    assert rows(day)[0] == ("01:30:00 EST", "03:30:00 EDT", "1:00:00", "on_break", "LUNCH", "")
    assert geometry(day)[0] == (68.0, 40.0)
    assert rows(day)[1][2] == "8:30:00"  # 03:30 to 12:00 EDT
    assert rows(day)[2][:3] == ("12:00:00 EDT", "2025-03-10 00:00:00 EDT", "12:00:00")
    assert "(23 hours)" in day.summary


def test_fall_back_in_new_york_is_a_25_hour_bar_with_the_hour_twice(client_for, ana, supervisor_a):
    ny = "America/New_York"
    timeline(
        ana,
        (datetime(2025, 11, 2, 5, 30, tzinfo=UTC), "on_break", "SHORT"),  # 01:30 EDT
        (datetime(2025, 11, 2, 6, 15, tzinfo=UTC), "available"),  # 01:15 EST
        (datetime(2025, 11, 2, 10, 0, tzinfo=UTC), "logged_out", "EOS"),  # 05:00 EST
    )
    response = client_for(supervisor_a).get(url(), {"date": "2025-11-02", "tz": ny})
    (day,) = response.context["days"]
    assert day.bar_width == 1000
    labels = [tick.label for tick in day.ticks]
    assert labels == ["00", "01", "01", *(f"{hour:02d}" for hour in range(2, 24))]
    assert [round(tick.x) for tick in day.ticks[:4]] == [8, 48, 88, 128]
    assert rows(day)[0] == ("01:30:00 EDT", "01:15:00 EST", "0:45:00", "on_break", "SHORT", "")
    assert geometry(day)[0] == (68.0, 30.0)
    assert rows(day)[1][:3] == ("01:15:00 EST", "05:00:00 EST", "3:45:00")
    # The day ends 25 hours after it began: 19 hours logged out, drawn up to midnight.
    assert rows(day)[2][2] == "19:00:00"
    assert "(25 hours)" in day.summary


@time_machine.travel(datetime(2025, 3, 5, 14, 30, tzinfo=UTC), tick=False)
def test_an_ongoing_interval_is_drawn_up_to_now(client_for, ana, supervisor_a):
    timeline(
        ana,
        (at("2025-03-05 08:00"), "available"),
        (at("2025-03-05 14:00"), "on_break", "LUNCH"),
    )
    response = client_for(supervisor_a).get(url(), {"date": "2025-03-05", "tz": "UTC"})
    (day,) = response.context["days"]
    assert rows(day) == [
        ("08:00:00", "14:00:00", "6:00:00", "available", "", ""),
        ("14:00:00", "14:30:00", "0:30:00", "on_break", "LUNCH", "ongoing"),
    ]
    assert day.segments[1].title == "On break — Lunch (LUNCH): 14:00:00 – ongoing, 0:30:00"
    assert day.now_x == 8 + 14.5 * 40
    # Without a date the page shows today in the zone, and its inputs say so.
    response = client_for(supervisor_a).get(url(), {"tz": "UTC"})
    (today,) = response.context["days"]
    assert today.local_date.isoformat() == "2025-03-05"
    html = response.content.decode()
    assert '<input type="date" name="date" value="2025-03-05"' in html
    assert '<input type="number" name="days" value="1"' in html


@time_machine.travel(datetime(2025, 3, 6, 3, 0, tzinfo=UTC), tick=False)
def test_without_a_date_the_inputs_show_today_in_the_zone(client_for, ana, supervisor_a):
    # 03:00 UTC on 6 March is still the 5th in New York; the days asked for are kept.
    response = client_for(supervisor_a).get(url(), {"tz": "America/New_York", "days": "2"})
    assert [day.local_date.isoformat() for day in response.context["days"]] == [
        "2025-03-05",
        "2025-03-06",
    ]
    html = response.content.decode()
    assert '<input type="date" name="date" value="2025-03-05"' in html
    assert '<input type="number" name="days" value="2"' in html
    # "Today" keeps the zone.
    assert '<a class="button secondary" href="?tz=America/New_York">Today</a>' in html
    # An unknown zone is the form's error, with the date left empty rather than guessed.
    response = client_for(supervisor_a).get(url(), {"tz": "Mars/Olympus"})
    assert "Unknown time zone" in response.content.decode()
    assert '<input type="date" name="date" id="id_date">' in response.content.decode()


def test_rejections_are_marks_at_their_instant(client_for, ana, supervisor_a):
    timeline(ana, (at("2025-03-01 08:00"), "available"), (at("2025-03-01 17:00"), "logged_out"))
    rejection(ana, at("2025-03-01 08:30"), "phone", "CASE")
    rejection(ana, at("2025-03-01 16:45"), "email")
    rejection(ana, at("2025-03-02 09:00"), "chat", "TECH")  # the next day: not shown
    response = client_for(supervisor_a).get(url(), {"date": "2025-03-01", "tz": "UTC"})
    (day,) = response.context["days"]
    assert [(mark.time, mark.channel, mark.code) for mark in day.marks] == [
        ("08:30:00", "Phone", "CASE"),
        ("16:45:00", "Email", ""),
    ]
    assert day.marks[0].x == 8 + 8.5 * 40
    assert day.marks[0].title == "Rejected phone at 08:30:00 — Working on a Case (CASE)"
    html = response.content.decode()
    assert "<title>Rejected phone at 08:30:00 — Working on a Case (CASE)</title>" in html
    assert "2 rejections." in day.summary


def test_a_missed_offer_is_its_own_mark(client_for, ana, supervisor_a):
    timeline(ana, (at("2025-03-01 08:00"), "available"), (at("2025-03-01 17:00"), "logged_out"))
    rejection(ana, at("2025-03-01 08:30"), "phone", "CASE")
    missed = rejection(ana, at("2025-03-01 10:00"), "chat")
    missed.system_reason, missed.missed = "missed", True
    missed.save(update_fields=["system_reason", "missed"])
    response = client_for(supervisor_a).get(url(), {"date": "2025-03-01", "tz": "UTC"})
    (day,) = response.context["days"]
    assert [(mark.time, mark.missed) for mark in day.marks] == [
        ("08:30:00", False),
        ("10:00:00", True),
    ]
    missed_mark = day.marks[1]
    assert missed_mark.title == "Missed chat offer at 10:00:00"
    # A diamond centred on its instant (x = 8 + 10 h × 40 px), not the rejection's triangle.
    assert missed_mark.points.split()[0].startswith(f"{8 + 10 * 40:.1f},")
    assert len(missed_mark.points.split()) == 4 and len(day.marks[0].points.split()) == 3
    html = response.content.decode()
    assert 'class="mark missed"' in html and "Missed offer" in html
    assert missed_mark.code == "missed" and missed_mark.code_label == "Missed offer"


def test_the_page_is_an_accessible_picture_with_a_table(client_for, ana, supervisor_a):
    timeline(ana, (at("2025-03-01 08:00"), "available"), (at("2025-03-01 10:00"), "on_break"))
    html = client_for(supervisor_a).get(url(), {"date": "2025-03-01", "tz": "UTC"}).content
    html = html.decode()
    assert 'role="img" aria-label="ana on Saturday 2025-03-01 (24 hours): 2 intervals' in html
    assert "<caption>Intervals on Saturday 2025-03-01</caption>" in html
    assert "<title>Available: 08:00:00 – 10:00:00, 2:00:00</title>" in html
    assert 'fill="url(#agent-day-on_break)"' in html
    assert "?date=2025-02-28&amp;tz=UTC" in html and "?date=2025-03-02&amp;tz=UTC" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"days": 8}, "Show at most 7 days."),
        ({"days": 0}, "Show at least one day."),
        ({"date": "2025-02-30"}, "Enter a valid date."),
        ({"date": "1969-12-31"}, "Dates must be between"),
        ({"date": "9999-12-31", "days": 7}, "Dates must be between"),
        ({"tz": "Mars/Olympus"}, "Unknown time zone"),
    ],
)
def test_bad_input_is_a_form_error(client_for, ana, supervisor_a, query, message):
    response = client_for(supervisor_a).get(url(), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "days" not in response.context


def test_refusals(client, client_for, ana, sam, supervisor_a, supervisor_b, administrator):
    assert client.get(url()).status_code == 302
    assert client_for(ana).get(url()).status_code == 403
    assert client_for(ana).get(url("ana")).status_code == 403
    # Outside one's scope an agent is as absent as one who does not exist.
    assert client_for(supervisor_b).get(url("ana")).status_code == 404
    assert client_for(supervisor_a).get(url("nobody")).status_code == 404
    assert client_for(supervisor_b).get(url("sam")).status_code == 200
    assert client_for(administrator).get(url("ana")).status_code == 200


def test_a_fixed_number_of_queries_whatever_the_intervals(client_for, ana, supervisor_a):
    query = {"date": "2025-03-01", "days": 2, "tz": "UTC"}
    client = client_for(supervisor_a)
    timeline(ana, (at("2025-03-01 08:00"), "available"))
    with CaptureQueriesContext(connection) as small:
        client.get(url(), query)
    ana.events.all().delete()
    steps = []
    for day, hour in ((day, hour) for day in (1, 2) for hour in range(24)):
        steps.append((at(f"2025-03-0{day} {hour:02d}:10"), "on_break", "SHORT"))
        steps.append((at(f"2025-03-0{day} {hour:02d}:40"), "available"))
        rejection(ana, at(f"2025-03-0{day} {hour:02d}:20"), "phone", "CASE")
    timeline(ana, *steps)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url(), query)
    # The 2nd day begins with the rest of the 1st day's last interval.
    assert [len(day.segments) for day in response.context["days"]] == [48, 49]
    assert [len(day.marks) for day in response.context["days"]] == [24, 24]
    assert len(large) == len(small)


def test_report_rows_link_to_the_agents_day(client_for, ana, supervisor_a):
    ny = "America/New_York"
    timeline(
        ana,
        (at("2025-03-01 23:30", ny), "on_break", "SHORT"),
        (at("2025-03-01 23:45", ny), "available"),
    )
    window = {"date_from": "2025-03-01", "date_to": "2025-03-01", "tz": ny}
    client = client_for(supervisor_a)
    link = '<a href="/reports/agents/ana/day/?date=2025-03-01&amp;tz=America%2FNew_York">ana</a>'
    assert link in client.get("/reports/status-changes/", window).content.decode()
    assert link in client.get("/reports/time-by-code/", window).content.decode()
