"""Two workers at one send time (PostgreSQL): a subscription another worker holds is skipped,
so its period is mailed once."""

import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from schedules.models import ReportSubscription
from schedules.services import subscription_send
from tests.reports.timeline import at

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has no row locks (its writers take turns instead)",
    ),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_subscription_held_by_another_worker_is_skipped(supervisor_a, ana, subscribe):
    subscription = subscribe(supervisor_a)
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                ReportSubscription.objects.select_for_update().get(pk=subscription.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        skipped = subscription_send(subscription_id=subscription.pk, now=at("2025-03-03 07:00"))
    finally:
        release.set()
        thread.join()
    assert skipped is None
    assert mail.outbox == []
    # Once the other worker lets go, the period is sent, and once.
    assert subscription_send(subscription_id=subscription.pk, now=at("2025-03-03 07:00"))
    assert subscription_send(subscription_id=subscription.pk, now=at("2025-03-03 07:00")) is None
    assert len(mail.outbox) == 1
