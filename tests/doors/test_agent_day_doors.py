"""The agent's-day door (docs/reports.md, "An agent's day"): the report door, one agent at a time.

Every role asks for ana's day (Support) and sam's (Sales). A role that reads the agent's reports
gets the page; a reader of other groups gets 404, as for an agent who does not exist (the page
does not tell who exists); agents get 403; anonymous visitors and API tokens are sent to log in,
exactly as on the other report pages.
"""

import pytest

from tests.doors.conftest import ROLES
from tests.doors.test_report_doors import SEES, assert_turned_away
from tests.reports.timeline import at, rejection, timeline

pytestmark = pytest.mark.django_db

DAY = {"date": "2025-03-01", "tz": "UTC"}


@pytest.fixture
def history(ana, sam):
    timeline(ana, (at("2025-03-01 08:00"), "available"), (at("2025-03-01 10:00"), "on_break"))
    timeline(sam, (at("2025-03-01 09:00"), "available"))
    rejection(sam, at("2025-03-01 09:30"), "email")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("username", ["ana", "sam"])
def test_agent_day(caller, history, role, username):
    response = caller(role).get(f"/reports/agents/{username}/day/", DAY)
    expected = SEES[role]
    if not isinstance(expected, set):
        assert_turned_away(response, expected)
    elif username in expected:
        assert response.status_code == 200
        assert response.context["agent"].username == username
        assert response.context["days"][0].segments
    else:
        assert response.status_code == 404
