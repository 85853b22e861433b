"""The daily rollup: whole past days of the timeline summed in the contact center's zone, which
the time-by-code report reads instead of the events for the days it holds (docs/rollup.md).

Derived data: every row can be rebuilt from the events (`manage.py rollup --rebuild`), so the
rows follow their agent, group or code when one is deleted (none can be while it has events)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from agents.models import Agent, AgentGroup, AgentStatus
from statuscodes.models import StatusCode


class RollupState(models.Model):
    """One row: the zone the rolled days are local dates of, and the row that the builder and
    whatever invalidates days lock, so that a day is never rolled from events that a
    concurrent history import is changing."""

    zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # The day of the first status change: no day before it has any time (none is rolled, and
    # none needs to be). A history import of earlier days moves it back.
    first_day = models.DateField(_("first day"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rollup state")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="rollupstate_single_row")
        ]

    def __str__(self) -> str:
        return self.zone


class RolledDay(models.Model):
    """A local date (in `RollupState.zone`) whose totals are in `DayTotal` and `DayLoggedIn`:
    the report reads that day from them."""

    day = models.DateField(_("day"), unique=True)
    rolled_at = models.DateTimeField(_("rolled at"))

    class Meta:
        verbose_name = _("rolled day")

    def __str__(self) -> str:
        return self.day.isoformat()


class DayTotal(models.Model):
    """The break or offline time of one agent with one code (or system reason) on one day, in
    the group the agent was in: the count of intervals started that day, their time that day
    in microseconds, and how many of those intervals went past their code's maximum, by how
    much."""

    day = models.DateField(_("day"))
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(AgentGroup, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=AgentStatus.choices)
    code = models.ForeignKey(
        StatusCode, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    system_reason = models.CharField(_("system reason"), max_length=20, blank=True)
    count = models.IntegerField(_("count"))
    us = models.BigIntegerField(_("time (µs)"))
    exceeded_count = models.IntegerField(_("over max."))
    exceeded_us = models.BigIntegerField(_("time over max. (µs)"))

    class Meta:
        verbose_name = _("day total")
        indexes = [models.Index(fields=["day", "agent"], name="daytotal_day_agent_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.agent_id} {self.status} {self.code_id or self.system_reason}"


class DayLoggedIn(models.Model):
    """The time one agent was logged in on one day while in one group, in microseconds."""

    day = models.DateField(_("day"))
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(AgentGroup, on_delete=models.CASCADE, related_name="+")
    us = models.BigIntegerField(_("time (µs)"))

    class Meta:
        verbose_name = _("day logged in")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agent", "group"], name="dayloggedin_unique_day_agent_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.agent_id} {self.group_id}"
