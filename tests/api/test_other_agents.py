"""/api/v1/agents/<username>/…: integrations allowed to act for other agents (docs/api.md)."""

from django.test import Client

from agents.models import StatusEvent
from tests.api.conftest import post_json


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_agent_cannot_act_for_another_agent(ana, sam, client_for):
    client = client_for(ana)
    for response in (
        client.get("/api/v1/agents/sam"),
        post_json(client, "/api/v1/agents/sam/status", {"action": "login"}),
        post_json(client, "/api/v1/agents/sam/rejections", {"channel": "phone"}),
    ):
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"
    assert not StatusEvent.objects.exists()


def test_forbidden_does_not_reveal_whether_the_agent_exists(ana, client_for):
    response = client_for(ana).get("/api/v1/agents/nobody")
    assert response.status_code == 403


def test_agent_may_use_their_own_username(ana, client_for):
    response = post_json(client_for(ana), "/api/v1/agents/ana/status", {"action": "login"})
    assert response.status_code == 200
    assert response.json()["username"] == "ana"


def test_integration_token_drives_an_interaction_for_an_agent(sofia, integration_key):
    client, auth = Client(), bearer(integration_key)
    url = "/api/v1/agents/sofia/status"
    assert post_json(client, url, {"action": "login"}, **auth).status_code == 200
    assert post_json(client, url, {"action": "busy"}, **auth).json()["status"] == "busy"
    body = post_json(client, url, {"action": "post_processing"}, **auth).json()
    assert body["status"] == "post_processing"
    # Asked in wrap-up: pending (202), applied when the wrap-up ends.
    response = post_json(client, url, {"action": "take_break", "code": "LUNCH"}, **auth)
    assert response.status_code == 202
    assert response.json()["pending"] == {"action": "take_break", "code": "LUNCH"}
    body = post_json(client, url, {"action": "go_available"}, **auth).json()
    assert (body["username"], body["status"], body["code_label"]) == (
        "sofia",
        "on_break",
        "Almuerzo",
    )
    sources = list(
        StatusEvent.objects.filter(agent=sofia)
        .order_by("started_at")
        .values_list("source", flat=True)
    )
    assert sources == ["api", "system", "system", "api"]


def test_integration_reads_and_rejects_for_an_agent(ana, integration_key):
    client, auth = Client(), bearer(integration_key)
    post_json(client, "/api/v1/agents/ana/status", {"action": "login"}, **auth)
    response = post_json(
        client, "/api/v1/agents/ana/rejections", {"channel": "email", "code": "TECH"}, **auth
    )
    assert response.status_code == 201
    assert client.get("/api/v1/agents/ana", **auth).json()["status"] == "available"
    assert StatusEvent.objects.rejections().get().agent == ana


def test_integration_gets_the_rules_refusals_too(ana, integration_key):
    client, auth = Client(), bearer(integration_key)
    post_json(client, "/api/v1/agents/ana/status", {"action": "login"}, **auth)
    response = post_json(client, "/api/v1/agents/ana/status", {"action": "take_break"}, **auth)
    assert response.status_code == 422
    assert response.json()["error"] == "code_required"
    response = post_json(client, "/api/v1/agents/ana/status", {"action": "post_processing"}, **auth)
    assert response.json()["error"] == "invalid_transition"


def test_system_status_carries_no_code(ana, integration_key):
    client, auth = Client(), bearer(integration_key)
    post_json(client, "/api/v1/agents/ana/status", {"action": "login"}, **auth)
    body = {"action": "busy", "code": "LUNCH"}
    response = post_json(client, "/api/v1/agents/ana/status", body, **auth)
    assert response.status_code == 422
    assert response.json()["error"] == "code_not_for_action"
    assert StatusEvent.objects.count() == 1


def test_unknown_agent(integration_key, ana, supervisor_a):
    client, auth = Client(), bearer(integration_key)
    for username in ("nobody", "supervisor_a"):
        response = client.get(f"/api/v1/agents/{username}", **auth)
        assert response.status_code == 404
        assert response.json()["error"] == "unknown_agent"


def test_superuser_session_may_act_for_agents(sam, superuser, client_for):
    response = post_json(client_for(superuser), "/api/v1/agents/sam/status", {"action": "login"})
    assert response.status_code == 200
