"""The pending change through the API (docs/api.md, "Pending change"): 202 while busy or in
wrap-up, shown in GET me, replaced, cancelled by DELETE, applied when the agent is available."""

import pytest
from django.test import Client

from tests.api.conftest import post_json

pytestmark = pytest.mark.django_db
STATUS = "/api/v1/agents/me/status"


@pytest.fixture
def busy_ana(ana, client_for, integration):
    client = client_for(ana)
    post_json(client, STATUS, {"action": "login"})
    integ = Client()
    integ.force_login(integration)
    post_json(integ, "/api/v1/agents/ana/status", {"action": "busy"})
    return client


def test_a_break_while_busy_is_pending_then_applied(busy_ana):
    response = post_json(busy_ana, STATUS, {"action": "take_break", "code": "LUNCH"})
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["pending"]) == ("busy", {"action": "take_break", "code": "LUNCH"})
    assert busy_ana.get("/api/v1/agents/me").json()["pending"] == body["pending"]
    body = post_json(busy_ana, STATUS, {"action": "go_available"}).json()
    assert (body["status"], body["code"], body["pending"]) == ("on_break", "LUNCH", None)


def test_asking_again_replaces_and_delete_cancels(busy_ana):
    post_json(busy_ana, STATUS, {"action": "take_break", "code": "LUNCH"})
    body = post_json(busy_ana, STATUS, {"action": "logout", "code": "EOS"}).json()
    assert body["pending"] == {"action": "logout", "code": "EOS"}
    response = busy_ana.delete("/api/v1/agents/me/pending")
    assert (response.status_code, response.json()["pending"]) == (200, None)
    body = post_json(busy_ana, STATUS, {"action": "go_available"}).json()
    assert body["status"] == "available"


def test_a_bad_code_is_refused_when_asked(busy_ana):
    response = post_json(busy_ana, STATUS, {"action": "take_break", "code": "EOS"})
    assert (response.status_code, response.json()["error"]) == (422, "code_not_for_action")
    assert busy_ana.get("/api/v1/agents/me").json()["pending"] is None
