"""The agent workflow rules (docs/concepts.md, "The workflow rules" and "The agent's day"), in one
place.

Every live change of an agent's timeline goes through these functions, whichever door it comes
from (console, API, the worker's timers): they check the transition and the status code, then
record the change in one transaction that holds the agent's row, so that one agent's changes
queue up, and chain it to the ongoing interval (`agents.timeline.chain`), so that the timeline
never overlaps or leaves a gap. Each status change is recorded by `_record_status_change` and
each rejection by `_record_rejection`, which send `agents.signals` inside that transaction. The
only other writer of events is the history import (`agents.history_import`), which chains with
the same function and applies no automatic status.

Also here: saving an agent whose group changes, which records the move in the timeline
(`agent_save`), and what blocks the deletion of an agent group or an agent (the admin shows it).
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext
from django.utils.translation import gettext as _

from core.choices import (
    ACTION_TARGET_STATUS,
    CODED_ACTIONS,
    DEFERRABLE_ACTIONS,
    REJECTION_ACTION_OF_CHANNEL,
    AgentAction,
    AgentStatus,
    AutomaticStatus,
    Channel,
    EventKind,
    EventSource,
    OfferState,
    SystemReason,
    TimeoutAction,
    Timer,
)
from core.deletion import usage_counts
from core.precompiled import PrecompiledQuery, PrecompiledUpdate, first_of
from statuscodes.models import StatusCode
from statuscodes.validators import CODE_KEY_MAX_LENGTH, is_code_key

from .locks import (
    LockWaitTimeout,
    atomic_with_lock_timeout,
    lock_timeout_ms,
    with_lock_timeout,
)
from .models import Agent, AgentGroup, Offer, PendingChange, StatusEvent
from .selectors import (
    HAS_PENDING_CHANGE,
    HAS_PENDING_OFFER,
    ONGOING_INTERVAL,
    AgentState,
    agent_codes_by_action,
    agent_current_state,
    agent_offer,
    agent_offered_codes,
    code_label,
    load_situation,
    loaded_ongoing_interval,
    user_supervises,
)
from .signals import interaction_rejected, status_changed
from .timeline import ONE_MICROSECOND, chain, next_start

__all__ = [
    "ActionRefused",
    "AgentLookup",
    "AgentState",
    "agent_allowed_actions",
    "agent_cancel_pending_change",
    "agent_change_status",
    "agent_current_state",
    "agent_deferrable_actions",
    "agent_deletion_blockers",
    "agent_fire_due_timer",
    "agent_may_reject",
    "agent_offered_codes",
    "agent_perform_action",
    "agent_reject_interaction",
    "agent_save",
    "agent_set_system_status",
    "agent_supervise",
    "agents_lock",
    "check_code_key",
    "group_deletion_blockers",
    "offer_accept",
    "offer_create",
    "offer_miss",
    "offer_reject",
    "offer_withdraw",
    "timers_fire_due",
    "user_may_act_for_other_agents",
    "user_may_supervise",
]

A = AgentAction
S = AgentStatus

# The transition matrix (docs/api.md, "Transitions"): the statuses each action may start from.
# Busy and post-processing are left only by the system or by going available: a break, offline
# or logout asked then is a pending change (DEFERRING_STATUSES), applied when the agent would
# become available.
ACTION_ALLOWED_FROM: dict[str, frozenset[str]] = {
    A.LOGIN: frozenset({S.LOGGED_OUT}),
    A.GO_AVAILABLE: frozenset({S.BUSY, S.POST_PROCESSING, S.ON_BREAK, S.WORK_OFFLINE}),
    A.TAKE_BREAK: frozenset({S.AVAILABLE, S.ON_BREAK, S.WORK_OFFLINE}),
    A.WORK_OFFLINE: frozenset({S.AVAILABLE, S.ON_BREAK, S.WORK_OFFLINE}),
    A.LOGOUT: frozenset({S.AVAILABLE, S.ON_BREAK, S.WORK_OFFLINE}),
}

# While on an interaction or its wrap-up, DEFERRABLE_ACTIONS wait as a pending change.
DEFERRING_STATUSES = frozenset({S.BUSY, S.POST_PROCESSING})

# Statuses set by integrations (the telephony or chat system), never chosen by the agent.
SYSTEM_STATUS_ALLOWED_FROM: dict[str, frozenset[str]] = {
    S.BUSY: frozenset({S.AVAILABLE, S.POST_PROCESSING}),
    S.POST_PROCESSING: frozenset({S.BUSY}),
}

# What a supervisor may do to an agent of their group (docs/concepts.md, "Supervisors act").
SUPERVISOR_ACTIONS = (A.GO_AVAILABLE, A.TAKE_BREAK, A.WORK_OFFLINE, A.LOGOUT)

# Outside an offer, only an available agent rejects (an integration that offers interactions
# itself reports it through /rejections).
REJECTION_ALLOWED_FROM = frozenset({S.AVAILABLE})

# The permission of the users behind integrations: they act for other agents and report the
# system statuses.
ACT_FOR_OTHER_AGENTS = "agents.act_for_other_agents"
# Where a user read with `may_act_for_other_agents_read` keeps its answer.
MAY_ACT_FOR_OTHER_AGENTS = "may_act_for_other_agents"


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


@dataclass(frozen=True)
class AgentLookup:
    """An agent named by their user (`username` or `user_id`), found by the statement that takes
    their lock: one query, where finding the agent first would be two. `missing` is raised (and
    nothing recorded) when there is no such agent. `confirm_user`, if given, is called with the
    agent's user read by that statement, before anything else, and raises to refuse (the
    session's claim of who is calling, agents.auth.SessionClaim)."""

    missing: Exception
    username: str | None = None
    user_id: int | None = None
    confirm_user: Callable[[AbstractBaseUser], None] | None = None

    def lock(self) -> Agent:
        """The agent, locked by one statement (compiled once: core.precompiled)."""
        context = {"timeout_ms": lock_timeout_ms()}
        if self.user_id is not None:
            found = AGENT_TO_LOCK_BY_USER_ID.first(context=context, user_id=self.user_id)
        elif self.username is None or "\x00" in self.username:
            # No username holds a NUL byte, and PostgreSQL refuses one in a query.
            found = None
        else:
            found = AGENT_TO_LOCK_BY_USERNAME.first(context=context, username=self.username)
        if found is None:
            raise self.missing
        if self.confirm_user is not None:
            self.confirm_user(found.user)
        return found


