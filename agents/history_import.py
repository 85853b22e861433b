"""Bulk import of agents' history (`import_events`, docs/history-import.md): validate every row,
then merge.

The import is all-or-nothing. Rows are parsed and checked in memory first (no query per row:
agents and codes are looked up in dicts loaded once); only when every row is good are the new
events merged into each touched agent's timeline inside one transaction, chained by
`agents.timeline.chain` as the live changes are, so that the chain holds afterwards
(docs/timeline.md, "Intervals"): an agent's status intervals, sorted by start, end exactly
where the next one starts, and only the last one is ongoing.
"""

import csv
import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from operator import itemgetter
from typing import BinaryIO, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from core.choices import (
    CHANNEL_OF_REJECTION_ACTION,
    STATUS_OF_CODED_ACTION,
    AgentStatus,
    EventKind,
    EventSource,
    SystemReason,
)
from statuscodes.models import StatusCode, StatusCodeList

from .models import Agent, StatusEvent
from .signals import history_rewritten
from .timeline import chain

COLUMNS = ("timestamp", "agent", "event", "code")
COLUMNS_TEXT = ",".join(COLUMNS)
BATCH_SIZE = 5000
PROGRESS_EVERY = 100_000
# After an import of this many events the planner's statistics of the events table are
# refreshed: without autovacuum a 1-year report page took 14.3 s before and 0.39 s after.
ANALYZE_AFTER_EVENTS = 10_000

# `progress(stage, done, total)`: stage "read" (total unknown: None) or "write".
Progress = Callable[[str, int, int | None], None]


class EventRow(NamedTuple):
    """One row of a history file; `problem` is set by the reader when the line is unreadable."""

    line: int
    timestamp: str
    agent: str
    event: str
    code: str
    problem: str = ""


class EventsImportError(Exception):
    """The import was refused and nothing was written; `errors` lists every reason.

    Built from (line, reason) pairs, line 0 for the file as a whole; `errors` reads
    `line N: reason`, in line order.
    """

    def __init__(self, problems: list[tuple[int, str]]):
        self.errors = [
            f"line {line}: {reason}" if line else reason for line, reason in sorted(problems)
        ]
        super().__init__(f"{len(self.errors)} error(s); nothing was imported")


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    status_changes: int
    rejections: int
    agents: int
    adjusted: int  # existing status events whose end or previous status changed


class _Event(NamedTuple):
    """What an event key means: its kind, its status or channel, and the action of its code."""

    kind: str
    status: str
    channel: str
    code_action: str | None  # None: the event carries no code


def _event_keys() -> dict[str, _Event]:
    coded_action_of_status = {status: action for action, status in STATUS_OF_CODED_ACTION.items()}
    events = {
        status: _Event(EventKind.STATUS, status, "", coded_action_of_status.get(status))
        for status in AgentStatus.values
    }
    for action, channel in CHANNEL_OF_REJECTION_ACTION.items():
        events[str(action)] = _Event(EventKind.REJECTION, "", channel, str(action))
    return events


EVENTS = _event_keys()


# --- Reading the CSV file -------------------------------------------------------------------


def read_events_csv(file: BinaryIO) -> Iterator[EventRow]:
    """Rows of a history CSV file opened in binary mode; refuses a bad header at once.

    Lines are decoded one by one so that a bad byte is reported with its own line number and
    the other lines are still checked.
    """
    lines = _DecodedLines(file)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise EventsImportError([(0, "the file is empty")]) from None
    except csv.Error as error:
        raise EventsImportError([(1, f"not a CSV header ({error})")]) from None
    if lines.last_bad_line:
        raise EventsImportError([(1, "the file is not UTF-8 text")])
    names = [name.strip().lower() for name in header]
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise EventsImportError(
            [(1, f"missing column(s) {', '.join(missing)}; the header must name {COLUMNS_TEXT}")]
        )
    return _rows(reader, lines, [names.index(name) for name in COLUMNS], len(names))


