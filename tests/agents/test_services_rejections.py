"""Rejections outside an offer (docs/concepts.md, docs/timeline.md): instantaneous events with a
channel and a code, for an available agent only; offers are tests/agentday."""

import pytest
from django.utils import timezone

from agents.models import StatusEvent
from agents.services import (
    ActionRefused,
    agent_current_state,
    agent_perform_action,
    agent_reject_interaction,
    agent_set_system_status,
)


def reject(agent, channel, code=None):
    return agent_reject_interaction(agent=agent, channel=channel, code=code, source="api")


def refusal(agent, channel, code=None):
    with pytest.raises(ActionRefused) as refused:
        reject(agent, channel, code)
    return refused.value


@pytest.fixture
def ana_available(ana):
    agent_perform_action(agent=ana, action="login", source="api")
    return ana


def test_rejection_is_recorded_and_leaves_the_status_alone(ana_available):
    before = agent_current_state(agent=ana_available)
    event = reject(ana_available, "phone", "CASE")
    assert (event.kind, event.channel, event.code.code) == ("rejection", "phone", "CASE")
    assert (event.status, event.ended_at, event.source) == ("", None, "api")
    assert agent_current_state(agent=ana_available) == before
    assert StatusEvent.objects.rejections().count() == 1


@pytest.mark.parametrize("status", ["on_break", "busy", "post_processing", "work_offline"])
def test_rejections_outside_an_offer_are_refused_unless_available(ana, status):
    agent_perform_action(agent=ana, action="login", source="api")
    if status == "on_break":
        agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="api")
    if status == "work_offline":
        agent_perform_action(agent=ana, action="work_offline", code="MEETING", source="api")
    if status in ("busy", "post_processing"):
        agent_set_system_status(agent=ana, status="busy", source="system")
    if status == "post_processing":
        agent_set_system_status(agent=ana, status="post_processing", source="system")
    refused = refusal(ana, "chat", "TECH")
    assert refused.key == "invalid_transition"
    assert "only available agents are offered interactions" in refused.detail
    assert not StatusEvent.objects.rejections().exists()


def test_rejection_while_logged_out_is_refused(ana):
    refused = refusal(ana, "phone", "CASE")
    assert refused.key == "invalid_transition"
    assert "while your status is “Logged out”" in refused.detail
    assert not StatusEvent.objects.exists()


def test_rejection_without_code_is_refused_when_codes_are_offered(ana_available):
    refused = refusal(ana_available, "email")
    assert refused.key == "code_required"
    assert "CASE" in refused.detail and "TECH" in refused.detail
    assert not StatusEvent.objects.rejections().exists()


def test_rejection_with_a_break_code_is_refused(ana_available):
    refused = refusal(ana_available, "phone", "LUNCH")
    assert refused.key == "code_not_for_action"
    assert "Take break" in refused.detail


def test_rejection_code_must_apply_to_the_channel(ana_available):
    # CASE applies to phone, chat and email; the Support list has no voicemail codes.
    refused = refusal(ana_available, "voicemail", "CASE")
    assert refused.key == "code_not_for_action"
    assert "Reject phone" in refused.detail


def test_rejection_on_a_channel_without_codes_proceeds_without_code(ana_available):
    assert reject(ana_available, "voicemail").code is None


def test_rejection_with_another_lists_or_unknown_code_is_refused(ana_available, sam):
    assert refusal(ana_available, "phone", "COACHING").key == "code_not_offered"
    assert refusal(ana_available, "phone", "NOPE").key == "code_not_offered"
    assert not StatusEvent.objects.rejections().exists()


def test_unknown_channel_is_refused(ana_available):
    refused = refusal(ana_available, "fax", "CASE")
    assert refused.key == "unknown_channel"
    assert "phone (Phone), chat (Chat), email (Email), voicemail (Voicemail)" in refused.detail


def test_disabled_agent_rejects_without_code(nocode):
    agent_perform_action(agent=nocode, action="login", source="api")
    assert reject(nocode, "phone").code is None


def test_rejections_in_the_same_instant_each_get_their_own(ana_available, monkeypatch):
    frozen = timezone.now()
    monkeypatch.setattr("agents.services.timezone.now", lambda: frozen)
    first = reject(ana_available, "phone", "CASE")
    second = reject(ana_available, "chat", "CASE")
    assert second.started_at > first.started_at
