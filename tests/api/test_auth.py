"""API authentication: session with CSRF for the console, bearer tokens for integrations."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
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


# The session's user is checked by the statement that locks the agent on a status change
# (agents.auth.SessionClaim): every refusal must stay what Django's own reading of the session
# gives, whatever the body asks.
CHANGES = [
    {"action": "login"},
    {"action": "fly"},
    {"action": "take_break", "code": "not a key!"},
    {"action": "busy"},
]


@pytest.mark.parametrize("body", CHANGES)
def test_a_logged_out_sessions_cookie_changes_nothing(ana, client_for, body):
    client = client_for(ana)
    cookie = client.cookies["sessionid"].value
    client.logout()
    client.cookies["sessionid"] = cookie

    response = post_json(client, STATUS, body)

    assert (response.status_code, response.json()["error"]) == (401, "not_authenticated")
    assert not StatusEvent.objects.exists()


@pytest.mark.parametrize("body", CHANGES)
def test_a_session_from_before_a_password_change_is_refused_and_ended(ana, client_for, body):
    client = client_for(ana)
    ana.user.set_password("a new password")
    ana.user.save()

    response = post_json(client, STATUS, body)

    assert (response.status_code, response.json()["error"]) == (401, "not_authenticated")
    assert not StatusEvent.objects.exists()
    # Django ended that session: a later request with the same cookie is refused too.
    assert client.get(ME).status_code == 401


def test_the_session_of_a_deactivated_agent_is_refused(ana, client_for):
    client = client_for(ana)
    ana.user.is_active = False
    ana.user.save()

    response = post_json(client, STATUS, {"action": "login"})

    assert (response.status_code, response.json()["error"]) == (401, "not_authenticated")
    assert not StatusEvent.objects.exists()


def test_a_session_signed_with_a_previous_secret_key_still_changes_the_status(
    ana, client_for, settings
):
    client = client_for(ana)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40

    response = post_json(client, STATUS, {"action": "login"})

    assert response.status_code == 200, response.content
    assert StatusEvent.objects.get().changed_by is None
    assert client.get(ME).json()["status"] == "available"


def test_an_agent_may_not_report_a_system_status_with_the_session(ana, client_for):
    client = client_for(ana)
    assert post_json(client, STATUS, {"action": "login"}).status_code == 200

    response = post_json(client, STATUS, {"action": "busy"})

    assert (response.status_code, response.json()["error"]) == (403, "forbidden")
    assert StatusEvent.objects.count() == 1


def test_a_supervisors_session_changes_their_agent_as_themselves(ana, supervisor_a, client_for):
    assert post_json(client_for(ana), STATUS, {"action": "login"}).status_code == 200
    client = client_for(supervisor_a)

    response = post_json(client, "/api/v1/agents/ana/status", {"action": "logout"})

    assert response.status_code == 200, response.content
    assert StatusEvent.objects.latest("started_at").changed_by == supervisor_a
    # Their own status they cannot change: they are no agent.
    assert post_json(client, STATUS, {"action": "login"}).json()["error"] == "not_an_agent"


def test_an_expired_session_is_refused(ana, client_for):
    client = client_for(ana)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = post_json(client, STATUS, {"action": "login"})

    assert (response.status_code, response.json()["error"]) == (401, "not_authenticated")
    assert not StatusEvent.objects.exists()
