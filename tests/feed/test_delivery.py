"""Delivering the feed to a real receiver on 127.0.0.1 (docs/integrations.md, "Delivery")."""

import json
import socket
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError
from werkzeug import Response

from agents.services import agent_perform_action, agent_reject_interaction
from feed import delivery as feed_delivery
from feed.choices import DeliveryState
from feed.delivery import RETRY_DELAYS
from feed.models import Delivery, DeliveryAttempt, OutboxMessage
from feed.services import deliveries_replay, endpoint_rotate_secret
from tests.feed.conftest import received, verified

pytestmark = pytest.mark.django_db


def message_ids(requests) -> list[str]:
    return [request.headers["webhook-id"] for request in requests]


@pytest.fixture
def silent_receiver():
    """A port that accepts connections and never answers: a dead receiver."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    listener.close()


def test_a_delivery_verifies_with_the_standard_webhooks_library(
    httpserver, make_endpoint, ana_available, deliver
):
    httpserver.expect_request("/hook", method="POST").respond_with_data("thanks")
    _endpoint, secret = make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")

    deliver()

    [request] = received(httpserver)
    message = OutboxMessage.objects.get()
    # What a receiver does: verify the signature and the timestamp, then read the body.
    assert verified(request, secret) == message.payload
    assert request.headers["webhook-id"] == message.msg_id
    assert request.headers["webhook-signature"].startswith("v1,")
    assert abs(int(request.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    assert request.headers["content-type"] == "application/json"
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(request.get_data(as_text=True), request.headers)

    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryState.SUCCEEDED,
        1,
        None,
    )
    attempt = delivery.attempt_log.get()
    assert (attempt.status_code, attempt.succeeded, attempt.response_body) == (200, True, "thanks")


def test_a_stopped_worker_that_starts_later_delivers_everything_in_order(
    httpserver, make_endpoint, ana_available, sam, deliver
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint()
    # A rejection outside an offer: only while available.
    agent_reject_interaction(agent=ana_available, channel="chat", code="CASE", source="api")
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    agent_perform_action(agent=sam, action="login", source="api")
    agent_perform_action(agent=ana_available, action="go_available", source="api")
    assert received(httpserver) == []  # the worker is stopped: the changes did not wait

    deliver()

    requests = received(httpserver)
    assert len(requests) == 4
    ana_ids = list(
        OutboxMessage.objects.filter(agent=ana_available)
        .order_by("pk")
        .values_list("msg_id", flat=True)
    )
    assert [i for i in message_ids(requests) if i in ana_ids] == ana_ids
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SUCCEEDED}


def test_an_agents_later_message_waits_until_the_earlier_one_is_delivered(
    httpserver, make_endpoint, ana_available, sam, deliver
):
    failing = {"on": True}

    def receiver(request):
        if failing["on"] and json.loads(request.get_data())["data"]["status"] == "on_break":
            return Response("busy", status=500)
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(receiver)
    make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    agent_perform_action(agent=ana_available, action="go_available", source="api")
    first, second = OutboxMessage.objects.order_by("pk").values_list("msg_id", flat=True)

    deliver()
    assert message_ids(received(httpserver)) == [first]  # refused; the second is not sent

    failing["on"] = False
    with time_machine.travel(timezone.now() + RETRY_DELAYS[0]):
        deliver()
    assert message_ids(received(httpserver)) == [first, first, second]


def test_a_failing_receiver_is_retried_with_growing_delays_then_the_delivery_fails(
    httpserver, make_endpoint, ana_available, deliver
):
    httpserver.expect_request("/hook").respond_with_data("down", status=500)
    make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    delivery = Delivery.objects.get()
    start = timezone.now()

    with time_machine.travel(start, tick=False) as clock:
        deliver()
        for delay in RETRY_DELAYS:
            delivery.refresh_from_db()
            assert delivery.state == DeliveryState.PENDING
            assert delivery.next_attempt_at == timezone.now() + delay
            clock.shift(delay - timedelta(seconds=1))
            deliver()  # not yet due
            clock.shift(timedelta(seconds=1))
            deliver()

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == len(RETRY_DELAYS) + 1 == 12
    attempts = list(delivery.attempt_log.order_by("at"))
    assert len(attempts) == 12
    assert {(a.status_code, a.succeeded) for a in attempts} == {(500, False)}
    gaps = [later.at - earlier.at for earlier, later in zip(attempts, attempts[1:], strict=False)]
    assert gaps == list(RETRY_DELAYS)
    assert gaps[0] <= timedelta(seconds=30)
    assert all(a < b for a, b in zip(gaps, gaps[1:9], strict=False))
    assert attempts[-1].at - attempts[0].at >= timedelta(days=1)


def test_a_receiver_that_does_not_answer_in_time_is_retried(
    settings, silent_receiver, httpserver, ana_available, deliver
):
    from feed.services import endpoint_create

    settings.WEBHOOKS_TIMEOUT = 0.2
    endpoint, _ = endpoint_create(url=silent_receiver, event_types=["agent.status_changed"])
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")

    deliver()

    delivery = Delivery.objects.get()
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert "No answer within the time allowed" in attempt.error
    assert delivery.state == DeliveryState.PENDING
    assert delivery.next_attempt_at == attempt.at + RETRY_DELAYS[0]

    # The receiver comes back (at another address here): the retry delivers.
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint.url = httpserver.url_for("/hook")
    endpoint.save()
    with time_machine.travel(delivery.next_attempt_at):
        deliver()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SUCCEEDED, 2)


def test_a_dead_receiver_holds_up_no_other_endpoint(
    settings, silent_receiver, httpserver, make_endpoint, ana_available, deliver
):
    from feed.services import endpoint_create

    settings.WEBHOOKS_TIMEOUT = 0.2
    dead, _ = endpoint_create(url=silent_receiver, event_types=["agent.status_changed"])
    httpserver.expect_request("/hook").respond_with_data("ok")
    alive, _ = make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    agent_perform_action(agent=ana_available, action="go_available", source="api")

    deliver()

    assert len(received(httpserver)) == 2
    states = dict(
        Delivery.objects.filter(endpoint=alive).values_list("message__pk", "state")
    ).values()
    assert set(states) == {DeliveryState.SUCCEEDED}
    # The dead one was tried once, for the first message; the second waits behind it.
    assert DeliveryAttempt.objects.filter(delivery__endpoint=dead).count() == 1
    assert set(Delivery.objects.filter(endpoint=dead).values_list("state", flat=True)) == {
        DeliveryState.PENDING
    }


def test_redirects_are_not_followed(httpserver, make_endpoint, ana_available, deliver):
    httpserver.expect_request("/hook").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/elsewhere")}
    )
    make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")

    deliver()

    assert [r.path for r in received(httpserver)] == ["/hook"]
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.status_code, attempt.succeeded) == (302, False)
    assert "not followed" in attempt.error


def test_only_the_start_of_a_long_answer_is_kept(httpserver, make_endpoint, ana_available, deliver):
    httpserver.expect_request("/hook").respond_with_data("x" * 100_000)
    make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")

    deliver()

    assert DeliveryAttempt.objects.get().response_body == "x" * 4096


def test_replay_sends_the_same_message_again_and_keeps_the_attempts(
    httpserver, make_endpoint, ana_available, deliver
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    _endpoint, secret = make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    deliver()
    delivery = Delivery.objects.get()

    assert deliveries_replay(deliveries=[delivery]) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 0)
    deliver()

    first, again = received(httpserver)
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert verified(again, secret) == verified(first, secret)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SUCCEEDED
    assert delivery.attempt_log.count() == 2


def test_replay_leaves_a_pending_delivery_in_its_queue(make_endpoint, ana_available):
    make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    assert deliveries_replay(deliveries=Delivery.objects.all()) == 0


def test_a_rotated_secret_signs_the_next_attempts(
    httpserver, make_endpoint, ana_available, deliver
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint, old_secret = make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    new_secret = endpoint_rotate_secret(endpoint=endpoint)
    assert new_secret != old_secret

    deliver()

    [request] = received(httpserver)
    assert verified(request, new_secret)["data"]["code"] == "LUNCH"
    with pytest.raises(WebhookVerificationError):
        verified(request, old_secret)


def test_an_inactive_endpoints_deliveries_wait_until_it_is_active_again(
    httpserver, make_endpoint, ana_available, deliver
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint, _ = make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    endpoint.active = False
    endpoint.save()
    deliver()
    assert received(httpserver) == []

    endpoint.active = True
    endpoint.save()
    deliver()
    assert len(received(httpserver)) == 1


def test_a_worker_that_dies_mid_batch_leaves_its_deliveries_due_again(
    httpserver, make_endpoint, ana_available, deliver
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    endpoint, _ = make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    # A worker claims the delivery, then is killed before sending it.
    [claimed] = feed_delivery._claim(endpoint)

    deliver()  # another worker: the claim holds
    assert received(httpserver) == []

    claimed.refresh_from_db()
    with time_machine.travel(claimed.next_attempt_at):
        deliver()
    assert len(received(httpserver)) == 1
    assert Delivery.objects.get().state == DeliveryState.SUCCEEDED


def test_a_committed_change_is_delivered_by_the_worker_it_asks(
    httpserver, make_endpoint, ana_available, django_capture_on_commit_callbacks
):
    from config.celery import app as celery_app

    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint()
    celery_app.conf.task_always_eager = True  # a worker that runs each task as it is sent
    try:
        with django_capture_on_commit_callbacks(execute=True):
            agent_perform_action(
                agent=ana_available, action="take_break", code="LUNCH", source="api"
            )
            assert received(httpserver) == []  # nothing is sent before the commit
    finally:
        celery_app.conf.task_always_eager = False
    assert len(received(httpserver)) == 1
    assert Delivery.objects.get().state == DeliveryState.SUCCEEDED


def test_an_answer_with_nul_bytes_is_kept_readable(
    httpserver, make_endpoint, ana_available, deliver
):
    # PostgreSQL's text columns refuse NUL: a receiver's odd answer must not break the log.
    httpserver.expect_request("/hook").respond_with_data(b"ok\x00\xffdone")
    make_endpoint()
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")

    deliver()

    attempt = DeliveryAttempt.objects.get()
    assert attempt.succeeded
    assert attempt.response_body == "ok\ufffd\ufffddone"


def test_a_batch_is_recorded_in_as_many_statements_whatever_its_size(
    httpserver, make_endpoint, ana, sam, deliver
):
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint()

    def statements_to_deliver():
        with CaptureQueriesContext(connection) as queries:
            deliver()
        return len(queries)

    agent_perform_action(agent=ana, action="login", source="api")
    one = statements_to_deliver()
    agent_perform_action(agent=sam, action="login", source="api")
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="api")
    two = statements_to_deliver()

    assert one == two
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SUCCEEDED}
    assert DeliveryAttempt.objects.count() == 3


def test_a_long_batch_hands_back_what_it_has_not_sent(
    httpserver, make_endpoint, ana_available, sam, monkeypatch, deliver
):
    """A batch stops sending at half its claim's lease and records what it sent; the rest is
    due again at once, sent in order, with no attempt counted meanwhile."""
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_endpoint()
    agent_perform_action(agent=sam, action="login", source="api")
    agent_perform_action(agent=ana_available, action="take_break", code="LUNCH", source="api")
    monkeypatch.setattr(feed_delivery, "_lease", lambda: timedelta(0))  # over at once

    deliver()

    sent = [
        OutboxMessage.objects.get(msg_id=i).agent.user.username
        for i in message_ids(received(httpserver))
    ]
    assert sent == ["sam", "ana"]
    assert {(d.state, d.attempts) for d in Delivery.objects.all()} == {(DeliveryState.SUCCEEDED, 1)}
