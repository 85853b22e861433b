"""A group's page adds agents to the group, moving them from their group, with the admin's own
autocomplete; pickers name people in full and find them by first or last name."""

import json
import re

import pytest
from django.urls import reverse

from agents.models import Agent
from agents.services import agent_perform_action
from tests.admin_forms import change_form_data
from tests.conftest import make_user
from tests.doors.conftest import in_role

pytestmark = pytest.mark.django_db


def group_url(group):
    return reverse("admin:agents_agentgroup_change", args=[group.pk])


def test_the_group_page_offers_add_agents_with_the_admins_autocomplete(
    support_group, client_for, administrator
):
    html = client_for(administrator).get(group_url(support_group)).content.decode()
    select = re.search(r'<select name="add_agents"[^>]*>', html).group(0)
    assert "admin-autocomplete" in select
    assert 'data-ajax--url="/admin/autocomplete/"' in select
    assert '<label for="id_add_agents">Add agents:</label>' in html


def test_adding_an_agent_moves_them_into_the_group_and_records_it(
    support_group, sam, ana, client_for, administrator
):
    client = client_for(administrator)
    data = change_form_data(client.get(group_url(support_group)))
    data["add_agents"] = [str(sam.pk), str(ana.pk)]  # ana is already in the group
    response = client.post(group_url(support_group), data, follow=True)
    assert response.status_code == 200
    sam.refresh_from_db()
    assert sam.group == support_group
    message = " ".join(re.findall(r'<li class="success">(.*?)</li>', response.content.decode()))
    assert "1 agent moved into “Support Tier 1”: sam from “Sales Team”." in message.replace(
        "&ldquo;", "“"
    ).replace("&rdquo;", "”")
    latest = sam.history.latest()
    assert latest.group_id == support_group.pk
    assert latest.history_user == administrator
    assert latest.prev_record.group.name == "Sales Team"
    ana.refresh_from_db()
    assert ana.group == support_group


def test_the_moved_agents_events_stay_theirs(support_group, sam, client_for, administrator):
    agent_perform_action(agent=sam, action="login", source="console")
    sales = sam.group
    client = client_for(administrator)
    data = change_form_data(client.get(group_url(support_group)))
    data["add_agents"] = [str(sam.pk)]
    client.post(group_url(support_group), data)
    # The login stays in Sales; the move goes on in the same status, in Support.
    login, move = sam.events.order_by("started_at")
    assert (login.group, login.source, login.ended_at) == (sales, "console", move.started_at)
    assert (move.group, move.source, move.status) == (support_group, "group_move", login.status)
    assert move.changed_by == administrator
    assert Agent.objects.get(pk=sam.pk).group == support_group


def test_a_new_group_can_be_made_with_its_agents(sam, client_for, administrator):
    client = client_for(administrator)
    url = reverse("admin:agents_agentgroup_add")
    data = change_form_data(client.get(url))
    data.update({"name": "Night shift", "add_agents": [str(sam.pk)]})
    assert client.post(url, data).status_code == 302
    sam.refresh_from_db()
    assert sam.group.name == "Night shift"


def test_an_unknown_agent_is_refused_and_nothing_moves(
    support_group, sam, client_for, administrator
):
    client = client_for(administrator)
    data = change_form_data(client.get(group_url(support_group)))
    data["add_agents"] = [str(sam.pk), "999999"]
    response = client.post(group_url(support_group), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    sam.refresh_from_db()
    assert sam.group.name == "Sales Team"


def test_readers_of_the_group_see_no_add_agents(support_group, client_for):
    reader = in_role(make_user("reader", is_staff=True), "Supervisors")
    html = client_for(reader).get(group_url(support_group)).content.decode()
    assert "add_agents" not in html


def autocomplete(client, model_name, field_name, term):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "agents", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in json.loads(response.content)["results"]]


def test_the_agents_picker_finds_agents_by_name_and_names_them_in_full(
    sam, ana, client_for, administrator
):
    sam.user.first_name, sam.user.last_name = "Sam", "Carter"
    sam.user.save()
    assert autocomplete(client_for(administrator), "statusevent", "agent", "carter") == [
        "Sam Carter (sam)"
    ]


def test_the_supervisors_picker_shows_full_names_and_searches_them(support_group, client_for):
    administrator = in_role(make_user("role_admin", is_staff=True), "Administrators")
    make_user("mar", first_name="Mar", last_name="Vidal")
    make_user("lucia", first_name="Lucía", last_name="Martín")
    make_user("maria", first_name="María", last_name="López")
    # "mar" finds María, and Lucía by her last name: the full names tell them apart.
    texts = autocomplete(client_for(administrator), "agentgroup", "supervisors", "mar")
    assert texts == ["Lucía Martín (lucia)", "Mar Vidal (mar)", "María López (maria)"]
    assert autocomplete(client_for(administrator), "agentgroup", "supervisors", "lópez") == [
        "María López (maria)"
    ]


def test_the_chosen_supervisors_are_shown_in_full(
    support_group, supervisor_a, client_for, administrator
):
    supervisor_a.first_name, supervisor_a.last_name = "Ada", "Lovelace"
    supervisor_a.save()
    html = client_for(administrator).get(group_url(support_group)).content.decode()
    assert re.search(r'<option value="\d+" selected>Ada Lovelace \(supervisor_a\)</option>', html)
    groups = client_for(administrator).get(reverse("admin:agents_agentgroup_changelist"))
    assert "Ada Lovelace (supervisor_a)" in groups.content.decode()
