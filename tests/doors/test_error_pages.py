"""403, 404 and 500 in the site's style, each with a sentence and the way back to one's door."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client

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
