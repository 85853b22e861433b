"""People and their timelines: agent groups, agents, status events, integration tokens."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import AgentStatus, Channel, EventKind, EventSource
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
        help_text=_("Users who may read this group's reports."),
    )

    history = HistoricalRecords(m2m_fields=[supervisors])

    class Meta:
        verbose_name = _("agent group")
        verbose_name_plural = _("agent groups")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="agentgroup_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


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
        help_text=_("Language of the status code labels this agent sees."),
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
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=EventSource.choices)
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
            models.Index(
                fields=["kind", "status", "started_at"], name="statusevent_status_start_idx"
            ),
        ]

    def __str__(self) -> str:
        what = self.status or f"reject_{self.channel}"
        return f"{self.agent} {what} at {self.started_at:%Y-%m-%d %H:%M:%S}"


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
