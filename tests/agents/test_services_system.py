"""Statuses set by integrations: busy (on an interaction) and post_processing (wrap-up)."""

import pytest
from django.contrib.auth.models import Permission

from agents.models import StatusEvent
from agents.services import (
    ActionRefused,
    agent_change_status,
    agent_perform_action,
    agent_set_system_status,
)
from tests.conftest import make_user


@pytest.fixture
def integration(db):
    user = make_user("telephony")
    user.user_permissions.add(Permission.objects.get(codename="act_for_other_agents"))
    return user


def system(agent, status):
    return agent_set_system_status(agent=agent, status=status, source="system")


def test_an_interaction_runs_available_busy_post_processing_available(ana):
    agent_perform_action(agent=ana, action="login", source="api")
    assert system(ana, "busy").status == "busy"
    assert system(ana, "post_processing").status == "post_processing"
    assert agent_perform_action(agent=ana, action="go_available", source="api").status == (
        "available"
    )
    events = StatusEvent.objects.filter(agent=ana).order_by("started_at")
    assert [(e.status, e.source, e.code) for e in events] == [
        ("available", "api", None),
        ("busy", "system", None),
        ("post_processing", "system", None),
        ("available", "api", None),
    ]


def test_next_interaction_may_start_during_wrap_up(ana):
    agent_perform_action(agent=ana, action="login", source="api")
    system(ana, "busy")
    system(ana, "post_processing")
    assert system(ana, "busy").status == "busy"


@pytest.mark.parametrize(
    ("status", "reach"),
    [
        ("busy", []),
        ("busy", [("login", None), ("take_break", "LUNCH")]),
        ("busy", [("login", None), ("work_offline", "MEETING")]),
        ("post_processing", [("login", None)]),
        ("post_processing", []),
    ],
)
def test_system_status_from_elsewhere_is_refused(ana, status, reach):
    for action, code in reach:
        agent_perform_action(agent=ana, action=action, code=code, source="api")
    before = StatusEvent.objects.count()
    with pytest.raises(ActionRefused) as refused:
        system(ana, status)
    assert refused.value.key == "invalid_transition"
    assert StatusEvent.objects.count() == before


def test_busy_while_busy_is_refused(ana):
    agent_perform_action(agent=ana, action="login", source="api")
    system(ana, "busy")
    with pytest.raises(ActionRefused) as refused:
        system(ana, "busy")
    assert refused.value.key == "invalid_transition"
    assert refused.value.detail == "The agent's status is already “Busy”."


def test_agent_statuses_are_not_system_statuses(ana):
    with pytest.raises(ActionRefused) as refused:
        system(ana, "on_break")
    assert refused.value.key == "unknown_action"


def test_only_users_who_act_for_other_agents_report_a_system_status(ana, sofia, integration):
    agent_perform_action(agent=ana, action="login", source="api")

    with pytest.raises(ActionRefused) as refused:
        agent_change_status(agent=ana, action="busy", actor=sofia.user, source="api")
    assert refused.value.key == "forbidden"

    state = agent_change_status(agent=ana, action="busy", actor=integration, source="api")
    assert state.status == "busy"
    assert StatusEvent.objects.ongoing().get(agent=ana).source == "system"


def test_a_system_status_carries_no_code(ana, integration):
    agent_perform_action(agent=ana, action="login", source="api")

    with pytest.raises(ActionRefused) as refused:
        agent_change_status(agent=ana, action="busy", code="LUNCH", actor=integration, source="api")
    assert refused.value.key == "code_not_for_action"
    assert StatusEvent.objects.count() == 1


def test_agent_actions_go_through_whoever_asks(ana):
    state = agent_change_status(agent=ana, action="login", actor=ana.user, source="api")
    assert (state.status, StatusEvent.objects.get().source) == ("available", "api")
