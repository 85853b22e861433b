"""The group at the time (docs/timeline.md): each event records the agent's group when it
happened, moving an agent splits their ongoing interval, and the reports' group column, group
filter and supervisor scope follow the recorded group. Figures computed by hand."""

import csv
import io
from datetime import UTC, date, datetime
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from agents.models import Agent, StatusEvent
from agents.services import agent_perform_action, agent_save
from reports.selectors.agent_day import agent_day
from reports.selectors.time_by_code import TimeByCodeReport
from reports.selectors.window import Window
from tests.conftest import make_agent
from tests.reports.timeline import at, live_day

DAY = {"date_from": "2025-03-03", "date_to": "2025-03-03", "tz": "UTC"}
LATER = datetime(2030, 1, 1, tzinfo=UTC)
MINUTE = 60
DIEGO_DAY = "/reports/agents/diego/day/"


@pytest.fixture
def diego(support_group):
    return make_agent("diego", support_group)


@pytest.fixture
def moved_at_noon(diego, sales_group, administrator):
    """diego's Monday 3 March 2025 (UTC): in Support Tier 1 until 12:00, then in Sales Team.

    08:00 login, 10:00-10:15 short break, 11:30 lunch (Support's list) which goes on past the
    move until 12:30, 14:00-14:45 lunch (Sales' list), 17:00 logout.
    """
    steps = [
        ("08:00", "login", None),
        ("10:00", "take_break", "SHORT"),
        ("10:15", "go_available", None),
        ("11:30", "take_break", "LUNCH"),
        ("12:00", "move", None),
        ("12:30", "go_available", None),
        ("14:00", "take_break", "LUNCH"),
        ("14:45", "go_available", None),
        ("17:00", "logout", "EOS"),
    ]
    live_day(diego, steps, day="2025-03-03", move_to=sales_group, changed_by=administrator)
    return diego


def time_by_code(**options) -> dict:
    """{(group, status, list, code): (count, seconds, % of logged-in)} of 3 March."""
    window = Window(date(2025, 3, 3), date(2025, 3, 3), ZoneInfo("UTC"))
    report = TimeByCodeReport(agents=Agent.objects.all(), window=window, now=LATER, **options)
    return {
        (row.group, row.status, row.list, row.code): (
            row.figures.count,
            row.figures.seconds,
            row.figures.percent_of_logged_in,
        )
        for row in report.rows()
    }


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_move_splits_the_ongoing_interval_without_a_gap(moved_at_noon, support_group):
    sales_group = moved_at_noon.group
    events = list(moved_at_noon.events.status_changes().order_by("started_at"))
    for earlier, later in zip(events, events[1:], strict=False):
        assert earlier.ended_at == later.started_at
    lunch, rest_of_lunch = (
        e for e in events if e.started_at in (at("2025-03-03 11:30"), at("2025-03-03 12:00"))
    )
    assert (lunch.group, lunch.ended_at) == (support_group, at("2025-03-03 12:00"))
    assert rest_of_lunch.group == sales_group
    assert (rest_of_lunch.status, rest_of_lunch.code) == ("on_break", lunch.code)
    assert (rest_of_lunch.source, rest_of_lunch.previous_status) == ("group_move", "on_break")
    assert [e.group for e in events if e.started_at < at("2025-03-03 12:00")] == [support_group] * 4
    assert {e.group for e in events if e.started_at >= at("2025-03-03 12:00")} == {sales_group}


def test_moving_an_agent_who_never_changed_status_records_nothing(diego, sales_group):
    diego.group = sales_group
    assert agent_save(agent=diego) is None
    assert not StatusEvent.objects.filter(agent=diego).exists()
    assert Agent.objects.get(pk=diego.pk).group == sales_group


def test_each_group_has_the_time_the_agent_spent_in_it(moved_at_noon, support_group, sales_group):
    # Logged in while in Support: 08:00-12:00, 4 h; in Sales: 12:00-17:00, 5 h.
    assert time_by_code(groups=[support_group.pk]) == {
        ("Support Tier 1", "on_break", "Support", "SHORT"): (1, 15 * MINUTE, 6.3),
        ("Support Tier 1", "on_break", "Support", "LUNCH"): (1, 30 * MINUTE, 12.5),
    }
    assert time_by_code(groups=[sales_group.pk]) == {
        # The rest of the lunch begun in Support: its time, not a second break.
        ("Sales Team", "on_break", "Support", "LUNCH"): (0, 30 * MINUTE, 10.0),
        ("Sales Team", "on_break", "Sales", "LUNCH"): (1, 45 * MINUTE, 15.0),
    }
    # Every group: the same rows side by side, 2 h of breaks in all, counted 3 times.
    everything = time_by_code()
    assert len(everything) == 4
    assert sum(count for count, _, _ in everything.values()) == 3
    assert sum(seconds for _, seconds, _ in everything.values()) == 120 * MINUTE


