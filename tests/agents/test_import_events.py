"""`events_import`: rows in any order are merged into the agents' timelines
(docs/history-import.md)."""

import io
import random
from datetime import UTC, datetime

import pytest
from django.db import connection

from agents.history_import import EventsImportError, events_import, read_events_csv
from agents.models import Agent, StatusEvent
from agents.services import agent_perform_action


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def import_text(text: str, **options):
    """Import a CSV given as text, through the same reader as the command."""
    return events_import(rows=read_events_csv(io.BytesIO(text.encode())), **options)


def csv_text(*rows: str) -> str:
    return "timestamp,agent,event,code\n" + "".join(f"{row}\n" for row in rows)


def assert_timeline_chains(agent: Agent) -> None:
    """Status intervals end where the next one starts, one ongoing, no gap or overlap
    (docs/timeline.md)."""
    statuses = list(agent.events.status_changes().order_by("started_at"))
    assert statuses, f"{agent} has no status change"
    assert statuses[0].previous_status == ""
    for earlier, later in zip(statuses, statuses[1:], strict=False):
        assert earlier.ended_at == later.started_at, f"{earlier} does not end at {later}"
        assert later.previous_status == earlier.status, f"{later} has a wrong previous status"
    assert statuses[-1].ended_at is None
    assert agent.events.ongoing().count() == 1
    assert not agent.events.rejections().filter(ended_at__isnull=False).exists()


def timeline(agent: Agent) -> list[tuple]:
    """(start, status, code key, previous status, end) of the agent's status changes."""
    return [
        (e.started_at, e.status, e.code.code if e.code else "", e.previous_status, e.ended_at)
        for e in agent.events.status_changes().select_related("code").order_by("started_at")
    ]


DAY = [
    "2025-03-03T09:00:00+00:00,ana,available,",
    "2025-03-03T09:05:00+00:00,ana,busy,",
    "2025-03-03T09:20:00+00:00,ana,post_processing,",
    "2025-03-03T09:22:00+00:00,ana,available,",
    "2025-03-03T11:00:00+00:00,ana,on_break,LUNCH",
    "2025-03-03T12:00:00+00:00,ana,work_offline,MEETING",
    "2025-03-03T13:00:00+00:00,ana,available,",
    "2025-03-03T17:00:00+00:00,ana,logged_out,EOS",
]


def test_rows_in_any_order_make_one_chained_timeline(ana):
    shuffled = DAY[:]
    random.Random(7).shuffle(shuffled)

    summary = import_text(csv_text(*shuffled))

    assert (summary.rows, summary.status_changes, summary.agents) == (8, 8, 1)
    assert timeline(ana) == [
        (at("2025-03-03 09:00"), "available", "", "", at("2025-03-03 09:05")),
        (at("2025-03-03 09:05"), "busy", "", "available", at("2025-03-03 09:20")),
        (at("2025-03-03 09:20"), "post_processing", "", "busy", at("2025-03-03 09:22")),
        (at("2025-03-03 09:22"), "available", "", "post_processing", at("2025-03-03 11:00")),
        (at("2025-03-03 11:00"), "on_break", "LUNCH", "available", at("2025-03-03 12:00")),
        (at("2025-03-03 12:00"), "work_offline", "MEETING", "on_break", at("2025-03-03 13:00")),
        (at("2025-03-03 13:00"), "available", "", "work_offline", at("2025-03-03 17:00")),
        (at("2025-03-03 17:00"), "logged_out", "EOS", "available", None),
    ]
    assert set(ana.events.values_list("source", flat=True)) == {"import"}


def test_each_agent_gets_its_own_timeline_and_codes_of_its_own_list(ana, sam):
    import_text(
        csv_text(
            "2025-03-03T10:00:00+00:00,sam,on_break,LUNCH",
            "2025-03-03T09:00:00+00:00,ana,available,",
            "2025-03-03T09:00:00+00:00,sam,available,",
            "2025-03-03T10:00:00+00:00,ana,on_break,LUNCH",
        )
    )

    assert_timeline_chains(ana)
    assert_timeline_chains(sam)
    ana_lunch = ana.events.get(status="on_break").code
    sam_lunch = sam.events.get(status="on_break").code
    assert (ana_lunch.code_list.name, sam_lunch.code_list.name) == ("Support", "Sales")


