"""GET /api/v1/agents/me: the agent's state and the codes offered per action (docs/api.md)."""

from datetime import UTC, datetime

import pytest
import time_machine

from agents.services import agent_perform_action

CODED_ACTIONS = [
    "take_break",
    "work_offline",
    "logout",
    "reject_phone",
    "reject_chat",
    "reject_email",
    "reject_voicemail",
]


def test_logged_out_agent_sees_state_and_codes(ana, client_for):
    response = client_for(ana).get("/api/v1/agents/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "ana"
    assert (body["status"], body["code"], body["since"]) == ("logged_out", None, None)
    assert body["allowed_actions"] == ["login"]
    assert body["status_codes_enabled"] is True
    assert list(body["codes"]) == CODED_ACTIONS
    assert body["codes"]["take_break"] == [
        {"code": "LUNCH", "label": "Lunch"},
        {"code": "SHORT", "label": "Short Break"},
        {"code": "RESTROOM", "label": "Restroom"},
    ]
    assert body["codes"]["reject_voicemail"] == []
    assert "RETIRED" not in response.content.decode()


def test_agent_on_break_sees_code_label_and_since(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="api")
    state = agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="api")
    body = client_for(ana).get("/api/v1/agents/me").json()
    assert (body["status"], body["code"], body["code_label"]) == ("on_break", "LUNCH", "Lunch")
    assert body["status_label"] == "On break"
    assert body["since"].startswith(state.since.strftime("%Y-%m-%dT%H:%M:%S"))
    assert body["allowed_actions"] == ["go_available", "take_break", "work_offline", "logout"]


def test_spanish_agent_gets_spanish_labels(sofia, client_for):
    body = client_for(sofia).get("/api/v1/agents/me").json()
    assert [c["label"] for c in body["codes"]["take_break"]] == [
        "Almuerzo",
        "Descanso corto",
        "Baño",
    ]
    assert body["codes"]["reject_phone"][0] == {"code": "CASE", "label": "Trabajando en un caso"}


def test_sales_agent_gets_the_sales_list(sam, client_for):
    body = client_for(sam).get("/api/v1/agents/me").json()
    assert body["codes"]["work_offline"] == [{"code": "COACHING", "label": "Sales coaching"}]
    assert "MEETING" not in str(body)


def test_disabled_agent_is_told_codes_are_optional(nocode, client_for):
    body = client_for(nocode).get("/api/v1/agents/me").json()
    assert body["status_codes_enabled"] is False
    assert body["codes"]["take_break"]  # still offered: a disabled agent may give a reason


def test_state_takes_a_fixed_number_of_queries(ana, client_for, django_assert_max_num_queries):
    client = client_for(ana)
    agent_perform_action(agent=ana, action="login", source="api")
    # The agent, the session's user, the ongoing interval, the codes, the offer, the pending
    # change (and the session).
    with django_assert_max_num_queries(7):
        assert client.get("/api/v1/agents/me").status_code == 200


@pytest.mark.parametrize(
    ("moment", "since"),
    [
        (datetime(2026, 3, 2, 9, 0, 7, tzinfo=UTC), "2026-03-02T09:00:07.000Z"),
        (datetime(2026, 3, 2, 9, 0, 7, 123456, tzinfo=UTC), "2026-03-02T09:00:07.123Z"),
    ],
)
def test_since_is_always_given_to_the_millisecond(ana, client_for, moment, since):
    with time_machine.travel(moment, tick=False):
        agent_perform_action(agent=ana, action="login", source="api")
    assert client_for(ana).get("/api/v1/agents/me").json()["since"] == since
