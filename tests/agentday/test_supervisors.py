"""Supervisors act (docs/concepts.md, "Supervisors act"): a supervisor of the agent's group
changes the agent's status, with a code of the agent's list or none (the reason `supervisor`)."""

from datetime import timedelta

import pytest

from agents.models import StatusEvent
from agents.services import ActionRefused, agent_supervise
from tests.agentday.conftest import T0, busy, login, timeline

pytestmark = pytest.mark.django_db
S = timedelta(seconds=1)


def supervise(agent, supervisor, action, code=None):
    return agent_supervise(agent=agent, action=action, code=code, supervisor=supervisor)


def test_a_supervisor_logs_an_agent_out_without_a_code(ana, supervisor_a, clock):
    login(ana)
    clock.move_to(T0 + 60 * S)
    state = supervise(ana, supervisor_a, "logout")
    assert (state.status, state.code, state.system_reason) == ("logged_out", None, "supervisor")
    assert timeline(ana)[-1] == (
        T0 + 60 * S,
        "logged_out",
        "supervisor",
        "supervisor",
        "supervisor_a",
    )


def test_a_supervisor_uses_a_code_of_the_agents_list(ana, supervisor_a):
    login(ana)
    state = supervise(ana, supervisor_a, "take_break", "SHORT")
    assert (state.status, state.code.code, state.system_reason) == ("on_break", "SHORT", "")
    with pytest.raises(ActionRefused) as refused:
        supervise(ana, supervisor_a, "work_offline", "COACHING")
    assert refused.value.key == "code_not_offered"


def test_a_supervisor_of_another_group_is_refused_as_a_stranger(ana, supervisor_b, sam):
    login(ana)
    for who in (supervisor_b, sam.user):
        with pytest.raises(ActionRefused) as refused:
            supervise(ana, who, "logout")
        assert refused.value.key == "forbidden"
    assert StatusEvent.objects.count() == 1


@pytest.mark.parametrize("action", ["login", "busy", "post_processing"])
def test_a_supervisor_does_not_log_in_or_set_system_statuses(ana, supervisor_a, action):
    with pytest.raises(ActionRefused) as refused:
        supervise(ana, supervisor_a, action)
    assert refused.value.key == "forbidden"


def test_a_supervisors_change_to_a_busy_agent_waits(ana, supervisor_a):
    login(ana)
    busy(ana)
    assert supervise(ana, supervisor_a, "logout").deferred
    from agents.services import agent_perform_action

    state = agent_perform_action(agent=ana, action="go_available", source="api")
    assert (state.status, state.system_reason) == ("logged_out", "supervisor")
    assert timeline(ana)[-1][3:] == ("supervisor", "supervisor_a")


def test_a_supervisor_may_not_supervise_themself(ana, support_group):
    support_group.supervisors.add(ana.user)
    login(ana)
    with pytest.raises(ActionRefused) as refused:
        supervise(ana, ana.user, "logout")
    assert refused.value.key == "forbidden"
