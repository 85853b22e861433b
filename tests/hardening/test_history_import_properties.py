"""Properties of the history import (docs/history-import.md), over generated files.

Whatever the file — good and bad rows in any order, any encoding, columns in any order with an
extra one, huge cells, formula-like text, repeated instants, rows that repeat the history
already recorded — `manage.py import_events` either merges every row into the timelines, which
then chain (no gap, no overlap, one ongoing interval per agent), or is refused listing exactly
the bad lines, with the database unchanged. It never fails with another exception.

The oracle is built with the file: every generated row knows whether it is good and, if not,
that its line must be named. Refusals come in two rounds (docs/history-import.md): the rows are
checked on their own first; only a file whose rows are all good is compared with the recorded
history, where a row at the instant of a recorded event of its kind is a duplicate.
"""

import csv
import io
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import event, given
from hypothesis import strategies as st

from agents.models import Agent, StatusEvent
from core.choices import EventKind
from tests.agents.test_import_events import assert_timeline_chains
from tests.reports.timeline import rejection, timeline

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

COLUMNS = ["timestamp", "agent", "event", "code"]
BASE = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
SLOT = timedelta(seconds=1000)
# ana's recorded history: a status change half a second into slots 0 to 5 (the generated rows
# fall on whole seconds, so they never meet it by chance) and one rejection.
RECORDED = [
    (0, "available", None),
    (1, "on_break", "LUNCH"),
    (2, "available", None),
    (3, "work_offline", "MEETING"),
    (4, "available", None),
    (5, "busy", None),
]
RECORDED_REJECTION = BASE + 2 * SLOT + timedelta(seconds=700.5)

SUPPORT = {
    "available": [],
    "busy": [],
    "post_processing": [],
    "on_break": ["LUNCH", "SHORT", "RETIRED"],  # an inactive code is still history
    "work_offline": ["MEETING", "TRAINING"],
    "logged_out": ["EOS"],
    "reject_phone": ["CASE", "TECH"],
    "reject_chat": ["CASE", "TECH"],
    "reject_email": ["CASE", "TECH"],
    "reject_voicemail": [],
}
SALES = {
    **{event: [] for event in SUPPORT},
    "on_break": ["LUNCH"],
    "work_offline": ["COACHING"],
    "logged_out": ["EOS"],
}
CODES_OF = {"ana": SUPPORT, "sofia": SUPPORT, "sam": SALES}
OFFSETS = [timedelta(0), timedelta(hours=-5), timedelta(hours=5, minutes=30), timedelta(hours=14)]

# Cells that make a row bad, by what is wrong with them.
UNKNOWN_AGENTS = [
    "nobody",
    "ANA",
    "josé",
    "an\x00a",
    '=HYPERLINK("http://x")',
    "@SUM(1)",
    "x" * 5000,
]
UNKNOWN_EVENTS = ["take_break", "on_lunch", "reject_fax", "AVAILABLE", "", "-1+1"]
BAD_TIMESTAMPS = ["yesterday", "2025-13-01T00:00:00+00:00", "", "=NOW()", "1736150400"]
UNKNOWN_CODES = ["NOPE", "lunch", "+CASE", "x" * 40]
BAD_KINDS = [
    "unknown_agent",
    "unknown_event",
    "bad_timestamp",
    "no_offset",
    "future",
    "unknown_code",
    "code_on_uncoded_event",
    "code_of_another_action",
    "wrong_width",
    "oversized_cell",
]


@dataclass
class Row:
    cells: dict[str, str]
    good: bool
    # For a good row: who, which kind of event and when, to find its duplicates.
    instant: tuple | None = None
    event: str = ""
    code: str = ""
    width: int | None = None  # a row with another number of fields than the header


