"""The scheduled reports' admin doors: the Administrators role and superusers manage every
reader's subscriptions; the Supervisors role and everyone else are refused (a supervisor
manages their own under /reports/subscriptions/)."""

from datetime import time

import pytest

from schedules.models import ReportSubscription
from schedules.services import subscription_create
from tests.doors.test_admin_doors import DONE, FORBIDDEN, OK, assert_answer, cases

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = "/admin/schedules/reportsubscription/"


@pytest.fixture
def subscription(supervisor_a, support_group):
    return subscription_create(
        owner=supervisor_a,
        report="status-changes",
        query="tz=UTC",
        frequency="daily",
        send_time=time(7, 0),
        file_format="csv",
    )


DOORS = [
    ("subscription page", (FORBIDDEN, OK, OK)),
    ("delete", (FORBIDDEN, DONE, DONE)),
]


@pytest.mark.parametrize(("door", "role", "expected"), cases(DOORS))
def test_schedules_admin_door(caller, subscription, door, role, expected):
    client = caller(role)

    def observe():
        return ReportSubscription.objects.filter(pk=subscription.pk).exists()

    before = observe()
    if door == "subscription page":
        response = client.get(f"{SUBSCRIPTIONS}{subscription.pk}/change/")
    else:
        response = client.post(f"{SUBSCRIPTIONS}{subscription.pk}/delete/", {"post": "yes"})
    assert_answer(response, expected, before, observe())
