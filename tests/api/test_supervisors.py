"""Supervisors act through the API (docs/api.md, "Supervisors"): `POST /agents/<username>/status`
for a supervisor of the agent's group; `changed_by` recorded; other groups refused."""

import pytest

from agents.models import StatusEvent
from agents.services import agent_perform_action
from tests.api.conftest import post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana_available(ana):
    agent_perform_action(agent=ana, action="login", source="api")
    return ana


def test_a_supervisor_logs_out_their_agent(ana_available, supervisor_a, client_for):
    response = post_json(
        client_for(supervisor_a), "/api/v1/agents/ana/status", {"action": "logout"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["code"], body["code_label"]) == (
        "logged_out",
        "supervisor",
        "Changed by a supervisor",
    )
    event = StatusEvent.objects.ongoing().get(agent=ana_available)
    assert (event.source, event.changed_by, event.system_reason) == (
        "supervisor",
        supervisor_a,
        "supervisor",
    )


def test_a_supervisor_gives_a_code_of_the_agents_list(ana_available, supervisor_a, client_for):
    client = client_for(supervisor_a)
    body = post_json(
        client, "/api/v1/agents/ana/status", {"action": "work_offline", "code": "MEETING"}
    ).json()
    assert (body["status"], body["code"]) == ("work_offline", "MEETING")
    response = post_json(
        client, "/api/v1/agents/ana/status", {"action": "take_break", "code": "COACHING"}
    )
    assert (response.status_code, response.json()["error"]) == (422, "code_not_offered")


def test_a_supervisor_of_sales_on_a_support_agent_is_refused(
    ana_available, supervisor_b, client_for
):
    response = post_json(
        client_for(supervisor_b), "/api/v1/agents/ana/status", {"action": "logout"}
    )
    assert (response.status_code, response.json()["error"]) == (403, "forbidden")
    assert StatusEvent.objects.ongoing().get(agent=ana_available).status == "available"


def test_a_supervisor_reads_and_offers_nothing(ana_available, supervisor_a, client_for):
    client = client_for(supervisor_a)
    assert client.get("/api/v1/agents/ana").status_code == 403
    response = post_json(client, "/api/v1/agents/ana/offers", {"channel": "chat"})
    assert response.status_code == 403
    response = post_json(client, "/api/v1/agents/ana/status", {"action": "busy"})
    assert (response.status_code, response.json()["error"]) == (403, "forbidden")
