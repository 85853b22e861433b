"""A short history for the report pages: two days, agents of both groups, rejections."""

import pytest

from tests.reports.timeline import at, rejection, timeline

WINDOW = {"date_from": "2025-03-01", "date_to": "2025-03-02", "tz": "UTC"}
REPORT_URLS = [
    "/reports/status-changes/",
    "/reports/time-by-code/",
    "/reports/rejections/",
    "/reports/live/",
]


@pytest.fixture
def history(ana, sofia, sam):
    """ana and sofia (Support, supervisor_a), sam (Sales, supervisor_b), on 1-2 March 2025."""
    timeline(
        ana,
        (at("2025-03-01 08:00"), "available"),
        (at("2025-03-01 10:00"), "on_break", "SHORT"),
        (at("2025-03-01 10:12"), "available"),
        (at("2025-03-01 23:30"), "work_offline", "MEETING"),
        (at("2025-03-02 01:00"), "logged_out", "EOS"),
    )
    timeline(
        sofia,
        (at("2025-03-01 09:00"), "available"),
        (at("2025-03-01 12:00"), "on_break", "LUNCH"),
        (at("2025-03-01 13:05"), "available"),
        (at("2025-03-02 12:00"), "logged_out", "EOS"),
    )
    timeline(
        sam,
        (at("2025-03-02 09:00"), "available"),
        (at("2025-03-02 10:00"), "on_break", "LUNCH"),
        (at("2025-03-02 10:40"), "available"),
    )
    rejection(ana, at("2025-03-01 08:30"), "phone", "CASE")
    rejection(ana, at("2025-03-01 09:30"), "chat", "TECH")
    rejection(sofia, at("2025-03-01 09:45"), "phone", "CASE")
    rejection(sam, at("2025-03-02 09:10"), "email")


@pytest.fixture(params=["by quarter hour", "period by period"])
def both_period_lookups(request, monkeypatch):
    """Run a test with each way SQLite finds an interval's period: through its UTC quarter hour
    (used from many periods on) and reading the window period by period (few periods, or a
    zone's offset in other minutes). PostgreSQL has one way: both runs are the same there."""
    from reports.selectors import common

    monkeypatch.setattr(
        common, "MANY_PERIODS", 1 if request.param == "by quarter hour" else 1_000_000
    )
