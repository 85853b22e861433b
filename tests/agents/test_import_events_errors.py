"""Bad history files are refused whole, every bad row named with its line
(docs/history-import.md)."""

import io

import pytest

from agents.history_import import EventsImportError, events_import, read_events_csv
from agents.models import Agent, AgentGroup, StatusEvent

from .test_import_events import csv_text

GOOD = "2025-03-03T09:00:00+00:00,ana,available,"


def refusal(data: bytes) -> list[str]:
    with pytest.raises(EventsImportError) as refused:
        events_import(rows=read_events_csv(io.BytesIO(data)))
    assert not StatusEvent.objects.exists()
    return refused.value.errors


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "2025-03-03T10:00:00+00:00,nobody,available,",
            "unknown agent 'nobody'",
        ),
        (
            "2025-03-03T10:00:00+00:00,ana,take_nap,",
            "unknown event 'take_nap' (expected a status or a reject_<channel> key)",
        ),
        (
            "2025-03-03T10:00:00+00:00,ana,take_break,LUNCH",  # an action, not a status
            "unknown event 'take_break' (expected a status or a reject_<channel> key)",
        ),
        (
            "03/03/2025 10:00,ana,available,",
            "timestamp '03/03/2025 10:00' is not ISO 8601 (e.g. 2025-03-01T09:00:00+01:00)",
        ),
        (
            "2025-03-03T10:00:00,ana,available,",
            "timestamp '2025-03-03T10:00:00' has no UTC offset (e.g. 2025-03-03T10:00:00+00:00)",
        ),
        (
            "2999-01-01T10:00:00+00:00,ana,available,",
            "timestamp '2999-01-01T10:00:00+00:00' is in the future",
        ),
        (
            "2025-03-03T10:00:00+00:00,ana,busy,CASE",
            "'busy' carries no code; leave the code empty",
        ),
        (
            "2025-03-03T10:00:00+00:00,ana,on_break,COACHING",
            "code 'COACHING' is not in the list 'Support' of agent 'ana'",
        ),
        (
            "2025-03-03T10:00:00+00:00,ana,work_offline,LUNCH",
            "code 'LUNCH' does not apply to work_offline",
        ),
        (
            "2025-03-03T10:00:00+00:00,ana,reject_voicemail,CASE",
            "code 'CASE' does not apply to reject_voicemail",
        ),
        (
            "2025-03-03T10:00:00+00:00,ana,available",
            "3 fields, the header has 4",
        ),
    ],
)
def test_a_bad_row_refuses_the_whole_file(ana, row, reason):
    assert refusal(csv_text(GOOD, row).encode()) == [f"line 3: {reason}"]


def test_every_bad_row_is_listed_with_its_line_and_all_its_reasons(ana):
    errors = refusal(
        csv_text(
            "2025-03-03T10:00:00,ghost,nap,",
            GOOD,
            "2025-03-03T11:00:00+00:00,sofia,on_break,",
            "yesterday,ana,on_break,LUNCH",
        ).encode()
    )

    assert errors == [
        "line 2: unknown agent 'ghost'; unknown event 'nap' (expected a status or a "
        "reject_<channel> key); timestamp '2025-03-03T10:00:00' has no UTC offset "
        "(e.g. 2025-03-03T10:00:00+00:00)",
        "line 4: unknown agent 'sofia'",
        "line 5: timestamp 'yesterday' is not ISO 8601 (e.g. 2025-03-01T09:00:00+01:00)",
    ]


def test_a_code_for_an_agent_whose_group_has_no_list_is_refused(ana):
    Agent.objects.filter(pk=ana.pk).update(group=AgentGroup.objects.create(name="No list"))

    assert refusal(csv_text("2025-03-03T10:00:00+00:00,ana,on_break,LUNCH").encode()) == [
        "line 2: agent 'ana' is in a group without a status code list"
    ]


def test_bytes_that_are_not_utf8_are_reported_on_their_line(ana):
    data = csv_text(GOOD, "2025-03-03T10:00:00+00:00,ana,on_break,LUNCH").encode()
    data += "2025-03-03T11:00:00+00:00,ana,logged_out,Ñ\n".encode("latin-1")

    assert refusal(data) == ["line 4: not UTF-8 text"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", "the file is empty"),
        (b"timestamp,agent,event,code\n", "the file has no rows to import"),
        (b"timestamp,agent,event,code\n\n\n", "the file has no rows to import"),
        (
            b"time,agent,event\n2025-03-03T09:00:00+00:00,ana,available\n",
            "line 1: missing column(s) timestamp, code; the header must name "
            "timestamp,agent,event,code",
        ),
        ("timestamp,agent,évent,code\n".encode("utf-16"), "line 1: the file is not UTF-8 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "line 1: the file is not UTF-8 text"),
    ],
)
def test_a_file_that_is_not_a_history_csv_is_refused(ana, data, error):
    assert refusal(data) == [error]


def test_header_with_a_byte_order_mark_other_order_and_extra_columns_is_read(ana):
    data = "\ufeffagent,code,event,timestamp,comment\nana,,available,2025-03-03T09:00:00Z,x\n"

    summary = events_import(rows=read_events_csv(io.BytesIO(data.encode())))

    assert summary.status_changes == 1
    assert ana.events.get().status == "available"
