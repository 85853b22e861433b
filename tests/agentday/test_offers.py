"""Offers (docs/concepts.md, "Offers"): offered to an available agent, answered once, and what
follows a rejection or a missed offer."""

from datetime import timedelta

import pytest

from agents.models import Offer, StatusEvent
from agents.services import (
    ActionRefused,
    agent_current_state,
    agent_perform_action,
    offer_accept,
    offer_create,
    offer_miss,
    offer_reject,
    offer_withdraw,
)
from tests.agentday.conftest import T0, login, rejections, timeline

pytestmark = pytest.mark.django_db
S = timedelta(seconds=1)


def offer(agent, integration, channel="chat"):
    return offer_create(agent=agent, channel=channel, actor=integration)


def refused(call, **kwargs):
    with pytest.raises(ActionRefused) as refusal:
        call(**kwargs)
    return refusal.value


def test_an_offer_to_an_available_agent_rings(ana, integration, clock):
    login(ana)
    made = offer(ana, integration)
    assert (made.channel, made.state, made.offered_at, made.offered_by) == (
        "chat",
        "pending",
        T0,
        integration,
    )


@pytest.mark.parametrize("status", ["logged_out", "on_break", "busy"])
def test_an_offer_to_an_agent_who_is_not_available_is_refused(ana, integration, status):
    if status != "logged_out":
        login(ana)
    if status == "on_break":
        agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="api")
    if status == "busy":
        offer_accept(agent=ana, offer_id=str(offer(ana, integration).pk), source="api")
    before = Offer.objects.count()
    assert refused(offer_create, agent=ana, channel="chat", actor=integration).key == (
        "not_available"
    )
    assert Offer.objects.count() == before


def test_a_second_offer_while_one_rings_is_refused(ana, integration):
    login(ana)
    offer(ana, integration)
    assert refused(offer_create, agent=ana, channel="phone", actor=integration).key == (
        "offer_pending"
    )
    assert Offer.objects.pending().count() == 1


def test_an_unknown_channel_is_refused(ana, integration):
    login(ana)
    assert refused(offer_create, agent=ana, channel="fax", actor=integration).key == (
        "unknown_channel"
    )


def test_accepting_makes_the_agent_busy(ana, integration, clock):
    login(ana)
    made = offer(ana, integration)
    clock.move_to(T0 + 5 * S)
    state = offer_accept(agent=ana, offer_id=str(made.pk), source="api")
    assert state.status == "busy"
    made.refresh_from_db()
    assert (made.state, made.settled_at) == ("accepted", T0 + 5 * S)
    assert timeline(ana) == [
        (T0, "available", "", "api", None),
        (T0 + 5 * S, "busy", "", "api", None),
    ]


def test_an_offer_answered_twice_is_refused_the_second_time(ana, integration):
    login(ana)
    made = offer(ana, integration)
    offer_accept(agent=ana, offer_id=str(made.pk), source="api")
    refusal = refused(offer_reject, agent=ana, offer_id=str(made.pk), code="CASE", source="api")
    assert refusal.key == "offer_not_pending"
    assert "accepted" in refusal.detail
    assert not StatusEvent.objects.rejections().exists()


def test_another_agents_offer_or_no_offer_is_not_found(ana, sofia, integration):
    login(ana)
    login(sofia)
    made = offer(sofia, integration)
    for offer_id in (str(made.pk), "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        assert refused(offer_accept, agent=ana, offer_id=offer_id, source="api").key == (
            "unknown_offer"
        )
    made.refresh_from_db()
    assert made.state == "pending"


def test_rejecting_records_the_rejection_then_on_break_with_its_code(ana, integration, clock):
    login(ana)
    made = offer(ana, integration)
    clock.move_to(T0 + 10 * S)
    state, rejection = offer_reject(agent=ana, offer_id=str(made.pk), code="CASE", source="api")
    assert (state.status, state.code.code) == ("on_break", "CASE")
    assert rejections(ana) == [(T0 + 10 * S, "chat", "CASE", False, "api")]
    assert timeline(ana) == [
        (T0, "available", "", "api", None),
        (T0 + 10 * S, "on_break", "CASE", "system", None),
    ]
    made.refresh_from_db()
    assert (made.state, made.settled_at) == ("rejected", T0 + 10 * S)


