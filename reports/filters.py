"""One FilterSet per report (django-filter): which agents, limited to the reader's scope.

The FilterSets filter agents: `qs` is the agents in the reader's scope that match the group and
agent filters, and is handed to the report's selector, with `event_groups()`: the reports read
the events of those groups only, by the agent's group at the time of each event (the live board
reads the agents in the group now). A group or agent outside the scope is
not a choice, so asking for it is a form error. The rest of the filters (window, status,
channel, code) describe the events to report on; they are fields of the report's form
(`reports.forms`), read from `criteria()`.
"""

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from agents.models import Agent

from . import forms
from .selectors.scope import (
    agents_in_scope,
    codes_in_scope,
    event_groups_in_scope,
    groups_in_scope,
    in_groups,
    user_sees_all_reports,
)

# The session key of the time zone the reader chose last (listed among the common zones).
LAST_TIME_ZONE = "reports_time_zone"


def _groups(request: HttpRequest):
    return groups_in_scope(user=request.user)


def _agents(request: HttpRequest):
    return agents_in_scope(user=request.user)


class GroupFilter(django_filters.ModelChoiceFilter):
    field_class = forms.GroupField


class AgentFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = forms.AgentField


class AgentScopeFilterSet(django_filters.FilterSet):
    group = GroupFilter(
        field_name="group",
        queryset=_groups,
        label=_("Group"),
        empty_label=_("All groups"),
        method="filter_group",
        widget=forms.Select,
    )
    # Several agents at once (`agent=1&agent=2`), searched by name (reports.forms.AgentPicker).
    agent = AgentFilter(
        queryset=_agents,
        label=_("Agents"),
        method="filter_agent",
        widget=forms.AgentPicker,
    )

    class Meta:
        model = Agent
        fields = ("group", "agent")
        form = forms.WindowForm

    # Whether the report reads the group at the time of each event (history) or the group now
    # (the live board).
    group_at_the_time = True

    def __init__(self, data, *, request: HttpRequest) -> None:
        agents = agents_in_scope(user=request.user, now_only=not self.group_at_the_time)
        super().__init__(data, queryset=agents, request=request)
        # The agent choices are the same agents (not built a second time by `_agents`).
        self.filters["agent"].queryset = agents
        if "code" in self.form.fields:
            self.form.fields["code"].queryset = codes_in_scope(user=request.user)
        # The common zones first: the one asked for, the one the reader chose last.
        # (A request without a session, e.g. a saved filter checked outside a page: none.)
        session = getattr(request, "session", {})
        chosen = (self.form.data.get("tz", ""), session.get(LAST_TIME_ZONE, ""))
        self.form.fields["tz"].choices = forms.TimeZoneChoices(preferred=chosen)

    def filter_group(self, queryset, name: str, value):
        if value is None:
            return queryset
        if not self.group_at_the_time:
            return queryset.filter(group=value)
        return in_groups(queryset, [value.pk])

    def filter_agent(self, queryset, name: str, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=[agent.pk for agent in value])

    def event_groups(self) -> list[int] | QuerySet | None:
        """The ids of the groups whose events the report reads (None: any group)."""
        return event_groups_in_scope(
            user=self.request.user, group=self.form.cleaned_data.get("group")
        )

    def filter_queryset(self, queryset):
        # The form also holds the event criteria, which are not filters of the agents.
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, self.form.cleaned_data.get(name))
        return queryset

    def chosen_agents(self) -> int:
        """How many agents the reader chose by name (0: none chosen, every agent in scope)."""
        return len(self.form.cleaned_data.get("agent") or ())

    def selects_everyone(self) -> bool:
        """Whether `qs` is every agent: the reader sees all and chose no group or agent."""
        chosen = self.form.cleaned_data
        return (
            user_sees_all_reports(user=self.request.user)
            and chosen.get("group") is None
            and not chosen.get("agent")
        )

    def criteria(self) -> dict:
        """The cleaned values of the form's own fields (window, status, channel, code, …)."""
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if name not in self.filters
        }


class StatusChangesFilterSet(AgentScopeFilterSet):
    class Meta(AgentScopeFilterSet.Meta):
        form = forms.StatusChangesForm


class TimeByCodeFilterSet(AgentScopeFilterSet):
    class Meta(AgentScopeFilterSet.Meta):
        form = forms.TimeByCodeForm


class RejectionsFilterSet(AgentScopeFilterSet):
    class Meta(AgentScopeFilterSet.Meta):
        form = forms.RejectionsForm


class LiveFilterSet(AgentScopeFilterSet):
    group_at_the_time = False

    class Meta(AgentScopeFilterSet.Meta):
        form = forms.LiveForm