def _agents_to_lock(*, timeout_ms: int | None = None) -> QuerySet[Agent]:
    # One statement sets the lock timeout, finds the agent and locks their row.
    return with_lock_timeout(
        Agent.objects.select_for_update(of=("self",)).select_related("user", "group__code_list"),
        timeout_ms=timeout_ms,
    )


# The lock statements of the API's changes (an AgentLookup), compiled once per process.
AGENT_TO_LOCK_BY_USER_ID = PrecompiledQuery(
    lambda *, timeout_ms, user_id: first_of(
        _agents_to_lock(timeout_ms=timeout_ms).filter(user_id=user_id)
    ),
    user_id=int,
)
AGENT_TO_LOCK_BY_USERNAME = PrecompiledQuery(
    lambda *, timeout_ms, username: first_of(
        _agents_to_lock(timeout_ms=timeout_ms).filter(user__username=username)
    ),
    username=str,
)


def agent_allowed_actions(*, state: AgentState) -> list[str]:
    """The agent actions that change the status now from `state`, in the vocabulary's order
    (core.choices)."""
    return [action for action, origins in ACTION_ALLOWED_FROM.items() if state.status in origins]


def agent_deferrable_actions(*, state: AgentState) -> list[str]:
    """The actions that `state` accepts as a pending change (busy or in wrap-up), or none."""
    return list(DEFERRABLE_ACTIONS) if state.status in DEFERRING_STATUSES else []


def agent_may_reject(*, state: AgentState) -> bool:
    """Whether an agent in `state` can reject an interaction that was not offered through
    `offer_create` (only while available)."""
    return state.status in REJECTION_ALLOWED_FROM


def user_may_act_for_other_agents(*, user: AbstractBaseUser) -> bool:
    """Whether `user` (an integration) may act for other agents and report system statuses."""
    known = user.__dict__.get(MAY_ACT_FOR_OTHER_AGENTS)
    if known is not None:  # read with the user (may_act_for_other_agents_read)
        return known
    return user.has_perm(ACT_FOR_OTHER_AGENTS)


def may_act_for_other_agents_read(user_id: OuterRef) -> Combinable:
    """The permission "act for other agents" of the active user `user_id`, as the
    authentication backend (ModelBackend) grants it: superuser, or the permission given to the
    user or to one of their groups. Annotated as MAY_ACT_FOR_OTHER_AGENTS on the query that
    reads the user (the API token's), it spares `has_perm` its two queries."""
    app_label, codename = ACT_FOR_OTHER_AGENTS.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        Exists(get_user_model().objects.filter(pk=user_id, is_superuser=True))
        | Exists(permission.filter(user=user_id))
        | Exists(permission.filter(group__user=user_id))
    )


def user_may_supervise(*, user: AbstractBaseUser, agent: Agent) -> bool:
    """Whether `user` may change `agent`'s status as a supervisor: a supervisor of the agent's
    group, other than the agent."""
    return user.pk != agent.user_id and user_supervises(user=user, agent=agent)


def agent_change_status(
    *,
    agent: Agent | AgentLookup,
    action: str,
    code: str | None = None,
    actor: AbstractBaseUser,
    source: str,
) -> AgentState:
    """Change the agent's status as `actor` asks: an agent action (`agent_perform_action`,
    recorded with `source`), or a system status (busy, post_processing), which only users who
    may act for other agents report, never with a code, and which is recorded as `system`.

    Raises ActionRefused, recording nothing, when the change is not allowed.
    """
    if action not in SYSTEM_STATUS_ALLOWED_FROM:
        return agent_perform_action(
            agent=agent, action=action, code=code, source=source, actor=actor
        )
    if not user_may_act_for_other_agents(user=actor):
        raise ActionRefused(
            "forbidden",
            _("Only integrations allowed to act for other agents may set the status “%(status)s”.")
            % {"status": _status_label(action)},
        )
    if code:
        raise ActionRefused(
            "code_not_for_action",
            _("The status “%(status)s” is set by the system, without a status code.")
            % {"status": _status_label(action)},
        )
    return agent_set_system_status(
        agent=agent, status=action, source=EventSource.SYSTEM, actor=actor
    )