class _DecodedLines:
    """Text lines of a binary file, remembering the number of the last undecodable one."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.last_bad_line = 0

    def __iter__(self) -> Iterator[str]:
        for number, raw in enumerate(self.file, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # the byte order mark that spreadsheet programs write
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self.last_bad_line = number
                yield raw.decode("utf-8", "replace")


def _rows(reader, lines: _DecodedLines, indexes: list[int], width: int) -> Iterator[EventRow]:
    t, a, e, c = indexes
    while True:
        first_line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield EventRow(reader.line_num, "", "", "", "", f"not valid CSV ({error})")
            continue
        line = reader.line_num
        if lines.last_bad_line >= first_line:
            yield EventRow(line, "", "", "", "", "not UTF-8 text")
        elif not fields:
            continue  # a blank line, e.g. at the end of the file
        elif len(fields) != width:
            yield EventRow(line, "", "", "", "", f"{len(fields)} fields, the header has {width}")
        else:
            yield EventRow(line, fields[t], fields[a], fields[e], fields[c])


# --- Checking the rows ------------------------------------------------------------------------


@dataclass
class _AgentPlan:
    """The new events of one agent, sorted, and the existing ones they are merged with.

    New status events are tuples (started_at, line, status, code), existing ones lists
    [started_at, pk, status, ended_at, previous_status]: both sort on started_at and have the
    status in third place, which lets `_chain` walk them together.
    """

    username: str
    # The group every new event of the agent records: the agent's group at import time.
    group_id: int
    statuses: list[tuple] = field(default_factory=list)
    # (started_at, line, channel, code); a code is a StatusCode id, or a system reason's key.
    rejections: list[tuple] = field(default_factory=list)
    # The existing status event just before the first new one, those between the first and the
    # last new one, and the one just after the last.
    before: list | None = None
    inside: list[list] = field(default_factory=list)
    after: list | None = None


class _RowChecker:
    """Checks rows against the agents and codes, loaded once into dicts."""

    def __init__(self, now: datetime):
        self.now = now
        self.agents = {
            username: (pk, list_id, group_id)
            for username, pk, list_id, group_id in Agent.objects.values_list(
                "user__username", "pk", "group__code_list_id", "group_id"
            )
        }
        self.list_names = dict(StatusCodeList.objects.values_list("pk", "name"))
        self.codes: dict[tuple[int, str], tuple[int, set[str]]] = {}
        for pk, list_id, key, action in StatusCode.objects.values_list(
            "pk", "code_list_id", "code", "actions"
        ):
            self.codes.setdefault((list_id, key), (pk, set()))[1].add(action)

    def check(self, row: EventRow, problems: list[str]) -> tuple | None:
        """(agent id, event, started_at, code id, group id) of a good row; None and `problems`
        if not. The group is the agent's group now: the file has no group column, and the codes
        are checked against that group's list (docs/timeline.md, "The group at the time")."""
        username = row.agent.strip()
        agent = self.agents.get(username)
        if agent is None:
            problems.append(f"unknown agent '{username}'" if username else "no agent")
        event_key = row.event.strip()
        event = EVENTS.get(event_key)
        if event is None:
            problems.append(
                f"unknown event '{event_key}' (expected a status or a reject_<channel> key)"
            )
        started_at = self.timestamp(row.timestamp.strip(), problems)
        code_key = row.code.strip()
        code_id = None
        if code_key and event is not None and agent is not None:
            code_id = self.code(code_key, event_key, event, username, agent[1], problems)
        if problems:
            return None
        return agent[0], event, started_at, code_id, agent[2]

    def timestamp(self, text: str, problems: list[str]) -> datetime | None:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            problems.append(f"timestamp '{text}' is not ISO 8601 (e.g. 2025-03-01T09:00:00+01:00)")
            return None
        if moment.tzinfo is None:
            problems.append(f"timestamp '{text}' has no UTC offset (e.g. {text}+00:00)")
            return None
        moment = moment.astimezone(UTC)
        if moment > self.now:
            problems.append(f"timestamp '{text}' is in the future")
        return moment

    def code(self, key, event_key, event, username, list_id, problems) -> int | str | None:
        """The id of the code `key` of the agent's list, or the key of a system reason (a code of
        the list with the same key wins); None and `problems` if neither."""
        if key in SystemReason.values and (list_id, key) not in self.codes:
            return self.system_reason(key, event_key, event, problems)
        if event.code_action is None:
            problems.append(f"'{event_key}' carries no code; leave the code empty")
            return None
        if list_id is None:
            problems.append(f"agent '{username}' is in a group without a status code list")
            return None
        found = self.codes.get((list_id, key))
        if found is None:
            list_name = self.list_names[list_id]
            problems.append(f"code '{key}' is not in the list '{list_name}' of agent '{username}'")
            return None
        code_id, actions = found
        if event.code_action not in actions:
            problems.append(f"code '{key}' does not apply to {event.code_action}")
            return None
        return code_id

    def system_reason(self, key, event_key, event, problems) -> str | None:
        # A rejection can only be missed; a status change can carry any system reason.
        if event.kind == EventKind.REJECTION and key != SystemReason.MISSED:
            problems.append(
                f"'{key}' is a system reason of status changes; a rejection can only be "
                f"'{SystemReason.MISSED}'"
            )
            return None
        return key