def test_the_rows_of_each_group_come_group_by_group(moved_at_noon):
    """Rows that differ only by group sort by group after the agent: the same order on the page,
    page after page, and in the export, whatever plan the database chose."""
    window = Window(date(2025, 3, 3), date(2025, 3, 3), ZoneInfo("UTC"))
    report = TimeByCodeReport(agents=Agent.objects.all(), window=window, now=LATER)
    in_order = [
        ("Sales Team", "Sales", "LUNCH"),
        ("Sales Team", "Support", "LUNCH"),
        ("Support Tier 1", "Support", "LUNCH"),
        ("Support Tier 1", "Support", "SHORT"),
    ]
    assert [(row.group, row.list, row.code) for row in report.rows()] == in_order
    one_by_one = [report.page(order=(), offset=offset, limit=1).rows[0] for offset in range(4)]
    assert [(row.group, row.list, row.code) for row in one_by_one] == in_order
    # Sorted by status (all on break) and by count, the group still breaks the tie.
    by_count = [(row.group, row.list) for row in report.rows(order=("count",))]
    assert by_count == [
        ("Sales Team", "Support"),
        ("Sales Team", "Sales"),
        ("Support Tier 1", "Support"),
        ("Support Tier 1", "Support"),
    ]


def test_supervisors_see_only_the_time_in_their_group(
    client_for, moved_at_noon, supervisor_a, supervisor_b
):
    url = "/reports/time-by-code/"
    support = csv_rows(
        client_for(supervisor_a).get(url, {**DAY, "sort": "timestamp", "_export": "csv"})
    )
    assert {(r["group"], r["code"], r["seconds"]) for r in support} == {
        ("Support Tier 1", "SHORT", "900"),
        ("Support Tier 1", "LUNCH", "1800"),
    }
    sales = csv_rows(
        client_for(supervisor_b).get(url, {**DAY, "sort": "timestamp", "_export": "csv"})
    )
    assert {(r["group"], r["list"], r["code"], r["seconds"]) for r in sales} == {
        ("Sales Team", "Support", "LUNCH", "1800"),
        ("Sales Team", "Sales", "LUNCH", "2700"),
    }


def test_the_status_changes_of_each_group(client_for, moved_at_noon, supervisor_a, supervisor_b):
    url = "/reports/status-changes/"
    support = csv_rows(
        client_for(supervisor_a).get(url, {**DAY, "sort": "timestamp", "_export": "csv"})
    )
    assert [r["timestamp"][11:16] for r in support] == ["08:00", "10:00", "10:15", "11:30"]
    assert {r["group"] for r in support} == {"Support Tier 1"}
    # The lunch's row in Support lasts until the move.
    assert support[-1]["duration_seconds"] == "1800"
    sales = csv_rows(
        client_for(supervisor_b).get(url, {**DAY, "sort": "timestamp", "_export": "csv"})
    )
    assert [(r["timestamp"][11:16], r["source"]) for r in sales] == [
        ("12:00", "group_move"),
        ("12:30", "console"),
        ("14:00", "console"),
        ("14:45", "console"),
        ("17:00", "console"),
    ]
    # The move is marked: same status before and after, source group_move.
    assert (sales[0]["previous_status"], sales[0]["status"]) == ("on_break", "on_break")


def test_the_group_filter_reads_the_group_at_the_time(
    client_for, moved_at_noon, superuser, support_group
):
    url = "/reports/status-changes/"
    response = client_for(superuser).get(url, {**DAY, "group": support_group.pk, "_export": "csv"})
    assert len(csv_rows(response)) == 4


