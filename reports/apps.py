from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from agents.signals import history_rewritten, lock_reads, status_changed
        from statuscodes.models import StatusCode

        from . import live_push, rollup
        from .selectors.scope import group_supervisor_ids_read

        # Open live boards hear of every committed status change (reports/live_push.py), whose
        # channels are read with the agent's situation.
        lock_reads[live_push.SUPERVISOR_IDS] = group_supervisor_ids_read
        status_changed.connect(live_push.on_status_changed, dispatch_uid="reports.live_push")
        # The daily rollup forgets the days whose figures a change of the past rewrites.
        history_rewritten.connect(rollup.on_history_rewritten, dispatch_uid="reports.rollup")
        pre_save.connect(rollup.on_code_saving, sender=StatusCode, dispatch_uid="reports.rollup")
