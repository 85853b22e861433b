"""Time by code at every grain, next to a lean design of the same file. Run by hand:

    .venv/bin/python bench/grains.py --database sqlite      # /tmp/bench_grains.sqlite3
    .venv/bin/python bench/grains.py --database postgres    # database bench_grains on 127.0.0.1
    options: --agents 1000 --days 90 --window 30 --zone America/New_York --repeat 2
             --grains day 15m …   (default: every grain)
             --postgres-name bench_grains   (the PostgreSQL database's name)
             --reuse              (keep the generated data for the next run, and use the data
                                   an earlier run kept; delete it by hand when done)

Generates the contact center of bench/contact_center.py (groups of 50 agents, about 33 status
changes per agent and working day) for DAYS days ending yesterday, then, for the last WINDOW
local days in ZONE and each granularity (15m, 30m, hour, day, week, month, none), times:

- the product: the time-by-code CSV export of all agents through the view (django.test.Client,
  as a superuser), and the page (first 50 rows, subtotals, totals, charts), each with the daily
  rollup of ZONE (docs/rollup.md; the whole past days are rolled before the runs, and the build's
  time printed) and from the events alone (the rollup's zone set elsewhere for that run);
- the lean anchor: the same file from a table a person would design for this one report —
  intervals with start and end as epoch microseconds and an index on the start, joined with the
  window's periods (a small indexed table) — count, exact time, the agent's logged-in time for
  the percentage, names and labels, and the CSV text written in Python.

Both files are parsed and compared row by row, figure by figure, before any time is reported.
The lean table is built once from the events after they are generated (its build time is printed
but not counted: it is the anchor's storage, not its query). The tables go to stdout
(docs/performance.md, "Reports": the sections on every grain).
"""

import argparse
import csv
import importlib.util
import io
import os
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.append(str(ROOT / "bench"))

import contact_center  # noqa: E402

# bench/reports.py's SQL dialect; loaded under another name (`reports` is the app).
_spec = importlib.util.spec_from_file_location("bench_reports", ROOT / "bench" / "reports.py")
bench_reports = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_reports)

GRAINS = ("15m", "30m", "hour", "day", "week", "month", "none")
REPORTED = ("on_break", "work_offline")
US = 1_000_000


# --- the lean design ---------------------------------------------------------------------------


