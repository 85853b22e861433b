"""Who reads whose reports (docs/reports.md, "Who sees what"): supervisors their groups, report
readers everyone."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

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
    """The agents whose timelines `user` may read, by username (with just their username)."""
    agents = (
        Agent.objects.select_related("user").only("id", "user__username").order_by("user__username")
    )
    if user_sees_all_reports(user=user):
        return agents
    return agents.filter(group__supervisors=user)


def codes_in_scope(*, user: AbstractBaseUser) -> QuerySet[StatusCode]:
    """The codes of the lists of the groups in scope, retired ones included (they have history)."""
    codes = StatusCode.objects.select_related("code_list").order_by(
        "code_list__name", "sort_order", "code"
    )
    if user_sees_all_reports(user=user):
        return codes
    return codes.filter(code_list__groups__supervisors=user).distinct()
