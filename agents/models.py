"""People and their timelines: agent groups, agents, status events, integration tokens."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import (
    CODED_ACTION_OF_STATUS,
    DEFERRABLE_ACTIONS,
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
from statuscodes.models import StatusCode, StatusCodeList


def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


def default_language() -> str:
    return settings.LANGUAGE_CODE


class AgentGroup(models.Model):
    """A team of agents sharing one status code list and read by its supervisors."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    code_list = models.ForeignKey(
        StatusCodeList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("status code list"),
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="supervised_groups",
        verbose_name=_("supervisors"),
        help_text=_("Users who may read this group's reports and change its agents' status."),
    )
    # The automatic statuses (docs/concepts.md, "The agent's day").
    status_after_rejection = models.CharField(
        _("status after a rejection"),
        max_length=20,
        choices=AutomaticStatus.choices,
        default=AutomaticStatus.ON_BREAK,
        help_text=_(
            "Where an agent goes after rejecting an offer; it carries the rejection's code."
        ),
    )
    status_after_missed = models.CharField(
        _("status after a missed offer"),
        max_length=20,
        choices=AutomaticStatus.choices,
        default=AutomaticStatus.ON_BREAK,
        help_text=_("Where an agent goes when an offer rang out; the reason is “missed”."),
    )
    auto_return_seconds = models.PositiveIntegerField(
        _("automatic return (seconds)"),
        validators=[MinValueValidator(1)],
        null=True,
        blank=True,
        help_text=_(
            "After this many seconds, the status after a rejection or a missed offer returns to "
            "available by itself. Empty: the agent must act."
        ),
    )
    login_status = models.CharField(
        _("status after login"),
        max_length=20,
        choices=AutomaticStatus.choices,
        default=AutomaticStatus.AVAILABLE,
    )
    login_code = models.ForeignKey(
        StatusCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="login_groups",
        verbose_name=_("code after login"),
        help_text=_("A code of the group's list for that status (on break or work offline)."),
    )
    timeout_action = models.CharField(
        _("timeout action"),
        max_length=20,
        choices=TimeoutAction.choices,
        default=TimeoutAction.LOGOUT,
        help_text=_("What ends a status whose code's automatic end is reached."),
    )

    history = HistoricalRecords(m2m_fields=[supervisors])

    class Meta:
        verbose_name = _("agent group")
        verbose_name_plural = _("agent groups")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="agentgroup_name_not_empty"),
            models.CheckConstraint(
                condition=Q(status_after_rejection__in=AutomaticStatus.values),
                name="agentgroup_status_after_rejection_valid",
            ),
            models.CheckConstraint(
                condition=Q(status_after_missed__in=AutomaticStatus.values),
                name="agentgroup_status_after_missed_valid",
            ),
            models.CheckConstraint(
                condition=Q(login_status__in=AutomaticStatus.values),
                name="agentgroup_login_status_valid",
            ),
            # Available carries no code.
            models.CheckConstraint(
                condition=~Q(login_status=AutomaticStatus.AVAILABLE) | Q(login_code__isnull=True),
                name="agentgroup_login_code_only_when_away",
            ),
            models.CheckConstraint(
                condition=Q(timeout_action__in=TimeoutAction.values),
                name="agentgroup_timeout_action_valid",
            ),
            models.CheckConstraint(
                condition=Q(auto_return_seconds__isnull=True) | Q(auto_return_seconds__gt=0),
                name="agentgroup_auto_return_seconds_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        login_code_problem = self.login_code_problem()
        if login_code_problem:
            raise ValidationError({"login_code": login_code_problem})

    def login_code_problem(self) -> str | None:
        """Why `login_code` cannot go with `login_status` and the group's list; None if it can."""
        if self.login_code_id is None:
            return None
        if self.login_status == AutomaticStatus.AVAILABLE:
            return _("Available carries no code: empty the code or choose another status.")
        code = self.login_code
        if self.code_list_id is None or code.code_list_id != self.code_list_id:
            return _("The code after login must be a code of the group's status code list.")
        action = CODED_ACTION_OF_STATUS[self.login_status]
        if not code.actions.filter(key=action).exists():
            return _("The code “%(code)s” does not apply to “%(action)s”.") % {
                "code": code.code,
                "action": AgentAction(action).label,
            }
        return None


class Agent(models.Model):
    """A Django user working in one group, with the per-agent status code switch."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent",
        verbose_name=_("user"),
    )
    group = models.ForeignKey(
        AgentGroup, on_delete=models.PROTECT, related_name="agents", verbose_name=_("group")
    )
    status_codes_enabled = models.BooleanField(
        _("status codes enabled"),
        default=True,
        help_text=_("When on, the agent must pick a code where the group's list offers one."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=language_choices,
        default=default_language,
        help_text=_(
            "The language of the agent's console: its pages, its messages and refusals, and the "
            "status code labels. Reports and the API follow each reader's browser or request."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["user__username"]
        permissions = [
            ("act_for_other_agents", _("Can change the status of other agents (integrations)")),
            ("view_all_reports", _("Can view the reports of every agent group")),
        ]

    def __str__(self) -> str:
        return self.user.get_username()

    @property
    def username(self) -> str:
        return self.user.get_username()


class StatusEventQuerySet(models.QuerySet):
    def status_changes(self):
        return self.filter(kind=EventKind.STATUS)

    def rejections(self):
        return self.filter(kind=EventKind.REJECTION)

    def ongoing(self):
        return self.filter(kind=EventKind.STATUS, ended_at__isnull=True)

    def status_starts(self):
        """The status changes that start a time in status: all but the group moves, which go on
        with the status of the interval they split (docs/timeline.md, "The group at the time")."""
        return self.status_changes().exclude(source=EventSource.GROUP_MOVE)

    def timers_due(self, *, now):
        """The ongoing intervals whose timer (automatic return, safety net) is due at `now`."""
        return self.ongoing().filter(due_at__lte=now)


class StatusEvent(models.Model):
    """One entry of an agent's timeline (docs/timeline.md).

    A status change opens an interval [started_at, ended_at) in `status`; `ended_at` is the
    instant of the agent's next change and is empty while the interval is ongoing. A rejection
    is instantaneous: it has a `channel`, no status and no end. Written by two writers only,
    which chain intervals with the same function (`agents.timeline.chain`): `agents.services`
    (live changes, one at a time) and `agents.history_import` (history files, merged).
    """

    agent = models.ForeignKey(
        Agent, on_delete=models.PROTECT, related_name="events", verbose_name=_("agent")
    )
    # The agent's group when the event happened: the reports' group column, group filter and
    # supervisor scope read it, so that moving an agent leaves their past where it was
    # (docs/timeline.md, "The group at the time"). Indexed with the agent below.
    group = models.ForeignKey(
        AgentGroup,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("group"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=AgentStatus.choices, blank=True)
    previous_status = models.CharField(
        _("previous status"), max_length=20, choices=AgentStatus.choices, blank=True
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    code = models.ForeignKey(
        StatusCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("status code"),
    )
    system_reason = models.CharField(
        _("system reason"), max_length=10, choices=SystemReason.choices, blank=True
    )
    missed = models.BooleanField(
        _("missed"), default=False, help_text=_("A rejection that is an offer which rang out.")
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=EventSource.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
        help_text=_("The person other than the agent who made the change, if any."),
    )
    # The interval's timer, fixed when it starts: it ends by itself at `due_at` unless another
    # change ends it first (docs/worker.md).
    timer = models.CharField(_("timer"), max_length=12, choices=Timer.choices, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    objects = StatusEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        ordering = ["agent", "started_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=EventKind.STATUS) & ~Q(status="") & Q(channel="")
                    | Q(kind=EventKind.REJECTION)
                    & Q(status="")
                    & ~Q(channel="")
                    & Q(ended_at__isnull=True)
                ),
                name="statusevent_kind_fields",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="statusevent_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(system_reason="") | Q(code__isnull=True),
                name="statusevent_code_or_system_reason",
            ),
            models.CheckConstraint(
                condition=Q(system_reason__in=["", *SystemReason.values]),
                name="statusevent_system_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(missed=False)
                | Q(kind=EventKind.REJECTION, system_reason=SystemReason.MISSED),
                name="statusevent_missed_is_a_rejection",
            ),
            models.CheckConstraint(
                condition=Q(timer="", due_at__isnull=True)
                | Q(kind=EventKind.STATUS, due_at__gt=F("started_at")) & Q(timer__in=Timer.values),
                name="statusevent_timer_fields",
            ),
            models.UniqueConstraint(
                fields=["agent", "kind", "started_at"], name="statusevent_unique_instant"
            ),
            # At most one ongoing interval per agent: the agent's current status. `kind` is in
            # the key although the condition fixes it: SQLite (no statistics unless ANALYZE ran)
            # then prefers this one-row index to the unique (agent, kind, started_at) one when
            # the live board looks up every agent's current interval (docs/performance.md,
            # "Reports").
            models.UniqueConstraint(
                fields=["agent", "kind"],
                condition=Q(kind=EventKind.STATUS, ended_at__isnull=True),
                name="statusevent_one_ongoing_per_agent",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "started_at"], name="statusevent_kind_start_idx"),
            models.Index(fields=["kind", "ended_at"], name="statusevent_kind_end_idx"),
            # The intervals of some statuses in a window (time by code): without it PostgreSQL
            # reads the whole history rather than the window (docs/performance.md, "Reports").
            # On PostgreSQL it also holds what the report reads of each interval, which is then
            # read from the index alone (SQLite has no INCLUDE: the same index without them).
            models.Index(
                fields=["kind", "status", "started_at"],
                include=["agent", "group", "code", "system_reason", "ended_at", "source"],
                name="statusevent_status_window_idx",
            ),
            # Whether an agent has events in some groups (the reports' scope, one probe per
            # agent and group), and what blocks deleting a group.
            models.Index(fields=["group", "agent"], name="statusevent_group_agent_idx"),
            # The moves between groups (few), for the time logged in while in a group.
            models.Index(
                fields=["agent", "started_at"],
                condition=Q(source=EventSource.GROUP_MOVE),
                name="statusevent_group_move_idx",
            ),
            # The worker's sweep: the ongoing intervals with a timer, by due instant.
            models.Index(
                fields=["due_at"],
                condition=Q(ended_at__isnull=True, due_at__isnull=False),
                name="statusevent_timer_due_idx",
            ),
        ]

    def __str__(self) -> str:
        what = self.status or f"reject_{self.channel}"
        return f"{self.agent} {what} at {self.started_at:%Y-%m-%d %H:%M:%S}"


class OfferQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=OfferState.PENDING)


class Offer(models.Model):
    """An interaction an integration offers to an agent; it rings until it is answered (accepted
    or rejected), missed or withdrawn (docs/concepts.md, "Offers")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agent = models.ForeignKey(
        Agent, on_delete=models.PROTECT, related_name="offers", verbose_name=_("agent")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    offered_at = models.DateTimeField(_("offered at"))
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offered by"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=OfferState.choices, default=OfferState.PENDING
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["agent", "offered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent"],
                condition=Q(state=OfferState.PENDING),
                name="offer_one_pending_per_agent",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="offer_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(state=OfferState.PENDING, settled_at__isnull=True)
                | Q(state__in=OfferState.values)
                & ~Q(state=OfferState.PENDING)
                & Q(settled_at__gte=F("offered_at")),
                name="offer_settled_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.channel} offer at {self.offered_at:%Y-%m-%d %H:%M:%S}"


class PendingChange(models.Model):
    """A break, offline or logout asked while busy or in wrap-up: applied instead of available
    when the interaction and its wrap-up end (docs/concepts.md, "Pending change"). One per
    agent; asking again replaces it."""

    agent = models.OneToOneField(
        Agent,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="pending_change",
        verbose_name=_("agent"),
    )
    action = models.CharField(
        _("action"),
        max_length=20,
        choices=[(a, AgentAction(a).label) for a in DEFERRABLE_ACTIONS],
    )
    code = models.ForeignKey(
        StatusCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("status code"),
    )
    source = models.CharField(_("source"), max_length=10, choices=EventSource.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("The person other than the agent who asked for it, if any."),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=DEFERRABLE_ACTIONS), name="pendingchange_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.action} pending"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for an integration, tied to a user; only its SHA-256 hash is stored."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What uses this token."))
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def set_new_key(self) -> str:
        """Give the token a fresh secret and return it; it is shown once and never stored."""
        key = secrets.token_urlsafe(32)
        self.prefix = key[: self.PREFIX_LENGTH]
        self.key_hash = self.hash_key(key)
        return key
