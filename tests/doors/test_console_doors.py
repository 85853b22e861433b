"""The console door: a logged-in agent, acting for themself only.

The console has no "act for" parameter: whoever passes acts on their own timeline. Users who
are not agents (supervisors, administrators, superusers) get the "not an agent" page (403);
anonymous visitors and API tokens (the console is a session page) are sent to log in.
"""

import pytest

from agents.models import Agent, StatusEvent
from agents.services import offer_create
from tests.doors.conftest import ROLES

pytestmark = pytest.mark.django_db

# Whose console each role reaches: an agent's username, "login" or 403.
REACHES = {
    "agent": "ana",
    "agent_of_other_group": "sam",
    "supervisor_a": 403,
    "supervisor_b": 403,
    "staff_supervisor": 403,
    "administrator": 403,
    "superuser": 403,
}


def reaches(role: str) -> str | int:
    return REACHES.get(role, "login")


def assert_turned_away(response, expected: str | int) -> None:
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/console/")
    else:
        assert response.status_code == 403


def rejection_form(agent: str) -> dict:
    # Support's list requires a code to reject a phone call; Sales' list has none to offer.
    return {"code": "CASE"} if agent == "ana" else {}


@pytest.mark.parametrize("role", ROLES)
def test_console_page(caller, agents_logged_in, role):
    response = caller(role).get("/console/")
    expected = reaches(role)
    if expected == 403:
        assert response.status_code == 403
        assert "is not an agent" in response.content.decode()
    elif expected == "login":
        assert_turned_away(response, expected)
    else:
        assert response.status_code == 200
        assert response.context["agent"].username == expected


@pytest.mark.parametrize("role", ROLES)
def test_console_status_change(caller, agents_logged_in, role):
    expected = reaches(role)
    before = StatusEvent.objects.count()
    response = caller(role).post("/console/status/", {"action": "take_break", "code": "LUNCH"})
    if expected in ("login", 403):
        assert_turned_away(response, expected)
        assert StatusEvent.objects.count() == before
        return
    assert response.status_code == 302 and response["Location"] == "/console/"
    event = StatusEvent.objects.status_changes().latest("started_at")
    assert (event.agent.username, event.status, event.code.code) == (expected, "on_break", "LUNCH")
    assert StatusEvent.objects.count() == before + 1


@pytest.mark.parametrize("role", ROLES)
def test_console_offer_rejection(caller, agents_logged_in, role):
    """Each agent answers only the offer ringing for them: ana's offer, posted by sam, is not
    found for sam and keeps ringing."""
    expected = reaches(role)
    offer = offer_create(agent=Agent.objects.get(user__username="ana"), channel="phone", actor=None)
    before = StatusEvent.objects.count()
    form = rejection_form(expected if isinstance(expected, str) else "ana")
    response = caller(role).post(f"/console/offers/{offer.pk}/reject/", form)
    if expected in ("login", 403):
        assert_turned_away(response, expected)
    else:
        assert response.status_code == 302 and response["Location"] == "/console/"
    offer.refresh_from_db()
    if expected != "ana":
        assert offer.state == "pending"
        assert StatusEvent.objects.count() == before
        return
    assert offer.state == "rejected"
    rejection = StatusEvent.objects.rejections().get()
    assert (rejection.agent.username, rejection.channel) == ("ana", "phone")
