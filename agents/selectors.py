"""Reading an agent's situation: current state, offered codes and their labels (docs/concepts.md,
"The workflow rules")."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Case,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Lower
from django.db.models.query import MAX_GET_RESULTS
from django.utils import translation

from core.choices import CODED_ACTIONS, AgentStatus, EventKind, EventSource, SystemReason
from core.precompiled import PrecompiledQuery
from statuscodes.models import CodeOrder, StatusCode, StatusCodeList, label_in

from .models import Agent, Offer, PendingChange, StatusEvent
from .signals import lock_reads


@dataclass(frozen=True)
class AgentState:
    """Where an agent is now: the status of the ongoing interval, its code (or the system reason
    recorded instead of one) and its start. `deferred`: the action just asked was accepted as a
    pending change, and the status did not change."""

    agent: Agent
    status: str
    code: StatusCode | None
    since: datetime | None
    system_reason: str = ""
    deferred: bool = False


@dataclass(frozen=True)
class OfferedCode:
    """One entry of an agent's drop-down: the stable key and the label in the agent's language."""

    code: str
    label: str


def agent_for_user(*, user: AbstractBaseUser | AnonymousUser) -> Agent | None:
    """The user's Agent (with group and list), or None for anonymous users and non-agents."""
    if not user.is_authenticated:
        return None
    return Agent.objects.select_related("user", "group__code_list").filter(user_id=user.pk).first()


def user_is_agent(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user has an Agent: the console's door (docs/security.md), asked by the
    header of every page (one index probe, not the agent with its group and list)."""
    return user.is_authenticated and Agent.objects.filter(user_id=user.pk).exists()


def agent_by_username(*, username: str) -> Agent | None:
    """The Agent of the user called `username`, or None."""
    if "\x00" in username:
        # No username holds a NUL byte, and PostgreSQL refuses one in a query.
        return None
    return (
        Agent.objects.select_related("user", "group__code_list")
        .filter(user__username=username)
        .first()
    )


# What agents.services._locked reads in one statement once it holds the agent's lock: the
# ongoing interval with its code, whether an offer is ringing, whether a change is pending.
ONGOING_INTERVAL = "ongoing_interval"
HAS_PENDING_OFFER = "has_pending_offer"
HAS_PENDING_CHANGE = "has_pending_change"
# The codes of every coded action, read once per agent instance (agent_codes_by_action).
CODES_BY_ACTION = "codes_by_action"


def load_situation(agent: Agent) -> None:
    """Read the agent's situation into `agent` in one query (the caller holds the agent's lock,
    and keeps it up to date while it does): `agent_current_state`, `agent_pending_offer` and
    `agent_pending_change` then ask nothing more, and `agents.signals.lock_reads` are read too."""
    read = SITUATION.first(agent_id=agent.pk)
    for name in (HAS_PENDING_OFFER, HAS_PENDING_CHANGE, *lock_reads):
        agent.__dict__[name] = read.__dict__[name]
    # Set by select_related only where the join found a row.
    agent.__dict__[ONGOING_INTERVAL] = read.__dict__.get(ONGOING_INTERVAL)
    if agent.__dict__[ONGOING_INTERVAL] is not None:
        agent.__dict__[ONGOING_INTERVAL].agent = agent


def _with_situation(agents: QuerySet[Agent]) -> QuerySet[Agent]:
    return agents.annotate(
        **{
            ONGOING_INTERVAL: FilteredRelation(
                "events",
                condition=Q(events__kind=EventKind.STATUS, events__ended_at__isnull=True),
            ),
            HAS_PENDING_OFFER: Exists(Offer.objects.pending().filter(agent=OuterRef("pk"))),
            HAS_PENDING_CHANGE: Exists(PendingChange.objects.filter(agent=OuterRef("pk"))),
            **{name: read() for name, read in lock_reads.items()},
        }
    ).select_related(f"{ONGOING_INTERVAL}__code")


# Compiled once per process (core.precompiled): the statement `.get()` would run.
SITUATION = PrecompiledQuery(
    lambda *, agent_id: _with_situation(Agent.objects.filter(pk=agent_id)).order_by()[
        :MAX_GET_RESULTS
    ],
    agent_id=int,
)


def loaded_ongoing_interval(agent: Agent) -> StatusEvent | None:
    """The ongoing interval `load_situation` read (kept up to date by the services while they
    hold the lock); raises KeyError when it was not read."""
    return agent.__dict__[ONGOING_INTERVAL]


def agent_current_state(*, agent: Agent) -> AgentState:
    """The agent's ongoing status interval; an agent with no recorded change is logged out."""
    if ONGOING_INTERVAL in agent.__dict__:
        ongoing = loaded_ongoing_interval(agent)
    else:
        ongoing = (
            StatusEvent.objects.ongoing()
            .filter(agent=agent)
            .select_related("code")
            .only("status", "started_at", "code", "system_reason", "source")
            .first()
        )
    if ongoing is None:
        return AgentState(agent=agent, status=AgentStatus.LOGGED_OUT, code=None, since=None)
    return AgentState(
        agent=agent,
        status=ongoing.status,
        code=ongoing.code,
        since=status_since(agent=agent, ongoing=ongoing),
        system_reason=ongoing.system_reason,
    )


