"""The agent workflow rules (docs/concepts.md, "The workflow rules"), in one place.

Every live change of an agent's timeline goes through these functions, whichever door it comes
from (console, API): they check the transition and the status code, then record the change in
one transaction that holds the agent's row, so that one agent's changes queue up, and chain it
to the ongoing interval (`agents.timeline.chain`), so that the timeline never overlaps or
leaves a gap. The only other writer of events is the history import (`agents.history_import`),
which chains with the same function.

Also here: what blocks the deletion of an agent group or an agent (the admin shows it).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.choices import (
    ACTION_TARGET_STATUS,
    REJECTION_ACTION_OF_CHANNEL,
    AgentAction,
    AgentStatus,
    Channel,
    EventKind,
    EventSource,
)
from core.deletion import usage_counts
from statuscodes.models import StatusCode
from statuscodes.validators import CODE_KEY_MAX_LENGTH, is_code_key

from .locks import LockWaitTimeout, atomic_with_lock_timeout
from .models import Agent, AgentGroup, StatusEvent
from .selectors import AgentState, agent_current_state, agent_offered_codes, code_label
from .signals import interaction_rejected, status_changed
from .timeline import ONE_MICROSECOND, chain, next_start

__all__ = [
    "ActionRefused",
    "AgentState",
    "agent_allowed_actions",
    "agent_change_status",
    "agent_current_state",
    "agent_deletion_blockers",
    "agent_may_reject",
    "agent_offered_codes",
    "agent_perform_action",
    "agent_reject_interaction",
    "agent_set_system_status",
    "check_code_key",
    "group_deletion_blockers",
    "user_may_act_for_other_agents",
]

A = AgentAction
S = AgentStatus

# The transition matrix (docs/api.md, "Transitions"): the statuses each action may start from.
# Busy is left only by the system (post-processing) or by going available: an agent on an
# interaction neither takes a break, works offline nor logs out in the middle of it.
ACTION_ALLOWED_FROM: dict[str, frozenset[str]] = {
    A.LOGIN: frozenset({S.LOGGED_OUT}),
    A.GO_AVAILABLE: frozenset({S.BUSY, S.POST_PROCESSING, S.ON_BREAK, S.WORK_OFFLINE}),
    A.TAKE_BREAK: frozenset({S.AVAILABLE, S.POST_PROCESSING, S.ON_BREAK, S.WORK_OFFLINE}),
    A.WORK_OFFLINE: frozenset({S.AVAILABLE, S.POST_PROCESSING, S.ON_BREAK, S.WORK_OFFLINE}),
    A.LOGOUT: frozenset({S.AVAILABLE, S.POST_PROCESSING, S.ON_BREAK, S.WORK_OFFLINE}),
}

# Statuses set by integrations (the telephony or chat system), never chosen by the agent.
SYSTEM_STATUS_ALLOWED_FROM: dict[str, frozenset[str]] = {
    S.BUSY: frozenset({S.AVAILABLE, S.POST_PROCESSING}),
    S.POST_PROCESSING: frozenset({S.BUSY}),
}

# A logged-out agent is offered nothing, so cannot reject it.
REJECTION_ALLOWED_FROM = frozenset(set(S.values) - {S.LOGGED_OUT})

# The permission of the users behind integrations: they act for other agents and report the
# system statuses.
ACT_FOR_OTHER_AGENTS = "agents.act_for_other_agents"


class ActionRefused(Exception):
    """An action refused by the rule; nothing was recorded.

    `key` is the stable machine key of docs/api.md, `detail` the sentence shown to people.
    """

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(detail)
        self.key = key
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


def agent_allowed_actions(*, state: AgentState) -> list[str]:
    """The agent actions possible from `state`, in the vocabulary's order (core.choices)."""
    return [action for action, origins in ACTION_ALLOWED_FROM.items() if state.status in origins]


def agent_may_reject(*, state: AgentState) -> bool:
    """Whether an agent in `state` can reject an interaction (one is offered to them)."""
    return state.status in REJECTION_ALLOWED_FROM


def user_may_act_for_other_agents(*, user: AbstractBaseUser) -> bool:
    """Whether `user` (an integration) may act for other agents and report system statuses."""
    return user.has_perm(ACT_FOR_OTHER_AGENTS)


