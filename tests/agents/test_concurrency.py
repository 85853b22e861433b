"""Concurrent changes for one agent are serialized; the timeline stays whole (docs/concepts.md,
"Recording a change")."""

import random
import threading

import pytest
from django.db import connection

from agents.models import StatusEvent
from agents.services import ActionRefused, agent_perform_action, agent_reject_interaction

THREADS = 8
CHANGES_PER_THREAD = 12

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite's in-memory test database is not shared across threads",
    ),
]


def fire(agent, seed, barrier, outcome, lock):
    """One client: a burst of random changes for `agent`, started with the others at once."""
    rng = random.Random(seed)
    moves = [
        ("take_break", "LUNCH"),
        ("take_break", "SHORT"),
        ("work_offline", "MEETING"),
        ("work_offline", "TRAINING"),
        ("go_available", None),
        ("reject", "CASE"),
    ]
    try:
        barrier.wait()
        for _ in range(CHANGES_PER_THREAD):
            action, code = rng.choice(moves)
            try:
                if action == "reject":
                    agent_reject_interaction(agent=agent, channel="phone", code=code, source="api")
                    key = "rejections"
                else:
                    agent_perform_action(agent=agent, action=action, code=code, source="api")
                    key = "changes"
            except ActionRefused:
                key = "refused"
            with lock:
                outcome[key] += 1
    except Exception as exc:  # noqa: BLE001 - reported by the test, not swallowed
        with lock:
            outcome["errors"].append(repr(exc))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_changes_for_one_agent_leave_no_overlap_and_no_gap(ana):
    agent_perform_action(agent=ana, action="login", source="api")
    outcome = {"changes": 0, "rejections": 0, "refused": 0, "errors": []}
    barrier, lock = threading.Barrier(THREADS), threading.Lock()
    threads = [
        threading.Thread(target=fire, args=(ana, seed, barrier, outcome, lock))
        for seed in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcome["errors"] == []
    assert outcome["changes"] + outcome["rejections"] + outcome["refused"] == (
        THREADS * CHANGES_PER_THREAD
    )
    assert outcome["changes"] > THREADS  # the threads did interleave real changes
    intervals = list(StatusEvent.objects.status_changes().filter(agent=ana).order_by("started_at"))
    assert len(intervals) == 1 + outcome["changes"]
    assert StatusEvent.objects.rejections().filter(agent=ana).count() == outcome["rejections"]
    assert [i.ended_at for i in intervals].count(None) == 1
    for earlier, later in zip(intervals, intervals[1:], strict=False):
        assert earlier.ended_at == later.started_at  # no overlap, no gap
        assert later.previous_status == earlier.status
        assert (earlier.status, earlier.code_id) != (later.status, later.code_id)
    assert intervals[-1].ended_at is None
