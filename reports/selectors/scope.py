"""Who reads whose reports (docs/reports.md, "Who sees what"): supervisors their groups, report
readers everyone."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from agents.models import Agent, AgentGroup
from statuscodes.models import StatusCode

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


def agents_in_scope(*, user: AbstractBaseUser) -> QuerySet[Agent]:
    """The agents whose timelines `user` may read, by username (with just their names)."""
    agents = (
        Agent.objects.select_related("user")
        .only("id", "user__username", "user__first_name", "user__last_name")
        .order_by("user__username")
    )
    if user_sees_all_reports(user=user):
        return agents
    return agents.filter(group__supervisors=user)


def agent_choice_label(agent: Agent) -> str:
    """How a picker shows an agent: the full name and the username, or the username alone."""
    name = agent.user.get_full_name()
    return f"{name} ({agent.user.username})" if name else agent.user.username


def agents_matching(*, user: AbstractBaseUser, term: str) -> QuerySet[Agent]:
    """The agents in `user`'s scope whose username, first or last name holds every word of
    `term` (the agent picker's search: "ana gar" finds Ana García)."""
    agents = agents_in_scope(user=user)
    for word in term.split():
        agents = agents.filter(
            Q(user__username__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
        )
    return agents


def codes_in_scope(*, user: AbstractBaseUser) -> QuerySet[StatusCode]:
    """The codes of the lists of the groups in scope, retired ones included (they have history)."""
    codes = StatusCode.objects.select_related("code_list").order_by(
        "code_list__name", "sort_order", "code"
    )
    if user_sees_all_reports(user=user):
        return codes
    return codes.filter(code_list__groups__supervisors=user).distinct()
