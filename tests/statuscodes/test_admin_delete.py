"""A code or list that recorded events use is never deleted: page, bulk action and inline."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from agents.models import AgentGroup, StatusEvent
from statuscodes.admin import StatusCodeAdmin
from statuscodes.models import StatusCode, StatusCodeList

from ..admin_forms import change_form_data, inline_prefix


@pytest.fixture
def lunch_taken(ana):
    """Ana is on a lunch break: the Support list's LUNCH code is in use."""
    lunch = StatusCode.objects.get(code_list__name="Support", code="LUNCH")
    StatusEvent.objects.create(
        agent=ana,
        group=ana.group,
        kind="status",
        status="on_break",
        code=lunch,
        started_at=timezone.now(),
        source="admin",
    )
    return lunch


def test_delete_page_refuses_a_used_code_and_points_to_deactivation(
    lunch_taken, client_for, administrator
):
    client = client_for(administrator)
    url = reverse("admin:statuscodes_statuscode_delete", args=[lunch_taken.pk])

    page = client.get(url).content.decode()
    response = client.post(url, {"post": "yes"})

    assert "is used by 1 recorded event" in page
    assert "Untick “active” instead" in page
    assert 'type="submit"' not in page.split('id="content"')[1].split("</main>")[0]
    assert response.status_code == 200
    assert StatusCode.objects.filter(pk=lunch_taken.pk).exists()


def test_bulk_delete_refuses_when_any_selected_code_is_used(lunch_taken, client_for, administrator):
    short = StatusCode.objects.get(code_list__name="Support", code="SHORT")
    selected = {
        "action": "delete_selected",
        helpers.ACTION_CHECKBOX_NAME: [lunch_taken.pk, short.pk],
    }
    client = client_for(administrator)
    url = reverse("admin:statuscodes_statuscode_changelist")

    page = client.post(url, selected).content.decode()
    confirmed = client.post(url, {**selected, "post": "yes"})

    assert "nothing was deleted" in page
    assert "Status code “Support / LUNCH” is used by 1 recorded event" in page
    assert confirmed.status_code == 200
    assert StatusCode.objects.filter(pk__in=[lunch_taken.pk, short.pk]).count() == 2


def test_inline_delete_of_a_used_code_is_refused_and_the_list_is_unchanged(
    lunch_taken, client_for, administrator
):
    client = client_for(administrator)
    url = reverse("admin:statuscodes_statuscodelist_change", args=[lunch_taken.code_list_id])
    page = client.get(url)
    data = change_form_data(page)
    data[f"{inline_prefix(page, 'LUNCH')}-DELETE"] = "on"
    data[f"{inline_prefix(page, 'SHORT')}-label_en"] = "Coffee break"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Status code “Support / LUNCH” is used by 1 recorded event" in response.content.decode()
    assert StatusCode.objects.filter(pk=lunch_taken.pk).exists()
    assert StatusCode.objects.get(code_list__name="Support", code="SHORT").label_en == "Short Break"


def test_inline_delete_of_an_unused_code_works(support_list, client_for, administrator):
    client = client_for(administrator)
    url = reverse("admin:statuscodes_statuscodelist_change", args=[support_list.pk])
    page = client.get(url)
    data = change_form_data(page)
    data[f"{inline_prefix(page, 'RETIRED')}-DELETE"] = "on"

    assert client.post(url, data).status_code == 302
    assert not support_list.codes.filter(code="RETIRED").exists()


def test_deleting_an_unused_code_works(support_list, client_for, administrator):
    retired = support_list.codes.get(code="RETIRED")
    url = reverse("admin:statuscodes_statuscode_delete", args=[retired.pk])

    response = client_for(administrator).post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not StatusCode.objects.filter(pk=retired.pk).exists()


def test_list_with_used_codes_is_not_deleted(lunch_taken, client_for, administrator):
    AgentGroup.objects.filter(code_list=lunch_taken.code_list).update(code_list=None)
    url = reverse("admin:statuscodes_statuscodelist_delete", args=[lunch_taken.code_list_id])

    response = client_for(administrator).post(url, {"post": "yes"})

    page = response.content.decode()
    assert "Status code list “Support” has codes used by 1 recorded event" in page
    assert "Untick “active” instead" in page
    assert StatusCodeList.objects.filter(pk=lunch_taken.code_list_id).exists()
    assert StatusCode.objects.filter(code_list_id=lunch_taken.code_list_id).count() == 9


def test_list_assigned_to_a_group_is_not_deleted(support_group, client_for, administrator):
    url = reverse("admin:statuscodes_statuscodelist_changelist")
    selected = {
        "action": "delete_selected",
        helpers.ACTION_CHECKBOX_NAME: [support_group.code_list_id],
        "post": "yes",
    }

    response = client_for(administrator).post(url, selected)

    assert "assigned to the agent groups “Support Tier 1”" in response.content.decode()
    assert StatusCodeList.objects.filter(pk=support_group.code_list_id).exists()


def test_unused_list_is_deleted_with_its_codes(sales_list, client_for, administrator):
    url = reverse("admin:statuscodes_statuscodelist_changelist")
    selected = {
        "action": "delete_selected",
        helpers.ACTION_CHECKBOX_NAME: [sales_list.pk],
        "post": "yes",
    }

    response = client_for(administrator).post(url, selected, follow=True)

    assert "Successfully deleted 1 status code list." in response.content.decode()
    assert not StatusCodeList.objects.exists()
    assert not StatusCode.objects.exists()


def test_code_coming_into_use_after_the_check_gives_a_message_not_an_error(
    lunch_taken, client_for, administrator, monkeypatch
):
    # As if an agent took a lunch break between the page's check and the deletion.
    monkeypatch.setattr(
        StatusCodeAdmin, "get_deleted_objects", lambda self, objs, request: ([], {}, set(), [])
    )
    url = reverse("admin:statuscodes_statuscode_delete", args=[lunch_taken.pk])

    response = client_for(administrator).post(url, {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert "Nothing was deleted: it came into use meanwhile" in response.content.decode()
    assert StatusCode.objects.filter(pk=lunch_taken.pk).exists()
