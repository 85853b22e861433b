"""The live board's action door (docs/reports.md, "Acting from the live board"), beside the report
door: only a supervisor of the agent's group changes the agent's status.

Every role asks to log ana (Support) and sam (Sales) out. A supervisor of the agent's group is
sent back to the board with the change recorded; everyone else who reads reports gets 404, as
for an agent who does not exist (supervisors of the other group, report readers and
superusers, who supervise no group); agents get 403; anonymous visitors and API tokens are sent
to log in, as on the other report pages. Nothing is recorded for any of them.
"""

import pytest
from django.test import Client

from agents.models import StatusEvent
from tests.doors.conftest import ROLES

pytestmark = pytest.mark.django_db

# Who may act on which agent; the others are turned away as SEES says for the report door.
ACTS_ON = {
    "supervisor_a": {"ana"},
    "supervisor_b": {"sam"},
    "staff_supervisor": {"ana"},
}
TURNED_AWAY = {
    "anonymous": "login",
    "agent": 403,
    "agent_of_other_group": 403,
    "supervisor_a": 404,
    "supervisor_b": 404,
    "staff_supervisor": 404,
    "administrator": 404,
    "superuser": 404,
    "integration_token": "login",
    "token_without_permission": "login",
    "agent_token": "login",
    "revoked_token": "login",
}
assert set(TURNED_AWAY) == set(ROLES)


def status_of(username: str) -> str:
    return StatusEvent.objects.ongoing().get(agent__user__username=username).status


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("username", ["ana", "sam"])
def test_live_board_action(caller, agents_logged_in, role, username):
    client = caller(role)
    response = client.post(f"/reports/live/{username}/status/", {"action": "logout"})
    if username in ACTS_ON.get(role, ()):
        assert response.status_code == 302
        assert response["Location"] == "/reports/live/"
        assert status_of(username) == "logged_out"
        return
    expected = TURNED_AWAY[role]
    if expected == "login":
        # After logging in, back to the board (the action is a form to send again).
        assert (response.status_code, response["Location"]) == (
            302,
            "/accounts/login/?next=/reports/live/",
        )
    else:
        assert response.status_code == expected
    assert status_of(username) == "available"


def test_an_agent_who_does_not_exist_is_not_found(caller, agents_logged_in):
    response = caller("supervisor_a").post("/reports/live/nobody/status/", {"action": "logout"})
    assert response.status_code == 404


def test_the_action_is_a_post(caller, agents_logged_in):
    response = caller("supervisor_a").get("/reports/live/ana/status/", {"action": "logout"})
    assert response.status_code == 405
    assert status_of("ana") == "available"


def test_csrf_is_enforced(agents_logged_in, supervisor_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor_a)
    response = client.post("/reports/live/ana/status/", {"action": "logout"})
    assert response.status_code == 403
    assert status_of("ana") == "available"
    # The board's own form carries the token.
    client.get("/reports/live/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/reports/live/ana/status/", {"action": "logout", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert status_of("ana") == "logged_out"