def agent_perform_action(
    *,
    agent: Agent | AgentLookup,
    action: str,
    code: str | None = None,
    source: str,
    actor: AbstractBaseUser | None = None,
) -> AgentState:
    """Perform `action` (login, go_available, take_break, work_offline or logout) with `code`,
    for the agent or for `actor` (an integration acting for them).

    Login leads to the group's status after login. A break, offline or logout asked while busy or
    in wrap-up becomes the pending change (the returned state is `deferred`). Raises
    ActionRefused, recording nothing, when the transition or the code is not allowed.
    """
    return _perform(agent=agent, action=action, code=code, source=source, actor=actor)


def agent_supervise(
    *, agent: Agent, action: str, code: str | None = None, supervisor: AbstractBaseUser
) -> AgentState:
    """A supervisor of the agent's group puts the agent available, on break, offline or logs them
    out, with a code of the agent's list or none (then the system reason `supervisor`).

    Raises ActionRefused, recording nothing, when `supervisor` does not supervise the agent's
    group (`forbidden`, as for any stranger) or the change is not allowed.
    """
    if not user_may_supervise(user=supervisor, agent=agent):
        raise _not_allowed_for_others()
    if action not in SUPERVISOR_ACTIONS:
        raise ActionRefused(
            "forbidden",
            _(
                "“%(action)s” is not a supervisor's action: for an agent, a supervisor can choose "
                "%(actions)s."
            )
            % {
                "action": _action_label(action),
                "actions": _quoted_list((A(a).label for a in SUPERVISOR_ACTIONS), _("or")),
            },
        )
    return _perform(
        agent=agent,
        action=action,
        code=code,
        source=EventSource.SUPERVISOR,
        actor=supervisor,
        code_required=False,
    )


def agent_cancel_pending_change(*, agent: Agent) -> bool:
    """Cancel the agent's pending change; whether there was one."""
    with _locked(agent) as agent:
        deleted, _rows = PendingChange.objects.filter(agent=agent).delete()
        agent.__dict__[HAS_PENDING_CHANGE] = False
    return bool(deleted)


def agent_set_system_status(
    *, agent: Agent | AgentLookup, status: str, source: str, actor: AbstractBaseUser | None = None
) -> AgentState:
    """Put the agent in `status` (busy or post_processing), as reported by an integration.

    Raises ActionRefused, recording nothing, when the agent cannot go there from where they are.
    """
    _check_source(source)
    if status not in SYSTEM_STATUS_ALLOWED_FROM:
        raise ActionRefused(
            "unknown_action",
            _("“%(status)s” is not a system status. The system statuses are: %(statuses)s.")
            % {"status": status, "statuses": _keys_and_labels(S, SYSTEM_STATUS_ALLOWED_FROM)},
        )
    with _locked(agent) as agent:
        current = agent_current_state(agent=agent)
        origins = SYSTEM_STATUS_ALLOWED_FROM[status]
        if current.status not in origins:
            raise ActionRefused(
                "invalid_transition", _system_status_refusal(current, status, origins)
            )
        event = _change(
            agent=agent,
            current=current,
            status=status,
            code=None,
            source=source,
            changed_by=_changed_by(agent, actor),
        )
        return _state_of(event)


def agent_reject_interaction(
    *,
    agent: Agent,
    channel: str,
    code: str | None = None,
    source: str,
    actor: AbstractBaseUser | None = None,
) -> StatusEvent:
    """Record that an available agent declined an interaction on `channel` that was not offered
    through `offer_create` (an integration that offers interactions itself), with `code`.

    The agent stays available. Raises ActionRefused, recording nothing, when the agent is not
    available (a rejection answers an offer: see `offer_reject`) or the code is not allowed.
    """
    _check_source(source)
    action = _rejection_action(channel)
    code = _normalise_code(code)
    with _locked(agent) as agent:
        current = agent_current_state(agent=agent)
        if not agent_may_reject(state=current):
            raise ActionRefused(
                "invalid_transition",
                _(
                    "There is nothing to reject while your status is “%(status)s”: only available "
                    "agents are offered interactions."
                )
                % {"status": _status_label(current.status)},
            )
        status_code = _resolve_code(agent=agent, action=action, code=code)
        return _record_rejection(
            agent=agent,
            channel=channel,
            code=status_code,
            source=source,
            changed_by=_changed_by(agent, actor),
        )


# --- offers (docs/concepts.md, "Offers") ---------------------------------------------------------


def offer_create(*, agent: Agent, channel: str, actor: AbstractBaseUser) -> Offer:
    """Offer an interaction on `channel` to the agent: it rings until answered, missed or
    withdrawn. Refused (`not_available`, `offer_pending`) unless the agent is available with no
    offer ringing."""
    _rejection_action(channel)
    with _locked(agent) as agent:
        current = agent_current_state(agent=agent)
        if current.status != S.AVAILABLE:
            raise ActionRefused(
                "not_available",
                _(
                    "%(agent)s cannot be offered an interaction while their status is "
                    "“%(status)s”: only available agents are offered interactions."
                )
                % {"agent": agent.username, "status": _status_label(current.status)},
            )
        if Offer.objects.pending().filter(agent=agent).exists():
            raise ActionRefused(
                "offer_pending",
                _("%(agent)s already has an offer ringing; it must be answered first.")
                % {"agent": agent.username},
            )
        offer = Offer.objects.create(
            agent=agent,
            channel=channel,
            offered_at=timezone.now(),
            offered_by=_changed_by(agent, actor),
        )
        agent.__dict__[HAS_PENDING_OFFER] = True
        return offer


