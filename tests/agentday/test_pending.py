"""Pending change (docs/concepts.md, "Pending change"): a break, offline or logout asked while busy
or in wrap-up waits, and is applied instead of available when the interaction ends."""

from datetime import timedelta

import pytest

from agents.models import PendingChange
from agents.selectors import agent_pending_change
from agents.services import (
    ActionRefused,
    agent_cancel_pending_change,
    agent_current_state,
    agent_perform_action,
    agent_set_system_status,
)
from tests.agentday.conftest import T0, busy, login, timeline

pytestmark = pytest.mark.django_db
S = timedelta(seconds=1)


def act(agent, action, code=None, **kwargs):
    return agent_perform_action(agent=agent, action=action, code=code, source="api", **kwargs)


def test_a_break_asked_while_busy_waits_and_replaces_available(ana, clock):
    login(ana)
    clock.move_to(T0 + 10 * S)
    busy(ana)
    clock.move_to(T0 + 20 * S)
    state = act(ana, "take_break", "LUNCH")
    assert (state.deferred, state.status) == (True, "busy")
    pending = agent_pending_change(agent=ana)
    assert (pending.action, pending.code.code) == ("take_break", "LUNCH")
    clock.move_to(T0 + 60 * S)
    state = act(ana, "go_available")
    assert (state.status, state.code.code) == ("on_break", "LUNCH")
    assert agent_pending_change(agent=ana) is None
    assert timeline(ana) == [
        (T0, "available", "", "api", None),
        (T0 + 10 * S, "busy", "", "system", None),
        (T0 + 60 * S, "on_break", "LUNCH", "api", None),
    ]


def test_the_wrap_up_keeps_the_pending_change_until_it_ends(ana, integration):
    login(ana)
    busy(ana)
    act(ana, "logout", "EOS")
    agent_set_system_status(agent=ana, status="post_processing", source="system")
    assert agent_pending_change(agent=ana).action == "logout"
    # Whoever ends the wrap-up: here the integration.
    state = agent_perform_action(agent=ana, action="go_available", source="api", actor=integration)
    assert (state.status, state.code.code) == ("logged_out", "EOS")
    # Applied as the agent asked it, not as the integration's change.
    assert timeline(ana)[-1][3:] == ("api", None)


def test_the_code_is_checked_when_asked(ana):
    login(ana)
    busy(ana)
    with pytest.raises(ActionRefused) as refused:
        act(ana, "take_break", "MEETING")
    assert refused.value.key == "code_not_for_action"
    with pytest.raises(ActionRefused) as refused:
        act(ana, "take_break")
    assert refused.value.key == "code_required"
    assert not PendingChange.objects.exists()


def test_asking_again_replaces_it_and_cancelling_removes_it(ana):
    login(ana)
    busy(ana)
    act(ana, "take_break", "LUNCH")
    act(ana, "work_offline", "TRAINING")
    pending = agent_pending_change(agent=ana)
    assert (pending.action, pending.code.code) == ("work_offline", "TRAINING")
    assert PendingChange.objects.count() == 1
    assert agent_cancel_pending_change(agent=ana) is True
    assert agent_cancel_pending_change(agent=ana) is False
    assert act(ana, "go_available").status == "available"


def test_go_available_is_not_deferred_and_logged_out_agents_are_refused(ana):
    with pytest.raises(ActionRefused) as refused:
        act(ana, "take_break", "LUNCH")
    assert refused.value.key == "invalid_transition"
    login(ana)
    state = act(ana, "take_break", "LUNCH")
    assert (state.deferred, state.status) == (False, "on_break")


def test_while_busy_only_go_available_changes_now_and_the_rest_waits(ana):
    from agents.services import agent_allowed_actions, agent_deferrable_actions

    login(ana)
    busy(ana)
    state = agent_current_state(agent=ana)
    assert agent_allowed_actions(state=state) == ["go_available"]
    assert agent_deferrable_actions(state=state) == ["take_break", "work_offline", "logout"]
    agent_perform_action(agent=ana, action="go_available", source="api")
    assert agent_deferrable_actions(state=agent_current_state(agent=ana)) == []
