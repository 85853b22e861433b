"""POST /api/v1/agents/me/status: the workflow rules through the API; every refusal records
nothing."""

import pytest

from agents.models import StatusEvent
from tests.api.conftest import post_json

URL = "/api/v1/agents/me/status"


@pytest.fixture
def ana_client(ana, client_for):
    return client_for(ana)


@pytest.fixture
def ana_available(ana, ana_client):
    assert post_json(ana_client, URL, {"action": "login"}).status_code == 200
    return ana


def test_login_then_break_with_code_returns_the_new_state(ana_available, ana_client):
    response = post_json(ana_client, URL, {"action": "take_break", "code": "LUNCH"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["code"], body["code_label"]) == ("on_break", "LUNCH", "Lunch")
    event = StatusEvent.objects.get(agent=ana_available, ended_at=None)
    assert (event.status, event.code.code, event.source) == ("on_break", "LUNCH", "api")


@pytest.mark.parametrize(
    ("body", "status", "key"),
    [
        ({"action": "take_break"}, 422, "code_required"),
        ({"action": "take_break", "code": "COACHING"}, 422, "code_not_offered"),
        ({"action": "take_break", "code": "NOPE"}, 422, "code_not_offered"),
        ({"action": "take_break", "code": "RETIRED"}, 422, "code_inactive"),
        ({"action": "take_break", "code": "MEETING"}, 422, "code_not_for_action"),
        ({"action": "login"}, 409, "invalid_transition"),
        ({"action": "dance"}, 400, "unknown_action"),
    ],
)
def test_refusals_have_a_key_a_sentence_and_record_nothing(
    ana_available, ana_client, body, status, key
):
    response = post_json(ana_client, URL, body)
    assert response.status_code == status
    assert response.json()["error"] == key
    assert response.json()["detail"]
    assert StatusEvent.objects.filter(agent=ana_available).count() == 1
    assert ana_client.get("/api/v1/agents/me").json()["status"] == "available"


def test_code_not_for_action_names_the_actions_it_applies_to(ana_available, ana_client):
    detail = post_json(ana_client, URL, {"action": "take_break", "code": "MEETING"}).json()
    assert "Work offline" in detail["detail"]


def test_take_break_while_logged_out_is_refused(ana, ana_client):
    response = post_json(ana_client, URL, {"action": "take_break", "code": "LUNCH"})
    assert response.status_code == 409
    assert response.json()["error"] == "invalid_transition"
    assert not StatusEvent.objects.exists()


def test_disabled_agent_changes_status_without_code(nocode, client_for):
    client = client_for(nocode)
    post_json(client, URL, {"action": "login"})
    response = post_json(client, URL, {"action": "take_break"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["code"]) == ("on_break", None)


def test_agent_cannot_set_system_statuses(ana_available, ana_client):
    response = post_json(ana_client, URL, {"action": "busy"})
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert StatusEvent.objects.filter(agent=ana_available).count() == 1


def test_logout_with_code_ends_the_session_of_work(ana_available, ana_client):
    response = post_json(ana_client, URL, {"action": "logout", "code": "EOS"})
    assert response.status_code == 200
    assert response.json()["status"] == "logged_out"
    assert response.json()["allowed_actions"] == ["login"]
