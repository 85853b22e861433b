"""On the demo center (`seed_demo`, what `make run` loads), every report has data on first run.

maria supervises Support Tier 1 and 2: each page and its exports show her agents and only
them, and the time-by-code export adds up to the page's totals.
"""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.html import strip_tags

from agents.demo import seed_demo
from agents.models import Agent

REPORTS = ["status-changes", "time-by-code", "rejections", "live"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seeded once for the module, inside a transaction rolled back at its end: each test's own
    transaction nests in it, and the database is left as the other tests expect it."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def maria(demo, client, db):
    client.force_login(get_user_model().objects.get(username="maria"))
    return client


def her_agents() -> set[str]:
    return set(
        Agent.objects.filter(group__supervisors__username="maria").values_list(
            "user__username", flat=True
        )
    )


@pytest.mark.parametrize("report", REPORTS)
def test_each_report_shows_marias_agents_and_only_them(maria, report):
    response = maria.get(f"/reports/{report}/")
    assert response.status_code == 200
    # The agent cell is the username (a link to the agent's day), then the name on a line of
    # its own.
    shown = {
        strip_tags(row.get_cell_value("agent").split("<br>")[0])
        for row in response.context["table"].paginated_rows
    }
    assert shown
    assert shown <= her_agents()

    exported = maria.get(f"/reports/{report}/", {"_export": "csv"})
    assert exported.status_code == 200
    rows = list(
        csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig")))
    )
    assert rows
    assert {row["agent"] for row in rows} <= her_agents()
    assert maria.get(f"/reports/{report}/", {"_export": "xlsx"}).status_code == 200


def test_the_time_by_code_export_adds_up_to_the_pages_totals(maria):
    page = maria.get("/reports/time-by-code/")
    total = page.context["summary"]["total"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(
                    maria.get("/reports/time-by-code/", {"_export": "csv"}).streaming_content
                ).decode("utf-8-sig")
            )
        )
    )
    assert sum(int(row["count"]) for row in rows) == total.count > 0
    # Each row is rounded once; the total is the exact sum rounded once (docs/reports.md).
    assert abs(sum(int(row["seconds"]) for row in rows) - total.seconds) <= len(rows) / 2
