"""The timeline in the admin is read-only, even for superusers."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from agents.models import StatusEvent
from agents.services import agent_perform_action, agent_save


@pytest.fixture
def lunch_break(ana):
    return StatusEvent.objects.create(
        agent=ana,
        group=ana.group,
        kind="status",
        status="on_break",
        code=ana.group.code_list.codes.get(code="LUNCH"),
        started_at=timezone.now(),
        source="admin",
    )


@pytest.mark.parametrize("who", ["superuser", "administrator"])
def test_events_cannot_be_added_changed_or_deleted(request, who, lunch_break, client_for):
    client = client_for(request.getfixturevalue(who))
    change_url = reverse("admin:agents_statusevent_change", args=[lunch_break.pk])

    added = client.post(
        reverse("admin:agents_statusevent_add"),
        {"agent": lunch_break.agent_id, "kind": "status", "status": "available"},
    )
    changed = client.post(change_url, {"status": "available", "source": "admin"})
    deleted = client.post(
        reverse("admin:agents_statusevent_delete", args=[lunch_break.pk]), {"post": "yes"}
    )
    bulk = client.post(
        reverse("admin:agents_statusevent_changelist"),
        {
            "action": "delete_selected",
            helpers.ACTION_CHECKBOX_NAME: [lunch_break.pk],
            "post": "yes",
        },
    )

    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert bulk.status_code == 200
    lunch_break.refresh_from_db()
    assert (lunch_break.status, lunch_break.code.code) == ("on_break", "LUNCH")
    assert StatusEvent.objects.count() == 1


def test_event_page_shows_the_event_without_a_save_button(lunch_break, client_for, superuser):
    url = reverse("admin:agents_statusevent_change", args=[lunch_break.pk])

    page = client_for(superuser).get(url).content.decode()

    assert "Support / LUNCH" in page
    assert 'name="_save"' not in page
    assert "Delete" not in page.split('id="content"')[1].split("</main>")[0]


def test_the_list_shows_and_filters_each_events_group_at_the_time(
    client_for, superuser, ana, support_group, sales_group
):
    with time_machine.travel(datetime(2025, 3, 3, 8, 0, tzinfo=UTC), tick=False) as clock:
        agent_perform_action(agent=ana, action="login", source="console")
        clock.move_to(datetime(2025, 3, 3, 12, 0, tzinfo=UTC))
        ana.group = sales_group
        agent_save(agent=ana)
        clock.move_to(datetime(2025, 3, 3, 13, 0, tzinfo=UTC))
        agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
    url = reverse("admin:agents_statusevent_changelist")
    client = client_for(superuser)

    def listed(**filters):
        page = client.get(url, filters)
        return [
            (event.started_at.hour, event.group.name) for event in page.context["cl"].result_list
        ]

    # ana is in Sales now; her login was in Support.
    assert listed() == [(13, "Sales Team"), (12, "Sales Team"), (8, "Support Tier 1")]
    assert listed(group__id__exact=support_group.pk) == [(8, "Support Tier 1")]
    assert listed(group__id__exact=sales_group.pk) == [(13, "Sales Team"), (12, "Sales Team")]
    page = client.get(url).content.decode()
    assert '<td class="field-group nowrap">Support Tier 1</td>' in page
    # The sidebar's group filter is the events' own group.
    assert f'href="?group__id__exact={support_group.pk}"' in page
