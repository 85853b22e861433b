"""POST /api/v1/agents/me/rejections: instantaneous rejections with a channel and a code, for an
available agent (an integration that offers interactions itself); offers are tests/api/
test_offers.py."""

import pytest

from agents.models import StatusEvent
from tests.api.conftest import post_json

URL = "/api/v1/agents/me/rejections"


@pytest.fixture
def ana_client(ana, client_for):
    client = client_for(ana)
    post_json(client, "/api/v1/agents/me/status", {"action": "login"})
    return client


def test_rejection_while_available_is_recorded(ana, ana_client):
    response = post_json(ana_client, URL, {"channel": "phone", "code": "CASE"})
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["code"]) == ("available", None)
    rejection = body["rejection"]
    assert (rejection["channel"], rejection["code"]) == ("phone", "CASE")
    assert rejection["code_label"] == "Working on a Case"
    event = StatusEvent.objects.rejections().get(agent=ana)
    assert (event.channel, event.code.code, event.source) == ("phone", "CASE", "api")


def test_rejection_label_is_in_the_agents_language(sofia, client_for):
    client = client_for(sofia)
    post_json(client, "/api/v1/agents/me/status", {"action": "login"})
    body = post_json(client, URL, {"channel": "chat", "code": "TECH"}).json()
    assert body["rejection"]["code_label"] == "Problema técnico"


@pytest.mark.parametrize(
    ("body", "status", "key"),
    [
        ({"channel": "phone"}, 422, "code_required"),
        ({"channel": "phone", "code": "LUNCH"}, 422, "code_not_for_action"),
        ({"channel": "phone", "code": "NOPE"}, 422, "code_not_offered"),
        ({"channel": "fax", "code": "CASE"}, 400, "unknown_channel"),
    ],
)
def test_refused_rejections_record_nothing(ana, ana_client, body, status, key):
    response = post_json(ana_client, URL, body)
    assert response.status_code == status
    assert response.json()["error"] == key
    assert not StatusEvent.objects.rejections().exists()


def test_an_agent_on_break_cannot_reject(ana_client):
    post_json(ana_client, "/api/v1/agents/me/status", {"action": "take_break", "code": "LUNCH"})
    response = post_json(ana_client, URL, {"channel": "phone", "code": "CASE"})
    assert response.status_code == 409
    assert response.json()["error"] == "invalid_transition"
    assert not StatusEvent.objects.rejections().exists()


def test_logged_out_agent_cannot_reject(sam, client_for):
    response = post_json(client_for(sam), URL, {"channel": "phone"})
    assert response.status_code == 409
    assert response.json()["error"] == "invalid_transition"