@dataclass
class HistoryFile:
    header: list[str]
    rows: list[Row]
    encoding: str

    def fields(self, row: Row) -> list[str]:
        fields = [row.cells.get(column.strip().lower(), "") for column in self.header]
        if row.width is not None:
            fields = (fields + ["x"] * row.width)[: row.width]
        return fields

    def content(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header)
        for row in self.rows:
            writer.writerow(self.fields(row))
        return out.getvalue().encode(self.encoding)

    def line_of(self, index: int) -> int:
        return index + 2  # the header is line 1

    def is_good(self, row: Row) -> bool:
        # Written in Latin-1, a line with an accent is not UTF-8 text, whatever it says.
        unreadable = self.encoding == "latin-1" and not "".join(self.fields(row)).isascii()
        return row.good and not unreadable

    def duplicate_lines(self) -> set[int]:
        """Good rows at the instant of an earlier good row of the same agent and kind."""
        first_line: dict[tuple, int] = {}
        lines = set()
        for index, row in enumerate(self.rows):
            if self.is_good(row):
                line = self.line_of(index)
                if row.instant in first_line:
                    lines.add(line)
                else:
                    first_line[row.instant] = line
        return lines

    def bad_lines(self) -> set[int]:
        if self.encoding == "utf-16":
            return {1}  # the header itself is not UTF-8: the file is refused as a whole
        own = {self.line_of(index) for index, row in enumerate(self.rows) if not self.is_good(row)}
        return own | self.duplicate_lines()

    def recorded_duplicate_lines(self) -> set[int]:
        return {
            self.line_of(index)
            for index, row in enumerate(self.rows)
            if row.good and row.instant in RECORDED_INSTANTS
        }


def kind_of(event: str) -> str:
    return EventKind.REJECTION if event.startswith("reject_") else EventKind.STATUS


RECORDED_INSTANTS = {
    *(
        ("ana", EventKind.STATUS, BASE + slot * SLOT + timedelta(seconds=500.5))
        for slot, *_ in RECORDED
    ),
    ("ana", EventKind.REJECTION, RECORDED_REJECTION),
}


def written(instant: datetime, offset: timedelta, zulu: bool) -> str:
    text = instant.astimezone(timezone(offset)).isoformat()
    return text.replace("+00:00", "Z") if zulu else text


@st.composite
def good_row(draw, instant: datetime) -> Row:
    agent = draw(st.sampled_from(sorted(CODES_OF)))
    event = draw(st.sampled_from(sorted(SUPPORT)))
    code = draw(st.sampled_from(["", *CODES_OF[agent][event]]))
    stamp = written(instant, draw(st.sampled_from(OFFSETS)), draw(st.booleans()))
    return Row(
        {"timestamp": stamp, "agent": agent, "event": event, "code": code},
        good=True,
        instant=(agent, kind_of(event), instant),
        event=event,
        code=code,
    )


@st.composite
def bad_row(draw, instant: datetime) -> Row:
    row = draw(good_row(instant))
    cells = dict(row.cells)
    wrong = draw(st.sampled_from(BAD_KINDS))
    width = None
    if wrong == "unknown_agent":
        cells["agent"] = draw(st.sampled_from(UNKNOWN_AGENTS))
    elif wrong == "unknown_event":
        cells["event"] = draw(st.sampled_from(UNKNOWN_EVENTS))
    elif wrong == "bad_timestamp":
        cells["timestamp"] = draw(st.sampled_from(BAD_TIMESTAMPS))
    elif wrong == "no_offset":
        cells["timestamp"] = instant.replace(tzinfo=None).isoformat()
    elif wrong == "future":
        cells["timestamp"] = written(datetime(2999, 1, 1, tzinfo=UTC), timedelta(0), False)
    elif wrong == "unknown_code":
        cells["code"] = draw(st.sampled_from(UNKNOWN_CODES))
    elif wrong == "code_on_uncoded_event":
        cells["event"] = draw(st.sampled_from(["available", "busy", "post_processing"]))
        cells["code"] = "LUNCH"
    elif wrong == "code_of_another_action":
        cells["event"], cells["code"] = draw(
            st.sampled_from(
                [("on_break", "EOS"), ("logged_out", "LUNCH"), ("work_offline", "LUNCH")]
            )
        )
    elif wrong == "wrong_width":
        width = draw(st.sampled_from([1, 3, 9]))
    else:  # oversized_cell: beyond the CSV reader's limit for one field
        cells["code"] = "x" * (csv.field_size_limit() + 1)
    return Row(cells, good=False, width=width)