def status_since(*, agent: Agent, ongoing: StatusEvent) -> datetime:
    """When `agent` entered the status of their ongoing interval `ongoing`: its start, or,
    where it goes on after a move to another group, the start of the status change before the
    move(s) (docs/timeline.md, "The group at the time")."""
    if ongoing.source != EventSource.GROUP_MOVE:
        return ongoing.started_at
    started_at = (
        _status_starts_before(agent=agent, before=ongoing.started_at)
        .values_list("started_at", flat=True)
        .first()
    )
    return started_at or ongoing.started_at


def _status_starts_before(*, agent, before) -> QuerySet[StatusEvent]:
    """The agent's status changes (not moves) before `before`, the latest first; `agent` and
    `before` may be outer references, for a subquery."""
    return (
        StatusEvent.objects.status_starts()
        .filter(agent=agent, started_at__lt=before)
        .order_by("-started_at")
    )


def status_start_expression(ongoing: str, field: str):
    """`field` of the status change that put each agent of an Agent queryset in the status of
    their ongoing interval (`ongoing`, a FilteredRelation to it): the interval's own, or, where
    it goes on after a move to another group, the change's before the move(s) (`status_since`
    for one agent). A subquery, run only for the agents whose ongoing interval is a move's."""
    status_start = _status_starts_before(
        agent=OuterRef("pk"), before=OuterRef(f"{ongoing}__started_at")
    ).values(field)[:1]
    return Case(
        When(**{f"{ongoing}__source": EventSource.GROUP_MOVE}, then=Subquery(status_start)),
        default=F(f"{ongoing}__{field}"),
    )


def agent_pending_offer(*, agent: Agent) -> Offer | None:
    """The offer ringing for the agent now, or None."""
    if agent.__dict__.get(HAS_PENDING_OFFER) is False:
        return None  # `load_situation` found none, and none rings while the lock is held
    return Offer.objects.pending().filter(agent=agent).first()


def agent_offer(*, agent: Agent, offer_id: str) -> Offer | None:
    """The agent's offer `offer_id` (whatever its state), or None: another agent's offer, or an
    id that is no offer's, is not found."""
    try:
        pk = uuid.UUID(str(offer_id))
    except ValueError:
        return None
    return Offer.objects.filter(agent=agent, pk=pk).first()


def agent_pending_change(*, agent: Agent) -> PendingChange | None:
    """The change the agent asked for while busy or in wrap-up, not yet applied, or None."""
    if agent.__dict__.get(HAS_PENDING_CHANGE) is False:
        return None  # `load_situation` found none, and none is asked while the lock is held
    return PendingChange.objects.select_related("code").filter(agent=agent).first()


