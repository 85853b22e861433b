"""How durations and figures are rounded and written: once, at output, from exact microseconds.

Durations are kept (and summed in the database) as integers of microseconds; a figure is
rounded only when it is shown or exported, half a unit up (0.5 s becomes 1 s, 12.25 % becomes
12.3 %): docs/timeline.md, "Exact time, rounded once".
"""

US_PER_SECOND = 1_000_000


def whole_seconds(us: int) -> int:
    """Microseconds to whole seconds, half a second up."""
    return (us + US_PER_SECOND // 2) // US_PER_SECOND


def hms(seconds: int) -> str:
    """`H:MM:SS`; hours are not wrapped at 24."""
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def percent(part_us: int, whole_us: int) -> float | None:
    """100 × part ÷ whole to one decimal, half up; None when there is no whole to divide by."""
    if not whole_us:
        return None
    tenths = (2000 * part_us + whole_us) // (2 * whole_us)
    return tenths / 10


class ExactTime:
    """A figure of exact time, `us` microseconds, shown in whole seconds and as `H:MM:SS` (mixed
    into the reports' frozen dataclasses, which declare `us`)."""

    __slots__ = ()
    us: int

    @property
    def seconds(self) -> int:
        return whole_seconds(self.us)

    @property
    def duration(self) -> str:
        return hms(self.seconds)


class ShareOfLoggedIn(ExactTime):
    """An exact time and its share of the time logged in, `logged_in_us`."""

    __slots__ = ()
    logged_in_us: int

    @property
    def percent_of_logged_in(self) -> float | None:
        return percent(self.us, self.logged_in_us)
