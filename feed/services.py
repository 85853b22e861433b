"""Managing the feed: endpoints and their secrets, replaying deliveries (docs/integrations.md).
The admin and the `webhooks` command call these; nothing else writes endpoints."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from core.deletion import usage_counts

from .choices import DeliveryState
from .models import Delivery, WebhookEndpoint, new_secret
from .wake import wake_worker


def endpoint_create(
    *, url: str, event_types: list[str], description: str = "", active: bool = True
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (to show once). Raises ValidationError for a URL the feed
    does not send to or unknown event types."""
    endpoint = WebhookEndpoint(
        url=url, event_types=event_types, description=description, active=active
    )
    secret = endpoint_set_new_secret(endpoint=endpoint)
    endpoint.full_clean()
    endpoint.save()
    return endpoint, secret


def endpoint_set_new_secret(*, endpoint: WebhookEndpoint) -> str:
    """Give `endpoint` a fresh secret (not saved) and return it, to be shown once."""
    endpoint.secret = new_secret()
    endpoint.secret_rotated_at = timezone.now()
    return endpoint.secret


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """Replace the endpoint's secret now: the next attempts are signed with the new one."""
    secret = endpoint_set_new_secret(endpoint=endpoint)
    endpoint.save(update_fields=["secret", "secret_rotated_at"])
    return secret


def deliveries_replay(*, deliveries: Iterable[Delivery]) -> int:
    """Queue finished deliveries (failed or succeeded) again, with a fresh round of retries;
    their past attempts stay listed. Pending ones are left as they are. Returns how many."""
    ids = [d.pk for d in deliveries if d.state != DeliveryState.PENDING]
    with transaction.atomic():
        replayed = Delivery.objects.filter(pk__in=ids).exclude(state=DeliveryState.PENDING)
        count = replayed.update(
            state=DeliveryState.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            finished_at=None,
        )
        if count:
            transaction.on_commit(wake_worker, robust=True)
    return count


def endpoint_deletion_blockers(endpoints: Iterable[WebhookEndpoint]) -> list[str]:
    """Why these endpoints cannot be deleted: one sentence per endpoint with deliveries."""
    endpoints = list(endpoints)
    counts = usage_counts(WebhookEndpoint, endpoints, "deliveries")
    return [
        ngettext(
            "Endpoint “%(endpoint)s” has %(count)d delivery in its log. Deactivate it instead: "
            "it then receives nothing new.",
            "Endpoint “%(endpoint)s” has %(count)d deliveries in its log. Deactivate it "
            "instead: it then receives nothing new.",
            counts[endpoint.pk],
        )
        % {"endpoint": endpoint, "count": counts[endpoint.pk]}
        for endpoint in endpoints
        if endpoint.pk in counts
    ]
