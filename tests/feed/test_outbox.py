"""The outbox: a message per status change and rejection, written in the change's transaction
(docs/integrations.md, "Payloads")."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agents.history_import import events_import, read_events_csv
from agents.models import StatusEvent
from agents.services import ActionRefused, agent_perform_action, agent_reject_interaction
from feed.choices import DeliveryState, EventType
from feed.models import Delivery, OutboxMessage
from feed.outbox import record_status_changed

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 30, 12, 0, 0, 250000, tzinfo=UTC)
MORNING = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def ana_available(ana):
    with time_machine.travel(MORNING, tick=False):
        agent_perform_action(agent=ana, action="login", source="console")
    return ana


def test_a_status_change_is_written_with_the_payload_of_the_feed(make_endpoint, ana_available):
    endpoint, _secret = make_endpoint()
    with time_machine.travel(NOON, tick=False):
        agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")

    message = OutboxMessage.objects.get()
    assert message.msg_id.startswith("msg_")
    assert message.type == "agent.status_changed"
    assert message.agent == ana_available
    assert message.payload == {
        "type": "agent.status_changed",
        "timestamp": "2026-11-30T12:00:00.250000Z",
        "data": {
            "agent": "ana",
            "group": "Support Tier 1",
            "previous_status": "available",
            "status": "on_break",
            "list": "Support",
            "code": "LUNCH",
            "code_label": "Lunch",
            "at": "2026-11-30T12:00:00.250000Z",
            "source": "api",
            "changed_by": None,
        },
    }
    delivery = Delivery.objects.get()
    assert (delivery.endpoint, delivery.state, delivery.attempts) == (
        endpoint,
        DeliveryState.PENDING,
        0,
    )


def test_the_first_login_comes_from_logged_out_without_a_code(make_endpoint, ana):
    make_endpoint()
    agent_perform_action(agent=ana, action="login", source="console")
    data = OutboxMessage.objects.get().payload["data"]
    assert (data["previous_status"], data["status"]) == ("logged_out", "available")
    assert (data["list"], data["code"], data["code_label"]) == (None, None, None)


def test_the_label_is_in_the_primary_language_whatever_the_agents(make_endpoint, sofia):
    make_endpoint()
    agent_perform_action(agent=sofia, action="login", source="console")
    agent_perform_action(agent=sofia, action="take_break", code="LUNCH", source="console")
    # Sofia reads "Almuerzo"; the feed says the primary language's label.
    assert OutboxMessage.objects.last().payload["data"]["code_label"] == "Lunch"


def test_a_rejection_is_written_with_its_channel(make_endpoint, ana_available):
    make_endpoint()
    with time_machine.travel(NOON, tick=False):
        agent_reject_interaction(agent=ana_available, channel="chat", code="CASE", source="api")
    message = OutboxMessage.objects.get(type=EventType.INTERACTION_REJECTED)
    assert message.payload == {
        "type": "agent.interaction_rejected",
        "timestamp": "2026-11-30T12:00:00.250000Z",
        "data": {
            "agent": "ana",
            "group": "Support Tier 1",
            "channel": "chat",
            "list": "Support",
            "code": "CASE",
            "code_label": "Working on a Case",
            "at": "2026-11-30T12:00:00.250000Z",
            "source": "api",
            "missed": False,
        },
    }


def test_each_active_endpoint_that_wants_the_type_gets_a_delivery(make_endpoint, ana_available):
    everything, _ = make_endpoint("/all")
    statuses, _ = make_endpoint("/statuses", events=["agent.status_changed"])
    rejections, _ = make_endpoint("/rejections", events=["agent.interaction_rejected"])
    make_endpoint("/off", active=False)

    # A rejection outside an offer: only while available.
    agent_reject_interaction(agent=ana_available, channel="phone", code="CASE", source="api")
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")

    rejection_message, status_message = OutboxMessage.objects.order_by("pk")
    assert {d.endpoint for d in status_message.deliveries.all()} == {everything, statuses}
    assert {d.endpoint for d in rejection_message.deliveries.all()} == {everything, rejections}


def test_nothing_is_written_while_no_endpoint_listens(ana_available):
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    assert not OutboxMessage.objects.exists()


def test_a_refused_change_leaves_no_message(make_endpoint, ana_available):
    make_endpoint()
    with pytest.raises(ActionRefused):
        agent_perform_action(agent=ana_available, action="take_break", source="api")
    with pytest.raises(ActionRefused):
        agent_reject_interaction(agent=ana_available, channel="chat", code="LUNCH", source="api")
    assert not OutboxMessage.objects.exists()
    assert not Delivery.objects.exists()


def test_a_rolled_back_change_leaves_no_message(make_endpoint, ana_available):
    make_endpoint()
    events_before = StatusEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        agent_reject_interaction(agent=ana_available, channel="chat", code="CASE", source="api")
        agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
        assert OutboxMessage.objects.count() == 2
        raise RuntimeError("the caller's transaction fails after the change")
    assert StatusEvent.objects.count() == events_before
    assert not OutboxMessage.objects.exists()
    assert not Delivery.objects.exists()


def test_the_worker_is_woken_only_once_the_change_is_committed(
    make_endpoint, ana_available, django_capture_on_commit_callbacks, monkeypatch
):
    make_endpoint()
    woken = []
    monkeypatch.setattr("feed.tasks.deliver_due.apply_async", lambda **options: woken.append(1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    assert woken == []
    for callback in callbacks:
        callback()
    assert woken == [1]


def test_a_change_nobody_listens_to_wakes_nobody(
    make_endpoint, ana_available, django_capture_on_commit_callbacks, monkeypatch
):
    make_endpoint(events=["agent.interaction_rejected"])
    make_endpoint("/off", active=False)
    woken = []
    monkeypatch.setattr("feed.tasks.deliver_due.apply_async", lambda **options: woken.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    assert woken == []
    assert not OutboxMessage.objects.exists()


def test_a_broker_that_is_down_does_not_fail_the_change(
    make_endpoint, ana_available, django_capture_on_commit_callbacks, monkeypatch
):
    make_endpoint()

    def broker_down(**options):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr("feed.tasks.deliver_due.apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    # Recorded and queued: the sweep delivers it.
    assert Delivery.objects.get().state == DeliveryState.PENDING


def statements_of_a_change(agent, action, **options) -> int:
    with CaptureQueriesContext(connection) as queries:
        agent_perform_action(agent=agent, action=action, source="api", **options)
    return len(queries)


def test_the_feed_costs_a_change_one_statement_on_postgresql_two_on_sqlite(
    make_endpoint, ana_available
):
    """Without a listener the change costs the feed nothing (the agent's locked read says so);
    with ten, one statement writes the message and its deliveries (SQLite: two)."""
    alone = statements_of_a_change(ana_available, "take_break", code="LUNCH")
    agent_perform_action(agent=ana_available, action="go_available", source="api")
    for number in range(10):
        make_endpoint(f"/hook/{number}", events=["agent.status_changed"])
    make_endpoint("/rejections", events=["agent.interaction_rejected"])

    listened = statements_of_a_change(ana_available, "take_break", code="LUNCH")

    assert listened - alone == (1 if connection.vendor == "postgresql" else 2)
    assert Delivery.objects.count() == 10


def test_an_endpoint_switched_off_after_the_agents_read_gets_nothing(make_endpoint, ana_available):
    endpoint, _ = make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    OutboxMessage.objects.all().delete()
    event = StatusEvent.objects.get(agent=ana_available, ended_at__isnull=True)
    endpoint.active = False
    endpoint.save()

    # Read without the agent's lock (no situation read): the write itself finds no listener.
    event = StatusEvent.objects.select_related("agent").get(pk=event.pk)
    assert record_status_changed(event) is False
    assert not OutboxMessage.objects.exists()

    endpoint.active = True
    endpoint.save()
    assert record_status_changed(event) is True
    assert Delivery.objects.get(message__event=event).endpoint == endpoint


def test_the_history_import_sends_nothing(make_endpoint, ana):
    make_endpoint()
    import io

    rows = read_events_csv(
        io.BytesIO(
            b"timestamp,agent,event,code\n"
            b"2026-11-02T08:00:00+00:00,ana,available,\n"
            b"2026-11-02T12:00:00+00:00,ana,on_break,LUNCH\n"
        )
    )
    events_import(rows=rows)
    assert StatusEvent.objects.filter(agent=ana).count() == 2
    assert not OutboxMessage.objects.exists()


def test_a_change_at_a_whole_second_is_still_given_to_the_microsecond(make_endpoint, ana):
    make_endpoint()
    with time_machine.travel(MORNING, tick=False):
        agent_perform_action(agent=ana, action="login", source="console")
    payload = OutboxMessage.objects.get().payload
    assert payload["timestamp"] == payload["data"]["at"] == "2026-11-30T08:00:00.000000Z"
