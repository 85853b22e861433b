"""The event feed's keys: event types and delivery states (docs/integrations.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    STATUS_CHANGED = "agent.status_changed", _("Agent status changed")
    INTERACTION_REJECTED = "agent.interaction_rejected", _("Interaction rejected")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
