"""The event feed: webhook endpoints, the outbox of messages, and their deliveries
(docs/integrations.md)."""

import base64
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Lookup, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import Agent, StatusEvent

from .choices import DeliveryState, EventType
from .targets import TargetRefused, check_url

SECRET_PREFIX = "whsec_"
# 192 bits, as Standard Webhooks' reference implementations give: 32 base64 characters.
SECRET_BYTES = 24


def new_secret() -> str:
    """A fresh signing secret, `whsec_<base64>` (Standard Webhooks)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def default_event_types() -> list[str]:
    return list(EventType.values)


class WebhookEndpoint(models.Model):
    """A receiver of the event feed. Its secret signs every delivery; it is stored as is
    (signing needs it) and shown to people once, when it is made."""

    url = models.URLField(
        _("URL"),
        max_length=2000,
        help_text=_("Where the events are POSTed: http or https, on a public address."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(
        _("event types"),
        default=default_event_types,
        help_text=_("The event types this endpoint receives."),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive endpoint receives no new events.")
    )
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    secret_rotated_at = models.DateTimeField(
        _("secret made at"), default=timezone.now, editable=False
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(url=""), name="webhookendpoint_url_not_empty"),
            models.CheckConstraint(
                condition=Q(secret__startswith=SECRET_PREFIX),
                name="webhookendpoint_secret_shape",
            ),
        ]

    def __str__(self) -> str:
        return self.url

    def clean(self):
        super().clean()
        if self.url:
            try:
                check_url(self.url)
            except TargetRefused as refusal:
                raise ValidationError({"url": str(refusal)}) from None
        types = self.event_types
        if (
            not isinstance(types, list)
            or not types
            or any(t not in EventType.values for t in types)
        ):
            raise ValidationError(
                {
                    "event_types": _("Choose one or more of: %(types)s.")
                    % {"types": ", ".join(EventType.values)}
                }
            )

    def wants(self, event_type: str) -> bool:
        return self.active and event_type in self.event_types


class Includes(Lookup):
    """`event_types__includes="agent.status_changed"`: the JSON list holds that string. Django's
    own `contains` does not search inside JSON on SQLite; here SQLite lists the items with
    `json_each` and PostgreSQL asks `?` of the jsonb."""

    lookup_name = "includes"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            sql = f"{lhs} ? {rhs}"
        else:
            sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = {rhs})"
        return sql, (*lhs_params, *rhs_params)


WebhookEndpoint._meta.get_field("event_types").register_lookup(Includes)


class OutboxMessage(models.Model):
    """One event of the feed, written in the transaction that recorded it; its deliveries
    carry it to each endpoint."""

    msg_id = models.CharField(
        _("message id"), max_length=40, unique=True, default=new_message_id, editable=False
    )
    type = models.CharField(_("event type"), max_length=40, choices=EventType.choices)
    agent = models.ForeignKey(
        Agent, on_delete=models.PROTECT, related_name="feed_messages", verbose_name=_("agent")
    )
    event = models.OneToOneField(
        StatusEvent,
        on_delete=models.PROTECT,
        related_name="feed_message",
        verbose_name=_("status event"),
    )
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=EventType.values), name="outboxmessage_type_known"
            ),
        ]

    def __str__(self) -> str:
        return self.msg_id


class Delivery(models.Model):
    """One message to one endpoint: pending until it succeeds, or fails for good after the
    retries (docs/integrations.md, "Retries")."""

    message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("message"),
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(
        _("attempts"), default=0, help_text=_("Attempts since the message was (re)queued.")
    )
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-message_id", "endpoint_id"]
        permissions = [("replay_delivery", _("Can replay webhook deliveries"))]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "endpoint"], name="delivery_one_per_message_endpoint"
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="delivery_state_known"
            ),
            # Pending means scheduled; a finished delivery is not.
            models.CheckConstraint(
                condition=(
                    Q(
                        state=DeliveryState.PENDING,
                        next_attempt_at__isnull=False,
                        finished_at__isnull=True,
                    )
                    | Q(
                        ~Q(state=DeliveryState.PENDING),
                        next_attempt_at__isnull=True,
                        finished_at__isnull=False,
                    )
                ),
                name="delivery_pending_is_scheduled",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["endpoint", "state", "message"], name="delivery_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.endpoint_id}"


class DeliveryAttempt(models.Model):
    """One POST of a delivery: when, what the receiver answered (or what went wrong)."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    at = models.DateTimeField(_("at"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    error = models.TextField(_("error"), blank=True)
    response_body = models.TextField(
        _("response (start)"), blank=True, help_text=_("The first bytes of the answer.")
    )
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status_code__isnull=True)
                | Q(status_code__gte=100, status_code__lte=599),
                name="deliveryattempt_status_code_http",
            ),
            models.CheckConstraint(
                condition=Q(succeeded=False) | Q(status_code__gte=200, status_code__lte=299),
                name="deliveryattempt_success_is_2xx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:40]}"
