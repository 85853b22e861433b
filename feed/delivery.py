"""Delivering the outbox: signed POSTs, in order per agent and endpoint, with retries
(docs/integrations.md, "Delivery").

One endpoint's deliveries are sent by one task at a time per batch (`deliver_endpoint`), so a
slow or dead receiver holds up only itself. A delivery is sent only when every earlier message
of the same agent to the same endpoint has succeeded or failed for good. A batch claims its
deliveries by moving their next attempt a lease ahead (skipping rows another worker has locked,
on PostgreSQL; SQLite has no row locks, but its writers take turns), sends them, and records
their attempts together in one transaction: a worker that dies mid-batch leaves the whole batch
due again when the lease ends, to be sent again — at least once.
"""

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import floor

import httpcore
import httpx
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from .choices import DeliveryState
from .models import Delivery, DeliveryAttempt, OutboxMessage, WebhookEndpoint
from .targets import TargetRefused, check_addresses, check_url

logger = logging.getLogger(__name__)

# The waits after each failed attempt: the first retry within 30 seconds, the last attempt
# about 32 hours after the first; then the delivery has failed (it can be replayed).
RETRY_DELAYS: tuple[timedelta, ...] = tuple(
    timedelta(seconds=s)
    for s in (
        5,
        30,
        2 * 60,
        10 * 60,
        30 * 60,
        60 * 60,
        2 * 60 * 60,
        4 * 60 * 60,
        8 * 60 * 60,
        8 * 60 * 60,
        8 * 60 * 60,
    )
)
# How many deliveries a batch claims at a time, and how long it works before handing over to a
# fresh task (so that one busy endpoint does not keep a worker for ever).
BATCH_SIZE = 100
BATCH_SECONDS = 60.0
USER_AGENT = "agent-status-codes-webhooks/1"


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    error: str
    response_body: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code <= 299


class PublicOnlyBackend(httpcore.SyncBackend):
    """Connects only to public addresses (unless allowed), checked at each connection: the
    address checked is the address connected to, whatever DNS says a moment later."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = check_addresses(host, port)
        except TargetRefused as refusal:
            raise httpcore.ConnectError(str(refusal)) from None
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as failure:
                error = failure
        raise error or httpcore.ConnectError(host)


def http_client() -> httpx.Client:
    """The feed's HTTP client: timeouts from settings, no redirects, no proxy from the
    environment (the target checked must be the target reached), public addresses only."""
    transport = httpx.HTTPTransport(trust_env=False, retries=0)
    # httpx builds its connection pool with httpcore's default backend and offers no argument
    # to change it; the pool's backend is swapped here (a test proves the check is applied).
    transport._pool._network_backend = PublicOnlyBackend()
    return httpx.Client(
        transport=transport,
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(settings.WEBHOOKS_TIMEOUT, connect=settings.WEBHOOKS_CONNECT_TIMEOUT),
        headers={"user-agent": USER_AGENT},
    )


def signed_request(
    *, endpoint: WebhookEndpoint, message: OutboxMessage, at: datetime
) -> tuple[bytes, dict[str, str]]:
    """The body and the Standard Webhooks headers of `message` for `endpoint`, signed at `at`."""
    body = json.dumps(message.payload, ensure_ascii=False, separators=(",", ":"))
    return body.encode(), {
        "content-type": "application/json",
        "webhook-id": message.msg_id,
        "webhook-timestamp": str(floor(at.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(message.msg_id, at, body),
    }


def post(client: httpx.Client, *, endpoint: WebhookEndpoint, message: OutboxMessage):
    """POST `message` to `endpoint` once; what happened, never an exception."""
    started = time.monotonic()

    def result(status_code=None, error="", body=b"") -> AttemptResult:
        return AttemptResult(
            status_code=status_code,
            error=error,
            # PostgreSQL's text refuses NUL characters, which a receiver may well send.
            response_body=body.decode("utf-8", "replace").replace("\x00", "\ufffd"),
            duration_ms=round((time.monotonic() - started) * 1000),
        )

    try:
        check_url(endpoint.url)
        content, headers = signed_request(endpoint=endpoint, message=message, at=timezone.now())
        with client.stream("POST", endpoint.url, content=content, headers=headers) as response:
            body = _read_start(response, deadline=started + settings.WEBHOOKS_TIMEOUT)
    except TargetRefused as refusal:
        return result(error=str(refusal))
    except httpx.TimeoutException as timeout:
        return result(
            error=_("No answer within the time allowed (%(kind)s).")
            % {"kind": type(timeout).__name__}
        )
    except httpx.HTTPError as failure:
        return result(error=f"{type(failure).__name__}: {failure}")
    except Exception as failure:  # recorded as a failed attempt rather than stopping the batch
        logger.exception("Webhook delivery to %s failed unexpectedly", endpoint.url)
        return result(error=f"{type(failure).__name__}: {failure}")
    if response.is_redirect:
        return result(
            response.status_code,
            _("Redirect to “%(location)s” not followed: give the endpoint its final URL.")
            % {"location": response.headers.get("location", "")},
            body,
        )
    if not response.is_success:
        return result(response.status_code, _("The receiver did not answer 2xx."), body)
    return result(response.status_code, "", body)


def _read_start(response: httpx.Response, *, deadline: float) -> bytes:
    """The first WEBHOOKS_RESPONSE_MAX_BYTES of the answer; the rest is not read."""
    limit = settings.WEBHOOKS_RESPONSE_MAX_BYTES
    collected = b""
    for chunk in response.iter_raw():
        collected += chunk
        if len(collected) >= limit or time.monotonic() > deadline:
            break
    return collected[:limit]


def due_endpoint_ids(*, now: datetime | None = None) -> list[int]:
    """The active endpoints with a delivery due."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=now, endpoint__active=True
        )
        .order_by()
        .values_list("endpoint_id", flat=True)
        .distinct()
    )