def _parse(
    rows: Iterable[EventRow], now: datetime, progress: Progress | None
) -> tuple[dict[int, _AgentPlan], int, list[tuple[int, str]]]:
    """Each agent's new events, the number of rows, and the problems of the bad rows."""
    checker = _RowChecker(now)
    plans: dict[int, _AgentPlan] = {}
    errors: list[tuple[int, str]] = []
    count = 0
    for row in rows:
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress("read", count, None)
        if row.problem:
            errors.append((row.line, row.problem))
            continue
        problems: list[str] = []
        checked = checker.check(row, problems)
        if checked is None:
            errors.append((row.line, "; ".join(problems)))
            continue
        agent_id, event, started_at, code_id, group_id = checked
        plan = plans.get(agent_id)
        if plan is None:
            plan = plans[agent_id] = _AgentPlan(row.agent.strip(), group_id)
        if event.kind == EventKind.STATUS:
            plan.statuses.append((started_at, row.line, event.status, code_id))
        else:
            plan.rejections.append((started_at, row.line, event.channel, code_id))
    if progress:
        progress("read", count, count)
    return plans, count, errors


def _same_instant_errors(plans: dict[int, _AgentPlan]) -> list[tuple[int, str]]:
    """Sorts each agent's new events; two of one kind at the same instant are an error."""
    errors = []
    for plan in plans.values():
        for events, what in ((plan.statuses, "status change"), (plan.rejections, "rejection")):
            events.sort(key=itemgetter(0, 1))
            for earlier, later in zip(events, islice(events, 1, None), strict=False):
                if earlier[0] == later[0]:
                    errors.append(
                        (
                            later[1],
                            f"agent '{plan.username}' has another {what} at "
                            f"{later[0].isoformat()} (line {earlier[1]})",
                        )
                    )
    return errors


# --- Merging with the existing timelines ----------------------------------------------------