def agent_change_status(
    *, agent: Agent, action: str, code: str | None = None, actor: AbstractBaseUser, source: str
) -> AgentState:
    """Change the agent's status as `actor` asks: an agent action (`agent_perform_action`,
    recorded with `source`), or a system status (busy, post_processing), which only users who
    may act for other agents report, never with a code, and which is recorded as `system`.

    Raises ActionRefused, recording nothing, when the change is not allowed.
    """
    if action not in SYSTEM_STATUS_ALLOWED_FROM:
        return agent_perform_action(agent=agent, action=action, code=code, source=source)
    if not user_may_act_for_other_agents(user=actor):
        raise ActionRefused(
            "forbidden",
            _("Only integrations allowed to act for other agents set “%(status)s”.")
            % {"status": action},
        )
    if code:
        raise ActionRefused(
            "code_not_for_action",
            _("The system status “%(status)s” carries no status code.") % {"status": action},
        )
    return agent_set_system_status(agent=agent, status=action, source=EventSource.SYSTEM)


def agent_perform_action(
    *, agent: Agent, action: str, code: str | None = None, source: str
) -> AgentState:
    """Perform `action` (login, go_available, take_break, work_offline or logout) with `code`.

    Raises ActionRefused, recording nothing, when the transition or the code is not allowed.
    """
    _check_source(source)
    if action not in ACTION_ALLOWED_FROM:
        raise ActionRefused(
            "unknown_action",
            _("Unknown action “%(action)s”. The actions are: %(actions)s.")
            % {"action": action, "actions": ", ".join(ACTION_ALLOWED_FROM)},
        )
    code = _normalise_code(code)
    with _locked(agent) as agent:
        current = agent_current_state(agent=agent)
        if current.status not in ACTION_ALLOWED_FROM[action]:
            raise ActionRefused("invalid_transition", _transition_refusal(action, current))
        status_code = _resolve_code(agent=agent, action=action, code=code)
        if current.status == ACTION_TARGET_STATUS[action] and current.code == status_code:
            raise ActionRefused("invalid_transition", _already_there(current))
        return _record_status_change(
            agent=agent, status=ACTION_TARGET_STATUS[action], code=status_code, source=source
        )


def agent_set_system_status(*, agent: Agent, status: str, source: str) -> AgentState:
    """Put the agent in `status` (busy or post_processing), as reported by an integration.

    Raises ActionRefused, recording nothing, when the agent cannot go there from where they are.
    """
    _check_source(source)
    if status not in SYSTEM_STATUS_ALLOWED_FROM:
        raise ActionRefused(
            "unknown_action",
            _("Unknown system status “%(status)s”. The system statuses are: %(statuses)s.")
            % {"status": status, "statuses": ", ".join(SYSTEM_STATUS_ALLOWED_FROM)},
        )
    with _locked(agent) as agent:
        current = agent_current_state(agent=agent)
        origins = SYSTEM_STATUS_ALLOWED_FROM[status]
        if current.status not in origins:
            raise ActionRefused(
                "invalid_transition",
                _("An agent who is %(current)s cannot become %(status)s; only from: %(origins)s.")
                % {
                    "current": S(current.status).label.lower(),
                    "status": S(status).label.lower(),
                    "origins": ", ".join(str(S(o).label).lower() for o in sorted(origins)),
                },
            )
        return _record_status_change(agent=agent, status=status, code=None, source=source)


