"""Administrators manage subscriptions for supervisors in the admin; the filters are checked in
the owner's scope when saved."""

import pytest
from django.contrib.auth.models import Permission

from schedules.models import ReportSubscription


@pytest.fixture
def admin_client(administrator, client_for):
    administrator.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="schedules")
    )
    return client_for(administrator)


def form(owner, **fields):
    return {
        "owner": owner.pk,
        "report": "rejections",
        "query": "tz=UTC",
        "frequency": "daily",
        "weekday": "",
        "send_time": "07:00",
        "file_format": "csv",
        "language": "en",
        "active": "on",
        "runs-TOTAL_FORMS": "0",
        "runs-INITIAL_FORMS": "0",
        "runs-MIN_NUM_FORMS": "0",
        "runs-MAX_NUM_FORMS": "0",
        **fields,
    }


def test_an_administrator_subscribes_a_supervisor(admin_client, supervisor_a, support_group):
    answer = admin_client.post(
        "/admin/schedules/reportsubscription/add/", form(supervisor_a, query="tz=UTC&page=3")
    )
    assert answer.status_code == 302, answer.content
    subscription = ReportSubscription.objects.get()
    assert subscription.owner == supervisor_a
    assert subscription.query == "tz=UTC"
    # Its first file goes at the next send time, not at once.
    assert subscription.last_period_end is not None
    assert (
        admin_client.get(
            f"/admin/schedules/reportsubscription/{subscription.pk}/change/"
        ).status_code
        == 200
    )


def test_a_group_the_owner_does_not_supervise_is_refused(
    admin_client, supervisor_a, support_group, sales_group
):
    answer = admin_client.post(
        "/admin/schedules/reportsubscription/add/",
        form(supervisor_a, query=f"group={sales_group.pk}"),
    )
    assert answer.status_code == 200
    assert "Group: Select a valid choice" in answer.text
    assert not ReportSubscription.objects.exists()


def test_an_owner_who_reads_no_report_is_refused(admin_client, ana):
    answer = admin_client.post("/admin/schedules/reportsubscription/add/", form(ana.user))
    assert answer.status_code == 200
    assert "This user may read no report" in answer.text
    assert not ReportSubscription.objects.exists()


def test_supervisors_have_no_admin_door_to_subscriptions(supervisor_a, client_for):
    answer = client_for(supervisor_a).get("/admin/schedules/reportsubscription/")
    assert answer.status_code == 302
