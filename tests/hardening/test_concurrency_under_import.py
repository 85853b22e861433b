"""No lost time under load: live status changes while history is imported for the same agents.

Threads change the statuses of six agents through `agent_perform_action` (two threads per
agent, so each agent's changes also race each other) while two other threads import older
history (`events_import`) for overlapping sets of those agents, day by day. Afterwards every
agent's timeline chains exactly (no overlap, no gap, one ongoing interval) and the time-by-code
report adds up, to the microsecond, to the intervals it is computed from.
"""

import csv
import io
import random
import threading
from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from agents.history_import import events_import, read_events_csv
from agents.models import Agent, StatusEvent
from agents.services import ActionRefused, agent_perform_action, agent_reject_interaction
from core.choices import AgentStatus
from reports.selectors.time_by_code import REPORTED_STATUSES, TimeByCodeReport
from reports.selectors.window import Window
from tests.conftest import make_agent

AGENTS = 6
THREADS_PER_AGENT = 2
CHANGES_PER_THREAD = 10
# Two imports of older history, for overlapping agents: (agent indexes, days before today).
IMPORTS = [(range(0, 4), (3, 2, 1)), (range(2, 6), (6, 5, 4))]
HISTORY_DAYS = 6
# One day of imported history: (hour, minute, event, code).
IMPORTED_DAY = [
    (8, 0, "available", ""),
    (8, 30, "reject_phone", "CASE"),
    (10, 0, "on_break", "LUNCH"),
    (10, 30, "available", ""),
    (12, 0, "work_offline", "MEETING"),
    (13, 0, "on_break", "SHORT"),  # another code without going available: a second interval
    (13, 15, "available", ""),
    (16, 0, "logged_out", "EOS"),
]
LIVE_MOVES = [
    ("take_break", "LUNCH"),
    ("take_break", "SHORT"),
    ("work_offline", "MEETING"),
    ("work_offline", "TRAINING"),
    ("go_available", None),
    ("reject", "CASE"),
]
ONE_MICROSECOND = timedelta(microseconds=1)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite's in-memory test database is not shared across threads",
    ),
]


def day_file(agents: list[Agent], day) -> bytes:
    """One day of history for `agents` as an import_events CSV file, rows shuffled."""
    rows = [
        (
            datetime.combine(day, time(hour, minute + index), tzinfo=UTC).isoformat(),
            agent.username,
            event,
            code,
        )
        for index, agent in enumerate(agents)
        for hour, minute, event, code in IMPORTED_DAY
    ]
    random.Random(day.toordinal()).shuffle(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["timestamp", "agent", "event", "code"])
    writer.writerows(rows)
    return out.getvalue().encode()


def run_in_thread(work, barrier, outcome, lock):
    try:
        barrier.wait()
        work(outcome, lock)
    except Exception as exc:  # noqa: BLE001 - reported by the test, not swallowed
        with lock:
            outcome["errors"].append(repr(exc))
    finally:
        connection.close()


def live_changes(agent: Agent, seed: int):
    def work(outcome, lock):
        rng = random.Random(seed)
        for _ in range(CHANGES_PER_THREAD):
            action, code = rng.choice(LIVE_MOVES)
            try:
                if action == "reject":
                    agent_reject_interaction(agent=agent, channel="phone", code=code, source="api")
                    key = ("rejections", agent.username)
                else:
                    agent_perform_action(agent=agent, action=action, code=code, source="api")
                    key = ("changes", agent.username)
            except ActionRefused:
                key = ("refused", agent.username)
            with lock:
                outcome["counts"][key] += 1

    return work


def history_import(files: list[bytes]):
    def work(outcome, lock):
        for content in files:
            summary = events_import(rows=read_events_csv(io.BytesIO(content)))
            with lock:
                outcome["imported"].append(summary)

    return work


