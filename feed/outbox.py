"""The outbox writer: each status change and rejection becomes a message of the feed, written in
the transaction that records it (docs/integrations.md, "Payloads").

`agents.services` sends `status_changed` / `interaction_rejected` inside its transaction; the
receivers below (connected in `FeedConfig.ready`) write one `OutboxMessage` and one `Delivery`
per active endpoint that wants the type. A refused or rolled-back change therefore leaves no
message, and a committed one is never lost: the worker is woken once the transaction has
committed (`feed.wake`), and its periodic sweep finds whatever a lost wake-up missed.

What it costs the change: nothing when no active endpoint wants the type (the agent's locked
read already says so: no statement, no payload built); otherwise one statement on PostgreSQL
(the message and its deliveries), two on SQLite (the message, then its deliveries). Either way
the endpoints are read by the statement that writes: an endpoint switched off meanwhile gets
nothing, and a message nobody wants is not written.
"""

import functools
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists
from django.utils import timezone, translation

from agents.models import StatusEvent
from agents.selectors import code_label
from core.choices import AgentStatus

from .choices import DeliveryState, EventType
from .models import Delivery, OutboxMessage, WebhookEndpoint, new_message_id
from .wake import wake_worker

# Whether an active endpoint wants each type, read with the agent's lock
# (agents.signals.lock_reads) under these names.
WANTED_READS = {
    EventType.STATUS_CHANGED: "feed_status_changed_wanted",
    EventType.INTERACTION_REJECTED: "feed_interaction_rejected_wanted",
}


def endpoints_wanting(event_type: str) -> Exists:
    return Exists(WebhookEndpoint.objects.filter(active=True, event_types__includes=event_type))


def iso_utc(instant: datetime) -> str:
    """`2026-11-30T15:07:11.123456Z`: ISO 8601 in UTC, to the microsecond, always (a whole
    second too: `…:11.000000Z`)."""
    return instant.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def on_status_changed(sender, *, event: StatusEvent, **kwargs) -> None:
    record_status_changed(event)


def on_interaction_rejected(sender, *, event: StatusEvent, **kwargs) -> None:
    record_interaction_rejected(event)


def record_status_changed(event: StatusEvent) -> bool:
    """Write the `agent.status_changed` message of `event` for the endpoints that want it;
    whether any did."""
    if not _wanted(EventType.STATUS_CHANGED, event):
        return False
    return _record(
        event,
        EventType.STATUS_CHANGED,
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


def record_interaction_rejected(event: StatusEvent) -> bool:
    """Write the `agent.interaction_rejected` message of `event` for the endpoints that want
    it; whether any did."""
    if not _wanted(EventType.INTERACTION_REJECTED, event):
        return False
    return _record(
        event,
        EventType.INTERACTION_REJECTED,
        {
            **_who(event),
            "channel": event.channel,
            **_reason(event),
            "at": iso_utc(event.started_at),
            "source": event.source,
            "missed": event.missed,
        },
    )


def _wanted(event_type: str, event: StatusEvent) -> bool:
    # Read with the agent's lock; for an agent read otherwise, the insert finds out.
    return event.agent.__dict__.get(WANTED_READS[event_type], True)


# The columns `_record` writes, in the order of its statements' placeholders.
MESSAGE_FIELDS = ("msg_id", "type", "agent", "event", "payload", "created_at")
DELIVERY_FIELDS = ("message", "endpoint", "state", "attempts", "next_attempt_at")


def _record(event: StatusEvent, event_type: str, data: dict) -> bool:
    now = timezone.now()
    message = {
        "msg_id": new_message_id(),
        "type": event_type,
        "agent": event.agent_id,
        "event": event.pk,
        "payload": {"type": event_type, "timestamp": data["at"], "data": data},
        "created_at": now,
    }
    values = [
        OutboxMessage._meta.get_field(name).get_db_prep_save(message[name], connection)
        for name in MESSAGE_FIELDS
    ]
    # The deliveries' message and endpoint come from the statement; attempts are 0.
    delivery_values = [
        Delivery._meta.get_field("state").get_db_prep_save(DeliveryState.PENDING, connection),
        Delivery._meta.get_field("next_attempt_at").get_db_prep_save(now, connection),
    ]
    insert_message, insert_deliveries, wanting_params = _statements(connection.vendor, event_type)
    with connection.cursor() as cursor:
        if insert_deliveries is None:
            cursor.execute(insert_message, [*wanting_params, *values, *delivery_values])
            written = cursor.rowcount > 0
        else:
            cursor.execute(insert_message, [*wanting_params, *values])
            row = cursor.fetchone()
            written = row is not None
            if written:
                cursor.execute(insert_deliveries, [*wanting_params, row[0], *delivery_values])
    if written:
        transaction.on_commit(wake_worker, robust=True)
    return written


@functools.cache
def _statements(vendor: str, event_type: str) -> tuple[str, str | None, tuple]:
    """The writes of `_record` on `vendor`, compiled once, and the parameters of their first
    part (the active endpoints that want `event_type`). PostgreSQL writes the message and its
    deliveries in one statement (a data-modifying WITH); SQLite, which has none, in two."""
    quote = connection.ops.quote_name
    wanting, wanting_params = (
        WebhookEndpoint.objects.filter(active=True, event_types__includes=event_type)
        .order_by()
        .values("pk")
        .query.sql_with_params()
    )
    message_columns = ", ".join(
        quote(OutboxMessage._meta.get_field(name).column) for name in MESSAGE_FIELDS
    )
    delivery_columns = ", ".join(
        quote(Delivery._meta.get_field(name).column) for name in DELIVERY_FIELDS
    )
    messages, deliveries = quote(OutboxMessage._meta.db_table), quote(Delivery._meta.db_table)
    message_id = quote(OutboxMessage._meta.pk.column)
    if vendor == "postgresql":
        statement = (
            f"WITH wanting(id) AS ({wanting}), message(id) AS ("
            f"INSERT INTO {messages} ({message_columns}) "
            "SELECT %s, %s, %s, %s, %s::jsonb, %s::timestamptz "
            f"WHERE EXISTS (SELECT 1 FROM wanting) RETURNING {message_id}) "
            f"INSERT INTO {deliveries} ({delivery_columns}) "
            "SELECT message.id, wanting.id, %s, 0, %s::timestamptz FROM message, wanting"
        )
        return statement, None, wanting_params
    return (
        f"WITH wanting(id) AS ({wanting}) INSERT INTO {messages} ({message_columns}) "
        f"SELECT %s, %s, %s, %s, %s, %s WHERE EXISTS (SELECT 1 FROM wanting) "
        f"RETURNING {message_id}",
        f"WITH wanting(id) AS ({wanting}) INSERT INTO {deliveries} ({delivery_columns}) "
        "SELECT %s, wanting.id, %s, 0, %s FROM wanting",
        wanting_params,
    )


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
        # A system reason (missed, timeout, supervisor) is a code of no list.
        if event.system_reason:
            return {
                "list": None,
                "code": event.system_reason,
                "code_label": str(event.get_system_reason_display()),
            }
    return {"list": None, "code": None, "code_label": None}


def _changed_by(event: StatusEvent) -> str | None:
    if event.changed_by_id is None:
        return None
    return event.changed_by.get_username()
