"""The history import records system reasons as facts (docs/history-import.md): `missed`,
`timeout`, `supervisor` in the code column; no automatic status follows; all or nothing."""

import io

import pytest

from agents.history_import import EventsImportError, events_import, read_events_csv
from agents.models import StatusEvent

pytestmark = pytest.mark.django_db

HEADER = "timestamp,agent,event,code\n"


def run(rows: str):
    return events_import(rows=read_events_csv(io.BytesIO((HEADER + rows).encode())))


def test_system_reasons_are_imported(ana):
    run(
        "2026-03-01T09:00:00+00:00,ana,available,\n"
        "2026-03-01T09:10:00+00:00,ana,reject_chat,missed\n"
        "2026-03-01T09:10:00+00:00,ana,on_break,missed\n"
        "2026-03-01T09:40:00+00:00,ana,logged_out,timeout\n"
    )
    rejection = StatusEvent.objects.rejections().get()
    assert (rejection.channel, rejection.system_reason, rejection.missed) == (
        "chat",
        "missed",
        True,
    )
    statuses = StatusEvent.objects.status_changes().order_by("started_at")
    assert [(e.status, e.system_reason, e.code_id) for e in statuses] == [
        ("available", "", None),
        ("on_break", "missed", None),
        ("logged_out", "timeout", None),
    ]
    # Facts of the past: no timer, and nothing follows the rejection by itself.
    assert not statuses.exclude(timer="").exists()


def test_a_rejection_can_only_be_missed_and_nothing_is_written(ana):
    with pytest.raises(EventsImportError) as failed:
        run(
            "2026-03-01T09:00:00+00:00,ana,available,\n"
            "2026-03-01T09:10:00+00:00,ana,reject_phone,timeout\n"
        )
    [error] = failed.value.errors
    assert error.startswith("line 3:") and "can only be 'missed'" in error
    assert not StatusEvent.objects.exists()
