"""Webhooks in the admin: the secret shown once, URL errors in the form, deliveries with every
attempt, replay (docs/integrations.md, "In the admin")."""

import re

import pytest
from django.contrib.auth.models import Permission

from agents.services import agent_perform_action, agent_reject_interaction
from feed.choices import DeliveryState
from feed.models import Delivery, DeliveryAttempt, WebhookEndpoint
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ADD = "/admin/feed/webhookendpoint/add/"
ENDPOINTS = "/admin/feed/webhookendpoint/"
DELIVERIES = "/admin/feed/delivery/"


def shown_secrets(response) -> list[str]:
    return re.findall(
        r"<code class=.webhook-secret.>(whsec_[^<]+)</code>", response.content.decode()
    )


def test_a_new_endpoints_secret_is_shown_once(client_for, superuser):
    client = client_for(superuser)
    response = client.post(
        ADD,
        {
            "url": "http://127.0.0.1:9000/hook",
            "description": "Wallboard",
            "event_types": ["agent.status_changed"],
            "active": "on",
        },
        follow=True,
    )
    [secret] = shown_secrets(response)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret
    assert endpoint.event_types == ["agent.status_changed"]
    assert len(secret) == len("whsec_") + 32
    # Never again: not on the list, not on the endpoint's page.
    assert secret not in client.get(ENDPOINTS).content.decode()
    assert secret not in client.get(f"{ENDPOINTS}{endpoint.pk}/change/").content.decode()


def test_a_private_url_is_a_form_error(client_for, superuser, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = client_for(superuser).post(
        ADD, {"url": "http://169.254.169.254/latest", "event_types": ["agent.status_changed"]}
    )
    assert response.status_code == 200
    assert "link-local address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_needs_an_event_type(client_for, superuser):
    response = client_for(superuser).post(ADD, {"url": "http://127.0.0.1/hook"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_rotating_shows_the_new_secret_once(client_for, superuser, make_endpoint):
    endpoint, old = make_endpoint()
    response = client_for(superuser).post(
        ENDPOINTS, {"action": "rotate_secret", "_selected_action": [endpoint.pk]}, follow=True
    )
    [new] = shown_secrets(response)
    assert new != old
    endpoint.refresh_from_db()
    assert endpoint.secret == new


def test_an_endpoint_with_deliveries_is_deactivated_not_deleted(
    client_for, superuser, make_endpoint, ana
):
    endpoint, _ = make_endpoint()
    agent_perform_action(agent=ana, action="login", source="api")
    response = client_for(superuser).get(f"{ENDPOINTS}{endpoint.pk}/delete/")
    assert "has 1 delivery in its log. Deactivate it instead" in response.content.decode()
    client_for(superuser).post(f"{ENDPOINTS}{endpoint.pk}/delete/", {"post": "yes"})
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


@pytest.fixture
def failed_delivery(make_endpoint, ana, httpserver, deliver, settings):
    httpserver.expect_request("/hook").respond_with_data("nope, not today", status=503)
    make_endpoint()
    agent_perform_action(agent=ana, action="login", source="api")
    deliver()
    Delivery.objects.update(
        state=DeliveryState.FAILED,
        next_attempt_at=None,
        finished_at=DeliveryAttempt.objects.get().at,
    )
    return Delivery.objects.get()


def test_a_delivery_lists_every_attempt(client_for, superuser, failed_delivery):
    page = client_for(superuser).get(f"{DELIVERIES}{failed_delivery.pk}/change/").content.decode()
    assert failed_delivery.message.msg_id in page
    assert "503" in page
    assert "The receiver did not answer 2xx." in page
    assert "nope, not today" in page
    assert "Replay" in page


def test_replay_from_the_list_queues_the_delivery_again(client_for, superuser, failed_delivery):
    response = client_for(superuser).post(
        DELIVERIES, {"action": "replay", "_selected_action": [failed_delivery.pk]}, follow=True
    )
    assert "1 delivery queued again." in response.content.decode()
    failed_delivery.refresh_from_db()
    assert (failed_delivery.state, failed_delivery.attempts) == (DeliveryState.PENDING, 0)
    assert failed_delivery.attempt_log.count() == 1


def test_who_may_only_view_deliveries_sees_no_replay_and_cannot_replay(client, failed_delivery):
    viewer = make_user("auditor", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_delivery"))
    client.force_login(viewer)
    page = client.get(f"{DELIVERIES}{failed_delivery.pk}/change/").content.decode()
    assert "503" in page  # the attempts are part of what one may view
    assert "Replay" not in page
    client.post(DELIVERIES, {"action": "replay", "_selected_action": [failed_delivery.pk]})
    failed_delivery.refresh_from_db()
    assert failed_delivery.state == DeliveryState.FAILED


def test_the_delivery_list_filters_and_reads_a_fixed_number_of_queries(
    client_for, superuser, make_endpoint, ana, sam, django_assert_max_num_queries
):
    make_endpoint("/a")
    make_endpoint("/b", events=["agent.interaction_rejected"])
    for agent, code in ((ana, "CASE"), (sam, None)):
        agent_perform_action(agent=agent, action="login", source="api")
        agent_reject_interaction(agent=agent, channel="phone", code=code, source="api")
    client = client_for(superuser)
    with django_assert_max_num_queries(12):
        page = client.get(DELIVERIES).content.decode()
    assert page.count('class="field-msg_id"') == Delivery.objects.count() == 6
    filtered = client.get(DELIVERIES, {"message__type__exact": "agent.interaction_rejected"})
    assert filtered.content.decode().count('class="field-msg_id"') == 4
    pending = client.get(DELIVERIES, {"state__exact": "succeeded"})
    assert pending.content.decode().count('class="field-msg_id"') == 0