def test_offsets_are_honoured_and_times_stored_as_instants(ana):
    import_text(
        csv_text(
            "2025-03-03T10:00:00+01:00,ana,available,",
            "2025-03-03T09:30:00Z,ana,busy,",
            "2025-03-03T05:00:00-05:00,ana,post_processing,",
        )
    )

    assert [row[0] for row in timeline(ana)] == [
        at("2025-03-03 09:00"),
        at("2025-03-03 09:30"),
        at("2025-03-03 10:00"),
    ]


def test_rejections_are_instantaneous_events_that_leave_the_status_alone(ana):
    import_text(
        csv_text(
            "2025-03-03T09:00:00+00:00,ana,available,",
            "2025-03-03T09:10:00+00:00,ana,reject_phone,CASE",
            "2025-03-03T09:11:00+00:00,ana,reject_voicemail,",
        )
    )

    rejections = list(ana.events.rejections().order_by("started_at"))
    assert [(r.channel, r.code and r.code.code, r.status, r.ended_at) for r in rejections] == [
        ("phone", "CASE", "", None),
        ("voicemail", None, "", None),
    ]
    assert timeline(ana) == [(at("2025-03-03 09:00"), "available", "", "", None)]


def test_history_ignores_the_live_code_rules(ana):
    """Inactive codes and breaks without a code are history, not choices to police."""
    import_text(
        csv_text(
            "2025-03-03T09:00:00+00:00,ana,available,",
            "2025-03-03T10:00:00+00:00,ana,on_break,RETIRED",
            "2025-03-03T10:10:00+00:00,ana,on_break,",
            "2025-03-03T10:20:00+00:00,ana,logged_out,",
        )
    )

    assert [row[1:3] for row in timeline(ana)] == [
        ("available", ""),
        ("on_break", "RETIRED"),
        ("on_break", ""),
        ("logged_out", ""),
    ]


def test_an_event_inserted_between_existing_ones_splits_that_interval(ana):
    import_text(
        csv_text(
            "2025-03-03T09:00:00+00:00,ana,available,",
            "2025-03-03T12:00:00+00:00,ana,on_break,LUNCH",
        )
    )

    summary = import_text(csv_text("2025-03-03T10:00:00+00:00,ana,busy,"))

    assert summary.adjusted == 2  # the available interval ends earlier; lunch follows busy now
    assert timeline(ana) == [
        (at("2025-03-03 09:00"), "available", "", "", at("2025-03-03 10:00")),
        (at("2025-03-03 10:00"), "busy", "", "available", at("2025-03-03 12:00")),
        (at("2025-03-03 12:00"), "on_break", "LUNCH", "busy", None),
    ]


def test_events_interleaved_with_existing_ones_chain_across_both(ana):
    import_text(csv_text(*DAY[::2]))

    import_text(csv_text(*DAY[1::2]))

    assert_timeline_chains(ana)
    assert [row[1:3] for row in timeline(ana)] == [
        ("available", ""),
        ("busy", ""),
        ("post_processing", ""),
        ("available", ""),
        ("on_break", "LUNCH"),
        ("work_offline", "MEETING"),
        ("available", ""),
        ("logged_out", "EOS"),
    ]


@pytest.fixture
def live_ana(ana, monkeypatch):
    """Ana logged in at 09:00 and went to lunch at 12:00 through the live service."""
    for moment, action, code in [("09:00", "login", None), ("12:00", "take_break", "LUNCH")]:
        monkeypatch.setattr("django.utils.timezone.now", lambda m=moment: at(f"2025-03-04 {m}"))
        agent_perform_action(agent=ana, action=action, code=code, source="console")
    monkeypatch.undo()
    return ana


def test_older_rows_slot_in_before_the_live_history(live_ana):
    import_text(
        csv_text(
            "2025-03-03T17:00:00+00:00,ana,logged_out,EOS",
            "2025-03-03T09:00:00+00:00,ana,available,",
        )
    )

    assert_timeline_chains(live_ana)
    assert [(row[1], row[3], row[4]) for row in timeline(live_ana)] == [
        ("available", "", at("2025-03-03 17:00")),
        ("logged_out", "available", at("2025-03-04 09:00")),
        ("available", "logged_out", at("2025-03-04 12:00")),  # the live login
        ("on_break", "available", None),  # still the current status
    ]


