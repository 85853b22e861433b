"""The rules of an agent's timeline that more than one place needs (docs/timeline.md).

- The chain of status intervals ("Intervals"): each interval ends at the instant the next one
  starts, and remembers the status of the one before it (its previous status); the last one is
  ongoing. `chain` is that rule, for the live path (`agents.services`: close the ongoing
  interval, open the next) and for the history import (`agents.history_import`: merge imported
  changes between existing ones) alike.
- Over the code's maximum: an interval is over its code's `max_minutes` when it lasts strictly
  longer than that many minutes, in exact microseconds. `time_in_status` is that rule for the
  console and the live board; `over_max_us_sql` spells it for the time-by-code report's SQL.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import TypeVar

from core.durations import whole_seconds

Interval = TypeVar("Interval")

ONE_MICROSECOND = timedelta(microseconds=1)
ONE_MILLISECOND = timedelta(milliseconds=1)
US_PER_MINUTE = 60_000_000


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


def over_max_us(elapsed_us: int, max_minutes: int | None) -> int:
    """How many microseconds `elapsed_us` goes past a maximum of `max_minutes` (None: no
    maximum); the interval is over its code's maximum exactly when this is more than 0."""
    if not max_minutes:
        return 0
    return max(elapsed_us - max_minutes * US_PER_MINUTE, 0)


def over_max_us_sql(elapsed_us: str, max_minutes: str) -> str:
    """`over_max_us` in SQL, before the cut at 0: more than 0 exactly when over the maximum.

    `elapsed_us` is an SQL expression of exact microseconds, `max_minutes` a non-null column.
    """
    return f"({elapsed_us}) - {max_minutes} * CAST({US_PER_MINUTE} AS BIGINT)"


@dataclass(frozen=True)
class TimeInStatus:
    """How long an agent has been in their status at `now`, and where that stands against the
    maximum of their code."""

    seconds: int | None  # whole seconds, half up; None for an agent who never changed status
    exceeded: bool
    over_seconds: int  # whole seconds past the maximum
    exceeds_in: timedelta | None  # until the maximum is passed; None: no maximum, or passed

    @property
    def exceeds_in_ms(self) -> int | None:
        """`exceeds_in` in whole milliseconds, rounded up past the instant: the console's clock
        switches its warning then (the maximum is passed just after it)."""
        if self.exceeds_in is None:
            return None
        return self.exceeds_in // ONE_MILLISECOND + 1


def time_in_status(
    *, since: datetime | None, max_minutes: int | None, now: datetime
) -> TimeInStatus:
    """The time in status since `since`, and whether it is over `max_minutes` (None: no max).

    A status that started after `now` (it changed while the page was being read) counts 0.
    """
    if since is None:
        return TimeInStatus(seconds=None, exceeded=False, over_seconds=0, exceeds_in=None)
    elapsed_us = max((now - since) // ONE_MICROSECOND, 0)
    over_us = over_max_us(elapsed_us, max_minutes)
    exceeds_in = None
    if max_minutes and not over_us:
        exceeds_in = timedelta(microseconds=max_minutes * US_PER_MINUTE - elapsed_us)
    return TimeInStatus(
        seconds=whole_seconds(elapsed_us),
        exceeded=over_us > 0,
        over_seconds=whole_seconds(over_us),
        exceeds_in=exceeds_in,
    )
