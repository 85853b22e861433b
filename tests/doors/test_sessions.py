"""Sessions: they end with the browser, after SESSION_COOKIE_AGE (12 h, a shift), or at log out.

An expired session is no session at all: the pages send the user to log in again and the API
answers 401, so a workstation left logged in does not stay open to the next person.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in_client(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def expire_sessions() -> None:
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))


def test_a_session_lasts_its_cookie_age_and_ends_with_the_browser(ana):
    client = logged_in_client("ana")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    # No expiry on the cookie: the browser forgets it when it closes.
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"]
    age = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs(Session.objects.get().expire_date - (timezone.now() + age)) < timedelta(minutes=1)


def test_an_expired_session_is_sent_to_log_in_again(ana):
    client = logged_in_client("ana")
    assert client.get("/console/").status_code == 200
    expire_sessions()
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/console/")


def test_an_expired_session_opens_no_report(supervisor_a, support_group):
    client = logged_in_client("supervisor_a")
    assert client.get("/reports/").status_code == 200
    expire_sessions()
    assert client.get("/reports/")["Location"].startswith("/accounts/login/")


def test_an_expired_session_is_401_on_the_api(ana):
    client = logged_in_client("ana")
    assert client.get("/api/v1/agents/me").status_code == 200
    expire_sessions()
    response = client.get("/api/v1/agents/me")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_logging_out_ends_the_session(ana):
    client = logged_in_client("ana")
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.exists()
    assert client.get("/console/").status_code == 302