def test_newer_rows_end_the_live_ongoing_interval(live_ana):
    import_text(
        csv_text(
            "2025-03-04T12:45:00+00:00,ana,available,",
            "2025-03-04T17:00:00+00:00,ana,logged_out,EOS",
        )
    )

    assert_timeline_chains(live_ana)
    lunch = live_ana.events.get(status="on_break")
    assert (lunch.source, lunch.ended_at) == ("console", at("2025-03-04 12:45"))
    assert live_ana.events.ongoing().get().status == "logged_out"


def test_live_actions_continue_from_the_imported_history(ana):
    import_text(csv_text(*DAY))

    agent_perform_action(agent=ana, action="login", source="console")

    assert_timeline_chains(ana)
    assert ana.events.ongoing().get().previous_status == "logged_out"


def test_duplicate_of_an_existing_event_is_refused_and_nothing_is_written(ana):
    import_text(csv_text(*DAY[:2], "2025-03-03T09:06:00+00:00,ana,reject_chat,CASE"))
    before = timeline(ana)

    with pytest.raises(EventsImportError) as refused:
        import_text(
            csv_text(
                "2025-03-03T08:00:00+00:00,ana,available,",
                "2025-03-03T09:05:00+00:00,ana,post_processing,",
                "2025-03-03T09:06:00+00:00,ana,reject_phone,TECH",
            )
        )

    assert refused.value.errors == [
        "line 3: agent 'ana' already has a status change at 2025-03-03T09:05:00+00:00",
        "line 4: agent 'ana' already has a rejection at 2025-03-03T09:06:00+00:00",
    ]
    assert timeline(ana) == before
    assert ana.events.count() == 3


def test_duplicates_inside_the_file_are_refused_with_both_lines(ana):
    with pytest.raises(EventsImportError) as refused:
        import_text(
            csv_text(
                "2025-03-03T09:00:00+00:00,ana,available,",
                "2025-03-03T10:00:00+01:00,ana,busy,",
                "2025-03-03T09:10:00+00:00,ana,reject_phone,CASE",
                "2025-03-03T09:10:00+00:00,ana,reject_chat,TECH",
            )
        )

    assert refused.value.errors == [
        "line 3: agent 'ana' has another status change at 2025-03-03T09:00:00+00:00 (line 2)",
        "line 5: agent 'ana' has another rejection at 2025-03-03T09:10:00+00:00 (line 4)",
    ]
    assert not StatusEvent.objects.exists()


def test_a_status_change_and_a_rejection_may_share_an_instant(ana):
    import_text(
        csv_text(
            "2025-03-03T09:00:00+00:00,ana,available,",
            "2025-03-03T09:00:00+00:00,ana,reject_email,CASE",
        )
    )

    assert ana.events.count() == 2


def planner_row_estimate() -> float | None:
    """The events table's row count as the query planner knows it; None if never analyzed."""
    table = StatusEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            estimate = cursor.fetchone()[0]
            return None if estimate < 0 else estimate
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        row = cursor.fetchone()
        return None if row is None else float(row[0].split()[0])


def days_of_history(days: int) -> str:
    return csv_text(
        *(row.replace("2025-03-03", f"2025-03-{3 + day:02d}") for day in range(days) for row in DAY)
    )


def test_a_large_import_refreshes_the_planners_statistics(ana, monkeypatch):
    # Without fresh statistics (no autovacuum, or not yet) a year's report took 37 times longer.
    monkeypatch.setattr("agents.history_import.ANALYZE_AFTER_EVENTS", 3 * len(DAY))
    import_text(days_of_history(3))
    assert planner_row_estimate() == StatusEvent.objects.count() == 3 * len(DAY)


def test_a_small_import_leaves_the_statistics_alone(ana, monkeypatch):
    monkeypatch.setattr("agents.history_import.ANALYZE_AFTER_EVENTS", 3 * len(DAY))
    before = planner_row_estimate()
    import_text(days_of_history(2))
    assert planner_row_estimate() == before


def test_a_file_with_the_byte_order_mark_of_the_report_exports_is_read(ana):
    # What Excel writes, and what the report exports write (docs/reports.md, "Exports").
    content = "\ufeff" + csv_text(*DAY)
    rows = list(read_events_csv(io.BytesIO(content.encode("utf-8"))))
    assert len(rows) == len(DAY)
    events_import(rows=iter(rows))
    assert timeline(ana)[0][:2] == (at("2025-03-03T09:00:00"), "available")
