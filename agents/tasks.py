"""The worker's tasks for the agents' timelines (docs/worker.md). Thin: the rules are in
`agents.services`."""

from celery import shared_task

from .services import timers_fire_due

# Timers fired per transaction batch; a sweep goes on while a whole batch was due.
SWEEP_BATCH = 500


@shared_task(name="agents.fire_due_timers")
def fire_due_timers() -> int:
    """Fire every timer due now (the beat runs it every TIMER_SWEEP_SECONDS); how many fired.

    Idempotent and safe on any number of workers at once: each agent's timer fires in its own
    locked transaction that first checks the interval is still ongoing and due.
    """
    fired = total = timers_fire_due(limit=SWEEP_BATCH)
    while fired == SWEEP_BATCH:
        fired = timers_fire_due(limit=SWEEP_BATCH)
        total += fired
    return total
