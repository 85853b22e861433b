"""The feed's background tasks (Celery, config/celery.py): docs/integrations.md, "Delivery"."""

from celery import shared_task

from . import delivery


@shared_task
def deliver_to_endpoints(endpoint_ids: list[int]) -> None:
    """One task per endpoint, so that a slow receiver holds up only itself. (A task too, for the
    requests queued by versions that asked it after each change.)"""
    for endpoint_id in endpoint_ids:
        deliver_endpoint.delay(endpoint_id)


@shared_task
def deliver_endpoint(endpoint_id: int) -> None:
    if delivery.deliver_endpoint(endpoint_id):
        # More is due than one batch sends: a fresh task goes on, behind the others queued.
        deliver_endpoint.delay(endpoint_id)


@shared_task
def deliver_due() -> None:
    """The sweep: every endpoint with a delivery due. Run by the wake-up after commits with new
    deliveries (feed/wake.py) and periodically by beat — new ones whose wake-up was lost,
    retries, a backlog after the worker was stopped."""
    deliver_to_endpoints(delivery.due_endpoint_ids())
