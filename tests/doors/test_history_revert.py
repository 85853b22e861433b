"""Reverting to a past version in the admin's History needs the right to change the object.

The History pages of status code lists, codes, agent groups and agents come from
django-simple-history, whose revert form saved a POST on the view permission alone: a staff
supervisor (view only) could make themselves supervisor of any group, and so read its reports.
"""

import pytest
import time_machine
from django.contrib.auth.models import Permission

from agents.models import Agent, AgentGroup, StatusEvent
from agents.services import agent_perform_action, agent_save
from reports.selectors.scope import groups_in_scope
from tests.admin_forms import change_form_data
from tests.conftest import make_agent, make_user
from tests.reports.timeline import at

pytestmark = pytest.mark.django_db


def history_form_url(obj, model: str) -> str:
    return f"/admin/{model}/{obj.pk}/history/{obj.history.earliest().history_id}/"


def test_a_view_only_supervisor_cannot_make_themselves_supervisor_of_a_group(
    client_for, staff_supervisor, sales_group, supervisor_b
):
    url = history_form_url(sales_group, "agents/agentgroup")
    data = {
        "name": sales_group.name,
        "code_list": sales_group.code_list_id,
        "supervisors": [staff_supervisor.pk],
    }

    response = client_for(staff_supervisor).post(url, data)

    assert response.status_code == 403
    assert set(sales_group.supervisors.all()) == {supervisor_b}
    assert sales_group not in groups_in_scope(user=staff_supervisor)


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("statuscodes/statuscodelist", "name"),
        ("statuscodes/statuscode", "label_en"),
        ("agents/agentgroup", "name"),
        ("agents/agent", "group"),
    ],
)
def test_a_view_only_reader_sees_the_past_version_as_text_without_revert(
    client_for, staff_supervisor, support_group, ana, model, field
):
    obj = {
        "statuscodes/statuscodelist": support_group.code_list,
        "statuscodes/statuscode": support_group.code_list.codes.get(code="LUNCH"),
        "agents/agentgroup": support_group,
        "agents/agent": ana,
    }[model]

    response = client_for(staff_supervisor).get(history_form_url(obj, model))

    content = response.content.decode()
    assert response.status_code == 200
    assert f'name="{field}"' not in content
    assert f"field-{field}" in content
    assert 'value="Revert"' not in content
    assert "<title>View " in content


def test_reverting_a_deleted_object_needs_the_add_permission(client, support_list):
    """Reverting a deleted object's history creates it again: that is adding, not changing."""
    group = AgentGroup.objects.create(name="Night shift", code_list=support_list)
    url = history_form_url(group, "agents/agentgroup")
    group.delete()
    editor = make_user("editor", is_staff=True)
    editor.user_permissions.set(
        Permission.objects.filter(codename__in=["view_agentgroup", "change_agentgroup"])
    )
    client.force_login(editor)

    page = client.get(url)
    response = client.post(url, {"name": "Night shift", "code_list": support_list.pk})

    assert page.status_code == 200
    assert 'value="Revert"' not in page.content.decode()
    assert response.status_code == 403
    assert not AgentGroup.objects.filter(name="Night shift").exists()


def revert_after_deleting(client, instance, admin_path: str):
    """Delete `instance`, then post its history's Revert form as `client`."""
    url = history_form_url(instance, admin_path)
    instance.delete()
    return client.post(url, change_form_data(client.get(url)))


def test_an_administrator_brings_back_a_deleted_object(client_for, administrator, support_list):
    group = AgentGroup.objects.create(name="Night shift", code_list=support_list)

    response = revert_after_deleting(client_for(administrator), group, "agents/agentgroup")

    assert response.status_code == 302
    assert AgentGroup.objects.get(name="Night shift").history.latest().history_user == (
        administrator
    )


def test_reverting_turned_off_in_the_settings_refuses_even_superusers(
    settings, client_for, superuser, support_list
):
    settings.SIMPLE_HISTORY_REVERT_DISABLED = True
    url = history_form_url(support_list, "statuscodes/statuscodelist")
    client = client_for(superuser)
    data = change_form_data(client.get(url))
    data["name"] = "Renamed"

    response = client.post(url, data)

    assert response.status_code == 403
    support_list.refresh_from_db()
    assert support_list.name == "Support"


@pytest.mark.parametrize(
    "path",
    ["abc/history/", "abc/history/1/", "{pk}/history/abc/", "{pk}/history/999999/"],
)
def test_a_malformed_history_address_is_not_found(client_for, superuser, support_group, path):
    url = "/admin/agents/agentgroup/" + path.format(pk=support_group.pk)

    for method in ("get", "post"):
        response = getattr(client_for(superuser), method)(url)
        assert response.status_code == 404


def test_an_administrator_brings_back_a_deleted_agent(client_for, administrator, support_group):
    agent = make_agent("dana", support_group)

    response = revert_after_deleting(client_for(administrator), agent, "agents/agent")

    assert response.status_code == 302
    restored = Agent.objects.get(user__username="dana")
    assert restored.group == support_group
    assert restored.history.latest().history_user == administrator


def test_reverting_an_agents_group_records_the_move(
    client_for, administrator, ana, support_group, sales_group
):
    first_version = history_form_url(ana, "agents/agent")
    with time_machine.travel(at("2025-03-03 08:00"), tick=False):
        agent_perform_action(agent=ana, action="login", source="console")
    with time_machine.travel(at("2025-03-03 10:00"), tick=False):
        ana.group = sales_group
        agent_save(agent=ana, changed_by=administrator)
    client = client_for(administrator)
    data = change_form_data(client.get(first_version))

    with time_machine.travel(at("2025-03-03 11:00"), tick=False):
        response = client.post(first_version, data)

    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.group == support_group
    back = StatusEvent.objects.ongoing().get(agent=ana)
    assert (back.group, back.source, back.started_at) == (
        support_group,
        "group_move",
        at("2025-03-03 11:00"),
    )
    assert back.changed_by == administrator


def test_an_agent_whose_user_was_deleted_cannot_be_brought_back(
    client_for, administrator, support_group
):
    agent = make_agent("dana", support_group)
    version = history_form_url(agent, "agents/agent")
    agent.user.delete()
    client = client_for(administrator)

    for method, url, data in (
        ("get", f"/admin/agents/agent/{agent.pk}/history/", {}),
        ("get", version, {}),
        ("post", version, {"group": support_group.pk, "language": "en"}),
    ):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302
        assert response.url == "/admin/agents/agent/"
        page = client.get(response.url).content.decode()
        assert "deleted with their user account" in page
    assert not Agent.objects.exists()
