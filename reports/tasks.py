"""The worker's tasks for the reports (docs/worker.md). Thin: the rules are in `reports.rollup`."""

from celery import shared_task

from . import rollup


@shared_task(name="reports.tasks.roll_up")
def roll_up() -> int:
    """Roll the next whole past days into the daily rollup (the beat runs it every
    ROLLUP_SWEEP_SECONDS); how many were rolled. Safe on any number of workers at once: each
    transaction holds the rollup's lock and rolls only days not rolled yet."""
    return rollup.roll_up()
