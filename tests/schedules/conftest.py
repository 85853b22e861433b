"""Scheduled reports: a short history, and subscriptions made as a reader would make them."""

from datetime import time

import pytest
import time_machine

from schedules.services import subscription_create
from tests.reports.timeline import at, rejection, timeline


@pytest.fixture
def history(ana, sofia, sam):
    """ana and sofia (Support, supervisor_a), sam (Sales, supervisor_b), on 2-3 March 2025."""
    timeline(
        ana,
        (at("2025-03-02 08:00"), "available"),
        (at("2025-03-02 10:00"), "on_break", "SHORT"),
        (at("2025-03-02 10:12"), "available"),
        (at("2025-03-02 17:00"), "logged_out", "EOS"),
    )
    timeline(
        sofia,
        (at("2025-03-02 09:00"), "available"),
        (at("2025-03-02 12:00"), "on_break", "LUNCH"),
        (at("2025-03-02 13:05"), "available"),
        (at("2025-03-03 12:00"), "logged_out", "EOS"),
    )
    timeline(
        sam,
        (at("2025-03-02 09:00"), "available"),
        (at("2025-03-02 10:00"), "on_break", "LUNCH"),
        (at("2025-03-02 10:40"), "logged_out", "EOS"),
    )
    rejection(ana, at("2025-03-02 08:30"), "phone", "CASE")
    rejection(sam, at("2025-03-02 09:10"), "email")


@pytest.fixture
def subscribe():
    """`subscribe(owner, created="2025-03-01 12:00", **fields)`: a subscription made at that
    UTC instant (daily at 07:00, status changes in UTC, CSV unless told)."""

    def make(owner, *, created="2025-03-01 12:00", **fields):
        values = {
            "report": "status-changes",
            "query": "tz=UTC",
            "frequency": "daily",
            "send_time": time(7, 0),
            "file_format": "csv",
            **fields,
        }
        with time_machine.travel(at(created), tick=False):
            return subscription_create(owner=owner, **values)

    return make