def clipped_us(event: StatusEvent, start: datetime, now: datetime) -> int:
    """Microseconds of the event's interval inside [start, now)."""
    end = min(event.ended_at or now, now)
    return max((end - max(event.started_at, start)) // ONE_MICROSECOND, 0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_live_changes_during_history_imports_lose_no_time(support_group):
    agents = [make_agent(f"agent{index}", support_group) for index in range(AGENTS)]
    for agent in agents:
        agent_perform_action(agent=agent, action="login", source="api")
    today = timezone.now().astimezone(UTC).date()
    imports = [
        [day_file([agents[i] for i in indexes], today - timedelta(days=ago)) for ago in days_ago]
        for indexes, days_ago in IMPORTS
    ]

    outcome = {"counts": Counter(), "imported": [], "errors": []}
    works = [
        live_changes(agent, seed=index * THREADS_PER_AGENT + copy)
        for index, agent in enumerate(agents)
        for copy in range(THREADS_PER_AGENT)
    ] + [history_import(files) for files in imports]
    barrier, lock = threading.Barrier(len(works)), threading.Lock()
    threads = [
        threading.Thread(target=run_in_thread, args=(w, barrier, outcome, lock)) for w in works
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads), "a thread hung (a deadlock?)"
    assert outcome["errors"] == []
    assert len(outcome["imported"]) == sum(len(days) for _, days in IMPORTS)
    counts = outcome["counts"]
    assert sum(counts[("changes", agent.username)] for agent in agents) > AGENTS

    imported_days = Counter()
    for indexes, days_ago in IMPORTS:
        for index in indexes:
            imported_days[agents[index].username] += len(days_ago)
    statuses_per_day = sum(1 for *_, event, _ in IMPORTED_DAY if not event.startswith("reject"))
    rejections_per_day = len(IMPORTED_DAY) - statuses_per_day

    for agent in agents:
        name = agent.username
        intervals = list(
            StatusEvent.objects.status_changes().filter(agent=agent).order_by("started_at")
        )
        assert len(intervals) == (
            1 + counts[("changes", name)] + imported_days[name] * statuses_per_day
        ), name
        assert StatusEvent.objects.rejections().filter(agent=agent).count() == (
            counts[("rejections", name)] + imported_days[name] * rejections_per_day
        ), name
        assert [interval.ended_at for interval in intervals].count(None) == 1, name
        assert intervals[-1].ended_at is None, name
        assert intervals[0].previous_status == "", name
        for earlier, later in zip(intervals, intervals[1:], strict=False):
            assert earlier.ended_at == later.started_at, (name, earlier, later)  # no gap, overlap
            assert later.previous_status == earlier.status, (name, later)

    # The report adds up to the intervals, microsecond for microsecond.
    now = timezone.now()
    window = Window(
        date_from=today - timedelta(days=HISTORY_DAYS),
        date_to=now.astimezone(UTC).date(),
        zone=ZoneInfo("UTC"),
    )
    expected_by_code, expected_logged_in = defaultdict(int), defaultdict(int)
    for event in StatusEvent.objects.status_changes().select_related("agent__user", "code"):
        us = clipped_us(event, window.start, now)
        name = event.agent.username
        if event.status != AgentStatus.LOGGED_OUT:
            expected_logged_in[name] += us
        if event.status in REPORTED_STATUSES and us:
            expected_by_code[(name, event.status, event.code.code if event.code else "")] += us

    report = TimeByCodeReport(agents=Agent.objects.all(), window=window, now=now)
    reported_by_code = defaultdict(int)
    for row in report.rows():
        reported_by_code[(row.agent, row.status, row.code)] += row.figures.us
    assert dict(reported_by_code) == dict(expected_by_code)

    summary = report.page(order=(), offset=0, limit=1).summary
    reported_logged_in = {
        subtotal.key: subtotal.figures.logged_in_us for subtotal in summary["by_agent"]
    }
    assert reported_logged_in == dict(expected_logged_in)
    assert summary["total"].us == sum(expected_by_code.values())
