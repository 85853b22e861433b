"""The header shows each role only the doors it may pass, and the home page leads to its own."""

import re

import pytest
from django.test import Client

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def header_links(client) -> list[str]:
    # A page every logged-in role may open: the sign-out question.
    html = client.get("/accounts/sign-out/").content.decode()
    nav = re.search(r'<nav aria-label="Site">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("agent", ["Console"]),
        ("supervisor_a", ["Reports"]),
        ("staff_supervisor", ["Reports", "Admin"]),
        ("administrator", ["Reports", "Admin"]),
        ("superuser", ["Reports", "Admin"]),
    ],
)
def test_the_header_shows_only_the_roles_doors(caller, support_group, role, links):
    assert header_links(caller(role)) == links


def test_an_agent_who_supervises_a_group_sees_both_doors(caller, ana, support_group):
    support_group.supervisors.add(ana.user)
    assert header_links(caller("agent")) == ["Console", "Reports"]


def test_the_header_reads_the_doors_in_a_few_queries(
    caller, support_group, django_assert_max_num_queries
):
    client = caller("supervisor_a")
    # On a page that reads nothing itself: the session and the user, then one query for the
    # console (is an agent?), two for the report permission and one for the supervised groups.
    with django_assert_max_num_queries(6):
        client.get("/no-such-page/")


@pytest.mark.parametrize(
    ("role", "door"),
    [
        ("agent", "/console/"),
        ("supervisor_a", "/reports/"),
        ("administrator", "/reports/"),
        ("superuser", "/reports/"),
    ],
)
def test_home_leads_to_the_users_own_door(caller, support_group, role, door):
    response = caller(role).get("/")
    assert response.status_code == 302
    assert response["Location"] == door


def test_home_of_staff_who_read_no_report_is_the_admin(db, client_for):
    response = client_for(make_user("clerk", is_staff=True)).get("/")
    assert response["Location"] == "/admin/"


def test_home_sends_anonymous_visitors_to_log_in(db):
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_of_a_user_with_no_door_says_so(db, client_for):
    response = client_for(make_user("newcomer")).get("/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your account opens no page yet" in html
