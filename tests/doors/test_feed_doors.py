"""The webhooks' admin doors, knocked on with data (docs/security.md, "What each role gets in
the admin"): only the Administrators role and superusers see endpoints and deliveries, rotate
secrets and replay; the Supervisors role and everyone else are refused."""

import pytest

from agents.services import agent_perform_action
from feed.choices import DeliveryState
from feed.models import Delivery, WebhookEndpoint
from feed.services import endpoint_create
from tests.doors.test_admin_doors import DONE, FORBIDDEN, OK, assert_answer, cases

pytestmark = pytest.mark.django_db

ENDPOINTS = "/admin/feed/webhookendpoint/"
DELIVERIES = "/admin/feed/delivery/"


@pytest.fixture
def finished_delivery(settings, ana):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint, _ = endpoint_create(
        url="http://127.0.0.1:9/hook", event_types=["agent.status_changed"]
    )
    agent_perform_action(agent=ana, action="login", source="api")
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.FAILED, next_attempt_at=None, finished_at=delivery.message.created_at
    )
    return Delivery.objects.select_related("endpoint").get()


DOORS = [
    ("endpoint page", (FORBIDDEN, OK, OK)),
    ("delivery page", (FORBIDDEN, OK, OK)),
    ("rotate secret", (FORBIDDEN, DONE, DONE)),
    ("replay", (FORBIDDEN, DONE, DONE)),
]


@pytest.mark.parametrize(("door", "role", "expected"), cases([(d, a) for d, a in DOORS]))
def test_feed_admin_door(caller, finished_delivery, door, role, expected):
    client = caller(role)
    endpoint = finished_delivery.endpoint

    def observe():
        return (
            WebhookEndpoint.objects.get(pk=endpoint.pk).secret,
            Delivery.objects.get(pk=finished_delivery.pk).state,
        )

    before = observe()
    if door == "endpoint page":
        response = client.get(f"{ENDPOINTS}{endpoint.pk}/change/")
    elif door == "delivery page":
        response = client.get(f"{DELIVERIES}{finished_delivery.pk}/change/")
    elif door == "rotate secret":
        response = client.post(
            ENDPOINTS, {"action": "rotate_secret", "_selected_action": [endpoint.pk]}
        )
    else:
        response = client.post(
            DELIVERIES, {"action": "replay", "_selected_action": [finished_delivery.pk]}
        )
    assert_answer(response, expected, before, observe())
    if expected == OK:
        # The secret is never shown again after it was made.
        assert endpoint.secret not in response.content.decode()
