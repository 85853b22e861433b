"""Sending the subscriptions that are due (docs/scheduled-reports.md).

Each subscription is decided in its own transaction: its row is locked (a row another worker
holds is skipped), the period is checked against the last one handled, the period is recorded
and the mail is sent before the transaction commits. A mail that fails rolls the record back,
so the next sweep tries again; two workers never both record a period (the lock, and the
unique row per subscription and period where the database has no row locks).
"""

import logging
from datetime import datetime

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports import exports
from reports.routers import report_reads
from reports.selectors.scope import user_can_view_reports

from . import catalog
from .choices import FileFormat, Outcome
from .models import ReportSubscription, SubscriptionRun
from .periods import ReportPeriod

logger = logging.getLogger(__name__)

MIME_TYPES = {FileFormat.CSV: "text/csv", FileFormat.XLSX: exports.XLSX_TYPE}


def subscription_create(
    *,
    owner,
    report: str,
    query: str,
    frequency: str,
    send_time,
    file_format: str,
    weekday: int | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> ReportSubscription:
    """A new subscription, its filters checked with the report's form in the owner's scope;
    its first file goes at its next send time."""
    subscription = ReportSubscription(
        owner=owner,
        report=report,
        query=query,
        frequency=frequency,
        weekday=weekday,
        send_time=send_time,
        file_format=file_format,
    )
    if language:
        subscription.language = language
    subscription.full_clean()
    subscription.skip_periods_already_due(now=now or timezone.now())
    subscription.save()
    return subscription


def report_file(
    *, subscription: ReportSubscription, period: ReportPeriod, now: datetime
) -> tuple[str, bytes | None, str]:
    """(outcome, file bytes, note): the period's export as the owner's page would give it now."""
    owner = subscription.owner
    if not owner.is_active or not user_can_view_reports(user=owner):
        return Outcome.NO_SCOPE, None, _("The owner may read no report any more.")
    if not owner.email:
        return Outcome.NO_EMAIL, None, _("The owner has no e-mail address.")
    with report_reads():
        view, filterset = catalog.report_view_for(
            slug=subscription.report,
            owner=owner,
            query=subscription.query,
            extra={
                "date_from": period.date_from.isoformat(),
                "date_to": period.date_to.isoformat(),
            },
        )
        if not filterset.is_valid():
            return Outcome.BAD_FILTERS, None, catalog.filter_errors(filterset)
        try:
            content = exports.export_content(
                view.export_file(filterset, now=now), subscription.file_format
            )
        except exports.TooManyRows:
            return (
                Outcome.TOO_LARGE,
                None,
                _(
                    "More than %(rows)s rows, more than an XLSX file is built for: choose CSV, or "
                    "narrow the filters."
                )
                % {"rows": f"{exports.XLSX_MAX_ROWS:,}"},
            )
    return Outcome.SENT, content, ""


def report_message(
    *, subscription: ReportSubscription, period: ReportPeriod, content: bytes
) -> EmailMessage:
    title = subscription.get_report_display()
    window = {
        "report": title,
        "date_from": period.date_from.isoformat(),
        "date_to": period.date_to.isoformat(),
        "zone": subscription.zone.key,
    }
    if period.date_from == period.date_to:
        subject = _("%(report)s, %(date_from)s") % window
    else:
        subject = _("%(report)s, %(date_from)s to %(date_to)s") % window
    body = (
        _(
            "Attached: %(report)s from %(date_from)s to %(date_to)s, %(zone)s time, with the "
            "filters of your subscription.\n\nYou receive this because you subscribed to it. "
            "To stop it, open Reports, then Scheduled reports, and delete the subscription."
        )
        % window
    )
    name = f"{subscription.report}_{period.date_from}_{period.date_to}.{subscription.file_format}"
    message = EmailMessage(subject=subject, body=body, to=[subscription.owner.email])
    message.attach(name, content, MIME_TYPES[subscription.file_format])
    return message


def subscription_send(*, subscription_id: int, now: datetime) -> str | None:
    """Handle the subscription's latest whole period if it is due: the outcome, or None when
    nothing was due (or another worker holds the subscription)."""
    with transaction.atomic():
        subscription = (
            ReportSubscription.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("owner")
            .filter(pk=subscription_id, active=True)
            .first()
        )
        if subscription is None:
            return None
        period = subscription.latest_period(now=now)
        if not subscription.is_due(period):
            return None
        with translation.override(subscription.language):
            outcome, content, note = report_file(subscription=subscription, period=period, now=now)
            message = (
                report_message(subscription=subscription, period=period, content=content)
                if outcome == Outcome.SENT
                else None
            )
        SubscriptionRun.objects.create(
            subscription=subscription,
            date_from=period.date_from,
            date_to=period.date_to,
            outcome=outcome,
            note=note,
            recipient=subscription.owner.email if message else "",
            created_at=now,
        )
        subscription.last_period_end = period.date_to
        subscription.last_outcome = outcome
        subscription.last_note = note
        subscription.save(update_fields=["last_period_end", "last_outcome", "last_note"])
        if message is not None:
            # Last, inside the transaction: a mail that fails leaves the period unsent.
            message.send()
    return outcome


def subscriptions_send_due(*, now: datetime | None = None) -> dict[int, str]:
    """Every active subscription whose latest whole period is not handled yet: {id: outcome}.

    Only the latest period is sent: a worker that was down for days sends each subscription
    once when it comes back, not once per send time it missed.
    """
    now = now or timezone.now()
    handled = {}
    for subscription in ReportSubscription.objects.filter(active=True).only(
        "pk", "query", "frequency", "weekday", "send_time", "last_period_end"
    ):
        if not subscription.is_due(subscription.latest_period(now=now)):
            continue
        try:
            outcome = subscription_send(subscription_id=subscription.pk, now=now)
        except Exception:
            # One subscription's failure (a mail server refusing it) does not stop the others;
            # its period stays unsent and the next sweep tries again.
            logger.exception("Scheduled report %s not sent", subscription.pk)
            continue
        if outcome is not None:
            handled[subscription.pk] = outcome
    return handled
