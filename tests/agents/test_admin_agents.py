"""Agents and groups in the admin: the per-agent switch, creating agents, editing a group."""

from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from agents.models import Agent, AgentGroup, StatusEvent

from ..admin_forms import change_form_data
from ..conftest import make_user

AGENTS = reverse("admin:agents_agent_changelist")


def run_action(client, action, *agents):
    return client.post(
        AGENTS,
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [agent.pk for agent in agents]},
        follow=True,
    )


def test_disable_status_codes_says_how_many_agents_changed(
    ana, sofia, nocode, client_for, administrator
):
    response = run_action(client_for(administrator), "disable_status_codes", ana, sofia, nocode)

    assert "Status codes disabled for 2 agents. 1 was already so." in response.content.decode()
    assert not Agent.objects.filter(status_codes_enabled=True).exists()


def test_enable_status_codes_is_recorded_in_each_agents_history(nocode, client_for, administrator):
    response = run_action(client_for(administrator), "enable_status_codes", nocode)

    assert "Status codes enabled for 1 agent." in response.content.decode()
    nocode.refresh_from_db()
    assert nocode.status_codes_enabled is True
    latest = nocode.history.latest()
    assert (latest.status_codes_enabled, latest.history_user) == (True, administrator)


def test_switch_needs_the_change_permission(ana, client_for, administrator):
    administrator.user_permissions.remove(
        *administrator.user_permissions.filter(codename="change_agent")
    )

    run_action(client_for(administrator), "disable_status_codes", ana)

    ana.refresh_from_db()
    assert ana.status_codes_enabled is True


def test_agent_is_created_for_an_existing_user(support_group, client_for, administrator):
    newcomer = make_user("newcomer")
    page = client_for(administrator).get(reverse("admin:agents_agent_add"))
    assert 'data-ajax--url="/admin/autocomplete/"' in page.content.decode()

    response = client_for(administrator).post(
        reverse("admin:agents_agent_add"),
        {
            "user": newcomer.pk,
            "group": support_group.pk,
            "status_codes_enabled": "on",
            "language": "fr",
        },
    )

    assert response.status_code == 302
    agent = Agent.objects.get(user=newcomer)
    assert (agent.group, agent.language, agent.status_codes_enabled) == (support_group, "fr", True)


def test_a_user_cannot_be_two_agents(ana, sales_group, client_for, administrator):
    response = client_for(administrator).post(
        reverse("admin:agents_agent_add"),
        {"user": ana.user.pk, "group": sales_group.pk, "language": "en"},
    )

    assert response.status_code == 200
    assert "Agent with this User already exists." in response.content.decode()
    assert Agent.objects.get(user=ana.user).group != sales_group


def test_group_page_edits_its_agents_switch_and_language(
    ana, sofia, supervisor_b, client_for, administrator
):
    client = client_for(administrator)
    url = reverse("admin:agents_agentgroup_change", args=[ana.group.pk])
    page = client.get(url)
    data = change_form_data(page)
    prefixes = {
        form.instance.username: form.prefix
        for form in page.context["inline_admin_formsets"][0].formset.forms
    }
    data.pop(f"{prefixes['ana']}-status_codes_enabled")
    data[f"{prefixes['sofia']}-language"] = "fr"
    data["supervisors"] = [*data["supervisors"], str(supervisor_b.pk)]

    assert client.post(url, data).status_code == 302

    ana.refresh_from_db()
    sofia.refresh_from_db()
    assert ana.status_codes_enabled is False
    assert sofia.language == "fr"
    assert set(ana.group.supervisors.values_list("username", flat=True)) == {
        "supervisor_a",
        "supervisor_b",
    }


def test_group_with_agents_is_not_deleted(ana, client_for, administrator):
    url = reverse("admin:agents_agentgroup_delete", args=[ana.group.pk])

    response = client_for(administrator).post(url, {"post": "yes"})

    assert "has 1 agent: move them to another group first" in response.content.decode()
    assert AgentGroup.objects.filter(pk=ana.group.pk).exists()


def test_agent_with_events_is_not_deleted(ana, client_for, administrator):
    StatusEvent.objects.create(
        agent=ana,
        group=ana.group,
        kind="status",
        status="available",
        started_at=timezone.now(),
        source="admin",
    )
    selected = {
        "action": "delete_selected",
        helpers.ACTION_CHECKBOX_NAME: [ana.pk],
        "post": "yes",
    }

    response = client_for(administrator).post(AGENTS, selected)

    assert "Agent “ana” has 1 recorded event" in response.content.decode()
    assert Agent.objects.filter(pk=ana.pk).exists()


def test_agent_without_events_is_deleted(nocode, client_for, administrator):
    url = reverse("admin:agents_agent_delete", args=[nocode.pk])

    assert client_for(administrator).post(url, {"post": "yes"}).status_code == 302
    assert not Agent.objects.filter(pk=nocode.pk).exists()


def test_agent_history_shows_a_move_between_groups(ana, sales_group, client_for, administrator):
    client = client_for(administrator)
    url = reverse("admin:agents_agent_change", args=[ana.pk])
    data = change_form_data(client.get(url))
    data["group"] = str(sales_group.pk)
    assert client.post(url, data).status_code == 302

    content = client.get(reverse("admin:agents_agent_history", args=[ana.pk])).content.decode()

    assert "Support Tier 1" in content and "Sales Team" in content
    assert ana.history.latest().history_user == administrator


def test_a_new_group_in_the_agent_form_is_a_change_point_of_the_timeline(
    ana, sales_group, client_for, administrator
):
    from agents.services import agent_perform_action

    agent_perform_action(agent=ana, action="login", source="console")
    agent_perform_action(agent=ana, action="take_break", code="SHORT", source="console")
    client = client_for(administrator)
    url = reverse("admin:agents_agent_change", args=[ana.pk])
    data = change_form_data(client.get(url))
    data["group"] = str(sales_group.pk)
    assert client.post(url, data).status_code == 302
    _login, before, after = StatusEvent.objects.filter(agent=ana).order_by("started_at")
    assert before.ended_at == after.started_at
    assert (after.group, after.status, after.code) == (sales_group, "on_break", before.code)
    assert (after.source, after.changed_by) == ("group_move", administrator)
    # Saving again without a new group records nothing more.
    assert client.post(url, change_form_data(client.get(url))).status_code == 302
    assert StatusEvent.objects.filter(agent=ana).count() == 3


def test_a_group_its_agents_left_keeps_its_history(ana, sales_group, client_for, administrator):
    from agents.services import agent_perform_action, agent_save

    support = ana.group
    agent_perform_action(agent=ana, action="login", source="console")
    ana.group = sales_group
    agent_save(agent=ana)
    url = reverse("admin:agents_agentgroup_delete", args=[support.pk])

    response = client_for(administrator).post(url, {"post": "yes"})

    assert "has history: events recorded while agents were in it" in response.content.decode()
    assert AgentGroup.objects.filter(pk=support.pk).exists()