def test_the_agents_day_shows_a_supervisor_the_time_in_their_group_only(
    client_for, moved_at_noon, supervisor_a, supervisor_b, support_group
):
    window = Window(date(2025, 3, 3), date(2025, 3, 3), ZoneInfo("UTC"))
    (day,) = agent_day(agent=moved_at_noon, window=window, now=LATER, groups=[support_group.pk])
    assert day.segments[0].start == at("2025-03-03 08:00")
    assert day.segments[-1].end == at("2025-03-03 12:00")
    # The page: supervisor A still reaches diego (his morning), the afternoon is blank.
    page = client_for(supervisor_a).get(DIEGO_DAY, {"date": "2025-03-03", "tz": "UTC"})
    assert page.status_code == 200
    (drawn,) = page.context["days"]
    assert len(drawn.segments) == len(day.segments) == 4
    page = client_for(supervisor_b).get(DIEGO_DAY, {"date": "2025-03-03", "tz": "UTC"})
    (drawn,) = page.context["days"]
    assert len(drawn.segments) == 5
    assert drawn.segments[0].start == "12:00:00"


def test_the_live_board_reads_the_group_now(client_for, moved_at_noon, supervisor_a, supervisor_b):
    def live_agents(client):
        rows = csv_rows(client.get("/reports/live/", {"tz": "UTC", "_export": "csv"}))
        return {row["agent"] for row in rows}

    assert "diego" not in live_agents(client_for(supervisor_a))
    assert "diego" in live_agents(client_for(supervisor_b))


def test_the_history_import_records_the_agents_group(diego, support_group):
    from agents.history_import import EventRow, events_import

    events_import(
        rows=[
            EventRow(2, "2025-03-01T09:00:00+00:00", "diego", "available", ""),
            EventRow(3, "2025-03-01T09:05:00+00:00", "diego", "reject_phone", "CASE"),
        ]
    )
    assert {event.group for event in StatusEvent.objects.filter(agent=diego)} == {support_group}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_fills_each_event_with_its_agents_group(ana, sam, sales_group):
    """The data step of 0004 on events without a group, as they are before it runs."""
    fill = import_module("agents.migrations.0006_statusevent_group").fill_event_groups
    before_required = [("agents", "0006_statusevent_group")]
    executor = MigrationExecutor(connection)
    executor.migrate(before_required)
    try:
        old_apps = executor.loader.project_state(before_required).apps
        event = old_apps.get_model("agents", "StatusEvent")
        common = {"started_at": at("2025-03-01 09:00"), "source": "import", "group": None}
        event.objects.create(agent_id=ana.pk, kind="status", status="available", **common)
        event.objects.create(agent_id=sam.pk, kind="rejection", channel="phone", **common)
        with connection.schema_editor() as editor:
            assert fill(old_apps, editor) == 2
            assert fill(old_apps, editor) == 0
        groups = dict(event.objects.values_list("agent_id", "group_id"))
        assert groups == {ana.pk: ana.group_id, sam.pk: sales_group.pk}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def lunch_across_two_moves(diego, support_group, sales_group, administrator):
    """diego goes to lunch at 11:30 (60 minutes at most) in Support Tier 1, is moved to Sales
    Team at 12:00 and back at 12:10, still at lunch."""
    with time_machine.travel(at("2025-03-03 08:00"), tick=False) as clock:
        agent_perform_action(agent=diego, action="login", source="console")
        clock.move_to(at("2025-03-03 11:30"))
        agent_perform_action(agent=diego, action="take_break", code="LUNCH", source="console")
        for moment, group in (("12:00", sales_group), ("12:10", support_group)):
            clock.move_to(at(f"2025-03-03 {moment}"))
            diego.refresh_from_db()
            diego.group = group
            agent_save(agent=diego, changed_by=administrator)
    return diego


@time_machine.travel(at("2025-03-03 12:40"), tick=False)
def test_the_time_in_status_goes_on_across_moves(client_for, lunch_across_two_moves, supervisor_a):
    board = client_for(supervisor_a).get("/reports/live/", {"tz": "UTC", "_export": "csv"})
    (row,) = csv_rows(board)
    # At lunch since 11:30, 70 minutes: over its 60 although no part since a move is.
    assert (row["status"], row["code"], row["since"]) == (
        "on_break",
        "LUNCH",
        "2025-03-03T11:30:00+00:00",
    )
    assert (row["seconds_in_status"], row["exceeded"]) == (str(70 * MINUTE), "true")
    # diego went to lunch himself: the administrator moved him, but did not change his status.
    assert row["changed_by"] == ""
    body = client_for(lunch_across_two_moves).get("/api/v1/agents/me").json()
    assert body["since"].startswith("2025-03-03T11:30:00")
    console = client_for(lunch_across_two_moves).get("/console/").content.decode()
    assert 'data-elapsed="4200"' in console
