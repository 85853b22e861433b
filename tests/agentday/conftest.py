"""Helpers of the agent's day tests (docs/concepts.md, "The agent's day"): an integration user,
the clock, and the timeline read back as plain tuples to compare with hand-made ones."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission

from agents.models import StatusEvent
from agents.services import agent_perform_action, agent_set_system_status
from tests.conftest import make_user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def integration(db):
    """A user allowed to act for other agents, as the telephony integration would be."""
    user = make_user("telephony")
    user.user_permissions.add(Permission.objects.get(codename="act_for_other_agents"))
    return user


@pytest.fixture
def clock():
    """The clock, stopped at T0 (09:00 UTC); `clock.move_to(instant)` moves it."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def timeline(agent):
    """(start, status, code key or system reason, source, changed_by username) per interval."""
    events = (
        StatusEvent.objects.status_changes()
        .filter(agent=agent)
        .select_related("code", "changed_by")
        .order_by("started_at")
    )
    return [
        (
            e.started_at,
            e.status,
            e.code.code if e.code else e.system_reason,
            e.source,
            e.changed_by.username if e.changed_by else None,
        )
        for e in events
    ]


def rejections(agent):
    """(at, channel, code key or system reason, missed, source) per rejection."""
    events = (
        StatusEvent.objects.rejections()
        .filter(agent=agent)
        .select_related("code")
        .order_by("started_at")
    )
    return [
        (e.started_at, e.channel, e.code.code if e.code else e.system_reason, e.missed, e.source)
        for e in events
    ]


def login(agent):
    return agent_perform_action(agent=agent, action="login", source="api")


def busy(agent):
    return agent_set_system_status(agent=agent, status="busy", source="system")