def _load_existing(agent_id: int, plan: _AgentPlan) -> list[tuple[int, str]]:
    """Reads the existing events the new ones touch; returns the new rows they duplicate."""
    errors = []
    fields = ("started_at", "pk", "status", "ended_at", "previous_status")
    if plan.statuses:
        first, last = plan.statuses[0][0], plan.statuses[-1][0]
        existing = StatusEvent.objects.status_changes().filter(agent_id=agent_id)
        before = existing.filter(started_at__lt=first).order_by("-started_at").values_list(*fields)
        after = existing.filter(started_at__gt=last).order_by("started_at").values_list(*fields)
        plan.before = next(map(list, before[:1]), None)
        plan.after = next(map(list, after[:1]), None)
        plan.inside = [
            list(event)
            for event in existing.filter(started_at__range=(first, last))
            .order_by("started_at")
            .values_list(*fields)
        ]
        taken = {event[0] for event in plan.inside}
        errors += _duplicate_errors(plan.statuses, taken, plan.username, "status change")
    if plan.rejections:
        first, last = plan.rejections[0][0], plan.rejections[-1][0]
        taken = set(
            StatusEvent.objects.rejections()
            .filter(agent_id=agent_id, started_at__range=(first, last))
            .values_list("started_at", flat=True)
        )
        errors += _duplicate_errors(plan.rejections, taken, plan.username, "rejection")
    return errors


def _duplicate_errors(
    events: list[tuple], taken: set, username: str, what: str
) -> list[tuple[int, str]]:
    return [
        (line, f"agent '{username}' already has a {what} at {started_at.isoformat()}")
        for started_at, line, *_ in events
        if started_at in taken
    ]


def _chain(plan: _AgentPlan) -> Iterator[tuple[tuple | list, str, datetime | None]]:
    """Walks the merged timeline: (event, its previous status, its end) for every event.

    New events are tuples, existing ones lists. The event before the first new one keeps its
    previous status; the event after the last new one keeps its end.
    """
    sequence = [plan.before] if plan.before else []
    sequence.extend(heapq.merge(plan.inside, plan.statuses, key=itemgetter(0)))
    if plan.after:
        sequence.append(plan.after)
    return chain(
        sequence,
        started_at=itemgetter(0),
        status=itemgetter(2),
        status_before=plan.before[4] if plan.before else "",
        end_of_last=plan.after[3] if plan.after else None,
    )


def _adjusted_events(plans: dict[int, _AgentPlan]) -> list[StatusEvent]:
    """Existing status events whose end or previous status the new events change."""
    changed = []
    for plan in plans.values():
        if not plan.statuses:
            continue
        for event, previous_status, ended_at in _chain(plan):
            if isinstance(event, list) and (event[3], event[4]) != (ended_at, previous_status):
                changed.append(
                    StatusEvent(pk=event[1], ended_at=ended_at, previous_status=previous_status)
                )
    return changed


# The columns of a new event, in the order `_new_events` yields its values.
INSERTED_FIELDS = (
    "agent",
    "kind",
    "status",
    "previous_status",
    "channel",
    "code",
    "started_at",
    "ended_at",
    "source",
    "recorded_at",
    "system_reason",
    "missed",
    "timer",
    "group",
)
_DATETIME_POSITIONS = (6, 7, 9)


def _new_events(plans: dict[int, _AgentPlan], source: str, now: datetime) -> Iterator[tuple]:
    """The values of every new event (in INSERTED_FIELDS order), agent by agent, in time order."""
    status, rejection = str(EventKind.STATUS), str(EventKind.REJECTION)
    for agent_id, plan in plans.items():
        if plan.statuses:
            for event, previous_status, ended_at in _chain(plan):
                if isinstance(event, tuple):
                    started_at, _, state, code = event
                    code_id, reason = _code_or_reason(code)
                    yield (
                        agent_id,
                        status,
                        state,
                        previous_status,
                        "",
                        code_id,
                        started_at,
                        ended_at,
                        source,
                        now,
                        reason,
                        False,
                        # History records facts: no timer, no automatic status follows.
                        "",
                        plan.group_id,
                    )
        for started_at, _, channel, code in plan.rejections:
            code_id, reason = _code_or_reason(code)
            yield (
                agent_id,
                rejection,
                "",
                "",
                channel,
                code_id,
                started_at,
                None,
                source,
                now,
                reason,
                reason == SystemReason.MISSED,
                "",
                plan.group_id,
            )


def _code_or_reason(code: int | str | None) -> tuple[int | None, str]:
    """(code id, system reason) of a planned event's code."""
    if isinstance(code, str):
        return None, code
    return code, ""