def offer_accept(
    *, agent: Agent, offer_id: str, source: str, actor: AbstractBaseUser | None = None
) -> AgentState:
    """The agent accepts the offer: they are busy."""
    _check_source(source)
    with _locked(agent) as agent:
        offer = _pending_offer(agent, offer_id)
        current = agent_current_state(agent=agent)
        _settle(offer, OfferState.ACCEPTED)
        event = _change(
            agent=agent,
            current=current,
            status=S.BUSY,
            code=None,
            source=source,
            changed_by=_changed_by(agent, actor),
        )
        return _state_of(event)


def offer_reject(
    *,
    agent: Agent,
    offer_id: str,
    code: str | None = None,
    source: str,
    actor: AbstractBaseUser | None = None,
) -> tuple[AgentState, StatusEvent]:
    """The agent rejects the offer with `code` (the rule of the workflow for `reject_<channel>`):
    the rejection is recorded, then the group's status after rejection applies, carrying the
    rejection's code. Returns the new state and the rejection. Refused, with the offer still
    ringing, when the code is not allowed."""
    _check_source(source)
    code = _normalise_code(code)
    with _locked(agent) as agent:
        offer = _pending_offer(agent, offer_id)
        status_code = _resolve_code(
            agent=agent, action=REJECTION_ACTION_OF_CHANNEL[offer.channel], code=code
        )
        current = agent_current_state(agent=agent)
        _settle(offer, OfferState.REJECTED)
        rejection = _record_rejection(
            agent=agent,
            channel=offer.channel,
            code=status_code,
            source=source,
            changed_by=_changed_by(agent, actor),
        )
        state = _automatic_status(
            agent=agent,
            current=current,
            status=agent.group.status_after_rejection,
            code=status_code,
        )
        return state, rejection


def offer_miss(*, agent: Agent, offer_id: str, actor: AbstractBaseUser) -> AgentState:
    """The offer rang out: a missed rejection is recorded, then the group's status after a missed
    offer applies with the system reason `missed`."""
    with _locked(agent) as agent:
        offer = _pending_offer(agent, offer_id)
        current = agent_current_state(agent=agent)
        _settle(offer, OfferState.MISSED)
        _record_rejection(
            agent=agent,
            channel=offer.channel,
            code=None,
            source=EventSource.SYSTEM,
            changed_by=_changed_by(agent, actor),
            missed=True,
        )
        return _automatic_status(
            agent=agent,
            current=current,
            status=agent.group.status_after_missed,
            system_reason=SystemReason.MISSED,
        )


def offer_withdraw(*, agent: Agent, offer_id: str) -> Offer:
    """The integration takes the offer back (the customer hung up): nothing is recorded on the
    timeline."""
    with _locked(agent) as agent:
        offer = _pending_offer(agent, offer_id)
        _settle(offer, OfferState.WITHDRAWN)
        return offer


# --- timers (docs/worker.md) ---------------------------------------------------------------------


def agent_fire_due_timer(*, agent: Agent, now: datetime | None = None) -> StatusEvent | None:
    """End the agent's ongoing interval by its timer if it is due at `now`: an automatic return
    goes available; a safety net applies the group's timeout action with the system reason
    `timeout`. The new interval starts at the due instant, however late this runs. Returns the
    new interval, or None when nothing was due (another change ended the interval first)."""
    now = now or timezone.now()
    with _locked(agent) as agent:
        # The ongoing interval the lock read, if its timer is due (StatusEvent.objects.timers_due).
        ongoing = loaded_ongoing_interval(agent)
        if ongoing is None or ongoing.due_at is None or ongoing.due_at > now:
            return None
        current = AgentState(agent=agent, status=ongoing.status, code=None, since=None)
        status, reason = S.AVAILABLE, ""
        if ongoing.timer == Timer.SAFETY_NET:
            reason = SystemReason.TIMEOUT
            if agent.group.timeout_action == TimeoutAction.LOGOUT:
                status = S.LOGGED_OUT
        return _change(
            agent=agent,
            current=current,
            status=status,
            code=None,
            source=EventSource.SYSTEM,
            system_reason=reason,
            at=ongoing.due_at,
        )


