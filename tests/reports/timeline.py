"""Consistent timelines for report tests, written directly (production writes go through services).

`timeline(agent, (start, status[, code]), ...)` bulk-creates an agent's status changes as
docs/timeline.md chains them: each interval ends where the next begins, the last is ongoing,
`previous_status` is the preceding change's status. `rejection(agent, at, channel, code)` adds
a rejection. Codes are given by key and looked up in the agent's group's list.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import time_machine

from agents.models import Agent, AgentGroup, StatusEvent
from agents.services import agent_perform_action, agent_save
from core.choices import EventKind, EventSource
from statuscodes.models import StatusCode


def at(text: str, zone: str = "UTC") -> datetime:
    """An instant from local wall-clock text `YYYY-MM-DD HH:MM[:SS[.ffffff]]` in `zone`."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _code(agent: Agent, key: str | None) -> StatusCode | None:
    if key is None:
        return None
    return StatusCode.objects.get(code_list=agent.group.code_list, code=key)


def timeline(
    agent: Agent,
    *steps: tuple,
    source: str = EventSource.CONSOLE,
    group: AgentGroup | None = None,
) -> list[StatusEvent]:
    """The agent's status changes, in order; the last one stays ongoing. They record `group`
    (default: the agent's group now) as the agent's group at the time."""
    events = []
    previous_status = ""
    for index, (started_at, status, *code) in enumerate(steps):
        ended_at = steps[index + 1][0] if index + 1 < len(steps) else None
        events.append(
            StatusEvent(
                agent=agent,
                group=group or agent.group,
                kind=EventKind.STATUS,
                status=status,
                previous_status=previous_status,
                code=_code(agent, code[0] if code else None),
                started_at=started_at,
                ended_at=ended_at,
                source=source,
            )
        )
        previous_status = status
    return StatusEvent.objects.bulk_create(events)


def rejection(
    agent: Agent, started_at: datetime, channel: str, code: str | None = None
) -> StatusEvent:
    return StatusEvent.objects.create(
        agent=agent,
        group=agent.group,
        kind=EventKind.REJECTION,
        channel=channel,
        code=_code(agent, code),
        started_at=started_at,
        source=EventSource.CONSOLE,
    )


def live_day(
    agent: Agent,
    steps: list[tuple],
    *,
    day: str,
    zone: str = "UTC",
    move_to: AgentGroup | None = None,
    changed_by=None,
) -> None:
    """The agent's `steps` (`HH:MM`, action, code) done through the services, the clock at each
    step's local time of `day` in `zone`; the action `move` moves the agent to `move_to`, by
    `changed_by` (as the admin does)."""
    with time_machine.travel(at(f"{day} 00:00", zone), tick=False) as clock:
        for moment, action, code in steps:
            clock.move_to(at(f"{day} {moment}", zone))
            agent.refresh_from_db()
            if action == "move":
                agent.group = move_to
                agent_save(agent=agent, changed_by=changed_by)
            else:
                agent_perform_action(agent=agent, action=action, code=code, source="console")