@st.composite
def history_files(draw) -> HistoryFile:
    # Distinct whole-second instants from before ana's recorded history to after it.
    instants = draw(
        st.lists(
            st.tuples(st.integers(-4, 10), st.integers(0, 999)),
            min_size=1,
            max_size=14,
            unique=True,
        )
    )
    rows = []
    for slot, second in instants:
        instant = BASE + slot * SLOT + timedelta(seconds=second)
        # One row in eight is bad, so that about half the files are clean.
        is_bad = draw(st.integers(0, 7)) == 7
        rows.append(draw(bad_row(instant) if is_bad else good_row(instant)))
    goods = [row for row in rows if row.good]
    # Repeats: another good row at an instant a good row of the file or the history already has.
    for _ in range(draw(st.integers(0, 2))):
        if goods and draw(st.booleans()):
            original = draw(st.sampled_from(goods))
            copy = draw(good_row(original.instant[2]))
            copy.cells["agent"] = original.instant[0]
            copy.cells["event"], copy.cells["code"] = original.event, original.code
            copy.instant = original.instant
            rows.append(copy)
        else:
            agent, kind, instant = draw(st.sampled_from(sorted(RECORDED_INSTANTS)))
            event = "reject_chat" if kind == EventKind.REJECTION else "available"
            rows.append(
                Row(
                    {"timestamp": instant.isoformat(), "agent": agent, "event": event, "code": ""},
                    good=True,
                    instant=(agent, kind, instant),
                    event=event,
                )
            )
    rows = draw(st.permutations(rows))
    for row in rows:
        if "note" not in row.cells:
            row.cells["note"] = draw(
                st.sampled_from(
                    ["", "=1+1", "@cmd", "-2", "tea, then back", "é" * 3, "y" * 100_000]
                )
            )
    header = draw(st.permutations(COLUMNS))
    if draw(st.booleans()):
        header = [*header, "note"]
    header = [draw(st.sampled_from([name, name.upper(), f" {name} "])) for name in header]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return HistoryFile(header=header, rows=rows, encoding=encoding)


def snapshot() -> list[dict]:
    return list(StatusEvent.objects.order_by("pk").values())


def run(content: bytes) -> tuple[bool, str]:
    with tempfile.NamedTemporaryFile(suffix=".csv") as file:
        file.write(content)
        file.flush()
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import_events", file.name, "--quiet", stdout=out, stderr=err)
        except CommandError as error:
            return False, err.getvalue() + str(error)
        return True, out.getvalue() + err.getvalue()


def refused_lines(messages: str) -> set[int]:
    return {int(number) for number in re.findall(r"^line (\d+):", messages, flags=re.MULTILINE)}


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def recorded_history(ana, sofia, sam):
    timeline(
        ana,
        *(
            (BASE + slot * SLOT + timedelta(seconds=500.5), status, *([code] if code else []))
            for slot, status, code in RECORDED
        ),
    )
    rejection(ana, RECORDED_REJECTION, "phone", "CASE")


@given(history_file=history_files())
def test_a_history_file_is_merged_whole_or_refused_naming_its_bad_lines(
    recorded_history, history_file
):
    with rolled_back():
        before = snapshot()
        ok, messages = run(history_file.content())

        bad_lines = history_file.bad_lines() or history_file.recorded_duplicate_lines()
        event("refused" if bad_lines else "imported")  # --hypothesis-show-statistics
        if bad_lines:
            assert not ok, f"imported although lines {sorted(bad_lines)} are bad"
            assert refused_lines(messages) == bad_lines, messages
            assert "nothing was imported" in messages
            assert snapshot() == before
            return

        assert ok, messages
        for agent, kind, instant in (row.instant for row in history_file.rows):
            recorded = StatusEvent.objects.select_related("code").get(
                agent__user__username=agent, kind=kind, started_at=instant
            )
            row = next(row for row in history_file.rows if row.instant == (agent, kind, instant))
            assert (recorded.status or f"reject_{recorded.channel}") == row.event
            assert (recorded.code.code if recorded.code else "") == row.code
        assert StatusEvent.objects.count() == len(before) + len(history_file.rows)
        for agent in Agent.objects.filter(events__kind=EventKind.STATUS).distinct():
            assert_timeline_chains(agent)

        # The same file again: every row is now a duplicate of the recorded history.
        after = snapshot()
        ok, messages = run(history_file.content())
        assert not ok
        assert refused_lines(messages) == {
            history_file.line_of(index) for index in range(len(history_file.rows))
        }
        assert snapshot() == after
