"""Several workers on one endpoint (PostgreSQL): a delivery one worker holds is skipped by the
others, and the agent's later messages wait behind it (docs/integrations.md, "Delivery")."""

import threading

import pytest
from django.db import connection, transaction

from agents.services import agent_perform_action
from feed import delivery as feed_delivery
from feed.models import Delivery, OutboxMessage

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has no row locks (its writers take turns instead)",
    ),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_locked_delivery_is_skipped_and_holds_back_its_agents_next(make_endpoint, ana, sam):
    endpoint, _ = make_endpoint()
    agent_perform_action(agent=ana, action="login", source="api")
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="api")
    agent_perform_action(agent=sam, action="login", source="api")
    ana_first, ana_second = OutboxMessage.objects.filter(agent=ana).order_by("pk")
    sam_first = OutboxMessage.objects.get(agent=sam)

    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                Delivery.objects.select_for_update().get(message=ana_first)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        claimed = feed_delivery._claim(endpoint)
    finally:
        release.set()
        thread.join()
    # Ana's first is another worker's; her second waits for it; Sam's is free.
    assert [d.message_id for d in claimed] == [sam_first.pk]
    assert ana_second.pk not in [d.message_id for d in claimed]