def agent_reject_interaction(
    *, agent: Agent, channel: str, code: str | None = None, source: str
) -> StatusEvent:
    """Record that the agent declined an interaction on `channel`, with `code`.

    A rejection is instantaneous: the agent's status does not change. Raises ActionRefused,
    recording nothing, when the agent is logged out or the code is not allowed.
    """
    _check_source(source)
    if channel not in REJECTION_ACTION_OF_CHANNEL:
        raise ActionRefused(
            "unknown_channel",
            _("Unknown channel “%(channel)s”. The channels are: %(channels)s.")
            % {"channel": channel, "channels": ", ".join(Channel.values)},
        )
    action = REJECTION_ACTION_OF_CHANNEL[channel]
    code = _normalise_code(code)
    with _locked(agent) as agent:
        current = agent_current_state(agent=agent)
        if not agent_may_reject(state=current):
            raise ActionRefused(
                "invalid_transition",
                _("A logged-out agent is offered no interaction to reject; log in first."),
            )
        status_code = _resolve_code(agent=agent, action=action, code=code)
        at = timezone.now()
        latest = (
            StatusEvent.objects.rejections()
            .filter(agent=agent, started_at__gte=at)
            .order_by("-started_at")
            .values_list("started_at", flat=True)
            .first()
        )
        if latest is not None:
            # Two rejections in the same microsecond (or a clock set back) still get an instant
            # of their own, as the (agent, kind, started_at) constraint requires.
            at = latest + ONE_MICROSECOND
        event = StatusEvent.objects.create(
            agent=agent,
            kind=EventKind.REJECTION,
            channel=channel,
            code=status_code,
            started_at=at,
            source=source,
        )
        interaction_rejected.send(sender=StatusEvent, event=event)
        return event


def group_deletion_blockers(groups: Iterable[AgentGroup]) -> list[str]:
    """Why these agent groups cannot be deleted: one sentence per group that has agents."""
    groups = list(groups)
    counts = usage_counts(AgentGroup, groups, "agents")
    return [
        ngettext(
            "Agent group “%(group)s” has %(count)d agent: move them to another group first.",
            "Agent group “%(group)s” has %(count)d agents: move them to another group first.",
            counts[group.pk],
        )
        % {"group": group, "count": counts[group.pk]}
        for group in groups
        if group.pk in counts
    ]


def agent_deletion_blockers(agents: Iterable[Agent]) -> list[str]:
    """Why these agents cannot be deleted: one sentence per agent with recorded events."""
    agents = list(agents)
    counts = usage_counts(Agent, agents, "events")
    return [
        ngettext(
            "Agent “%(agent)s” has %(count)d recorded event. Deactivate their user account "
            "instead: the history is kept.",
            "Agent “%(agent)s” has %(count)d recorded events. Deactivate their user account "
            "instead: the history is kept.",
            counts[agent.pk],
        )
        % {"agent": agent, "count": counts[agent.pk]}
        for agent in agents
        if agent.pk in counts
    ]


def _check_source(source: str) -> None:
    if source not in EventSource.values:
        raise ValueError(f"Unknown event source {source!r}; expected one of {EventSource.values}.")


def check_code_key(*, code: str | None) -> None:
    """Refuse a code that cannot be a key at all (shape, length: statuscodes.validators), as
    `code_not_offered`, without a query: the console and the API check it as they read a
    request. A blank code is no code, and passes."""
    code = _normalise_code(code)
    if code is not None and not is_code_key(code):
        raise _not_a_code_key(code)


def _not_a_code_key(code: str) -> ActionRefused:
    # Not even shaped like a key (spaces, control characters, too long): no code has it, and
    # PostgreSQL refuses a NUL byte in a query, so it is answered without asking.
    return ActionRefused(
        "code_not_offered",
        _("“%(code)s” is not a status code: a code is 1 to %(max)s letters, digits, “_”, “-”.")
        % {"code": code[:CODE_KEY_MAX_LENGTH].replace("\x00", ""), "max": CODE_KEY_MAX_LENGTH},
    )


def _normalise_code(code: str | None) -> str | None:
    # Forms send "" for "no choice"; a blank code is no code.
    if code is None:
        return None
    return code.strip() or None


@contextmanager
def _locked(agent: Agent) -> Iterator[Agent]:
    """A transaction holding the agent's row: the agent's changes queue, for a bounded time.

    PostgreSQL locks the row; SQLite ignores FOR UPDATE but begins every transaction with
    IMMEDIATE (config/settings.py), which already makes writers wait for each other. A wait
    longer than AGENT_LOCK_TIMEOUT (a history import holds the lock until it commits) is refused.
    """
    try:
        with atomic_with_lock_timeout():
            yield (
                Agent.objects.select_for_update(of=("self",))
                .select_related("user", "group__code_list")
                .get(pk=agent.pk)
            )
    except LockWaitTimeout:
        raise ActionRefused(
            "agent_locked",
            _(
                "Your timeline is locked by an update in progress (a history import, for "
                "instance): nothing was recorded. Try again in a moment."
            ),
        ) from None


