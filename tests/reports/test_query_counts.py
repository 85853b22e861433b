"""Each report page costs a fixed number of queries, however many rows it reads.

Session and user (2), the reader's scope (3: user and group permissions, supervised groups),
the page header's doors (1: is this user an agent; the reports door is the page's own check of
the scope, and the permissions are read once per request), the filter choices (groups, agents,
codes: 3),
then the report itself: one query (time by code, rejections), one for the count and one for
the page (live board), and before those the ids of the agents in scope (status changes); time by
code first reads which of the window's days the daily rollup holds (docs/rollup.md).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.models import Agent
from reports import forms
from tests.conftest import make_agent
from tests.reports.conftest import WINDOW
from tests.reports.timeline import at, rejection, timeline

PAGES = {
    "/reports/status-changes/": 12,
    "/reports/time-by-code/": 11,
    "/reports/rejections/": 10,
    "/reports/live/": 15,
}


def crowd(group, count: int) -> None:
    """`count` more agents with a day of breaks and rejections each."""
    now = timezone.now()
    for number in range(count):
        agent = make_agent(f"crowd{number:02d}", group)
        timeline(
            agent,
            (at("2025-03-01 08:00"), "available"),
            (at("2025-03-01 10:00"), "on_break", "SHORT"),
            (at("2025-03-01 10:15"), "work_offline", "MEETING"),
            (at("2025-03-01 11:00"), "available"),
            (at("2025-03-02 09:00"), "on_break", "LUNCH"),
            (now - timedelta(minutes=number + 1), "available"),
        )
        rejection(agent, at("2025-03-01 09:00"), "phone", "CASE")
        rejection(agent, at("2025-03-02 09:30"), "chat", "TECH")


@pytest.mark.parametrize(("url", "queries"), PAGES.items())
def test_a_page_reads_a_fixed_number_of_queries(
    client_for, django_assert_max_num_queries, history, support_group, supervisor_a, url, queries
):
    client = client_for(supervisor_a)
    # The first page in a zone writes it to the session (the pickers list it first).
    client.get(url, WINDOW)
    with django_assert_max_num_queries(queries):
        small = client.get(url, WINDOW)
    crowd(support_group, 30)
    with django_assert_max_num_queries(queries):
        large = client.get(url, WINDOW)
    assert large.context["table"].paginator.count > small.context["table"].paginator.count


@pytest.mark.parametrize("url", PAGES)
def test_the_filter_choices_are_read_without_a_server_side_cursor(
    client_for, history, support_group, supervisor_a, url
):
    # On PostgreSQL a choice list read through `.iterator()` is a DECLARE, a FETCH and a CLOSE:
    # three round trips for a few groups or codes. (SQLite has no server-side cursors.)
    client = client_for(supervisor_a)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, WINDOW)
    assert [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("DECLARE")] == []
    # The choices are all there still.
    assert f'<option value="{support_group.pk}"' in page.content.decode()


def test_the_chosen_agents_are_read_once(client_for, history, superuser, monkeypatch):
    # In a large center the agent picker writes the chosen agents only: as the form read them
    # to validate them, not read again.
    monkeypatch.setattr(forms, "ALL_AGENT_OPTIONS_UP_TO", 1)
    client = client_for(superuser)
    client.get("/reports/time-by-code/", WINDOW)
    with CaptureQueriesContext(connection) as anyone:
        client.get("/reports/time-by-code/", WINDOW)
    chosen = [agent.pk for agent in Agent.objects.order_by("pk")[:2]]
    with CaptureQueriesContext(connection) as two:
        page = client.get("/reports/time-by-code/", {**WINDOW, "agent": chosen}).content.decode()
    # One statement more: the form's check that they are agents the reader may see; one fewer:
    # a few agents chosen by name are read from their events, without asking which days the
    # daily rollup holds.
    assert len(two) == len(anyone)
    assert not any("reports_rolledday" in query["sql"] for query in two.captured_queries)
    assert any("reports_rolledday" in query["sql"] for query in anyone.captured_queries)
    for agent in Agent.objects.filter(pk__in=chosen):
        assert f'<option value="{agent.pk}" selected>' in page
