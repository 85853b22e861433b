"""The feed's background tasks (Celery, config/celery.py): docs/integrations.md, "Delivery"."""

from celery import shared_task

from . import delivery


@shared_task
def deliver_to_endpoints(endpoint_ids: list[int]) -> None:
    """One task per endpoint, so that a slow receiver holds up only itself."""
    for endpoint_id in endpoint_ids:
        deliver_endpoint.delay(endpoint_id)


@shared_task
def deliver_endpoint(endpoint_id: int) -> None:
    if delivery.deliver_endpoint(endpoint_id):
        # More is due than one batch sends: a fresh task goes on, behind the others queued.
        deliver_endpoint.delay(endpoint_id)


@shared_task
def deliver_due() -> None:
    """The periodic sweep (beat): every endpoint with a delivery due — new ones whose request
    was lost, retries, a backlog after the worker was stopped."""
    deliver_to_endpoints(delivery.due_endpoint_ids())
