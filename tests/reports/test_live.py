"""Report 4, the live board: every agent in scope now, and whether a code's time is up."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from tests.reports.timeline import timeline

URL = "/reports/live/"


def board(response) -> dict:
    return {row.record["agent_username"]: row for row in response.context["table"].paginated_rows}


def test_every_agent_in_scope_is_on_the_board_with_status_code_and_time(
    client_for, ana, sofia, nocode, supervisor_a
):
    now = timezone.now()
    timeline(
        ana,
        (now - timedelta(hours=2), "available"),
        (now - timedelta(minutes=75), "on_break", "LUNCH"),
    )
    timeline(sofia, (now - timedelta(minutes=5), "on_break", "SHORT"))
    response = client_for(supervisor_a).get(URL)
    rows = board(response)
    assert set(rows) == {"ana", "sofia", "nocode"}
    assert rows["ana"].record["status_now"] == "on_break"
    assert rows["ana"].record["code_label"] == "Lunch"
    # No change recorded: logged out, for no known time.
    assert rows["nocode"].record["status_now"] == "logged_out"
    assert rows["nocode"].get_cell("seconds_in_status") == "—"
    assert rows["sofia"].get_cell("seconds_in_status").startswith("0:05:")


def test_a_code_past_its_maximum_highlights_the_row(client_for, ana, sofia, supervisor_a):
    now = timezone.now()
    timeline(ana, (now - timedelta(minutes=75), "on_break", "LUNCH"))
    timeline(sofia, (now - timedelta(minutes=5), "on_break", "SHORT"))
    response = client_for(supervisor_a).get(URL)
    rows = board(response)
    assert "exceeded" in rows["ana"].attrs["class"]
    assert rows["ana"].get_cell("exceeded").startswith("<strong")
    assert "+0:15:" in rows["ana"].get_cell("exceeded")
    assert "exceeded" not in rows["sofia"].attrs["class"]
    assert '<tr class="exceeded' in response.content.decode()


def test_the_board_updates_itself_and_keeps_its_filters(client_for, ana, supervisor_a):
    response = client_for(supervisor_a).get(URL, {"status": "on_break", "tz": "Europe/Madrid"})
    content = response.content.decode()
    # No meta refresh: static/js/live.js updates the board every 15 s, in place and pausable,
    # from the same URL; without JavaScript the link does it.
    assert "http-equiv" not in content
    assert 'data-refresh-seconds="15"' in content and "/static/js/live.js" in content
    assert 'href="/reports/live/?status=on_break&amp;tz=Europe%2FMadrid">Refresh now</a>' in content
    # live_push.js says whether changes are pushed, and asks live.js to update at once when one is.
    assert "Updated every 15 seconds." in content and "/static/js/live_push.js" in content
    assert 'data-stream-url="/reports/live/stream/"' in content
    assert "status=on_break" in response.context["export_links"]["csv"]
    assert "Europe/Madrid time" in content


def test_the_status_filter_narrows_the_board(client_for, ana, sofia, supervisor_a):
    timeline(ana, (timezone.now() - timedelta(minutes=1), "available"))
    rows = board(client_for(supervisor_a).get(URL, {"status": "logged_out"}))
    assert set(rows) == {"sofia"}


def test_the_board_exports_every_agent(client_for, ana, sofia, supervisor_a):
    timeline(ana, (timezone.now() - timedelta(minutes=70), "on_break", "LUNCH"))
    response = client_for(supervisor_a).get(URL, {"_export": "csv"})
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [(row["agent"], row["status"], row["code"], row["exceeded"]) for row in rows] == [
        ("ana", "on_break", "LUNCH", "true"),
        ("sofia", "logged_out", "", "false"),
    ]
    assert int(rows[0]["seconds_in_status"]) >= 70 * 60
    assert rows[0]["max_minutes"] == "60"


def test_the_code_filter_narrows_the_board_to_one_code_or_to_no_code(
    client_for, ana, sofia, nocode, supervisor_a
):
    now = timezone.now()
    timeline(ana, (now - timedelta(minutes=20), "on_break", "LUNCH"))
    timeline(sofia, (now - timedelta(minutes=5), "on_break", "SHORT"))
    timeline(nocode, (now - timedelta(minutes=1), "available"))
    client = client_for(supervisor_a)
    lunch = ana.group.code_list.codes.get(code="LUNCH")

    assert set(board(client.get(URL, {"code": lunch.pk}))) == {"ana"}
    assert set(board(client.get(URL, {"code": "none"}))) == {"nocode"}


def test_the_board_sorts_by_a_column_then_by_agent(client_for, ana, sofia, nocode, supervisor_a):
    now = timezone.now()
    timeline(ana, (now - timedelta(minutes=20), "on_break", "LUNCH"))
    timeline(sofia, (now - timedelta(minutes=5), "on_break", "SHORT"))

    rows = client_for(supervisor_a).get(URL, {"sort": "-status"}).context["table"].paginated_rows
    # on_break (ana, sofia: by username) before logged_out (nocode).
    assert [row.record["agent_username"] for row in rows] == ["ana", "sofia", "nocode"]
