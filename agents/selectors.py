"""Reading an agent's situation: current state, offered codes and their labels (docs/concepts.md,
"The workflow rules")."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models.functions import Lower
from django.utils import translation

from core.choices import CODED_ACTIONS, AgentStatus, SystemReason
from statuscodes.models import CodeOrder, StatusCode, label_in

from .models import Agent, Offer, PendingChange, StatusEvent


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


def agent_current_state(*, agent: Agent) -> AgentState:
    """The agent's ongoing status interval; an agent with no recorded change is logged out."""
    ongoing = (
        StatusEvent.objects.ongoing()
        .filter(agent=agent)
        .select_related("code")
        .only("status", "started_at", "code", "system_reason")
        .first()
    )
    if ongoing is None:
        return AgentState(agent=agent, status=AgentStatus.LOGGED_OUT, code=None, since=None)
    return AgentState(
        agent=agent,
        status=ongoing.status,
        code=ongoing.code,
        since=ongoing.started_at,
        system_reason=ongoing.system_reason,
    )


def agent_pending_offer(*, agent: Agent) -> Offer | None:
    """The offer ringing for the agent now, or None."""
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
    return PendingChange.objects.select_related("code").filter(agent=agent).first()


def user_supervises(*, user: AbstractBaseUser, agent: Agent) -> bool:
    """Whether `user` is a supervisor of `agent`'s group."""
    return agent.group.supervisors.filter(pk=user.pk).exists()


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


def agent_code_choices(*, agent: Agent) -> dict[str, list[OfferedCode]]:
    """Every coded action with the codes offered for it (empty where none), in one query."""
    choices: dict[str, list[OfferedCode]] = defaultdict(list)
    code_list = agent.group.code_list
    links = StatusCode.actions.through.objects.filter(
        statuscode__in=StatusCode.objects.offered(code_list=code_list),
        action_id__in=CODED_ACTIONS,
    ).select_related("statuscode")
    # The list's order, as `StatusCode.objects.offered` sorts it, in the agent's language.
    if code_list is not None and code_list.code_order == CodeOrder.ALPHABETICAL:
        links = links.annotate(label_shown=label_in(agent.language, "statuscode__label")).order_by(
            Lower("label_shown"), "statuscode__code"
        )
    else:
        links = links.order_by("statuscode__sort_order", "statuscode__code")
    with translation.override(agent.language):
        for link in links:
            code = link.statuscode
            choices[link.action_id].append(OfferedCode(code=code.code, label=code.label))
    return {action: choices[action] for action in CODED_ACTIONS}
