"""The daily rollup (docs/rollup.md): whole past days in the contact center's zone summed once,
read by time by code instead of the events. Every figure read through it must be the figure
read from the events: pages in several orders, sections, exports, at every grain made of
days, across midnight and the autumn daylight-saving change of New York; days that can still
change are not rolled; a history import or a new maximum makes the worker roll days again."""

import io
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from agents.history_import import events_import, read_events_csv
from agents.models import Agent, StatusEvent
from core.choices import Timer
from reports import rollup
from reports.models import DayLoggedIn, DayTotal, RolledDay, RollupState
from reports.selectors.time_by_code import TimeByCodeReport
from reports.selectors.window import Window
from reports.tasks import roll_up as roll_up_task
from statuscodes.models import StatusCode
from tests.conftest import make_agent
from tests.reports.timeline import at, live_day, timeline

ZONE = "America/New_York"
NEW_YORK = ZoneInfo(ZONE)
# Thursday 6 November 2025, 15:00 in New York: 29 October to 5 November are whole past days.
NOW = at("2025-11-06 15:00", ZONE)
FIRST, LAST_PAST = date(2025, 10, 29), date(2025, 11, 5)
MINUTE = 60


def local(day: date, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    wall = datetime(day.year, day.month, day.day, hour, minute, fold=fold, tzinfo=NEW_YORK)
    return wall.astimezone(UTC)


def working_day(rng: random.Random, day: date, *, codes: list[str]) -> list[tuple]:
    """A day of 08:xx to 17:xx in New York with three or four breaks or offline spells, one
    of them sometimes longer than its code's maximum."""
    steps = [(local(day, 8, rng.randrange(0, 30)), "available")]
    hour = 9
    for _ in range(rng.randrange(3, 5)):
        start = local(day, hour, rng.randrange(0, 40))
        code = rng.choice(codes)
        status = "work_offline" if code in ("MEETING", "TRAINING", "COACHING") else "on_break"
        steps.append((start, status, code))
        steps.append((start + timedelta(minutes=rng.randrange(5, 76)), "available"))
        hour += 2
    steps.append((local(day, 17, rng.randrange(0, 50)), "logged_out", "EOS"))
    return steps


@pytest.fixture
def center(settings, ana, sofia, sam, support_group):
    """Three day workers (ana and sofia in Support, sam in Sales) from 29 October to 6 November
    (6 November still going on), and nina on nights in Support: a break across midnight each
    night, and on the night of the autumn change a break from 01:50 EDT to 01:10 EST (20
    minutes). The rollup's zone is New York."""
    settings.REPORTS_ROLLUP_ZONE = ZONE
    rng = random.Random(20251106)
    days = [FIRST + timedelta(days=offset) for offset in range(9)]
    support = ["LUNCH", "SHORT", "RESTROOM", "MEETING", "TRAINING"]
    for agent, codes in ((ana, support), (sofia, support), (sam, ["LUNCH", "COACHING"])):
        steps = []
        for day in days[:-1]:
            steps += working_day(rng, day, codes=codes)
        # Today: logged in, on a break that has not ended yet.
        steps += [(local(days[-1], 8), "available"), (local(days[-1], 14, 30), "on_break", "LUNCH")]
        timeline(agent, *steps)
    nina = make_agent("nina", support_group)
    steps = []
    for day in days[:-1]:
        following = day + timedelta(days=1)
        steps += [
            (local(day, 22), "available"),
            (local(day, 23, 50), "on_break", "SHORT"),
            (local(following, 0, 20), "available"),
        ]
        if following == date(2025, 11, 2):
            steps += [
                (local(following, 1, 50), "on_break", "LUNCH"),
                (local(following, 1, 10, fold=1), "available"),
            ]
        steps.append((local(following, 5, 30), "logged_out", "EOS"))
    timeline(nina, *steps)
    return {"ana": ana, "sofia": sofia, "sam": sam, "nina": nina}


def report(date_from: date, date_to: date, *, rollup_on: bool, zone=NEW_YORK, **options):
    return TimeByCodeReport(
        agents=options.pop("agents", Agent.objects.all()),
        window=Window(date_from, date_to, zone),
        now=NOW,
        rollup=rollup_on,
        **options,
    )


ORDERS = ((), ("-seconds",), ("percent_of_logged_in",), ("agent", "-count"))


def assert_read_alike(date_from: date, date_to: date, *, rolled: int, **options) -> None:
    """The report through the rollup (`rolled` periods from it) and from the events alone give
    the same pages, in four orders and two pages each, and the same export."""
    assert report(date_from, date_to, rollup_on=True, **options)._rolled == rolled
    for order in ORDERS:
        for offset in (0, 7):
            through = report(date_from, date_to, rollup_on=True, **options).page(
                order=order, offset=offset, limit=7
            )
            events = report(date_from, date_to, rollup_on=False, **options).page(
                order=order, offset=offset, limit=7
            )
            assert through.rows == events.rows, (order, offset)
            assert through.count == events.count
            assert through.summary == events.summary
    through = list(report(date_from, date_to, rollup_on=True, **options).cells())
    events = list(report(date_from, date_to, rollup_on=False, **options).cells())
    assert through == events
    assert through, "the window has rows"


def roll_everything() -> int:
    return rollup.roll_up(now=NOW, limit=100)


def test_whole_past_days_are_rolled_and_read_alike_at_every_grain_of_days(center):
    assert roll_everything() == 8
    assert set(RolledDay.objects.values_list("day", flat=True)) == {
        FIRST + timedelta(days=offset) for offset in range(8)
    }
    # Past days only: the whole window is rolled.
    assert_read_alike(FIRST, LAST_PAST, rolled=8)
    assert_read_alike(FIRST, LAST_PAST, rolled=2, granularity="week")
    assert_read_alike(FIRST, LAST_PAST, rolled=2, granularity="month")
    assert_read_alike(FIRST, LAST_PAST, rolled=1, granularity="none")
    # With today: the past days from the rollup, today from the events.
    today = date(2025, 11, 6)
    assert_read_alike(FIRST, today, rolled=8)
    assert_read_alike(date(2025, 11, 1), today, rolled=1, granularity="week")
    assert_read_alike(FIRST, today, rolled=0, granularity="none")


def test_the_days_before_the_first_change_count_as_rolled(center):
    """A window that starts before any history (this year, say) is read from the rollup: the
    days before the first status change have no time."""
    roll_everything()
    assert RollupState.objects.get().first_day == FIRST
    assert_read_alike(date(2025, 10, 1), LAST_PAST, rolled=36)
    assert_read_alike(date(2025, 10, 1), LAST_PAST, rolled=2, granularity="month")


def test_filters_and_scopes_read_alike(center, sales_group, support_group):
    roll_everything()
    support_code = StatusCode.objects.get(code_list=support_group.code_list, code="LUNCH")
    assert_read_alike(FIRST, LAST_PAST, rolled=8, statuses=["work_offline"])
    assert_read_alike(FIRST, LAST_PAST, rolled=8, code=[support_code, "none"])
    assert_read_alike(FIRST, LAST_PAST, rolled=8, groups=[sales_group.pk])
    assert_read_alike(
        FIRST, LAST_PAST, rolled=8, agents=Agent.objects.filter(user__username="nina")
    )


def test_another_zone_or_a_finer_grain_reads_the_events(center):
    roll_everything()
    assert report(FIRST, LAST_PAST, rollup_on=True, zone=ZoneInfo("UTC"))._rolled == 0
    assert report(FIRST, LAST_PAST, rollup_on=True, granularity="hour")._rolled == 0
    assert_read_alike(FIRST, LAST_PAST, rolled=0, zone=ZoneInfo("Asia/Kolkata"))


def test_a_night_break_and_the_autumn_change_are_summed_per_local_day(center):
    """nina's figures as the rollup holds them, computed by hand."""
    roll_everything()
    nina = center["nina"]

    def breaks(day: date) -> dict:
        return {
            (total.code.code, total.count): total.us // 1_000_000
            for total in DayTotal.objects.filter(agent=nina, day=day).select_related("code")
        }

    # 29 October: the break from 23:50 to midnight (10 minutes), counted that day.
    assert breaks(date(2025, 10, 29)) == {("SHORT", 1): 10 * MINUTE}
    # 1 November: its own 10 minutes, and the 20 minutes after midnight of the night before
    # (not counted again).
    assert breaks(date(2025, 11, 1)) == {("SHORT", 1): 30 * MINUTE}
    # 2 November (25 hours): 00:00-00:20 of the break of the 1st, 01:50 EDT to 01:10 EST, which
    # is 20 minutes, and 23:50 to midnight.
    assert breaks(date(2025, 11, 2)) == {("SHORT", 1): 30 * MINUTE, ("LUNCH", 1): 20 * MINUTE}
    # Logged in on 2 November: 00:00 to 05:30 EST is 6 h 30 min on that day, then 22:00 to
    # midnight, 2 h.
    logged_in = DayLoggedIn.objects.get(agent=nina, day=date(2025, 11, 2))
    assert logged_in.us // 1_000_000 == (6 * 60 + 30 + 2 * 60) * MINUTE


def test_days_that_can_still_change_are_not_rolled(center):
    ana = center["ana"]
    # ana went on a break on 3 November at 23:00 that has not ended (her later events are
    # taken away).
    went_on_break = local(date(2025, 11, 3), 23)
    StatusEvent.objects.filter(agent=ana, started_at__gte=local(date(2025, 11, 3), 18)).delete()
    last = StatusEvent.objects.filter(agent=ana).latest("started_at")
    StatusEvent.objects.filter(pk=last.pk).update(ended_at=went_on_break)
    timeline(ana, (went_on_break, "on_break", "SHORT"))
    roll_everything()
    rolled = set(RolledDay.objects.values_list("day", flat=True))
    assert date(2025, 11, 3) not in rolled, "the break that started then is still going on"
    assert date(2025, 11, 4) in rolled and date(2025, 11, 2) in rolled
    assert date(2025, 11, 6) not in rolled, "today is never rolled"
    # The 3rd is read from the events, the days around it from the rollup.
    assert report(FIRST, LAST_PAST, rollup_on=True)._rolled == 5
    assert_read_alike(FIRST, LAST_PAST, rolled=5)


def test_a_timer_still_due_holds_the_days_from_its_own(center, support_group):
    """lena's break of 4 November has a safety net due at 08:45 that the worker has not fired
    yet: when it fires, her break ends at 08:45 that day, so neither that day nor any later one
    is rolled (the 5th would be otherwise)."""
    lena = make_agent("lena", support_group)
    went_on_break = local(date(2025, 11, 4), 8, 30)
    timeline(lena, (local(date(2025, 11, 4), 8), "available"), (went_on_break, "on_break", "SHORT"))
    StatusEvent.objects.filter(agent=lena, started_at=went_on_break).update(
        timer=Timer.SAFETY_NET, due_at=went_on_break + timedelta(minutes=15)
    )
    roll_everything()
    assert max(RolledDay.objects.values_list("day", flat=True)) == date(2025, 11, 3)


def test_a_history_import_makes_its_days_roll_again(center, support_group):
    roll_everything()
    omar = make_agent("omar", support_group)
    # omar's meeting on 2 November, imported once the day had been rolled.
    lines = [
        f"{local(date(2025, 11, 2), 10).isoformat()},omar,work_offline,MEETING",
        f"{local(date(2025, 11, 2), 11).isoformat()},omar,logged_out,EOS",
    ]
    text = "timestamp,agent,event,code\n" + "\n".join(lines) + "\n"
    events_import(rows=read_events_csv(io.BytesIO(text.encode())))
    rolled = set(RolledDay.objects.values_list("day", flat=True))
    assert rolled == {FIRST + timedelta(days=offset) for offset in range(4)}, (
        "the days from the one the import rewrote on are forgotten"
    )
    assert_read_alike(FIRST, LAST_PAST, rolled=4)
    roll_everything()
    assert_read_alike(FIRST, LAST_PAST, rolled=8)
    meeting = DayTotal.objects.get(agent=omar, day=date(2025, 11, 2))
    assert (meeting.code.code, meeting.count, meeting.us) == ("MEETING", 1, 3600 * 1_000_000)
    assert DayLoggedIn.objects.get(agent=omar).us == 3600 * 1_000_000


def test_an_import_before_the_first_change_moves_the_first_day_back(center, support_group):
    roll_everything()
    make_agent("omar", support_group)
    lines = [
        f"{local(date(2025, 10, 20), 10).isoformat()},omar,work_offline,MEETING",
        f"{local(date(2025, 10, 20), 11).isoformat()},omar,logged_out,EOS",
    ]
    text = "timestamp,agent,event,code\n" + "\n".join(lines) + "\n"
    events_import(rows=read_events_csv(io.BytesIO(text.encode())))
    assert not RolledDay.objects.exists(), "every rolled day was on or after the 20th"
    assert RollupState.objects.get().first_day == date(2025, 10, 20)
    # 1 to 19 October still have no time; the 20th on are read from the events.
    assert_read_alike(date(2025, 10, 1), LAST_PAST, rolled=19)
    roll_everything()
    assert_read_alike(date(2025, 10, 1), LAST_PAST, rolled=36)


def test_a_new_maximum_makes_the_days_of_its_code_roll_again(center, support_group):
    roll_everything()
    lunch = StatusCode.objects.get(code_list=support_group.code_list, code="LUNCH")
    days_with_lunch = set(DayTotal.objects.filter(code=lunch).values_list("day", flat=True))
    lunch.label = "Lunch break"
    lunch.save()
    assert RolledDay.objects.count() == 8, "a new label changes no figure"
    lunch.max_minutes = 20
    lunch.save()
    rolled = set(RolledDay.objects.values_list("day", flat=True))
    assert days_with_lunch and rolled.isdisjoint(days_with_lunch)
    assert len(rolled) == 8 - len(days_with_lunch)
    roll_everything()
    assert_read_alike(FIRST, LAST_PAST, rolled=8)


def test_a_new_zone_rolls_every_day_again_in_it(center, settings):
    roll_everything()
    settings.REPORTS_ROLLUP_ZONE = "Europe/Paris"
    assert report(FIRST, LAST_PAST, rollup_on=True)._rolled == 0, "New York's days are not read"
    rollup.roll_up(now=NOW, limit=100)
    assert RollupState.objects.get().zone == "Europe/Paris"
    paris = ZoneInfo("Europe/Paris")
    assert report(FIRST, LAST_PAST, rollup_on=True, zone=paris)._rolled == 8
    assert_read_alike(FIRST, LAST_PAST, rolled=8, zone=paris)


def test_the_worker_task_rolls_what_is_due(center):
    with time_machine.travel(NOW, tick=False):
        assert roll_up_task.apply().get() == 8
        assert roll_up_task.apply().get() == 0, "nothing is rolled twice"


def test_a_moved_agent_is_read_alike_in_each_group(
    center, support_group, sales_group, administrator
):
    """diego moves from Support to Sales on 3 November at noon, during a lunch."""
    diego = make_agent("diego", support_group)
    steps = [
        ("08:00", "login", None),
        ("11:30", "take_break", "LUNCH"),
        ("12:00", "move", None),
        ("12:30", "go_available", None),
        ("14:00", "take_break", "LUNCH"),
        ("14:45", "go_available", None),
        ("17:00", "logout", "EOS"),
    ]
    live_day(
        diego, steps, day="2025-11-03", zone=ZONE, move_to=sales_group, changed_by=administrator
    )
    roll_everything()
    assert_read_alike(FIRST, LAST_PAST, rolled=8)
    assert_read_alike(FIRST, LAST_PAST, rolled=8, groups=[support_group.pk])
    # The lunch from 11:30 counted in Support for its 30 minutes there, its rest in Sales
    # (not counted again), and the lunch of Sales' list.
    assert sorted(
        DayTotal.objects.filter(agent=diego).values_list("group__name", "count", "us")
    ) == sorted(
        [
            (support_group.name, 1, 30 * MINUTE * 1_000_000),
            (sales_group.name, 0, 30 * MINUTE * 1_000_000),
            (sales_group.name, 1, 45 * MINUTE * 1_000_000),
        ]
    )


def test_the_command_rolls_what_is_due_and_rebuilds(center, capsys):
    with time_machine.travel(NOW, tick=False):
        call_command("rollup")
        assert capsys.readouterr().out == "8 day(s) rolled.\n"
        DayTotal.objects.update(us=0)  # as if the rollup had gone wrong
        call_command("rollup", "--rebuild")
        assert capsys.readouterr().out == "8 day(s) rolled.\n"
    assert_read_alike(FIRST, LAST_PAST, rolled=8)


def test_a_database_emptied_of_the_rollups_row_gets_it_back(center, support_group):
    """`flush` (as between transactional tests) empties the one-row table: a code's new maximum
    and the builder still work."""
    RollupState.objects.all().delete()
    lunch = StatusCode.objects.get(code_list=support_group.code_list, code="LUNCH")
    lunch.max_minutes = 20
    lunch.save()
    assert roll_everything() == 8
    assert RollupState.objects.get().zone == ZONE
