from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedConfig(AppConfig):
    name = "feed"
    verbose_name = _("Event feed")

    def ready(self):
        # The timeline announces its changes (agents/signals.py); the feed writes them to its
        # outbox in the same transaction. Agents never import the feed.
        from functools import partial

        from agents.signals import interaction_rejected, lock_reads, status_changed

        from . import outbox

        for event_type, name in outbox.WANTED_READS.items():
            lock_reads[name] = partial(outbox.endpoints_wanting, event_type)
        status_changed.connect(outbox.on_status_changed, dispatch_uid="feed.status_changed")
        interaction_rejected.connect(
            outbox.on_interaction_rejected, dispatch_uid="feed.interaction_rejected"
        )
