"""Timers (docs/worker.md): the automatic return to available and the safety net end an interval
at the instant they are due, however late the sweep runs, and never twice."""

from datetime import timedelta

import pytest

from agents.models import StatusEvent
from agents.services import (
    agent_fire_due_timer,
    agent_perform_action,
    offer_create,
    offer_miss,
    offer_reject,
    timers_fire_due,
)
from statuscodes.models import StatusCode
from tests.agentday.conftest import T0, login, timeline
from tests.conftest import make_agent

pytestmark = pytest.mark.django_db
S = timedelta(seconds=1)
M = timedelta(minutes=1)


@pytest.fixture
def lunch_ends_after_30_minutes(support_list):
    StatusCode.objects.filter(code_list=support_list, code="LUNCH").update(auto_end_minutes=30)


def take_lunch(agent):
    return agent_perform_action(agent=agent, action="take_break", code="LUNCH", source="api")


def miss(agent, integration):
    made = offer_create(agent=agent, channel="phone", actor=integration)
    return offer_miss(agent=agent, offer_id=str(made.pk), actor=integration)


def test_the_safety_net_logs_out_at_the_due_instant_even_an_hour_late(
    ana, lunch_ends_after_30_minutes, clock
):
    login(ana)
    clock.move_to(T0 + 5 * M)
    take_lunch(ana)
    clock.move_to(T0 + 35 * M - S)
    assert timers_fire_due() == 0
    # The worker was down: it sweeps an hour after the due instant.
    clock.move_to(T0 + 95 * M)
    assert timers_fire_due() == 1
    assert timeline(ana) == [
        (T0, "available", "", "api", None),
        (T0 + 5 * M, "on_break", "LUNCH", "api", None),
        (T0 + 35 * M, "logged_out", "timeout", "system", None),
    ]
    assert timers_fire_due() == 0
    assert StatusEvent.objects.status_changes().count() == 3


def test_the_timeout_action_may_be_go_available(ana, lunch_ends_after_30_minutes, clock):
    ana.group.timeout_action = "go_available"
    ana.group.save()
    login(ana)
    clock.move_to(T0 + M)
    take_lunch(ana)
    clock.move_to(T0 + 40 * M)
    timers_fire_due()
    assert timeline(ana)[-1] == (T0 + 31 * M, "available", "timeout", "system", None)


def test_a_change_before_the_timer_cancels_it(ana, lunch_ends_after_30_minutes, clock):
    login(ana)
    take_lunch(ana)
    clock.move_to(T0 + 20 * M)
    agent_perform_action(agent=ana, action="go_available", source="api")
    clock.move_to(T0 + 2 * 60 * M)
    assert timers_fire_due() == 0
    assert agent_fire_due_timer(agent=ana) is None
    assert [row[1] for row in timeline(ana)] == ["available", "on_break", "available"]


def test_codes_without_an_automatic_end_never_end_by_themselves(ana, clock):
    login(ana)
    take_lunch(ana)
    clock.move_to(T0 + 24 * 60 * M)
    assert timers_fire_due() == 0
    assert StatusEvent.objects.ongoing().get().status == "on_break"


def test_the_automatic_return_after_a_missed_offer(ana, integration, clock):
    ana.group.auto_return_seconds = 120
    ana.group.save()
    login(ana)
    clock.move_to(T0 + 10 * S)
    miss(ana, integration)
    clock.move_to(T0 + 130 * S - timedelta(microseconds=1))
    assert timers_fire_due() == 0
    clock.move_to(T0 + 200 * S)
    assert timers_fire_due() == 1
    assert timeline(ana) == [
        (T0, "available", "", "api", None),
        (T0 + 10 * S, "on_break", "missed", "system", None),
        (T0 + 130 * S, "available", "", "system", None),
    ]


def test_the_automatic_return_after_a_rejection_keeps_the_code_until_then(ana, integration, clock):
    ana.group.auto_return_seconds = 60
    ana.group.save()
    login(ana)
    made = offer_create(agent=ana, channel="chat", actor=integration)
    clock.move_to(T0 + S)
    offer_reject(agent=ana, offer_id=str(made.pk), code="CASE", source="api")
    clock.move_to(T0 + 90 * S)
    timers_fire_due()
    assert [row[:3] for row in timeline(ana)] == [
        (T0, "available", ""),
        (T0 + S, "on_break", "CASE"),
        (T0 + 61 * S, "available", ""),
    ]


def test_without_automatic_return_the_agent_must_act(ana, integration, clock):
    login(ana)
    miss(ana, integration)
    clock.move_to(T0 + 24 * 60 * M)
    assert timers_fire_due() == 0


def test_the_earlier_of_safety_net_and_automatic_return_wins(ana, integration, support_list, clock):
    StatusCode.objects.filter(code_list=support_list, code="CASE").update(auto_end_minutes=1)
    ana.group.auto_return_seconds = 300
    ana.group.save()
    login(ana)
    made = offer_create(agent=ana, channel="chat", actor=integration)
    clock.move_to(T0 + S)
    offer_reject(agent=ana, offer_id=str(made.pk), code="CASE", source="api")
    event = StatusEvent.objects.ongoing().get()
    assert (event.timer, event.due_at) == ("safety_net", T0 + S + M)


def test_fifty_agents_due_in_the_same_second_all_fire_once(
    support_group, lunch_ends_after_30_minutes, clock
):
    agents = [make_agent(f"agent{n:02}", support_group) for n in range(50)]
    for agent in agents:
        login(agent)
    clock.move_to(T0 + S)
    for agent in agents:
        take_lunch(agent)
    clock.move_to(T0 + S + 30 * M)
    assert timers_fire_due() == 50
    assert timers_fire_due() == 0
    logged_out = StatusEvent.objects.ongoing().filter(status="logged_out", system_reason="timeout")
    assert logged_out.count() == 50
    assert set(logged_out.values_list("started_at", flat=True)) == {T0 + S + 30 * M}


def test_the_history_import_sets_no_timer(ana, lunch_ends_after_30_minutes, tmp_path):
    import io

    from agents.history_import import events_import, read_events_csv

    history = (
        "timestamp,agent,event,code\n"
        "2026-03-01T09:00:00+00:00,ana,available,\n"
        "2026-03-01T09:05:00+00:00,ana,on_break,LUNCH\n"
    )
    events_import(rows=read_events_csv(io.BytesIO(history.encode())))
    assert not StatusEvent.objects.exclude(timer="").exists()
    assert timers_fire_due() == 0
