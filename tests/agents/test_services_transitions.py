"""The transition matrix, how a change is recorded, and the clock guard (docs/concepts.md,
"Transitions", "Recording a change")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import StatusEvent
from agents.services import (
    ActionRefused,
    agent_current_state,
    agent_perform_action,
    agent_set_system_status,
)

# The code ana (Support list, codes required) gives for each action.
CODE_FOR = {"take_break": "LUNCH", "work_offline": "MEETING", "logout": "EOS"}

# docs/api.md, "Transitions": every (action, from status) pair that is allowed.
ALLOWED = {
    ("login", "logged_out"),
    ("go_available", "busy"),
    ("go_available", "post_processing"),
    ("go_available", "on_break"),
    ("go_available", "work_offline"),
    ("take_break", "available"),
    ("take_break", "on_break"),  # with another code: a new interval
    ("take_break", "work_offline"),
    ("work_offline", "available"),
    ("work_offline", "on_break"),
    ("work_offline", "work_offline"),  # with another code
    ("logout", "available"),
    ("logout", "on_break"),
    ("logout", "work_offline"),
}
# Asked while on an interaction or in its wrap-up: accepted as the pending change, recorded when
# the agent would become available (docs/concepts.md, "Pending change").
DEFERRED = {
    (action, status)
    for action in ("take_break", "work_offline", "logout")
    for status in ("busy", "post_processing")
}
ACTIONS = ["login", "go_available", "take_break", "work_offline", "logout"]
STATUSES = ["logged_out", "available", "busy", "post_processing", "on_break", "work_offline"]


def act(agent, action, code=None):
    return agent_perform_action(agent=agent, action=action, code=code, source="console")


def bring_to(agent, status):
    """Walk `agent` to `status` through the services, as an agent and an integration would."""
    steps = {
        "logged_out": [],
        "available": [("login", None)],
        "busy": [("login", None), ("busy", None)],
        "post_processing": [("login", None), ("busy", None), ("post_processing", None)],
        "on_break": [("login", None), ("take_break", "SHORT")],
        "work_offline": [("login", None), ("work_offline", "TRAINING")],
    }[status]
    for action, code in steps:
        if action in ("busy", "post_processing"):
            agent_set_system_status(agent=agent, status=action, source="system")
        else:
            act(agent, action, code)
    assert agent_current_state(agent=agent).status == status


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", ACTIONS)
def test_transition_matrix(ana, action, status):
    bring_to(ana, status)
    events_before = StatusEvent.objects.filter(agent=ana).count()
    if (action, status) in ALLOWED:
        state = act(ana, action, CODE_FOR.get(action))
        assert (
            state.status
            == {
                "login": "available",
                "go_available": "available",
                "take_break": "on_break",
                "work_offline": "work_offline",
                "logout": "logged_out",
            }[action]
        )
        assert StatusEvent.objects.filter(agent=ana).count() == events_before + 1
    elif (action, status) in DEFERRED:
        state = act(ana, action, CODE_FOR.get(action))
        assert (state.deferred, state.status) == (True, status)
        assert StatusEvent.objects.filter(agent=ana).count() == events_before
    else:
        with pytest.raises(ActionRefused) as refused:
            act(ana, action, CODE_FOR.get(action))
        assert refused.value.key == "invalid_transition"
        assert StatusEvent.objects.filter(agent=ana).count() == events_before
        assert agent_current_state(agent=ana).status == status


def test_agent_without_events_is_logged_out(ana):
    state = agent_current_state(agent=ana)
    assert (state.status, state.code, state.since) == ("logged_out", None, None)


def test_take_break_while_logged_out_says_what_is_possible(ana):
    with pytest.raises(ActionRefused) as refused:
        act(ana, "take_break", "LUNCH")
    assert refused.value.key == "invalid_transition"
    assert refused.value.detail == (
        "“Take break” is not possible while your status is “Logged out”. You can now choose "
        "“Log in”."
    )
    assert str(refused.value) == refused.value.detail


def test_switching_break_code_opens_a_new_interval(ana):
    bring_to(ana, "available")
    act(ana, "take_break", "LUNCH")
    state = act(ana, "take_break", "SHORT")
    assert (state.status, state.code.code) == ("on_break", "SHORT")
    lunch, short = StatusEvent.objects.filter(agent=ana, status="on_break").order_by("started_at")
    assert lunch.code.code == "LUNCH" and lunch.ended_at == short.started_at
    assert short.previous_status == "on_break" and short.ended_at is None


def test_the_same_break_code_again_is_refused(ana):
    bring_to(ana, "available")
    act(ana, "take_break", "LUNCH")
    with pytest.raises(ActionRefused) as refused:
        act(ana, "take_break", "LUNCH")
    assert refused.value.key == "invalid_transition"
    assert refused.value.detail == "You are already on break with the code “Lunch”."
    assert StatusEvent.objects.filter(agent=ana, status="on_break").count() == 1


def test_disabled_agent_on_break_without_code_cannot_take_the_same_break_again(nocode):
    act(nocode, "login")
    act(nocode, "take_break")
    with pytest.raises(ActionRefused) as refused:
        act(nocode, "take_break")
    assert refused.value.key == "invalid_transition"


def test_unknown_action_is_refused(ana):
    for action in ("fly", "reject_phone", "busy", ""):
        with pytest.raises(ActionRefused) as refused:
            act(ana, action)
        assert refused.value.key == "unknown_action"
        assert "login (Log in), go_available (Go available)" in refused.value.detail
    assert not StatusEvent.objects.exists()


def test_a_change_ends_the_previous_interval_at_its_own_instant(ana):
    act(ana, "login")
    act(ana, "take_break", "LUNCH")
    act(ana, "go_available")
    act(ana, "logout", "EOS")
    events = list(StatusEvent.objects.filter(agent=ana).order_by("started_at"))
    assert [e.status for e in events] == ["available", "on_break", "available", "logged_out"]
    assert [e.previous_status for e in events] == ["", "available", "on_break", "available"]
    for earlier, later in zip(events, events[1:], strict=False):
        assert earlier.ended_at == later.started_at
    assert events[-1].ended_at is None
    assert {e.source for e in events} == {"console"}
    assert events[-1].code.code == "EOS"


def test_the_new_state_is_returned(ana):
    act(ana, "login")
    state = act(ana, "work_offline", "MEETING")
    assert state.agent == ana
    assert (state.status, state.code.code) == ("work_offline", "MEETING")
    assert state.since == StatusEvent.objects.get(agent=ana, ended_at=None).started_at


def test_a_clock_that_does_not_advance_still_gives_ordered_intervals(ana, monkeypatch):
    frozen = timezone.now()
    monkeypatch.setattr("agents.services.timezone.now", lambda: frozen)
    act(ana, "login")
    act(ana, "take_break", "LUNCH")
    act(ana, "go_available")
    events = list(StatusEvent.objects.filter(agent=ana).order_by("started_at"))
    assert len(events) == 3
    for earlier, later in zip(events, events[1:], strict=False):
        assert later.started_at > earlier.started_at
        assert earlier.ended_at == later.started_at


def test_a_clock_set_back_never_starts_an_interval_before_the_ongoing_one(ana, monkeypatch):
    act(ana, "login")
    ongoing = StatusEvent.objects.get(agent=ana)
    monkeypatch.setattr(
        "agents.services.timezone.now", lambda: ongoing.started_at - timedelta(hours=1)
    )
    act(ana, "take_break", "LUNCH")
    ongoing.refresh_from_db()
    on_break = StatusEvent.objects.get(agent=ana, status="on_break")
    assert on_break.started_at > ongoing.started_at
    assert ongoing.ended_at == on_break.started_at


def test_unknown_source_is_a_programming_error(ana):
    with pytest.raises(ValueError):
        agent_perform_action(agent=ana, action="login", source="carrier pigeon")
    assert not StatusEvent.objects.exists()