def user_supervises(*, user: AbstractBaseUser, agent: Agent) -> bool:
    """Whether `user` is a supervisor of `agent`'s group."""
    return agent.group.supervisors.filter(pk=user.pk).exists()


def agents_supervised_by(*, user: AbstractBaseUser) -> QuerySet[Agent]:
    """The agents `user` may act on as a supervisor, for many agents at once: those of the groups
    they supervise, never themselves (`services.user_may_supervise` decides it for one)."""
    return Agent.objects.filter(group__supervisors=user).exclude(user_id=user.pk)


def reason_label(*, reason: str, language: str) -> str:
    """The label of the system reason `reason` in `language`."""
    with translation.override(language):
        return str(SystemReason(reason).label)


def agent_offered_codes(*, agent: Agent, action: str) -> list[StatusCode]:
    """The codes the agent may choose for `action`: active codes of the group's list, in order."""
    return list(StatusCode.objects.offered(code_list=agent.group.code_list, action=action))


def code_label(*, code: StatusCode, language: str) -> str:
    """`code`'s label in `language`, falling back to the primary language where it is missing."""
    with translation.override(language):
        return code.label


def agent_codes_by_action(*, agent: Agent) -> dict[str, list[StatusCode]]:
    """Every coded action with the codes offered for it (empty where none), in one query. Kept
    on an agent the lock loaded (`load_situation`, one transaction's instance): a change checks
    its code and answers the codes offered from the same read."""
    if CODES_BY_ACTION not in agent.__dict__:
        codes: dict[str, list[StatusCode]] = defaultdict(list)
        code_list = agent.group.code_list
        if code_list is None or not code_list.active:
            links = []  # nothing offered, and no query
        else:
            links = CODES_OFFERED.all(
                context={
                    "alphabetical": code_list.code_order == CodeOrder.ALPHABETICAL,
                    "language": agent.language,
                    "active_language": translation.get_language(),
                },
                code_list_id=code_list.pk,
            )
        for link in links:
            codes[link.action_id].append(link.statuscode)
        by_action = {action: codes[action] for action in CODED_ACTIONS}
        if ONGOING_INTERVAL not in agent.__dict__:
            return by_action
        agent.__dict__[CODES_BY_ACTION] = by_action
    return agent.__dict__[CODES_BY_ACTION]


def _codes_offered(
    *, alphabetical: bool, language: str, active_language: str | None, code_list_id: int
) -> QuerySet:
    """The codes offered for every coded action, as (code, action) links, in the list's order
    (as `StatusCode.objects.offered` sorts it) in the agent's `language`."""
    code_list = StatusCodeList(
        pk=code_list_id,
        active=True,
        code_order=CodeOrder.ALPHABETICAL if alphabetical else CodeOrder.SORT_ORDER,
    )
    with translation.override(active_language):
        links = StatusCode.actions.through.objects.filter(
            statuscode__in=StatusCode.objects.offered(code_list=code_list),
            action_id__in=CODED_ACTIONS,
        ).select_related("statuscode")
        if alphabetical:
            return links.annotate(label_shown=label_in(language, "statuscode__label")).order_by(
                Lower("label_shown"), "statuscode__code"
            )
        return links.order_by("statuscode__sort_order", "statuscode__code")


# Compiled once per process (core.precompiled), per order and language.
CODES_OFFERED = PrecompiledQuery(_codes_offered, code_list_id=int)


def agent_code_choices(*, agent: Agent) -> dict[str, list[OfferedCode]]:
    """Every coded action with the codes offered for it (empty where none), in one query."""
    with translation.override(agent.language):
        return {
            action: [OfferedCode(code=code.code, label=code.label) for code in codes]
            for action, codes in agent_codes_by_action(agent=agent).items()
        }
