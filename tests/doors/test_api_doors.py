"""The API door: the agent themself (session or own token), or an integration token.

`/api/v1/agents/me…` acts on the caller's own agent: users who are not agents are told so.
`/api/v1/agents/<username>…` acts on another agent only with `agents.act_for_other_agents`
(the "Integrations" role; superusers hold every permission); on oneself it is the same as `me`.
No credentials, or a revoked token, is 401; a refusal records nothing.
"""

import json

import pytest

from agents.models import StatusEvent
from tests.doors.conftest import ROLES

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = (401, "not_authenticated")
NOT_AN_AGENT = (403, "not_an_agent")
FORBIDDEN = (403, "forbidden")

# Whom `me` acts on, for each role: a username, or the refusal (status, error key).
ME = {
    "anonymous": UNAUTHENTICATED,
    "agent": "ana",
    "agent_of_other_group": "sam",
    "supervisor_a": NOT_AN_AGENT,
    "supervisor_b": NOT_AN_AGENT,
    "staff_supervisor": NOT_AN_AGENT,
    "administrator": NOT_AN_AGENT,
    "superuser": NOT_AN_AGENT,
    "integration_token": NOT_AN_AGENT,
    "token_without_permission": NOT_AN_AGENT,
    "agent_token": "ana",
    "revoked_token": UNAUTHENTICATED,
}
# Whom `/agents/ana` acts on, for each role.
FOR_ANA = {
    "anonymous": UNAUTHENTICATED,
    "agent": "ana",
    "agent_of_other_group": FORBIDDEN,
    "supervisor_a": FORBIDDEN,
    "supervisor_b": FORBIDDEN,
    "staff_supervisor": FORBIDDEN,
    "administrator": FORBIDDEN,
    "superuser": "ana",
    "integration_token": "ana",
    "token_without_permission": FORBIDDEN,
    "agent_token": "ana",
    "revoked_token": UNAUTHENTICATED,
}
# Whom `POST /agents/ana/status` acts on: the supervisors of ana's group also change her status
# (docs/api.md, "Supervisors"); a supervisor of another group is refused as any stranger.
STATUS_FOR_ANA = {**FOR_ANA, "supervisor_a": "ana", "staff_supervisor": "ana"}
SUPERVISORS_OF_ANA = ("supervisor_a", "staff_supervisor")
assert set(ME) == set(FOR_ANA) == set(STATUS_FOR_ANA) == set(ROLES)

# Each endpoint: its path, the method, the expectations and the success status.
ENDPOINTS = {
    "me GET": ("/api/v1/agents/me", "get", ME, 200),
    "me status POST": ("/api/v1/agents/me/status", "post", ME, 200),
    "me rejections POST": ("/api/v1/agents/me/rejections", "post", ME, 201),
    "<username> GET": ("/api/v1/agents/ana", "get", FOR_ANA, 200),
    "<username> status POST": ("/api/v1/agents/ana/status", "post", STATUS_FOR_ANA, 200),
    "<username> rejections POST": ("/api/v1/agents/ana/rejections", "post", FOR_ANA, 201),
}


def body(path: str, agent: str) -> dict:
    if path.endswith("/status"):
        return {"action": "take_break", "code": "LUNCH"}
    # Support's list requires a code to reject a phone call; Sales' list has none to offer.
    return {"channel": "phone", "code": "CASE"} if agent == "ana" else {"channel": "phone"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_api_endpoint(caller, agents_logged_in, endpoint, role):
    path, method, outcomes, success = ENDPOINTS[endpoint]
    expected = outcomes[role]
    client = caller(role)
    before = StatusEvent.objects.count()
    if method == "get":
        response = client.get(path)
    else:
        target = expected if isinstance(expected, str) else "ana"
        response = client.post(
            path, json.dumps(body(path, target)), content_type="application/json"
        )

    if isinstance(expected, tuple):
        assert (response.status_code, response.json()["error"]) == expected
        assert StatusEvent.objects.count() == before
        return
    assert response.status_code == success
    assert response.json()["username"] == expected
    if method == "post":
        event = StatusEvent.objects.latest("recorded_at", "pk")
        source = "supervisor" if role in SUPERVISORS_OF_ANA else "api"
        assert (event.agent.username, event.source) == (expected, source)
        assert StatusEvent.objects.count() == before + 1
