"""API authentication: session with CSRF for the console, bearer tokens for integrations."""

from datetime import timedelta

import pytest
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from agents.models import ApiToken, StatusEvent
from tests.api.conftest import make_token, post_json
from tests.conftest import PASSWORD, make_user

ME = "/api/v1/agents/me"
STATUS = "/api/v1/agents/me/status"


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_anonymous_is_refused(ana):
    for response in (Client().get(ME), post_json(Client(), STATUS, {"action": "login"})):
        assert response.status_code == 401
        assert response.json()["error"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert not StatusEvent.objects.exists()


def test_user_who_is_not_an_agent_is_told_so(supervisor_a, client_for):
    response = client_for(supervisor_a).get(ME)
    assert response.status_code == 403
    assert response.json()["error"] == "not_an_agent"
    response = post_json(client_for(supervisor_a), STATUS, {"action": "login"})
    assert response.json()["error"] == "not_an_agent"


def test_session_post_without_csrf_token_is_refused(ana):
    client = Client(enforce_csrf_checks=True)
    assert client.login(request=HttpRequest(), username="ana", password=PASSWORD)
    response = post_json(client, STATUS, {"action": "login"})
    assert response.status_code == 403
    assert response.json()["error"] == "csrf_failed"
    assert not StatusEvent.objects.exists()


def test_session_post_with_csrf_token_is_accepted(ana):
    client = Client(enforce_csrf_checks=True)
    assert client.login(request=HttpRequest(), username="ana", password=PASSWORD)
    assert client.get(ME).status_code == 200  # safe methods need no token
    client.get("/console/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = post_json(client, STATUS, {"action": "login"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["status"] == "available"


def test_token_of_an_agent_acts_as_that_agent_without_csrf(ana):
    _, key = make_token(ana.user)
    client = Client(enforce_csrf_checks=True)
    response = post_json(client, STATUS, {"action": "login"}, **bearer(key))
    assert response.status_code == 200
    assert response.json()["username"] == "ana"
    assert StatusEvent.objects.get().agent == ana


def test_token_use_is_recorded_at_most_once_a_minute(ana):
    token, key = make_token(ana.user)
    Client().get(ME, **bearer(key))
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    Client().get(ME, **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=5))
    Client().get(ME, **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at > first_use - timedelta(minutes=5)


@pytest.mark.parametrize("key", ["wrong", "", "a" * 5000])
def test_unknown_token_is_refused(ana, key):
    make_token(ana.user)
    response = Client().get(ME, **bearer(key))
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_revoked_token_is_refused(ana):
    token, key = make_token(ana.user)
    token.revoked_at = timezone.now()
    token.save()
    response = post_json(Client(), STATUS, {"action": "login"}, **bearer(key))
    assert response.status_code == 401
    assert not StatusEvent.objects.exists()


def test_token_of_an_inactive_user_is_refused(ana):
    _, key = make_token(ana.user)
    ana.user.is_active = False
    ana.user.save()
    assert Client().get(ME, **bearer(key)).status_code == 401


def test_a_bad_token_is_refused_even_with_a_session(ana, client_for):
    response = client_for(ana).get(ME, **bearer("wrong"))
    assert response.status_code == 401


def test_token_of_a_user_who_is_not_an_agent(integration, integration_key):
    response = Client().get(ME, **bearer(integration_key))
    assert response.status_code == 403
    assert response.json()["error"] == "not_an_agent"


def test_token_for_a_new_user_works_once_made(db):
    user = make_user("newcomer")
    _, key = make_token(user)
    assert ApiToken.objects.get().key_hash == ApiToken.hash_key(key)
    assert Client().get(ME, **bearer(key)).json()["error"] == "not_an_agent"
