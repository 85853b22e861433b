"""403, 404 and 500 in the site's style, each with a sentence and the way back to one's door."""

import re
import sqlite3

import pytest
from django.db import OperationalError, connection
from django.template.loader import render_to_string
from django.test import Client
from psycopg.errors import LockNotAvailable

from agents.models import Agent
from tests.admin_forms import change_form_data
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_agent_asking_for_the_reports_gets_the_styled_403(caller):
    response = caller("agent").get("/reports/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'href="/static/css/app.css"' in html
    assert "This page is not for you" in text(html)
    assert "Reports are for supervisors and report readers." in text(html)
    assert re.search(r'<a class="button" href="/console/">Go to your Console</a>', html)
    # The header offers no Reports link to follow.
    assert ">Reports</a>" not in html


def test_a_supervisor_in_the_console_is_sent_back_to_the_reports(caller, support_group):
    response = caller("supervisor_a").get("/console/")
    assert response.status_code == 403
    assert '<a class="button" href="/reports/">Go to your Reports</a>' in (
        response.content.decode()
    )


def test_the_admin_refusing_a_page_shows_the_styled_403(caller):
    response = caller("staff_supervisor").get("/admin/statuscodes/statuscodelist/add/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "This page is not for you" in html
    assert '<a class="button" href="/reports/">Go to your Reports</a>' in html


def test_a_missing_page_is_the_styled_404_with_the_way_home(caller):
    response = caller("agent").get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'href="/static/css/app.css"' in html
    assert '<a class="button" href="/console/">Go to your Console</a>' in html


def test_an_anonymous_visitor_on_a_missing_page_is_offered_to_log_in(db):
    html = Client().get("/no-such-page/").content.decode()
    assert 'href="/accounts/login/?next=/no-such-page/"' in html


def test_the_500_page_needs_no_request_and_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert 'href="/static/css/app.css"' in html
    assert 'href="/"' in html


def test_a_server_error_shows_the_styled_500(db, settings):
    settings.ROOT_URLCONF = "tests.doors.failing_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/fail/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def lock_conflict() -> OperationalError:
    """What Django raises when a wait for a lock ran out (SQLite's busy database during a
    history import, PostgreSQL's lock_timeout)."""
    if connection.vendor == "postgresql":
        cause = LockNotAvailable("canceling statement due to lock timeout")
    else:
        cause = sqlite3.OperationalError("database is locked")
        cause.sqlite_errorcode = sqlite3.SQLITE_BUSY
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def test_a_save_that_waited_too_long_for_a_lock_is_a_503_saying_nothing_was_saved(
    client, monkeypatch, ana, support_group, sales_group
):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = f"/admin/agents/agent/{ana.pk}/change/"
    data = change_form_data(client.get(url)) | {"group": str(sales_group.pk)}

    def busy(**_):
        raise lock_conflict()

    monkeypatch.setattr("agents.admin.agents_lock", busy)
    response = client.post(url, data)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = text(response.content.decode())
    assert "Busy: nothing was saved" in page
    assert "locked by an update in progress" in page
    assert '<a class="button" href="/reports/">Go to your Reports</a>' in (
        response.content.decode()
    )
    assert Agent.objects.get(pk=ana.pk).group == support_group


def test_other_database_errors_are_still_server_errors(client, monkeypatch, ana):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = f"/admin/agents/agent/{ana.pk}/change/"
    data = change_form_data(client.get(url))

    def broken(**_):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr("agents.admin.agents_lock", broken)
    client.raise_request_exception = False
    assert client.post(url, data).status_code == 500
