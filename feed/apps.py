from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedConfig(AppConfig):
    name = "feed"
    verbose_name = _("Event feed")

    def ready(self):
        # The timeline announces its changes (agents/signals.py); the feed writes them to its
        # outbox in the same transaction. Agents never import the feed.
        from agents.signals import interaction_rejected, lock_reads, status_changed

        from . import outbox

        lock_reads[outbox.ENDPOINTS_ACTIVE] = outbox.endpoints_active
        status_changed.connect(outbox.on_status_changed, dispatch_uid="feed.status_changed")
        interaction_rejected.connect(
            outbox.on_interaction_rejected, dispatch_uid="feed.interaction_rejected"
        )
