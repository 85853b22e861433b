"""The offer routes (docs/api.md, "Offers"): an integration offers, the agent accepts or rejects,
the integration reports a missed or withdrawn offer; GET me shows what rings."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from agents.models import Offer, StatusEvent
from tests.api.conftest import post_json

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def integ(integration):
    client = Client()
    client.force_login(integration)
    return client


@pytest.fixture
def ana_client(ana, client_for):
    client = client_for(ana)
    post_json(client, "/api/v1/agents/me/status", {"action": "login"})
    return client


def offer(integ, channel="chat"):
    return post_json(integ, "/api/v1/agents/ana/offers", {"channel": channel})


def test_an_offer_is_created_and_shown_ringing(integ, ana_client):
    with time_machine.travel(T0, tick=False):
        response = offer(integ)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "channel", "offered_at"}
    assert (body["channel"], body["offered_at"]) == ("chat", "2026-03-02T09:00:00.000Z")
    me = ana_client.get("/api/v1/agents/me").json()
    assert me["offer"] == body
    assert me["pending"] is None


@pytest.mark.parametrize(
    ("first", "status", "key"),
    [("take_break", 409, "not_available"), (None, 409, "offer_pending")],
)
def test_offers_refused(integ, ana_client, first, status, key):
    if first:
        post_json(ana_client, "/api/v1/agents/me/status", {"action": first, "code": "LUNCH"})
    else:
        offer(integ)
    response = offer(integ, "phone")
    assert (response.status_code, response.json()["error"]) == (status, key)
    assert Offer.objects.count() == (0 if first else 1)


def test_an_unknown_channel_or_field_is_a_clear_refusal(integ, ana_client):
    response = offer(integ, "fax")
    assert (response.status_code, response.json()["error"]) == (400, "unknown_channel")
    response = post_json(integ, "/api/v1/agents/ana/offers", {"channel": "chat", "x": 1})
    assert (response.status_code, response.json()["error"]) == (422, "invalid_request")


def test_reject_then_on_break_with_the_code_and_no_offer(integ, ana_client):
    oid = offer(integ).json()["id"]
    response = post_json(ana_client, f"/api/v1/agents/me/offers/{oid}/reject", {"code": "CASE"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["code"], body["code_label"], body["offer"]) == (
        "on_break",
        "CASE",
        "Working on a Case",
        None,
    )
    assert (body["rejection"]["channel"], body["rejection"]["code"]) == ("chat", "CASE")
    again = post_json(ana_client, f"/api/v1/agents/me/offers/{oid}/reject", {"code": "CASE"})
    assert (again.status_code, again.json()["error"]) == (409, "offer_not_pending")
    assert StatusEvent.objects.rejections().count() == 1


def test_a_refused_rejection_keeps_the_offer(integ, ana_client):
    oid = offer(integ).json()["id"]
    response = post_json(ana_client, f"/api/v1/agents/me/offers/{oid}/reject", {"code": "LUNCH"})
    assert (response.status_code, response.json()["error"]) == (422, "code_not_for_action")
    assert ana_client.get("/api/v1/agents/me").json()["offer"]["id"] == oid


def test_accept(integ, ana_client):
    oid = offer(integ, "phone").json()["id"]
    body = post_json(ana_client, f"/api/v1/agents/me/offers/{oid}/accept", {}).json()
    assert (body["status"], body["offer"]) == ("busy", None)
    again = post_json(ana_client, f"/api/v1/agents/me/offers/{oid}/accept", {})
    assert (again.status_code, again.json()["error"]) == (409, "offer_not_pending")


def test_missed_shows_the_system_reason_as_the_code(integ, ana_client, sofia, client_for):
    oid = offer(integ, "email").json()["id"]
    body = post_json(integ, f"/api/v1/agents/ana/offers/{oid}/miss", {}).json()
    assert (body["status"], body["code"], body["code_label"]) == (
        "on_break",
        "missed",
        "Missed offer",
    )
    me = ana_client.get("/api/v1/agents/me").json()
    assert (me["status"], me["code"]) == ("on_break", "missed")


def test_withdraw(integ, ana_client):
    oid = offer(integ).json()["id"]
    body = post_json(integ, f"/api/v1/agents/ana/offers/{oid}/withdraw", {}).json()
    assert (body["status"], body["offer"]) == ("available", None)
    assert StatusEvent.objects.rejections().count() == 0


@pytest.mark.parametrize("oid", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_offer_is_not_found(ana_client, oid):
    response = post_json(ana_client, f"/api/v1/agents/me/offers/{oid}/accept", {})
    assert (response.status_code, response.json()["error"]) == (404, "unknown_offer")


def test_an_integration_without_the_permission_is_refused(ana_client, client_for, sam):
    from tests.conftest import make_user

    crm = Client()
    crm.force_login(make_user("crm"))
    response = offer(crm)
    assert (response.status_code, response.json()["error"]) == (403, "forbidden")
    assert not Offer.objects.exists()
