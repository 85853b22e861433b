from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from agents.signals import status_changed

        from . import live_push

        # Open live boards hear of every committed status change (reports/live_push.py).
        status_changed.connect(live_push.on_status_changed, dispatch_uid="reports.live_push")