def build_lean(now: datetime) -> tuple[float, int]:
    """lean_intervals (agent_id, status, code_id, start_us, end_us), index on start_us; the
    ongoing intervals end at `now`. Returns (seconds, rows)."""
    from django.db import connection, transaction

    d = bench_reports.dialect()
    started = time.perf_counter()
    epoch = d["us"]("e.started_at", d["literal"](datetime(1970, 1, 1, tzinfo=UTC)))
    end = d["us"](
        f"COALESCE(e.ended_at, {d['literal'](now)})",
        d["literal"](datetime(1970, 1, 1, tzinfo=UTC)),
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS lean_intervals")
        cursor.execute(
            "CREATE TABLE lean_intervals (agent_id INTEGER NOT NULL, status VARCHAR(20) NOT NULL,"
            " code_id INTEGER, start_us BIGINT NOT NULL, end_us BIGINT NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO lean_intervals SELECT e.agent_id, e.status, e.code_id, {epoch}, {end}"
            " FROM agents_statusevent e WHERE e.kind = 'status'",
            [],  # with parameters, the dialect's %% are read as %
        )
        cursor.execute("CREATE INDEX lean_start ON lean_intervals (start_us)")
        cursor.execute("SELECT COUNT(*), MAX(end_us - start_us) FROM lean_intervals")
        rows, longest = cursor.fetchone()
        cursor.execute("DROP TABLE IF EXISTS lean_meta")
        cursor.execute("CREATE TABLE lean_meta (longest_us BIGINT NOT NULL)")
        cursor.execute("INSERT INTO lean_meta VALUES (%s)", [longest])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE lean_intervals")
    return time.perf_counter() - started, rows


def _epoch_us(instant: datetime) -> int:
    delta = instant - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def lean_file(periods) -> bytes:
    """The time-by-code CSV of all agents for `periods`, from the lean table."""
    from django.db import connection

    from core.durations import hms, percent, whole_seconds

    longest_period = max(_epoch_us(p.end) - _epoch_us(p.start) for p in periods)
    window_start, window_end = _epoch_us(periods[0].start), _epoch_us(periods[-1].end)
    d = bench_reports.dialect()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS lean_periods")
        cursor.execute(
            "CREATE TEMPORARY TABLE lean_periods (period INTEGER PRIMARY KEY,"
            " ps BIGINT NOT NULL, pe BIGINT NOT NULL)"
        )
        cursor.executemany(
            "INSERT INTO lean_periods VALUES (%s, %s, %s)",
            [(i, _epoch_us(p.start), _epoch_us(p.end)) for i, p in enumerate(periods)],
        )
        cursor.execute("CREATE INDEX lean_periods_end ON lean_periods (pe)")
        cursor.execute("ANALYZE lean_periods")
        # Intervals overlapping the window: found by the start (bounded below by the longest
        # interval, so that the cost does not grow with the history), each joined with the
        # periods it overlaps through the periods' end (bounded by the longest period).
        cursor.execute(
            f"""
            WITH parts AS (
                SELECT p.period, i.agent_id, i.status, i.code_id,
                       {d["least"]}(i.end_us, p.pe) - {d["greatest"]}(i.start_us, p.ps) AS us,
                       CASE WHEN i.start_us >= p.ps THEN 1 ELSE 0 END AS starts
                FROM lean_intervals i
                JOIN lean_periods p
                  ON p.pe > i.start_us AND p.pe <= i.end_us + %s AND p.ps < i.end_us
                WHERE i.start_us < %s
                  AND i.start_us >= %s - (SELECT longest_us FROM lean_meta)
                  AND i.end_us > %s
            ),
            sums AS (
                SELECT period, agent_id, status, code_id, SUM(starts) AS n, SUM(us) AS us
                FROM parts GROUP BY period, agent_id, status, code_id
            ),
            logged_in AS (
                SELECT period, agent_id, SUM(us) AS us FROM sums
                WHERE status <> 'logged_out' GROUP BY period, agent_id
            )
            SELECT s.period, u.username, g.name, s.status, COALESCE(l.name, ''),
                   COALESCE(c.code, ''), COALESCE(c.label, ''), s.n, s.us, li.us,
                   COALESCE(c.paid, FALSE)
            FROM sums s
            JOIN logged_in li ON li.period = s.period AND li.agent_id = s.agent_id
            JOIN agents_agent a ON a.id = s.agent_id JOIN auth_user u ON u.id = a.user_id
            JOIN agents_agentgroup g ON g.id = a.group_id
            LEFT JOIN statuscodes_statuscode c ON c.id = s.code_id
            LEFT JOIN statuscodes_statuscodelist l ON l.id = c.code_list_id
            WHERE s.status IN ('on_break', 'work_offline')
            ORDER BY s.period, u.username, s.status, 5, 6""",
            [longest_period, window_end, window_start, window_start],
        )
        labels = [p.label for p in periods]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        first = "date" if periods[0].granularity == "day" else "period"
        writer.writerow(
            [first, "agent", "group", "status", "list", "code", "code_label", "count", "seconds"]
            + ["duration", "percent_of_logged_in", "paid"]
        )
        while chunk := cursor.fetchmany(2000):
            for period, agent, group, status, code_list, code, label, n, us, li, paid in chunk:
                seconds = whole_seconds(int(us))
                writer.writerow(
                    [labels[period], agent, group, status, code_list, code, label, int(n)]
                    + [
                        seconds,
                        hms(seconds),
                        percent(int(us), int(li)),
                        "true" if paid else "false",
                    ]
                )
        cursor.execute("DROP TABLE lean_periods")
    return buffer.getvalue().encode()


# --- measuring ---------------------------------------------------------------------------------

COMPARED = ("agent", "status", "list", "code", "count", "seconds", "percent_of_logged_in")


def rows_of(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def same_figures(product: list[dict], lean: list[dict], first: str) -> None:
    assert len(product) == len(lean), (len(product), len(lean))
    for index, (mine, theirs) in enumerate(zip(product, lean, strict=True)):
        left = [mine[first], *(mine[name] for name in COMPARED)]
        right = [theirs[first], *(theirs[name] for name in COMPARED)]
        assert left == right, (index, left, right)


def best(function, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def measure(window, *, repeat: int, grains=GRAINS) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings

    from reports.selectors.window import periods

    client = Client()
    client.force_login(get_user_model().objects.get(username="root"))
    dates = {
        "date_from": window.date_from.isoformat(),
        "date_to": window.date_to.isoformat(),
        "tz": window.zone.key,
    }

    def export(grain):
        response = client.get(
            "/reports/time-by-code/", {**dates, "granularity": grain, "_export": "csv"}
        )
        assert response.status_code == 200, response.status_code
        return b"".join(response.streaming_content)

    def page(grain):
        response = client.get("/reports/time-by-code/", {**dates, "granularity": grain})
        assert response.status_code == 200, response.status_code
        return response

    print(
        "| grain | periods | rows | product export | ÷ lean | from the events | lean anchor "
        "| page, all agents | from the events | load average |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    # The rollup is read only in its own zone: set elsewhere, the report reads the events.
    events_only = override_settings(REPORTS_ROLLUP_ZONE="Etc/UTC")
    for grain in grains:
        now = datetime.now(UTC)
        window_periods = periods(window, grain, now=now)
        export(grain)  # warm-up: caches, the planner's statistics
        product_time, product = best(lambda grain=grain: export(grain), repeat)
        lean_time, lean = best(lambda p=window_periods: lean_file(p), repeat)
        first = "date" if grain == "day" else "period"
        product_rows = rows_of(product)
        same_figures(product_rows, rows_of(lean), first)
        page_time, rolled_page = best(lambda grain=grain: page(grain), repeat)
        with events_only:
            events_time, from_events = best(lambda grain=grain: export(grain), repeat)
            same_figures(rows_of(from_events), rows_of(lean), first)
            events_page_time, events_page = best(lambda grain=grain: page(grain), repeat)
        # The same page either way (but for the sign-out form's CSRF token).
        token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
        assert token.sub(b"", rolled_page.content) == token.sub(b"", events_page.content)
        print(
            f"| {grain} | {len(window_periods):,} | {len(product_rows):,} | "
            f"{product_time * 1000:,.0f} ms | {product_time / lean_time:.2f}× | "
            f"{events_time * 1000:,.0f} ms | {lean_time * 1000:,.0f} ms | "
            f"{page_time * 1000:,.0f} ms | {events_page_time * 1000:,.0f} ms | "
            f"{load_average()} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--window", type=int, default=30)
    parser.add_argument("--zone", default="America/New_York")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--grains", nargs="+", choices=GRAINS, default=GRAINS)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--postgres-name", default="bench_grains")
    args = parser.parse_args()

    # The daily rollup in the window's zone (docs/rollup.md).
    os.environ["REPORTS_ROLLUP_ZONE"] = args.zone
    reused = contact_center.configure(
        args.database,
        sqlite_path=Path("/tmp/bench_grains.sqlite3"),
        postgres_name=args.postgres_name,
        reuse=args.reuse,
    )
    from reports.selectors.window import Window

    print(f"Machine: {contact_center.machine()}")
    if reused:
        print("<!-- the contact center of an earlier run (--reuse) -->")
    else:
        agents, codes = contact_center.configuration(args.agents)
        today = datetime.now(UTC).date()
        days = [today - timedelta(days=args.days - index) for index in range(args.days)]
        started = time.perf_counter()
        count = contact_center.insert_events(
            contact_center.event_rows(agents, days, codes, following=None, first=True)
        )
        print(f"<!-- {count:,} events in {time.perf_counter() - started:.0f} s -->")
        build_seconds, intervals = build_lean(datetime.now(UTC))
        print(f"<!-- lean table: {intervals:,} intervals in {build_seconds:.0f} s -->")
    from reports import rollup

    started = time.perf_counter()
    rolled = 0
    while count := rollup.roll_up():
        rolled += count
    print(f"<!-- rollup: {rolled} days rolled in {time.perf_counter() - started:.1f} s -->")
    zone = ZoneInfo(args.zone)
    local_today = datetime.now(zone).date()
    window = Window(
        local_today - timedelta(days=args.window), local_today - timedelta(days=1), zone
    )
    print(
        f"\n{args.agents} agents, {args.days} days of history, window {window.date_from} to "
        f"{window.date_to} ({args.window} days) in {args.zone}, {args.database}, "
        f"best of {args.repeat}, load average {load_average()}:\n"
    )
    measure(window, repeat=args.repeat, grains=args.grains)
    print(f"\nload average at the end: {load_average()}")


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
