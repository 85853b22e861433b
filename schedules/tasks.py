"""The scheduled reports' periodic task (Celery beat, config/settings.py)."""

from celery import shared_task

from . import services


@shared_task
def send_due_reports() -> None:
    """Send every subscription whose period is due (docs/scheduled-reports.md)."""
    services.subscriptions_send_due()
