"""The timeline rules shared by several places (docs/timeline.md): the chain of intervals, and
the time in status against the code's maximum."""

from datetime import UTC, datetime, timedelta
from operator import itemgetter

from agents.timeline import chain, next_start, time_in_status

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_each_interval_ends_where_the_next_starts_and_remembers_the_status_before():
    intervals = [(at(0), "available"), (at(5), "on_break"), (at(20), "available")]

    chained = list(
        chain(intervals, started_at=itemgetter(0), status=itemgetter(1), status_before="logged_out")
    )

    assert [(previous, end) for _, previous, end in chained] == [
        ("logged_out", at(5)),
        ("available", at(20)),
        ("on_break", None),
    ]


def test_the_last_interval_keeps_the_end_it_is_given():
    chained = list(
        chain([(at(0), "busy")], started_at=itemgetter(0), status=itemgetter(1), end_of_last=at(3))
    )

    assert chained == [((at(0), "busy"), "", at(3))]


def test_nothing_to_chain():
    assert list(chain([])) == []


def test_the_next_interval_starts_now_or_just_after_the_ongoing_one():
    assert next_start(at(5), after=None) == at(5)
    assert next_start(at(5), after=at(1)) == at(5)
    # A clock that did not move on, or went back: still strictly after.
    assert next_start(at(5), after=at(5)) == at(5) + timedelta(microseconds=1)
    assert next_start(at(4), after=at(5)) == at(5) + timedelta(microseconds=1)


def test_time_in_status_is_over_the_maximum_only_strictly_past_it():
    exactly = time_in_status(since=at(0), max_minutes=60, now=at(60))
    beyond = time_in_status(since=at(0), max_minutes=60, now=at(60) + timedelta(microseconds=1))

    assert (exactly.seconds, exactly.exceeded, exactly.over_seconds) == (3600, False, 0)
    assert exactly.exceeds_in_ms == 1  # the first millisecond after the instant
    assert (beyond.exceeded, beyond.exceeds_in_ms) == (True, None)


def test_time_in_status_rounds_once_and_counts_the_time_left():
    timing = time_in_status(since=at(0), max_minutes=60, now=at(15) + timedelta(seconds=0.5))

    assert timing.seconds == 15 * 60 + 1  # half a second up
    assert timing.exceeds_in == timedelta(minutes=44, seconds=59.5)
    assert timing.exceeds_in_ms == 2_699_501


def test_a_status_that_started_after_now_counts_zero():
    # The agent changed status while the page was being read.
    timing = time_in_status(since=at(1), max_minutes=None, now=at(0))

    assert (timing.seconds, timing.exceeded, timing.exceeds_in) == (0, False, None)
