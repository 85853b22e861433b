"""The agent's day in the admin (docs/admin.md): the group's "Automatic statuses", the code's
automatic end, and who changed what in the event list."""

import pytest
from django.urls import reverse

from agents.models import AgentGroup, StatusEvent
from agents.services import agent_perform_action, agent_supervise
from statuscodes.models import StatusCode
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def group_page(client, group):
    return client.get(reverse("admin:agents_agentgroup_change", args=[group.pk]))


def test_the_group_form_shows_the_automatic_statuses(administrator, support_group, client_for):
    response = group_page(client_for(administrator), support_group)
    html = response.content.decode()
    assert "Automatic statuses" in html
    for field in ("status_after_rejection", "status_after_missed", "auto_return_seconds"):
        assert f'name="{field}"' in html
    assert 'name="login_code"' in html and 'name="timeout_action"' in html


def test_the_group_saves_its_automatic_statuses(administrator, support_group, client_for):
    client = client_for(administrator)
    data = change_form_data(group_page(client, support_group))
    short = StatusCode.objects.get(code_list=support_group.code_list, code="SHORT")
    data |= {
        "status_after_rejection": "work_offline",
        "auto_return_seconds": "90",
        "login_status": "on_break",
        "login_code": str(short.pk),
        "timeout_action": "go_available",
    }
    response = client.post(reverse("admin:agents_agentgroup_change", args=[support_group.pk]), data)
    assert response.status_code == 302
    group = AgentGroup.objects.get(pk=support_group.pk)
    assert (group.status_after_rejection, group.auto_return_seconds, group.login_code) == (
        "work_offline",
        90,
        short,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"login_status": "on_break", "code": "MEETING"}, "does not apply"),
        ({"login_status": "available", "code": "LUNCH"}, "Available carries no code"),
        ({"auto_return_seconds": "0"}, "greater than or equal to 1"),
    ],
)
def test_a_wrong_automatic_status_is_a_form_error(
    administrator, support_group, client_for, changes, message
):
    client = client_for(administrator)
    data = change_form_data(group_page(client, support_group))
    changes = dict(changes)
    if "code" in changes:
        code = StatusCode.objects.get(code_list=support_group.code_list, code=changes.pop("code"))
        changes["login_code"] = str(code.pk)
    response = client.post(
        reverse("admin:agents_agentgroup_change", args=[support_group.pk]), data | changes
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert AgentGroup.objects.get(pk=support_group.pk).login_code is None


def test_the_code_rows_show_the_automatic_end(administrator, support_list, client_for):
    url = reverse("admin:statuscodes_statuscodelist_change", args=[support_list.pk])
    html = client_for(administrator).get(url).content.decode()
    assert "auto_end_minutes" in html
    assert "Automatic end (minutes)" in html


def test_the_event_list_shows_who_changed_it_and_the_system_reason(
    ana, supervisor_a, administrator, client_for
):
    agent_perform_action(agent=ana, action="login", source="api")
    agent_supervise(agent=ana, action="logout", supervisor=supervisor_a)
    html = client_for(administrator).get(reverse("admin:agents_statusevent_changelist")).content
    html = html.decode()
    assert "Changed by" in html and "System reason" in html
    assert "supervisor_a" in html
    assert "Changed by a supervisor" in html


@pytest.fixture
def supervised_day(ana, sofia, supervisor_a):
    """ana logged out by supervisor_a (no reason); sofia on a break of her own."""
    for agent in (ana, sofia):
        agent_perform_action(agent=agent, action="login", source="console")
    agent_supervise(agent=ana, action="logout", supervisor=supervisor_a)
    agent_perform_action(agent=sofia, action="take_break", code="LUNCH", source="console")


def listed(client, **query) -> list[tuple]:
    """(agent, status, source, system reason, changed by) of each event the list shows."""
    response = client.get(reverse("admin:agents_statusevent_changelist"), query)
    assert response.status_code == 200
    return sorted(
        (
            e.agent.username,
            e.status,
            e.source,
            e.system_reason,
            getattr(e.changed_by, "username", ""),
        )
        for e in response.context["cl"].result_list
    )


def test_the_event_list_filters_by_who_changed_it(supervised_day, administrator, client_for):
    client = client_for(administrator)
    assert listed(client, changed_by_other="yes") == [
        ("ana", "logged_out", "supervisor", "supervisor", "supervisor_a")
    ]
    assert ("ana", "logged_out", "supervisor", "supervisor", "supervisor_a") not in listed(
        client, changed_by_other="no"
    )
    assert len(listed(client, changed_by_other="no")) == 3


def test_the_event_list_filters_by_source_and_system_reason(
    supervised_day, administrator, client_for
):
    client = client_for(administrator)
    expected = [("ana", "logged_out", "supervisor", "supervisor", "supervisor_a")]
    assert listed(client, source__exact="supervisor") == expected
    assert listed(client, system_reason__exact="supervisor") == expected
    assert [row[0] for row in listed(client, source__exact="console")] == ["ana", "sofia", "sofia"]


def test_the_event_list_is_searched_by_who_changed_it(supervised_day, administrator, client_for):
    client = client_for(administrator)
    assert listed(client, q="supervisor_a") == [
        ("ana", "logged_out", "supervisor", "supervisor", "supervisor_a")
    ]


def test_the_event_page_shows_source_reason_and_who_changed_it(
    supervised_day, ana, administrator, client_for
):
    event = StatusEvent.objects.ongoing().get(agent=ana)
    url = reverse("admin:agents_statusevent_change", args=[event.pk])
    html = client_for(administrator).get(url).content.decode()
    for label, value in [
        ("Source", "Supervisor"),
        ("System reason", "Changed by a supervisor"),
        ("Changed by", "supervisor_a"),
    ]:
        field = html.split(f"<label>{label}:</label>")[1].split("</div>")[0]
        assert value in field
