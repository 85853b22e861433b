"""The outbox writer: each status change and rejection becomes a message of the feed, written in
the transaction that records it (docs/integrations.md, "Payloads").

`agents.services` sends `status_changed` / `interaction_rejected` inside its transaction; the
receivers below (connected in `FeedConfig.ready`) write one `OutboxMessage` and one `Delivery`
per active endpoint that wants the type. A refused or rolled-back change therefore leaves no
message, and a committed one is never lost: the worker is only asked to deliver once the
transaction has committed, and its periodic sweep finds whatever that request missed.
Nobody listening (no endpoint wants the type) writes nothing.
"""

import logging
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists
from django.utils import timezone, translation

from agents.models import StatusEvent
from agents.selectors import code_label
from core.choices import AgentStatus

from .choices import EventType
from .models import Delivery, OutboxMessage, WebhookEndpoint

logger = logging.getLogger(__name__)

# Whether any endpoint is active, read with the agent's lock (agents.signals.lock_reads).
ENDPOINTS_ACTIVE = "feed_endpoints_active"


def endpoints_active() -> Exists:
    return Exists(WebhookEndpoint.objects.filter(active=True))


def iso_utc(instant: datetime) -> str:
    """`2026-11-30T15:07:11.123456Z`: ISO 8601 in UTC, to the microsecond, always (a whole
    second too: `…:11.000000Z`)."""
    return instant.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def on_status_changed(sender, *, event: StatusEvent, **kwargs) -> None:
    record_status_changed(event)


def on_interaction_rejected(sender, *, event: StatusEvent, **kwargs) -> None:
    record_interaction_rejected(event)


def record_status_changed(event: StatusEvent) -> OutboxMessage | None:
    """The `agent.status_changed` message of `event`, for the endpoints that want it."""
    endpoint_ids = _endpoints_wanting(EventType.STATUS_CHANGED, event)
    if not endpoint_ids:
        return None
    return _record(
        event,
        EventType.STATUS_CHANGED,
        endpoint_ids,
        {
            **_who(event),
            # An agent with no recorded change is logged out (docs/concepts.md).
            "previous_status": event.previous_status or AgentStatus.LOGGED_OUT,
            "status": event.status,
            **_reason(event),
            "at": iso_utc(event.started_at),
            "source": event.source,
            "changed_by": _changed_by(event),
        },
    )


def record_interaction_rejected(event: StatusEvent) -> OutboxMessage | None:
    """The `agent.interaction_rejected` message of `event`, for the endpoints that want it."""
    endpoint_ids = _endpoints_wanting(EventType.INTERACTION_REJECTED, event)
    if not endpoint_ids:
        return None
    return _record(
        event,
        EventType.INTERACTION_REJECTED,
        endpoint_ids,
        {
            **_who(event),
            "channel": event.channel,
            **_reason(event),
            "at": iso_utc(event.started_at),
            "source": event.source,
            # Until agents record missed offers, every rejection is the agent's own.
            "missed": bool(getattr(event, "missed", False)),
        },
    )


def _endpoints_wanting(event_type: str, event: StatusEvent) -> list[int]:
    if event.agent.__dict__.get(ENDPOINTS_ACTIVE) is False:
        return []  # none was active as the agent's change began: no query
    # The event types are a JSON list: filtered here, as SQLite cannot search inside one.
    return [
        endpoint.pk
        for endpoint in WebhookEndpoint.objects.filter(active=True).only("pk", "event_types")
        if event_type in endpoint.event_types
    ]


def _record(
    event: StatusEvent, event_type: str, endpoint_ids: list[int], data: dict
) -> OutboxMessage:
    now = timezone.now()
    message = OutboxMessage.objects.create(
        type=event_type,
        agent_id=event.agent_id,
        event=event,
        payload={"type": event_type, "timestamp": data["at"], "data": data},
        created_at=now,
    )
    Delivery.objects.bulk_create(
        Delivery(message=message, endpoint_id=pk, next_attempt_at=now) for pk in endpoint_ids
    )
    transaction.on_commit(lambda: request_delivery(endpoint_ids), robust=True)
    return message


def request_delivery(endpoint_ids: list[int]) -> None:
    """Ask the worker to deliver to these endpoints now. Losing the request loses nothing:
    the periodic sweep delivers what is due."""
    from .tasks import deliver_to_endpoints

    try:
        deliver_to_endpoints.delay(endpoint_ids)
    except Exception:  # the broker is down: the sweep will find the deliveries
        logger.warning("Could not ask the worker to deliver webhooks", exc_info=True)


def _who(event: StatusEvent) -> dict:
    agent = event.agent
    return {"agent": agent.user.get_username(), "group": agent.group.name}


def _reason(event: StatusEvent) -> dict:
    """`list`, `code` and `code_label` (primary language): the code, or the system reason
    (a code of no list), or nothing."""
    with translation.override(settings.LANGUAGE_CODE):
        if event.code_id is not None:
            code = event.code
            group_list = event.agent.group.code_list
            code_list = group_list if group_list and group_list.pk == code.code_list_id else None
            return {
                "list": (code_list or code.code_list).name,
                "code": code.code,
                "code_label": code_label(code=code, language=settings.LANGUAGE_CODE),
            }
        # Until agents record system reasons (missed, timeout, supervisor), there are none.
        reason = getattr(event, "system_reason", "")
        if reason:
            return {
                "list": None,
                "code": reason,
                "code_label": str(event.get_system_reason_display()),
            }
    return {"list": None, "code": None, "code_label": None}


def _changed_by(event: StatusEvent) -> str | None:
    # Until agents record who acted for the agent, nobody did.
    if getattr(event, "changed_by_id", None) is None:
        return None
    return event.changed_by.get_username()
