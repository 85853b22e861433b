"""Report 1, agent status change details: one row per change starting inside the window."""

import csv
import io
from datetime import date
from zoneinfo import ZoneInfo

from agents.models import Agent
from reports.selectors.status_changes import StatusChangesReport
from reports.selectors.window import Window
from tests.reports.conftest import WINDOW
from tests.reports.timeline import at, timeline

URL = "/reports/status-changes/"


def exported(client, **filters) -> list[dict]:
    """The export's rows, oldest first (the report's default is newest first)."""
    response = client.get(URL, {**WINDOW, "sort": "timestamp", **filters, "_export": "csv"})
    assert response.status_code == 200
    return list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )


def test_each_change_inside_the_window_is_a_row_with_its_whole_duration(
    client_for, history, supervisor_a
):
    rows = exported(client_for(supervisor_a), agent=Agent.objects.get(user__username="ana").pk)
    fields = ("timestamp", "previous_status", "status", "code", "duration_seconds")
    assert [tuple(row[field] for field in fields) for row in rows[:-1]] == [
        ("2025-03-01T08:00:00+00:00", "", "available", "", "7200"),
        ("2025-03-01T10:00:00+00:00", "available", "on_break", "SHORT", "720"),
        ("2025-03-01T10:12:00+00:00", "on_break", "available", "", "47880"),
        # Crosses midnight: still one row, with the whole interval's length.
        ("2025-03-01T23:30:00+00:00", "available", "work_offline", "MEETING", "5400"),
    ]
    last = rows[-1]
    assert (last["timestamp"], last["previous_status"], last["status"], last["code"]) == (
        "2025-03-02T01:00:00+00:00",
        "work_offline",
        "logged_out",
        "EOS",
    )
    # Ongoing: it lasts up to now, long after March 2025.
    assert int(last["duration_seconds"]) > 300 * 24 * 3600
    assert rows[-1]["ongoing"] == "true"
    assert {row["ongoing"] for row in rows[:-1]} == {"false"}
    assert rows[1]["code_label"] == "Short Break"
    assert rows[1]["list"] == "Support"
    assert rows[1]["group"] == "Support Tier 1"
    assert rows[1]["source"] == "console"


def test_timestamps_are_in_the_report_zone_with_its_offset(client_for, history, supervisor_a):
    rows = exported(client_for(supervisor_a), tz="America/New_York", date_from="2025-03-01")
    assert rows[0]["timestamp"] == "2025-03-01T03:00:00-05:00"
    # 08:00 UTC on 1 March is 03:00 in New York: the first change of the New York day.
    assert rows[0]["agent"] == "ana"


def test_changes_before_the_window_are_left_out(client_for, history, supervisor_a):
    rows = exported(client_for(supervisor_a), date_from="2025-03-02", date_to="2025-03-02")
    assert [(row["agent"], row["status"]) for row in rows] == [
        ("ana", "logged_out"),
        ("sofia", "logged_out"),
    ]


def test_an_ongoing_change_lasts_until_now(ana):
    timeline(ana, (at("2025-03-01 09:00"), "available"), (at("2025-03-01 10:00"), "on_break"))
    window = Window(date(2025, 3, 1), date(2025, 3, 1), ZoneInfo("UTC"))
    now = at("2025-03-01 10:07:30.600000")
    rows = list(
        StatusChangesReport(agents=Agent.objects.all(), window=window, now=now).cells(
            order=["timestamp"]
        )
    )
    assert [(row[4], row[8], row[9]) for row in rows] == [
        ("available", 3600, "false"),
        ("on_break", 451, "true"),
    ]


def test_status_and_code_filters_narrow_the_rows(client_for, history, supervisor_a):
    client = client_for(supervisor_a)
    breaks = exported(client, status="on_break")
    assert [(row["agent"], row["code"]) for row in breaks] == [("ana", "SHORT"), ("sofia", "LUNCH")]
    lunch = Agent.objects.get(user__username="sofia").group.code_list.codes.get(code="LUNCH")
    assert [row["agent"] for row in exported(client, code=lunch.pk)] == ["sofia"]
    no_code = exported(client, code="none")
    assert {row["code"] for row in no_code} == {""}
    assert len(no_code) == 4


def test_the_newest_change_comes_first_unless_sorted_otherwise(client_for, history, supervisor_a):
    client = client_for(supervisor_a)
    response = client.get(URL, WINDOW)
    times = [row["started_at"] for row in response.context["table"].page.object_list.data]
    assert times == sorted(times, reverse=True) and len(set(times)) > 1
    response = client.get(URL, {**WINDOW, "_export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    stamps = [row["timestamp"] for row in csv.DictReader(io.StringIO(content))]
    assert stamps == sorted(stamps, reverse=True)
    response = client.get(URL, {**WINDOW, "sort": "timestamp"})
    times = [row["started_at"] for row in response.context["table"].page.object_list.data]
    assert times == sorted(times)


def test_the_page_counts_the_changes_and_sorts_by_any_column(client_for, history, supervisor_a):
    response = client_for(supervisor_a).get(URL, {**WINDOW, "sort": "-duration_seconds"})
    assert response.context["count"] == 9
    assert "<strong>9</strong> status changes" in response.content.decode()
    durations = [row.record["duration_us"] for row in response.context["table"].paginated_rows]
    assert durations == sorted(durations, reverse=True)
    assert "2025-03-01 10:00:00" in response.content.decode()
