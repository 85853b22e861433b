"""The admin home: branded, grouped by task, each role seeing only its sections."""

import re

import pytest

pytestmark = pytest.mark.django_db


def sections(html: str) -> dict[str, list[str]]:
    """The home's sections and the models each lists, as a person reads them."""
    found = {}
    for block in re.findall(r'<div class="app-[^"]*module[^"]*">(.*?)</table>', html, re.S):
        title = re.search(r"<caption>\s*(?:<a[^>]*>|<span[^>]*>)([^<]+)<", block).group(1)
        models = r'<th scope="row" id="[^"]+">\s*<a [^>]*>([^<]+)</a>'
        found[title.strip()] = re.findall(models, block)
    return found


def test_the_admin_is_branded(caller):
    page = caller("superuser").get("/admin/").content.decode()
    assert "<title>Administration | Agent status codes</title>" in page
    assert "Agent status codes — administration" in page
    assert "Django administration" not in page


def test_superuser_sees_every_task_with_the_lockout_tables(caller):
    assert sections(caller("superuser").get("/admin/").content.decode()) == {
        "Configuration": ["Status code lists", "Status codes"],
        "People": ["Agent groups", "Agents", "Users", "Roles (user groups)", "API tokens"],
        "History": ["Status events"],
        "Integrations": ["Webhook endpoints", "Deliveries"],
        "Scheduled reports": ["Report subscriptions"],
        "Security": ["Access attempts", "Access failures", "Access logs"],
    }


def test_administrators_do_not_see_the_lockout_tables(caller):
    assert sections(caller("administrator").get("/admin/").content.decode()) == {
        "Configuration": ["Status code lists", "Status codes"],
        "People": ["Agent groups", "Agents", "Users", "Roles (user groups)", "API tokens"],
        "History": ["Status events"],
        "Integrations": ["Webhook endpoints", "Deliveries"],
        "Scheduled reports": ["Report subscriptions"],
    }


def test_staff_supervisors_see_what_they_may_read(caller):
    assert sections(caller("staff_supervisor").get("/admin/").content.decode()) == {
        "Configuration": ["Status code lists", "Status codes"],
        "People": ["Agent groups", "Agents"],
        "History": ["Status events"],
    }


def test_the_menu_of_every_page_is_grouped_the_same_way(caller):
    page = caller("administrator").get("/admin/statuscodes/statuscodelist/").content.decode()
    menu = page[page.index('<nav class="sticky" id="nav-sidebar"') :]
    assert list(sections(menu)) == [
        "Configuration",
        "People",
        "History",
        "Integrations",
        "Scheduled reports",
    ]
    # The ids still name the model's app, whatever section shows it.
    assert 'id="statuscodes-statuscodelist"' in menu


def test_an_apps_own_page_still_lists_its_models(caller):
    page = caller("administrator").get("/admin/statuscodes/").content.decode()
    assert 'id="statuscodes-statuscode"' in page
