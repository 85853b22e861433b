"""The report door (docs/reports.md): supervisors see their groups' agents, report readers everyone.

Each report page and its two exports is asked by every role, and the agents in the answer are
read from its content (table rows, CSV and XLSX rows), not only its status: supervisor B must
not see one of supervisor A's agents anywhere. Agents get 403; anonymous visitors and API
tokens (reports are session pages) are sent to log in.
"""

import csv
import io

import pytest
from django.utils.html import strip_tags
from openpyxl import load_workbook

from tests.doors.conftest import ROLES
from tests.reports.timeline import at, rejection, timeline

pytestmark = pytest.mark.django_db

WINDOW = {"date_from": "2025-03-01", "date_to": "2025-03-01", "tz": "UTC"}
REPORT_PAGES = [
    "/reports/status-changes/",
    "/reports/time-by-code/",
    "/reports/time-by-code/matrix/",
    "/reports/rejections/",
    "/reports/live/",
]
VARIANTS = ("page", "csv", "xlsx")

# The agents each role sees, or how it is turned away.
SEES = {
    "anonymous": "login",
    "agent": 403,
    "agent_of_other_group": 403,
    "supervisor_a": {"ana"},
    "supervisor_b": {"sam"},
    "staff_supervisor": {"ana"},
    # The "Administrators" role carries agents.view_all_reports (README, "Roles").
    "administrator": {"ana", "sam"},
    "superuser": {"ana", "sam"},
    "integration_token": "login",
    "token_without_permission": "login",
    "agent_token": "login",
    "revoked_token": "login",
}
assert set(SEES) == set(ROLES)


@pytest.fixture
def history(ana, sam):
    """One day with a break and a rejection for ana (Support) and for sam (Sales)."""
    timeline(
        ana,
        (at("2025-03-01 08:00"), "available"),
        (at("2025-03-01 10:00"), "on_break", "SHORT"),
        (at("2025-03-01 10:15"), "available"),
        (at("2025-03-01 17:00"), "logged_out", "EOS"),
    )
    timeline(
        sam,
        (at("2025-03-01 09:00"), "available"),
        (at("2025-03-01 12:00"), "on_break", "LUNCH"),
        (at("2025-03-01 12:30"), "available"),
        (at("2025-03-01 18:00"), "logged_out", "EOS"),
    )
    rejection(ana, at("2025-03-01 08:30"), "phone", "CASE")
    rejection(sam, at("2025-03-01 09:30"), "email")


def agents_in(response, variant: str) -> set[str]:
    """The usernames in the rows of a report page or export."""
    if variant == "page" and "matrix" in response.context:
        return {row.agent for row in response.context["matrix"].rows}
    if variant == "page":
        # The agent cell links to the agent's day: its text is the username.
        return {
            strip_tags(row.get_cell_value("agent"))
            for row in response.context["table"].paginated_rows
        }
    content = b"".join(response.streaming_content)
    if variant == "csv":
        return {row["agent"] for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))}
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    header, *rows = sheet.iter_rows(values_only=True)
    column = header.index("agent")
    # The totals row at the bottom (time by code, rejections) names no agent.
    return {row[column] for row in rows if row[0] != "Total"}


def assert_turned_away(response, expected) -> None:
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/reports/")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_report_index(caller, history, role):
    response = caller(role).get("/reports/")
    expected = SEES[role]
    if isinstance(expected, set):
        assert response.status_code == 200
        assert "/reports/time-by-code/" in response.content.decode()
    else:
        assert_turned_away(response, expected)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("url", REPORT_PAGES)
def test_report(caller, history, url, variant, role):
    parameters = WINDOW if variant == "page" else {**WINDOW, "_export": variant}
    response = caller(role).get(url, parameters)
    expected = SEES[role]
    if not isinstance(expected, set):
        assert_turned_away(response, expected)
        return
    assert response.status_code == 200
    assert agents_in(response, variant) == expected


# The lists whose codes each role finds through the code picker (Support is ana's group's,
# Sales sam's): the same scope as the agents.
CODE_LISTS = {"ana": "Support", "sam": "Sales"}
PICKERS = ("/reports/pickers/agents/", "/reports/pickers/codes/", "/reports/pickers/time-zones/")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", PICKERS)
def test_report_picker(caller, history, url, role):
    response = caller(role).get(url, {"term": ""})
    expected = SEES[role]
    if not isinstance(expected, set):
        assert_turned_away(response, expected)
        return
    assert response.status_code == 200
    found = [result["text"] for result in response.json()["results"]]
    if url.endswith("/agents/"):
        assert set(found) == expected
    elif url.endswith("/codes/"):
        lists = {text.split(" / ")[0] for text in found if " / " in text}
        assert lists == {CODE_LISTS[agent] for agent in expected}
        assert found[0] == "(no code)"
    else:
        assert found == ["Common time zones", "All time zones"]