def _insert(events: Iterator[tuple], total: int, progress: Progress | None) -> None:
    """Insert the new events with the database's fastest bulk path.

    Measured on this project's 2-core machine, bulk_create() inserts about 18,000 events a
    second on SQLite and 22,000 on PostgreSQL, mostly spent compiling SQL; a prepared
    executemany() reaches 80,000 on SQLite and COPY 46,000 on PostgreSQL (docs/performance.md).
    """
    meta = StatusEvent._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(meta.get_field(name).column) for name in INSERTED_FIELDS)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for written, event in enumerate(events, start=1):
                    copy.write_row(event)
                    if progress and written % BATCH_SIZE == 0 and written < total:
                        progress("write", written, total)
        else:
            placeholders = ", ".join(["%s"] * len(INSERTED_FIELDS))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
            adapt = connection.ops.adapt_datetimefield_value
            if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
                # Every datetime here is already in UTC, so dropping its zone is what adapt()
                # does, at a third of adapt()'s cost (which is most of the insert's own).
                def adapt(value: datetime | None) -> str | None:
                    return value and str(value.replace(tzinfo=None))

            while batch := list(islice(events, BATCH_SIZE)):
                for index, event in enumerate(batch):
                    values = list(event)
                    for position in _DATETIME_POSITIONS:
                        values[position] = adapt(values[position])
                    batch[index] = values
                cursor.executemany(sql, batch)
                written += len(batch)
                if progress and written < total:
                    progress("write", written, total)
    if progress:
        progress("write", total, total)


def _analyze_events() -> None:
    """Refresh the query planner's statistics after the events table grew a lot at once."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {connection.ops.quote_name(StatusEvent._meta.db_table)}")
        else:
            # The whole database: its other tables are small next to the events.
            cursor.execute("ANALYZE")


def events_import(
    *,
    rows: Iterable[EventRow],
    source: str = EventSource.IMPORT,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Merge history rows into the agents' timelines, all or nothing.

    Raises EventsImportError listing every bad row (`line N: reason`); nothing is written then.
    """
    now = now or timezone.now()
    plans, count, errors = _parse(rows, now, progress)
    errors += _same_instant_errors(plans)
    if errors:
        raise EventsImportError(errors)
    if not count:
        raise EventsImportError([(0, "the file has no rows to import")])

    with transaction.atomic():
        # Lock the touched agents (a no-op on SQLite, whose write lock is taken at BEGIN), so
        # that no live status change interleaves with the merge.
        list(Agent.objects.select_for_update().filter(pk__in=plans).order_by("pk").values("pk"))
        for agent_id, plan in plans.items():
            errors += _load_existing(agent_id, plan)
        if errors:
            raise EventsImportError(errors)
        # Existing events first: one of them may be the ongoing interval that a new event ends,
        # and an agent may have only one ongoing interval at any moment.
        adjusted = _adjusted_events(plans)
        StatusEvent.objects.bulk_update(adjusted, ["ended_at", "previous_status"], batch_size=500)
        # Every row was validated above and the database constraints still guard each one;
        # model instances and full_clean() would only repeat that, a million times over.
        total = sum(len(plan.statuses) + len(plan.rejections) for plan in plans.values())
        _insert(_new_events(plans, source, now), total, progress)
        rewritten = [
            plan.before[0] if plan.before else plan.statuses[0][0]
            for plan in plans.values()
            if plan.statuses
        ]
        if rewritten:
            history_rewritten.send(sender=StatusEvent, since=min(rewritten))
    if total >= ANALYZE_AFTER_EVENTS:
        _analyze_events()

    return ImportSummary(
        rows=count,
        status_changes=sum(len(plan.statuses) for plan in plans.values()),
        rejections=sum(len(plan.rejections) for plan in plans.values()),
        agents=len(plans),
        adjusted=len(adjusted),
    )
