"""Who reads whose reports (docs/reports.md, "Who sees what"): supervisors their groups, report
readers everyone.

A supervisor reads what the agents did while in the supervisor's groups: each event records the
agent's group at the time, and the reports keep the events of the groups in scope
(`event_groups_in_scope`). The agents in scope are those in the groups now and those with events
there (who moved out); the live board reads only the agents in the groups now.
"""

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Aggregate, CharField, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import get_language

from agents.models import Agent, AgentGroup, StatusEvent
from core.search import unaccented
from statuscodes.models import StatusCode, label_in

VIEW_ALL_REPORTS = "agents.view_all_reports"


def user_sees_all_reports(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm(VIEW_ALL_REPORTS))


def user_can_view_reports(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Report readers, superusers and anyone named supervisor of a group; agents are not."""
    if not user.is_authenticated:
        return False
    return user_sees_all_reports(user=user) or user.supervised_groups.exists()


def groups_in_scope(*, user: AbstractBaseUser) -> QuerySet[AgentGroup]:
    """The groups whose reports `user` may read, by name."""
    if user_sees_all_reports(user=user):
        return AgentGroup.objects.order_by("name")
    return AgentGroup.objects.filter(supervisors=user).order_by("name")


def agents_in_scope(*, user: AbstractBaseUser, now_only: bool = False) -> QuerySet[Agent]:
    """The agents whose timelines `user` may read, by username (with just their names): in
    the groups in scope now, or with events recorded there (`now_only`: the former only)."""
    agents = (
        Agent.objects.select_related("user")
        .only("id", "user__username", "user__first_name", "user__last_name")
        .order_by("user__username")
    )
    if user_sees_all_reports(user=user):
        return agents
    supervised = AgentGroup.objects.filter(supervisors=user).values("pk")
    if now_only:
        return agents.filter(group__in=supervised)
    return in_groups(agents, supervised)


def in_groups(agents: QuerySet[Agent], groups) -> QuerySet[Agent]:
    """`agents` in one of `groups` (a queryset of group ids or groups) now, or with events
    recorded while in one of them: one index probe per agent and group."""
    been_there = StatusEvent.objects.filter(agent=OuterRef("pk"), group__in=groups)
    return agents.filter(Q(group__in=groups) | Q(Exists(been_there)))


def event_groups_in_scope(
    *, user: AbstractBaseUser, group: AgentGroup | None = None
) -> list[int] | QuerySet | None:
    """The ids of the groups whose events `user` reads in the reports: the chosen `group` (one
    in scope), else every group in scope (a queryset of ids, for a subquery); None when that is
    every group (no condition)."""
    if group is not None:
        return [group.pk]
    if user_sees_all_reports(user=user):
        return None
    return AgentGroup.objects.filter(supervisors=user).values("pk")


def agent_choice_label(agent: Agent) -> str:
    """How a picker shows an agent: the full name and the username, or the username alone."""
    user = agent.user
    return name_choice_label(user.username, user.first_name, user.last_name)


def name_choice_label(username: str, first_name: str, last_name: str) -> str:
    """`agent_choice_label` of the user's names, as read in plain rows."""
    name = f"{first_name} {last_name}".strip()
    return f"{name} ({username})" if name else username


def agents_matching(*, user: AbstractBaseUser, term: str) -> QuerySet[Agent]:
    """The agents in `user`'s scope whose username, first or last name holds every word of
    `term`, whatever the accents and letter case (the agent picker's search: "ana gar" and
    "garcia" find Ana García)."""
    agents = agents_in_scope(user=user)
    fields = unaccented("user__username", "user__first_name", "user__last_name")
    for word in term.split():
        agents = agents.filter(reduce(or_, (Q(**{field: word}) for field in fields)))
    return agents


def codes_in_scope(*, user: AbstractBaseUser) -> QuerySet[StatusCode]:
    """The codes of the lists of the groups in scope, retired ones included (they have history)."""
    codes = StatusCode.objects.select_related("code_list").order_by(
        "code_list__name", "sort_order", "code"
    )
    if user_sees_all_reports(user=user):
        return codes
    return codes.filter(code_list__groups__supervisors=user).distinct()


def code_choice_label(code: StatusCode) -> str:
    """How a filter shows a code: its list, key and label in the reader's language (the primary
    language's where it has no translation)."""
    return f"{code.code_list.name} / {code.code} — {code.label}"


def codes_matching(*, user: AbstractBaseUser, term: str) -> QuerySet[StatusCode]:
    """The codes in `user`'s scope whose key, list or label in the reader's language holds every
    word of `term`, whatever the accents and letter case (the code picker's search: "support
    lun" finds Support / LUNCH, and "reunion" finds Reunión for a reader in Spanish)."""
    language = get_language() or settings.LANGUAGE_CODE
    codes = codes_in_scope(user=user).annotate(label_shown=label_in(language))
    fields = unaccented("code", "code_list__name", "label_shown")
    for word in term.split():
        codes = codes.filter(reduce(or_, (Q(**{field: word}) for field in fields)))
    return codes


# The live board's push channels (reports/live_push.py): one for the readers who see every
# agent, and one per supervisor, named by user id. A reader is given only their own channel, and
# an agent's change goes to the channels of the readers who may see that agent when it is sent.
LIVE_CHANNEL_ALL = "live-all"
LIVE_CHANNEL_SUPERVISOR = "live-supervisor-{user_id}"


def live_channel_for_reader(*, user: AbstractBaseUser | AnonymousUser) -> str | None:
    """The one channel that carries the changes `user` may see on the live board; None for
    users who may read no report."""
    if not user_can_view_reports(user=user):
        return None
    if user_sees_all_reports(user=user):
        return LIVE_CHANNEL_ALL
    return LIVE_CHANNEL_SUPERVISOR.format(user_id=user.pk)


def live_channels_for_agent(
    *, agent_id: int, supervisor_ids: Iterable[int] | None = None
) -> set[str]:
    """The channels of the readers who may see this agent now: everyone's, and the supervisors'
    of the agent's group (`supervisor_ids`, when read already: `group_supervisor_ids`)."""
    if supervisor_ids is None:
        supervisor_ids = AgentGroup.supervisors.through.objects.filter(
            agentgroup__agents__id=agent_id
        ).values_list("user_id", flat=True)
    return {LIVE_CHANNEL_ALL} | {
        LIVE_CHANNEL_SUPERVISOR.format(user_id=user_id) for user_id in supervisor_ids
    }


class _CommaSeparated(Aggregate):
    """The values as one string, "3,7,12" (NULL for none), in both databases."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS text), ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def group_supervisor_ids_read() -> Subquery:
    """The ids of the supervisors of an agent's group, read with the agent (an expression on
    Agent, for `agents.signals.lock_reads`); `group_supervisor_ids` gives them back."""
    return Subquery(
        AgentGroup.supervisors.through.objects.filter(agentgroup_id=OuterRef("group_id"))
        .values("agentgroup_id")
        .annotate(ids=_CommaSeparated("user_id"))
        .values("ids")
    )


def group_supervisor_ids(read: str | None) -> list[int]:
    """The ids `group_supervisor_ids_read` read."""
    return [int(user_id) for user_id in read.split(",")] if read else []