def deliver_endpoint(endpoint_id: int, *, client: httpx.Client | None = None) -> bool:
    """Send the endpoint's due deliveries, in order per agent, for up to BATCH_SECONDS.

    Returns whether deliveries are still due (the caller hands over to a fresh task). A failed
    attempt pauses the endpoint until that delivery's retry: the other claimed deliveries wait
    with it, without counting an attempt, rather than each waiting for a dead receiver.
    """
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, active=True).first()
    if endpoint is None:
        return False
    own_client = client is None
    client = client or http_client()
    stop_at = time.monotonic() + BATCH_SECONDS
    try:
        while time.monotonic() < stop_at:
            batch = _claim(endpoint)
            if not batch:
                return False
            if _send(client, endpoint, batch):
                return False  # paused by a failure
        return True
    finally:
        if own_client:
            client.close()


def _lease() -> timedelta:
    """How long a claim holds its deliveries: more than one attempt can take."""
    return timedelta(seconds=settings.WEBHOOKS_TIMEOUT * 2 + 30)


def _claim(endpoint: WebhookEndpoint) -> list[Delivery]:
    now = timezone.now()
    earlier_pending = Delivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        state=DeliveryState.PENDING,
        message__agent_id=OuterRef("message__agent_id"),
        message_id__lt=OuterRef("message_id"),
    )
    due = (
        Delivery.objects.filter(
            endpoint=endpoint, state=DeliveryState.PENDING, next_attempt_at__lte=now
        )
        .exclude(Exists(earlier_pending))
        .select_related("message")
        .order_by("message_id")
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        batch = list(due[:BATCH_SIZE])
        Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(next_attempt_at=now + _lease())
    return batch


def _send(client: httpx.Client, endpoint: WebhookEndpoint, batch: list[Delivery]) -> bool:
    """POST the batch in order and record its attempts together; whether a failure paused the
    endpoint. Sending stops at half the lease, so that what was sent is recorded while the
    claim still holds (the rest is due again at once)."""
    send_until = time.monotonic() + _lease().total_seconds() / 2
    attempts: list[tuple[Delivery, AttemptResult, datetime]] = []
    paused_until = None
    for delivery in batch:
        outcome = post(client, endpoint=endpoint, message=delivery.message)
        attempts.append((delivery, outcome, timezone.now()))
        if not outcome.succeeded and _retried(delivery):
            paused_until = _next_attempt_at(delivery, at=attempts[-1][2])
            break
        if time.monotonic() > send_until:
            break
    _record(attempts, unsent=batch[len(attempts) :], until=paused_until or timezone.now())
    return paused_until is not None


def _retried(delivery: Delivery) -> bool:
    """Whether a failed attempt of `delivery` (not yet counted) leaves it another one."""
    return delivery.attempts < len(RETRY_DELAYS)


def _next_attempt_at(delivery: Delivery, *, at: datetime) -> datetime:
    return at + RETRY_DELAYS[delivery.attempts]


def _record(
    attempts: list[tuple[Delivery, AttemptResult, datetime]],
    *,
    unsent: list[Delivery],
    until: datetime,
) -> None:
    """The attempts of a batch and their deliveries' new states, in one transaction; the
    deliveries not sent are due again at `until`."""
    for delivery, outcome, at in attempts:
        if outcome.succeeded:
            delivery.state, delivery.next_attempt_at, delivery.finished_at = (
                DeliveryState.SUCCEEDED,
                None,
                at,
            )
        elif _retried(delivery):
            delivery.next_attempt_at = _next_attempt_at(delivery, at=at)
        else:
            delivery.state, delivery.next_attempt_at, delivery.finished_at = (
                DeliveryState.FAILED,
                None,
                at,
            )
        delivery.attempts += 1
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(
                delivery=delivery,
                at=at,
                status_code=outcome.status_code,
                succeeded=outcome.succeeded,
                error=outcome.error,
                response_body=outcome.response_body,
                duration_ms=outcome.duration_ms,
            )
            for delivery, outcome, at in attempts
        )
        Delivery.objects.bulk_update(
            [delivery for delivery, _outcome, _at in attempts],
            ["attempts", "state", "next_attempt_at", "finished_at"],
        )
        if unsent:
            Delivery.objects.filter(
                pk__in=[d.pk for d in unsent], state=DeliveryState.PENDING
            ).update(next_attempt_at=until)
