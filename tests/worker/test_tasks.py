"""The worker's sweep (docs/worker.md) as Celery runs it: eagerly here, with the clock moved by
time-machine. A late worker ends intervals at the due instant; a worker killed in the middle of a
sweep leaves nothing half-written, and the sweep run again fires each timer once."""

from datetime import timedelta

import pytest

from agents import signals
from agents.models import StatusEvent
from agents.services import agent_perform_action
from agents.tasks import fire_due_timers
from config.celery import app
from statuscodes.models import StatusCode
from tests.agentday.conftest import T0, login
from tests.conftest import make_agent

pytestmark = pytest.mark.django_db
M = timedelta(minutes=1)


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def three_on_lunch(support_group, support_list, clock):
    StatusCode.objects.filter(code_list=support_list, code="LUNCH").update(auto_end_minutes=30)
    agents = [make_agent(name, support_group) for name in ("ana", "bea", "cid")]
    for agent in agents:
        login(agent)
    clock.move_to(T0 + M)
    for agent in agents:
        agent_perform_action(agent=agent, action="take_break", code="LUNCH", source="api")
    return agents


def test_the_sweep_is_a_task_the_beat_schedules_often():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["fire-due-timers"]
    assert entry["task"] == fire_due_timers.name == "agents.fire_due_timers"
    assert entry["schedule"] <= 10
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost


def test_a_late_worker_ends_the_intervals_at_the_due_instant(three_on_lunch, clock, eager):
    clock.move_to(T0 + 3 * 60 * M)  # the worker was stopped for two and a half hours
    assert fire_due_timers.delay().get() == 3
    ends = StatusEvent.objects.ongoing().values_list("status", "started_at", "system_reason")
    assert set(ends) == {("logged_out", T0 + 31 * M, "timeout")}


def test_a_change_before_the_sweep_cancels_the_timer(three_on_lunch, clock, eager):
    ana = three_on_lunch[0]
    clock.move_to(T0 + 10 * M)
    agent_perform_action(agent=ana, action="go_available", source="api")
    clock.move_to(T0 + 40 * M)
    assert fire_due_timers.delay().get() == 2
    assert StatusEvent.objects.ongoing().get(agent=ana).status == "available"


def test_a_sweep_killed_midway_leaves_nothing_half_written_and_runs_again(
    three_on_lunch, clock, eager
):
    clock.move_to(T0 + 40 * M)
    done = []

    def die_on_the_second(sender, event, **kwargs):
        done.append(event.agent_id)
        if len(done) == 2:
            raise SystemExit("worker killed")

    signals.status_changed.connect(die_on_the_second)
    try:
        with pytest.raises(SystemExit):
            fire_due_timers.apply()
    finally:
        signals.status_changed.disconnect(die_on_the_second)
    # The first agent's change committed; the second's rolled back whole; the third not begun.
    ongoing = dict(StatusEvent.objects.ongoing().values_list("agent__user__username", "status"))
    assert sorted(ongoing.values()) == ["logged_out", "on_break", "on_break"]
    assert StatusEvent.objects.status_changes().count() == 3 * 2 + 1
    # Redelivered (acks_late): the rest fire, the first does not fire twice.
    assert fire_due_timers.delay().get() == 2
    assert StatusEvent.objects.status_changes().count() == 3 * 3
    assert set(StatusEvent.objects.ongoing().values_list("started_at", flat=True)) == {T0 + 31 * M}
