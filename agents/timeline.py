"""The chain of an agent's status intervals (docs/timeline.md, "Intervals").

Each interval ends at the instant the next one starts, and remembers the status of the one
before it (its previous status); the last one is ongoing. `chain` is that rule, for the live
path (`agents.services`: close the ongoing interval, open the next) and for the history import
(`agents.history_import`: merge imported changes between existing ones) alike.
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from operator import attrgetter
from typing import TypeVar

Interval = TypeVar("Interval")

ONE_MICROSECOND = timedelta(microseconds=1)


def chain(
    intervals: Iterable[Interval],
    *,
    started_at: Callable[[Interval], datetime] = attrgetter("started_at"),
    status: Callable[[Interval], str] = attrgetter("status"),
    status_before: str = "",
    end_of_last: datetime | None = None,
) -> Iterator[tuple[Interval, str, datetime | None]]:
    """Each of `intervals` (sorted by start) with the previous status and the end it must have.

    An interval ends where the next one starts; the last ends at `end_of_last` (None: it is
    ongoing). The first one's previous status is `status_before`, each other one's the status
    of the one before it. `started_at` and `status` read an interval: attributes by default
    (status events), or e.g. `itemgetter` for the import's tuples.
    """
    previous_status = status_before
    intervals = iter(intervals)
    current = next(intervals, None)
    if current is None:
        return
    for following in intervals:
        yield current, previous_status, started_at(following)
        previous_status = status(current)
        current = following
    yield current, previous_status, end_of_last


def next_start(now: datetime, *, after: datetime | None) -> datetime:
    """The start of the interval that follows one started at `after`: `now`, or one microsecond
    after `after` when the clock did not move on (or was set back), so that no interval is empty
    or negative."""
    if after is None:
        return now
    return max(now, after + ONE_MICROSECOND)
