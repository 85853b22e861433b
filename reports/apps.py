from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from agents.signals import lock_reads, status_changed

        from . import live_push
        from .selectors.scope import group_supervisor_ids_read

        # Open live boards hear of every committed status change (reports/live_push.py), whose
        # channels are read with the agent's situation.
        lock_reads[live_push.SUPERVISOR_IDS] = group_supervisor_ids_read
        status_changed.connect(live_push.on_status_changed, dispatch_uid="reports.live_push")
