"""Report subscriptions: a report with its filters, e-mailed to its owner daily or weekly
(docs/scheduled-reports.md)."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import default_language, language_choices
from reports.selectors.scope import user_can_view_reports

from . import catalog
from .choices import FileFormat, Frequency, Outcome, Weekday
from .periods import ReportPeriod, latest_whole_period


class ReportSubscription(models.Model):
    """One report, with the filters of its page, sent to its owner at a local time."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # A subscription is its owner's alone: it goes with them.
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
        verbose_name=_("owner"),
        help_text=_("Who receives the report, and whose scope it is read with."),
    )
    report = models.CharField(_("report"), max_length=40, choices=catalog.report_choices)
    query = models.CharField(
        _("filters"),
        max_length=2000,
        blank=True,
        help_text=_(
            "The report page's query string, such as tz=Europe/Madrid&group=3; its dates are "
            "replaced by the period sent."
        ),
    )
    file_format = models.CharField(
        _("format"), max_length=4, choices=FileFormat.choices, default=FileFormat.CSV
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text=_("The day a weekly report is sent."),
    )
    send_time = models.TimeField(
        _("send time"), help_text=_("The local time, in the report's time zone.")
    )
    language = models.CharField(
        _("language"), max_length=10, choices=language_choices, default=default_language
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_period_end = models.DateField(
        _("last period handled"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The last local date of the last period sent or found unsendable."),
    )
    last_outcome = models.CharField(
        _("last outcome"), max_length=20, choices=Outcome.choices, blank=True, editable=False
    )
    last_note = models.TextField(_("last note"), blank=True, editable=False)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["owner__username", "report", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency=Frequency.DAILY, weekday__isnull=True)
                | Q(frequency=Frequency.WEEKLY, weekday__isnull=False),
                name="reportsubscription_weekday_iff_weekly",
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__lte=6),
                name="reportsubscription_weekday_range",
            ),
            models.CheckConstraint(
                condition=Q(file_format__in=FileFormat.values),
                name="reportsubscription_file_format_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_report_display()} → {self.owner}"

    @property
    def zone(self) -> ZoneInfo:
        """The report's time zone: its `tz` filter, else the center's."""
        try:
            return ZoneInfo(QueryDict(self.query).get("tz") or settings.TIME_ZONE)
        except (ValueError, KeyError):
            return ZoneInfo(settings.TIME_ZONE)

    def latest_period(self, *, now: datetime) -> ReportPeriod:
        return latest_whole_period(
            frequency=self.frequency,
            weekday=self.weekday,
            send_time=self.send_time,
            zone=self.zone,
            now=now,
        )

    def is_due(self, period: ReportPeriod) -> bool:
        return self.last_period_end is None or self.last_period_end < period.date_to

    def skip_periods_already_due(self, *, now: datetime) -> None:
        """A new subscription's first file goes at its next send time, not at once."""
        if self.send_time is not None and self.frequency in Frequency.values:
            self.last_period_end = self.latest_period(now=now).date_to

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.frequency == Frequency.WEEKLY and self.weekday is None:
            errors["weekday"] = _("Choose the day a weekly report is sent.")
        if self.frequency == Frequency.DAILY:
            self.weekday = None
        if self.owner_id is not None and self.report in catalog.subscribable_views():
            owner = self.owner
            if not user_can_view_reports(user=owner):
                errors["owner"] = _("This user may read no report: make them a group's supervisor.")
            elif not owner.email:
                errors["owner"] = _("This user has no e-mail address to send the report to.")
            else:
                self.query = catalog.kept_query(QueryDict(self.query))
                _view, filterset = catalog.report_view_for(
                    slug=self.report, owner=owner, query=self.query
                )
                if not filterset.is_valid():
                    errors["query"] = catalog.filter_errors(filterset)
        if errors:
            raise ValidationError(errors)

    @property
    def schedule(self) -> str:
        """How people read the schedule: "Daily at 07:00" or "Weekly on Monday at 07:00"."""
        at = self.send_time.strftime("%H:%M") if isinstance(self.send_time, time) else ""
        if self.frequency == Frequency.WEEKLY and self.weekday is not None:
            return _("Weekly on %(day)s at %(time)s, %(zone)s time") % {
                "day": Weekday(self.weekday).label,
                "time": at,
                "zone": self.zone.key,
            }
        return _("Daily at %(time)s, %(zone)s time") % {"time": at, "zone": self.zone.key}


class SubscriptionRun(models.Model):
    """One period of one subscription, handled once: sent, or found unsendable and why."""

    subscription = models.ForeignKey(
        ReportSubscription,
        on_delete=models.CASCADE,
        related_name="runs",
        verbose_name=_("subscription"),
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    recipient = models.EmailField(_("recipient"), blank=True)
    created_at = models.DateTimeField(_("handled at"), default=timezone.now)

    class Meta:
        verbose_name = _("report sent")
        verbose_name_plural = _("reports sent")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The database's own guard against two workers sending one period twice.
            models.UniqueConstraint(
                fields=["subscription", "date_from"], name="subscriptionrun_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")),
                name="subscriptionrun_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription} {self.date_from}–{self.date_to}"