def timers_fire_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Fire every timer due at `now` (at most `limit`, earliest first), each agent in its own
    locked transaction; how many fired. Safe to run anywhere at once: an agent's timer fires
    once, since the transaction rechecks that the interval is still ongoing and due; an agent
    locked elsewhere is left to the next sweep."""
    now = now or timezone.now()
    agent_ids = list(
        StatusEvent.objects.timers_due(now=now)
        .order_by("due_at")
        .values_list("agent_id", flat=True)[:limit]
    )
    fired = 0
    for agent_id in agent_ids:
        try:
            if agent_fire_due_timer(agent=Agent(pk=agent_id), now=now) is not None:
                fired += 1
        except ActionRefused:
            continue
    return fired


def agent_save(
    *,
    agent: Agent,
    is_create: bool = False,
    changed_by: AbstractBaseUser | None = None,
    at: datetime | None = None,
) -> StatusEvent | None:
    """Save `agent` (admin, its history, agent import); when its group changed, record the move.

    Every event records the agent's group at the time (docs/timeline.md, "The group at the
    time"), so a move is a change point of the timeline: the ongoing interval ends at the move
    (`at`, default now) and the same status, code and timer go on in the new group, from an
    event whose source is `group_move` (not a status change: no signal is sent). One
    transaction holds the agent's row, as for the live changes. Returns that event, if any.
    """
    if is_create:
        agent.save(force_insert=True)
        return None
    with transaction.atomic():
        groups_before = agents_lock(agent_ids=[agent.pk])
        if agent.pk not in groups_before:
            # A deleted agent brought back from the admin's history: created again, with no
            # timeline to split (an agent with events cannot be deleted).
            agent.save(force_insert=True)
            return None
        agent.save()
        if groups_before[agent.pk] == agent.group_id:
            return None
        return _record_group_move(agent=agent, changed_by=changed_by, at=at)


def agents_lock(*, agent_ids: Iterable[int]) -> dict[int, int]:
    """Lock these agents' rows for the rest of the caller's transaction, as a live change does:
    waiting at most AGENT_LOCK_TIMEOUT for a history import or a live change that holds one,
    then refused with `agent_locked` (nothing locked). Returns each existing agent's group id.

    A refusal leaves the caller's transaction usable (its own savepoint rolled back), so a form
    or an import row can report it and go on.
    """
    try:
        with atomic_with_lock_timeout(set_by_first_query=True):
            return dict(
                with_lock_timeout(
                    Agent.objects.select_for_update(of=("self",)).filter(pk__in=list(agent_ids))
                )
                .order_by("pk")  # always in the same order: two callers never deadlock
                .values_list("pk", "group_id")
            )
    except LockWaitTimeout:
        raise ActionRefused(
            "agent_locked",
            _(
                "The agent's timeline is locked by an update in progress (a history import, "
                "for instance): nothing was saved. Try again in a moment."
            ),
        ) from None


def _record_group_move(
    *, agent: Agent, changed_by: AbstractBaseUser | None, at: datetime | None
) -> StatusEvent | None:
    """Split the agent's ongoing interval at `at`: the rest of it belongs to the new group. An
    agent who never changed status has nothing to split. The caller holds the agent's lock."""
    ongoing = StatusEvent.objects.ongoing().filter(agent=agent).first()
    if ongoing is None:
        return None
    started_at = next_start(at or timezone.now(), after=ongoing.started_at)
    due_at = ongoing.due_at
    if due_at is not None and due_at <= started_at:
        # Already due (the worker has not fired it yet): it fires at once in the new group.
        due_at = started_at + ONE_MICROSECOND
    event = StatusEvent(
        agent=agent,
        group_id=agent.group_id,
        kind=EventKind.STATUS,
        status=ongoing.status,
        code_id=ongoing.code_id,
        system_reason=ongoing.system_reason,
        started_at=started_at,
        source=EventSource.GROUP_MOVE,
        changed_by=changed_by,
        timer=ongoing.timer,
        due_at=due_at,
    )
    for interval, previous_status, ended_at in chain(
        [ongoing, event], status_before=ongoing.previous_status
    ):
        interval.previous_status, interval.ended_at = previous_status, ended_at
    ongoing.save(update_fields=["ended_at"])
    event.save(force_insert=True)
    return event


def group_deletion_blockers(groups: Iterable[AgentGroup]) -> list[str]:
    """Why these agent groups cannot be deleted: one sentence per group that has agents, or
    events recorded while agents were in it (the reports' history of the group)."""
    groups = list(groups)
    counts = usage_counts(AgentGroup, groups, "agents")
    blockers = []
    for group in groups:
        if group.pk in counts:
            blockers.append(
                ngettext(
                    "Agent group “%(group)s” has %(count)d agent: move them to another group "
                    "first.",
                    "Agent group “%(group)s” has %(count)d agents: move them to another group "
                    "first.",
                    counts[group.pk],
                )
                % {"group": group, "count": counts[group.pk]}
            )
        # One index probe per group: counting a group's whole history would be slow.
        elif StatusEvent.objects.filter(group=group).exists():
            blockers.append(
                _(
                    "Agent group “%(group)s” has history: events recorded while agents were in "
                    "it. It is kept for the reports."
                )
                % {"group": group}
            )
    return blockers


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
def _locked(agent: Agent | AgentLookup) -> Iterator[Agent]:
    """A transaction holding the agent's row: the agent's changes queue, for a bounded time.
    Yields the agent read with the lock (an AgentLookup's `missing` when there is none).

    PostgreSQL locks the row; SQLite ignores FOR UPDATE but begins every transaction with
    IMMEDIATE (config/settings.py), which already makes writers wait for each other. A wait
    longer than AGENT_LOCK_TIMEOUT (a history import holds the lock until it commits) is refused.
    """
    try:
        with atomic_with_lock_timeout(set_by_first_query=True):
            if isinstance(agent, AgentLookup):
                locked = agent.lock()
            else:
                locked = _agents_to_lock().get(pk=agent.pk)
            # The next reads what the change needs, once the lock is granted: a statement sees
            # the database as it was when it began, before any wait for the lock, so the lock's
            # own statement could miss what the previous holder committed.
            load_situation(locked)
            yield locked
    except LockWaitTimeout:
        raise ActionRefused(
            "agent_locked",
            _(
                "Your timeline is locked by an update in progress (a history import, for "
                "instance): nothing was recorded. Try again in a moment."
            ),
        ) from None


