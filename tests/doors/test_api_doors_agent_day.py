"""The agent's day doors (docs/api.md): who may offer interactions, answer or miss them, cancel a
pending change, and change another agent's status as a supervisor. Beside test_api_doors.py's
matrix: every role, and what the refused ones get."""

import json

import pytest

from agents.models import Offer, StatusEvent
from agents.services import offer_create
from tests.doors.conftest import ROLES

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = (401, "not_authenticated")
NOT_AN_AGENT = (403, "not_an_agent")
FORBIDDEN = (403, "forbidden")

# Offers to ana and misses of her offers: integrations (and ana herself, as on every
# /agents/<username> route); supervisors included, they are not integrations.
INTEGRATION_FOR_ANA = {
    "anonymous": UNAUTHENTICATED,
    "agent": "ok",
    "agent_of_other_group": FORBIDDEN,
    "supervisor_a": FORBIDDEN,
    "supervisor_b": FORBIDDEN,
    "staff_supervisor": FORBIDDEN,
    "administrator": FORBIDDEN,
    "superuser": "ok",
    "integration_token": "ok",
    "token_without_permission": FORBIDDEN,
    "agent_token": "ok",
    "revoked_token": UNAUTHENTICATED,
}
# `me/offers/<id>/accept` and `me/pending`: the agent only; others are not agents, or the offer is
# not theirs (sam: 404 unknown_offer, like an id that exists nowhere).
ANA_ONLY = {
    "anonymous": UNAUTHENTICATED,
    "agent": "ok",
    "agent_of_other_group": (404, "unknown_offer"),
    "supervisor_a": NOT_AN_AGENT,
    "supervisor_b": NOT_AN_AGENT,
    "staff_supervisor": NOT_AN_AGENT,
    "administrator": NOT_AN_AGENT,
    "superuser": NOT_AN_AGENT,
    "integration_token": NOT_AN_AGENT,
    "token_without_permission": NOT_AN_AGENT,
    "agent_token": "ok",
    "revoked_token": UNAUTHENTICATED,
}
assert set(INTEGRATION_FOR_ANA) == set(ANA_ONLY) == set(ROLES)


def post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def ringing(agents_logged_in, superuser):
    ana, _sam = agents_logged_in
    return offer_create(agent=ana, channel="chat", actor=superuser)


def check(response, expected, success):
    if isinstance(expected, tuple):
        assert (response.status_code, response.json()["error"]) == expected
        return False
    assert response.status_code == success
    return True


@pytest.mark.parametrize("role", ROLES)
def test_offer_to_ana(caller, agents_logged_in, role):
    response = post(caller(role), "/api/v1/agents/ana/offers", {"channel": "chat"})
    if check(response, INTEGRATION_FOR_ANA[role], 201):
        assert Offer.objects.pending().get().agent.username == "ana"
    else:
        assert not Offer.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_miss_anas_offer(caller, ringing, role):
    response = post(caller(role), f"/api/v1/agents/ana/offers/{ringing.pk}/miss")
    ringing.refresh_from_db()
    if check(response, INTEGRATION_FOR_ANA[role], 200):
        assert ringing.state == "missed"
    else:
        assert ringing.state == "pending"
        assert not StatusEvent.objects.rejections().exists()


@pytest.mark.parametrize("role", ROLES)
def test_accept_anas_offer(caller, ringing, role):
    response = post(caller(role), f"/api/v1/agents/me/offers/{ringing.pk}/accept")
    ringing.refresh_from_db()
    if check(response, ANA_ONLY[role], 200):
        assert (ringing.state, response.json()["status"]) == ("accepted", "busy")
    else:
        assert ringing.state == "pending"


@pytest.mark.parametrize("role", ROLES)
def test_a_supervisor_of_another_group_is_refused_like_a_stranger(caller, agents_logged_in, role):
    """sam is in Sales: supervisor_b's agent. Everyone else but integrations is refused the same
    way, whether the agent exists or not."""
    client = caller(role)
    before = StatusEvent.objects.count()
    on_sam = post(client, "/api/v1/agents/sam/status", {"action": "logout"})
    on_nobody = post(client, "/api/v1/agents/nobody/status", {"action": "logout"})
    if role in ("supervisor_a", "staff_supervisor", "administrator", "token_without_permission"):
        assert (on_sam.status_code, on_sam.json()["error"]) == FORBIDDEN
        assert (on_nobody.status_code, on_nobody.json()["error"]) == FORBIDDEN
        assert StatusEvent.objects.count() == before
    if role == "supervisor_b":
        assert on_sam.status_code == 200
        assert on_sam.json()["code"] == "supervisor"
        assert (on_nobody.status_code, on_nobody.json()["error"]) == FORBIDDEN
