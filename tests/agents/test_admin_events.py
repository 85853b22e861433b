"""The timeline in the admin is read-only, even for superusers."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from agents.models import StatusEvent


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