@pytest.mark.parametrize(
    ("after", "expected"),
    [("work_offline", ("work_offline", "CASE")), ("available", ("available", ""))],
)
def test_the_status_after_rejection_is_the_groups(ana, integration, clock, after, expected):
    ana.group.status_after_rejection = after
    ana.group.save()
    login(ana)
    made = offer(ana, integration)
    clock.move_to(T0 + 3 * S)
    offer_reject(agent=ana, offer_id=str(made.pk), code="TECH", source="api")
    status, code = expected
    if after == "available":
        # Already available: nothing to change, the rejection alone is recorded.
        assert timeline(ana) == [(T0, "available", "", "api", None)]
    else:
        assert timeline(ana)[-1] == (T0 + 3 * S, status, "TECH", "system", None)
    assert agent_current_state(agent=ana).status == status


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("LUNCH", "code_not_for_action"),  # a break code, not a rejection code
        ("COACHING", "code_not_offered"),  # a code of Sales' list
        (None, "code_required"),
    ],
)
def test_a_refused_rejection_leaves_the_offer_ringing(ana, integration, code, key):
    login(ana)
    made = offer(ana, integration)
    assert refused(offer_reject, agent=ana, offer_id=str(made.pk), code=code, source="api").key == (
        key
    )
    made.refresh_from_db()
    assert made.state == "pending"
    assert not StatusEvent.objects.rejections().exists()
    assert agent_current_state(agent=ana).status == "available"


def test_a_missed_offer_puts_the_agent_on_break_with_the_reason_missed(ana, integration, clock):
    login(ana)
    made = offer(ana, integration, "email")
    clock.move_to(T0 + 30 * S)
    state = offer_miss(agent=ana, offer_id=str(made.pk), actor=integration)
    assert (state.status, state.code, state.system_reason) == ("on_break", None, "missed")
    assert rejections(ana) == [(T0 + 30 * S, "email", "missed", True, "system")]
    assert timeline(ana)[-1] == (T0 + 30 * S, "on_break", "missed", "system", None)
    rejection = StatusEvent.objects.rejections().get()
    assert rejection.changed_by == integration


def test_the_status_after_a_missed_offer_is_the_groups(ana, integration):
    ana.group.status_after_missed = "work_offline"
    ana.group.save()
    login(ana)
    state = offer_miss(agent=ana, offer_id=str(offer(ana, integration).pk), actor=integration)
    assert (state.status, state.system_reason) == ("work_offline", "missed")


def test_a_withdrawn_offer_rings_no_more_and_records_nothing(ana, integration):
    login(ana)
    made = offer(ana, integration)
    offer_withdraw(agent=ana, offer_id=str(made.pk))
    made.refresh_from_db()
    assert made.state == "withdrawn"
    assert StatusEvent.objects.count() == 1
    assert offer(ana, integration, "phone").state == "pending"


def test_leaving_available_withdraws_the_offer(ana, integration):
    login(ana)
    made = offer(ana, integration)
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="api")
    made.refresh_from_db()
    assert made.state == "withdrawn"


def test_rejections_outside_an_offer_only_while_available(ana):
    from agents.services import agent_reject_interaction

    login(ana)
    event = agent_reject_interaction(agent=ana, channel="phone", code="CASE", source="api")
    assert event.code.code == "CASE"
    assert agent_current_state(agent=ana).status == "available"
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="api")
    refusal = refused(
        agent_reject_interaction, agent=ana, channel="phone", code="CASE", source="api"
    )
    assert refusal.key == "invalid_transition"
    assert StatusEvent.objects.rejections().count() == 1


def test_the_signals_are_sent_with_each_event_and_share_its_transaction(ana, integration):
    from agents.signals import interaction_rejected, status_changed

    seen = []

    def record(sender, event, **kwargs):
        seen.append((event.kind, event.status or event.channel))

    def fail(sender, event, **kwargs):
        raise RuntimeError("the outbox could not be written")

    status_changed.connect(record)
    interaction_rejected.connect(record)
    try:
        login(ana)
        made = offer(ana, integration)
        offer_reject(agent=ana, offer_id=str(made.pk), code="CASE", source="api")
        assert seen == [("status", "available"), ("rejection", "chat"), ("status", "on_break")]
        agent_perform_action(agent=ana, action="go_available", source="api")
        second = offer(ana, integration)
        # A receiver that fails undoes the whole change: the receivers write in its transaction.
        interaction_rejected.connect(fail)
        with pytest.raises(RuntimeError):
            offer_reject(agent=ana, offer_id=str(second.pk), code="CASE", source="api")
    finally:
        for signal in (status_changed, interaction_rejected):
            signal.disconnect(record)
        interaction_rejected.disconnect(fail)
    second.refresh_from_db()
    assert second.state == "pending"
    assert StatusEvent.objects.rejections().count() == 1
    assert agent_current_state(agent=ana).status == "available"