# --- the sentences of the refusals (docs/languages.md, "Messages name things by their labels") ----
# Statuses, actions, channels and codes are named by their labels in the reader's language (the
# active one: the agent's on the console, the request's on the API), each sentence written out
# whole so that every language words it its own way.

# "You are already …", one sentence per status the agent can ask for again (a break or offline
# with the same code); any other status gets the plain sentence naming its label.
ALREADY_IN_STATUS = {
    S.ON_BREAK: gettext_lazy("You are already on break."),
    S.WORK_OFFLINE: gettext_lazy("You are already working offline."),
}
ALREADY_IN_STATUS_WITH_CODE = {
    S.ON_BREAK: gettext_lazy("You are already on break with the code “%(code)s”."),
    S.WORK_OFFLINE: gettext_lazy("You are already working offline with the code “%(code)s”."),
}
# Why an offer can no longer be answered, per way it ended.
OFFER_SETTLED = {
    OfferState.ACCEPTED: gettext_lazy("This offer is no longer ringing: it was accepted."),
    OfferState.REJECTED: gettext_lazy("This offer is no longer ringing: it was rejected."),
    OfferState.MISSED: gettext_lazy("This offer is no longer ringing: it was missed."),
    OfferState.WITHDRAWN: gettext_lazy("This offer is no longer ringing: it was withdrawn."),
}


def _reader_language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def _label(code: StatusCode) -> str:
    """The code's label in the reader's language."""
    return code_label(code=code, language=_reader_language())


def _status_label(status: str) -> str:
    return str(S(status).label) if status in S.values else status


def _action_label(action: str) -> str:
    return str(A(action).label) if action in A.values else action


def _quoted_list(labels: Iterable, conjunction: str) -> str:
    """“Take break”, “Work offline” or “Log out”: each quoted as the language quotes names."""
    return get_text_list(
        [pgettext("a name in quotes", "“%(name)s”") % {"name": label} for label in labels],
        conjunction,
    )


def _keys_and_labels(choices, keys: Iterable[str]) -> str:
    """`busy (Busy), post_processing (Post-processing)`: the keys an API caller sends, with what
    they mean."""
    return ", ".join(f"{key} ({choices(key).label})" for key in keys)


def _transition_refusal(action: str, current: AgentState) -> str:
    values = {
        "action": _action_label(action),
        "status": _status_label(current.status),
        "possible": _quoted_list(
            (A(p).label for p in agent_allowed_actions(state=current)), _("or")
        ),
    }
    if not values["possible"]:
        return (
            _(
                "“%(action)s” is not possible while your status is “%(status)s”, and no action is "
                "possible now."
            )
            % values
        )
    return (
        _(
            "“%(action)s” is not possible while your status is “%(status)s”. You can now choose "
            "%(possible)s."
        )
        % values
    )


def _system_status_refusal(current: AgentState, status: str, origins: Iterable[str]) -> str:
    values = {
        "current": _status_label(current.status),
        "status": _status_label(status),
        "origins": _quoted_list((S(o).label for o in sorted(origins)), _("or")),
    }
    if current.status == status:
        return _("The agent's status is already “%(status)s”.") % values
    return (
        _("The status cannot change from “%(current)s” to “%(status)s”: only from %(origins)s.")
        % values
    )


def _already_there(current: AgentState) -> str:
    status = _status_label(current.status)
    if current.code is None:
        if current.status in ALREADY_IN_STATUS:
            return str(ALREADY_IN_STATUS[current.status])
        return _("Your status is already “%(status)s”.") % {"status": status}
    code = _label(current.code)
    if current.status in ALREADY_IN_STATUS_WITH_CODE:
        return str(ALREADY_IN_STATUS_WITH_CODE[current.status]) % {"code": code}
    return _("Your status is already “%(status)s” with the code “%(code)s”.") % {
        "status": status,
        "code": code,
    }