def _transition_refusal(action: str, current: AgentState) -> str:
    possible = agent_allowed_actions(state=current)
    return _("“%(action)s” is not possible while %(status)s. Possible now: %(possible)s.") % {
        "action": A(action).label,
        "status": S(current.status).label.lower(),
        "possible": ", ".join(str(A(p).label) for p in possible) or _("nothing"),
    }


def _already_there(current: AgentState) -> str:
    status = S(current.status).label.lower()
    if current.code is None:
        return _("You are already %(status)s.") % {"status": status}
    return _("You are already %(status)s with the code “%(code)s”; choose another code.") % {
        "status": status,
        "code": current.code.code,
    }


def _resolve_code(*, agent: Agent, action: str, code: str | None) -> StatusCode | None:
    """The status code to record for `action`, or None when it proceeds without one."""
    offered = agent_offered_codes(agent=agent, action=action)
    if code is None:
        if agent.status_codes_enabled and offered:
            raise ActionRefused(
                "code_required",
                _("Choose a status code for “%(action)s”: %(choices)s.")
                % {
                    "action": A(action).label,
                    "choices": ", ".join(
                        f"{c.code} ({code_label(code=c, language=agent.language)})" for c in offered
                    ),
                },
            )
        return None
    # A disabled agent may still give a reason: a valid one is kept, an invalid one refused.
    for candidate in offered:
        if candidate.code == code:
            return candidate
    raise _code_refusal(agent=agent, action=action, code=code)


def _code_refusal(*, agent: Agent, action: str, code: str) -> ActionRefused:
    """Why `code` is not among the codes offered for `action`."""
    code_list = agent.group.code_list
    if not is_code_key(code):
        return _not_a_code_key(code)
    if code_list is None:
        return ActionRefused(
            "code_not_offered",
            _("Your group “%(group)s” has no status code list, so “%(code)s” cannot be used.")
            % {"group": agent.group.name, "code": code},
        )
    found = (
        StatusCode.objects.filter(code_list=code_list, code=code)
        .prefetch_related("actions")
        .first()
    )
    if found is None:
        return ActionRefused(
            "code_not_offered",
            _("“%(code)s” is not a code of your status code list “%(list)s”.")
            % {"code": code, "list": code_list.name},
        )
    if not code_list.active:
        return ActionRefused(
            "code_inactive",
            _("The status code list “%(list)s” is inactive; its codes can no longer be chosen.")
            % {"list": code_list.name},
        )
    if not found.active:
        return ActionRefused(
            "code_inactive",
            _("The code “%(code)s” is no longer active.") % {"code": code},
        )
    applies_to = ", ".join(str(A(a.key).label) for a in found.actions.all())
    return ActionRefused(
        "code_not_for_action",
        _("The code “%(code)s” (%(label)s) applies to %(applies_to)s, not to “%(action)s”.")
        % {
            "code": code,
            "label": code_label(code=found, language=agent.language),
            "applies_to": applies_to,
            "action": A(action).label,
        },
    )


def _record_status_change(
    *, agent: Agent, status: str, code: StatusCode | None, source: str
) -> AgentState:
    """End the ongoing interval now and open the next one; the caller holds the agent's lock."""
    ongoing = (
        StatusEvent.objects.ongoing()
        .filter(agent=agent)
        .only("status", "previous_status", "started_at")
        .first()
    )
    event = StatusEvent(
        agent=agent,
        kind=EventKind.STATUS,
        status=status,
        code=code,
        started_at=next_start(
            timezone.now(), after=ongoing.started_at if ongoing is not None else None
        ),
        source=source,
    )
    if ongoing is None:
        timeline, status_before = [event], ""
    else:
        timeline, status_before = [ongoing, event], ongoing.previous_status
    for interval, previous_status, ended_at in chain(timeline, status_before=status_before):
        interval.previous_status, interval.ended_at = previous_status, ended_at
    if ongoing is not None:
        ongoing.save(update_fields=["ended_at"])
    event.save(force_insert=True)
    status_changed.send(sender=StatusEvent, event=event)
    return AgentState(agent=agent, status=event.status, code=code, since=event.started_at)
