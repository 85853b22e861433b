"""The keys of a report subscription: how often, in which file, and what came of a send."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily (yesterday)")
    WEEKLY = "weekly", _("Weekly (last Monday to Sunday)")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Outcome(models.TextChoices):
    """What the worker did with one period of a subscription."""

    SENT = "sent", _("Sent")
    NO_SCOPE = "no_scope", _("Not sent: the owner may read no report")
    NO_EMAIL = "no_email", _("Not sent: the owner has no e-mail address")
    BAD_FILTERS = "bad_filters", _("Not sent: the filters are no longer valid for the owner")
    TOO_LARGE = "too_large", _("Not sent: too many rows for an XLSX file")