def _resolve_code(
    *, agent: Agent, action: str, code: str | None, required: bool = True
) -> StatusCode | None:
    """The status code to record for `action`, or None when it proceeds without one (always
    possible when not `required`: a supervisor acting)."""
    # Only coded actions have codes (statuscodes.models.Action); the codes of every coded action
    # are read at once and kept for the answer (agents.selectors.agent_codes_by_action).
    offered = agent_codes_by_action(agent=agent)[action] if action in CODED_ACTIONS else []
    if code is None:
        if required and agent.status_codes_enabled and offered:
            # The refusal lists them in the drop-down's order.
            offered = agent_offered_codes(agent=agent, action=action)
            raise ActionRefused(
                "code_required",
                _("Choose a status code for “%(action)s”: %(choices)s.")
                % {
                    "action": A(action).label,
                    "choices": ", ".join(f"{c.code} ({_label(c)})" for c in offered),
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
            _("The code “%(label)s” is no longer active; choose another one.")
            % {"label": _label(found)},
        )
    values = {
        "label": _label(found),
        "applies_to": _quoted_list((A(a.key).label for a in found.actions.all()), _("or")),
        "action": _action_label(action),
    }
    if not values["applies_to"]:
        return ActionRefused(
            "code_not_for_action",
            _("The code “%(label)s” cannot be used with any action yet.") % values,
        )
    return ActionRefused(
        "code_not_for_action",
        _("The code “%(label)s” can be used with %(applies_to)s, not with “%(action)s”.") % values,
    )


def _perform(
    *,
    agent: Agent,
    action: str,
    code: str | None,
    source: str,
    actor: AbstractBaseUser | None,
    code_required: bool = True,
) -> AgentState:
    """The agent action rule shared by the agent, integrations and supervisors; a supervisor's
    change without a code is recorded with the system reason `supervisor`."""
    _check_source(source)
    if action not in ACTION_ALLOWED_FROM:
        raise ActionRefused(
            "unknown_action",
            _("“%(action)s” is not an action. The actions are: %(actions)s.")
            % {"action": action, "actions": _keys_and_labels(A, ACTION_ALLOWED_FROM)},
        )
    code = _normalise_code(code)
    with _locked(agent) as agent:
        changed_by = _changed_by(agent, actor)
        current = agent_current_state(agent=agent)
        if action in DEFERRABLE_ACTIONS and current.status in DEFERRING_STATUSES:
            status_code = _resolve_code(
                agent=agent, action=action, code=code, required=code_required
            )
            PendingChange.objects.update_or_create(
                agent=agent,
                defaults={
                    "action": action,
                    "code": status_code,
                    "source": source,
                    "requested_by": changed_by,
                    "requested_at": timezone.now(),
                },
            )
            agent.__dict__[HAS_PENDING_CHANGE] = True
            return replace(current, deferred=True)
        if current.status not in ACTION_ALLOWED_FROM[action]:
            raise ActionRefused("invalid_transition", _transition_refusal(action, current))
        status_code = _resolve_code(agent=agent, action=action, code=code, required=code_required)
        status = ACTION_TARGET_STATUS[action]
        reason = (
            SystemReason.SUPERVISOR if source == EventSource.SUPERVISOR and not status_code else ""
        )
        if action == A.LOGIN:
            status, status_code = _status_after_login(agent)
        if (current.status, current.code, current.system_reason) == (status, status_code, reason):
            raise ActionRefused("invalid_transition", _already_there(current))
        event = _change(
            agent=agent,
            current=current,
            status=status,
            code=status_code,
            source=source,
            changed_by=changed_by,
            system_reason=reason,
        )
        return _state_of(event)


def _status_after_login(agent: Agent) -> tuple[str, StatusCode | None]:
    """The group's status after login and its code (kept only while it is a code of the group's
    list: the list may have changed since the group was set up)."""
    group = agent.group
    code = group.login_code if group.login_status != AutomaticStatus.AVAILABLE else None
    if code is not None and code.code_list_id != group.code_list_id:
        code = None
    return group.login_status, code


def _automatic_status(
    *,
    agent: Agent,
    current: AgentState,
    status: str,
    code: StatusCode | None = None,
    system_reason: str = "",
) -> AgentState:
    """After a rejection or a missed offer: the group's status, recorded by the system, which the
    group's automatic return ends after its seconds. Going "available" from available changes
    nothing."""
    if status == current.status == S.AVAILABLE:
        return replace(current, agent=agent)
    event = _change(
        agent=agent,
        current=current,
        status=status,
        code=code,
        source=EventSource.SYSTEM,
        system_reason=system_reason,
        auto_return=True,
    )
    return _state_of(event)


def _change(
    *,
    agent: Agent,
    current: AgentState,
    status: str,
    code: StatusCode | None,
    source: str,
    changed_by: AbstractBaseUser | None = None,
    system_reason: str = "",
    at: datetime | None = None,
    auto_return: bool = False,
) -> StatusEvent:
    """Apply a checked change; the caller holds the agent's lock.

    Leaving an interaction or its wrap-up for available applies the pending change instead (as
    its asker asked it); leaving it otherwise drops it. Leaving available withdraws the offer
    ringing, if any.
    """
    if (
        current.status in DEFERRING_STATUSES
        and status not in DEFERRING_STATUSES
        and agent.__dict__.get(HAS_PENDING_CHANGE, True)
    ):
        pending = PendingChange.objects.select_related("code").filter(agent=agent).first()
        agent.__dict__[HAS_PENDING_CHANGE] = False
        if pending is not None:
            pending.delete()
            if status == S.AVAILABLE:
                status, code = ACTION_TARGET_STATUS[pending.action], pending.code
                source, changed_by, auto_return = pending.source, pending.requested_by, False
                system_reason = (
                    SystemReason.SUPERVISOR
                    if source == EventSource.SUPERVISOR and code is None
                    else ""
                )
    if status != S.AVAILABLE and agent.__dict__.get(HAS_PENDING_OFFER, True):
        for offer in Offer.objects.pending().filter(agent=agent):
            _settle(offer, OfferState.WITHDRAWN)
        agent.__dict__[HAS_PENDING_OFFER] = False
    return _record_status_change(
        agent=agent,
        status=status,
        code=code,
        source=source,
        changed_by=changed_by,
        system_reason=system_reason,
        at=at,
        auto_return=auto_return,
    )


def _record_status_change(
    *,
    agent: Agent,
    status: str,
    code: StatusCode | None,
    source: str,
    changed_by: AbstractBaseUser | None = None,
    system_reason: str = "",
    at: datetime | None = None,
    auto_return: bool = False,
) -> StatusEvent:
    """End the ongoing interval at `at` (default now) and open the next one, with its timer;
    send `status_changed` in the transaction. The caller holds the agent's lock."""
    if ONGOING_INTERVAL in agent.__dict__:
        ongoing = loaded_ongoing_interval(agent)  # read with the lock
    else:
        ongoing = (
            StatusEvent.objects.ongoing()
            .filter(agent=agent)
            .only("status", "previous_status", "started_at")
            .first()
        )
    started_at = next_start(
        at or timezone.now(), after=ongoing.started_at if ongoing is not None else None
    )
    timer, due_at = _timer_of(
        agent=agent, status=status, code=code, started_at=started_at, auto_return=auto_return
    )
    event = StatusEvent(
        agent=agent,
        # The agent row is locked and already read: its group id costs no query.
        group_id=agent.group_id,
        kind=EventKind.STATUS,
        status=status,
        code=code,
        system_reason=system_reason,
        started_at=started_at,
        source=source,
        changed_by=changed_by,
        timer=timer,
        due_at=due_at,
    )
    if ongoing is None:
        timeline, status_before = [event], ""
    else:
        timeline, status_before = [ongoing, event], ongoing.previous_status
    for interval, previous_status, ended_at in chain(timeline, status_before=status_before):
        interval.previous_status, interval.ended_at = previous_status, ended_at
    if ongoing is not None:
        ENDED_AT_UPDATE.save(ongoing)
    event.save(force_insert=True)
    if ONGOING_INTERVAL in agent.__dict__:
        agent.__dict__[ONGOING_INTERVAL] = event
    status_changed.send(sender=StatusEvent, event=event)
    return event


# `ongoing.save(update_fields=["ended_at"])`, compiled once per process (core.precompiled).
ENDED_AT_UPDATE = PrecompiledUpdate(StatusEvent, ["ended_at"])


def _record_rejection(
    *,
    agent: Agent,
    channel: str,
    code: StatusCode | None,
    source: str,
    changed_by: AbstractBaseUser | None = None,
    missed: bool = False,
) -> StatusEvent:
    """Record a rejection now (a missed offer: with the system reason `missed`); send
    `interaction_rejected` in the transaction. The caller holds the agent's lock."""
    at = timezone.now()
    latest = (
        StatusEvent.objects.rejections()
        .filter(agent=agent, started_at__gte=at)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if latest is not None:
        # Two rejections in the same microsecond (or a clock set back) still get an instant of
        # their own, as the (agent, kind, started_at) constraint requires.
        at = latest + ONE_MICROSECOND
    event = StatusEvent.objects.create(
        agent=agent,
        group_id=agent.group_id,
        kind=EventKind.REJECTION,
        channel=channel,
        code=code,
        system_reason=SystemReason.MISSED if missed else "",
        missed=missed,
        started_at=at,
        source=source,
        changed_by=changed_by,
    )
    interaction_rejected.send(sender=StatusEvent, event=event)
    return event


def _timer_of(
    *,
    agent: Agent,
    status: str,
    code: StatusCode | None,
    started_at: datetime,
    auto_return: bool,
) -> tuple[str, datetime | None]:
    """The timer of an interval starting now: the group's automatic return (for the status after
    a rejection or a missed offer) or the code's safety net, whichever is due first."""
    timers = []
    seconds = agent.group.auto_return_seconds
    if auto_return and seconds and status != S.AVAILABLE:
        timers.append((started_at + timedelta(seconds=seconds), Timer.AUTO_RETURN))
    if status in (S.ON_BREAK, S.WORK_OFFLINE) and code is not None and code.auto_end_minutes:
        timers.append((started_at + timedelta(minutes=code.auto_end_minutes), Timer.SAFETY_NET))
    if not timers:
        return "", None
    due_at, timer = min(timers)
    return timer, due_at


def _state_of(event: StatusEvent) -> AgentState:
    return AgentState(
        agent=event.agent,
        status=event.status,
        code=event.code,
        since=event.started_at,
        system_reason=event.system_reason,
    )


def _changed_by(agent: Agent, actor: AbstractBaseUser | None) -> AbstractBaseUser | None:
    # Recorded only when someone other than the agent acted.
    if actor is None or actor.pk == agent.user_id:
        return None
    return actor


def _not_allowed_for_others() -> ActionRefused:
    return ActionRefused(
        "forbidden",
        _("You may not act for other agents (permission “act for other agents”)."),
    )


def _rejection_action(channel: str) -> str:
    if channel not in REJECTION_ACTION_OF_CHANNEL:
        raise ActionRefused(
            "unknown_channel",
            _("“%(channel)s” is not a channel. The channels are: %(channels)s.")
            % {"channel": channel, "channels": _keys_and_labels(Channel, Channel.values)},
        )
    return REJECTION_ACTION_OF_CHANNEL[channel]


def _pending_offer(agent: Agent, offer_id: str) -> Offer:
    offer = agent_offer(agent=agent, offer_id=offer_id)
    if offer is None:
        raise ActionRefused(
            "unknown_offer",
            _("%(agent)s has no offer “%(id)s”.")
            % {"agent": agent.username, "id": str(offer_id)[:64].replace("\x00", "")},
        )
    if offer.state != OfferState.PENDING:
        raise ActionRefused(
            "offer_not_pending",
            str(OFFER_SETTLED.get(offer.state, _("This offer is no longer ringing."))),
        )
    return offer


def _settle(offer: Offer, state: str) -> None:
    offer.state, offer.settled_at = state, max(timezone.now(), offer.offered_at)
    offer.save(update_fields=["state", "settled_at"])
