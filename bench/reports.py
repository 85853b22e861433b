"""Report benchmark, run by hand (not part of the test suite).

    .venv/bin/python bench/reports.py --database sqlite      # /tmp/bench_reports.sqlite3
    .venv/bin/python bench/reports.py --database postgres    # database bench_reports on 127.0.0.1

Generates a contact center of AGENTS agents (50 per group) with a timeline of DAYS days ending
yesterday (about 33 events per agent and day: sessions of calls, breaks and offline time with
codes, rejections), first the last WINDOW days only, then the DAYS - WINDOW days before them,
and after each step times every report's page and full CSV export for the last WINDOW days,
for all agents and for one agent, through django.test.Client, next to a hand-written SQL query
that computes the same numbers, run on the same database in the same process. Every file is
checked against its query, row by row and figure by figure (counts, seconds, percentages,
durations); the table shows the sums. After each step the time-by-code figures are also read
from a daily rollup table (built by the bench for UTC, not part of the product) to compare the
two designs. The generated database lives outside the repository; the tables go to stdout
(docs/performance.md#reports).
"""

import argparse
import csv
import io
import math
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))

# The generated contact center, shared with bench/grains.py and bench/exports.py (which read
# these names from here).
from contact_center import (  # noqa: E402
    configuration,
    configure,
    event_rows,
    insert_events,
    machine,
)

# --- hand-written SQL: the same numbers, straight from the database ------------------------
#
# Each report's page and export is timed next to the SQL a person would write by hand for the
# same figures: the page's rows, subtotals, totals and chart in one statement (plus the count
# where the page counts separately), and the export's rows with every figure of the file
# computed in the database (durations in exact microseconds, as the reports do).


def dialect() -> dict:
    from django.db import connection

    if connection.vendor == "postgresql":
        return {
            "least": "LEAST",
            "greatest": "GREATEST",
            "us": lambda end, start: (
                f"CAST(EXTRACT(EPOCH FROM ({end}) - ({start})) * 1000000 AS BIGINT)"
            ),
            "ts": "CAST(%s AS TIMESTAMPTZ)",
            "date": "CAST(%s AS DATE)",
            "literal": lambda instant: f"CAST('{instant.isoformat()}' AS TIMESTAMPTZ)",
        }

    def epoch(value: str) -> str:
        return (
            f"(CAST(strftime('%%s', substr({value}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr({value} || '.000000', 21, 6) AS INTEGER))"
        )

    return {
        "least": "MIN",
        "greatest": "MAX",
        "us": lambda end, start: f"({epoch(end)} - {epoch(start)})",
        "ts": "%s",
        "date": "%s",
        "literal": lambda instant: (
            f"'{connection.ops.adapt_datetimefield_value(instant.astimezone(UTC))}'"
        ),
    }


def days_values(days, now):
    """The window's local days as a VALUES list, as the report computes them."""
    from django.db import connection

    d = dialect()
    adapt = connection.ops.adapt_datetimefield_value
    rows, params = [], []
    for day in days:
        rows.append(f"({d['date']}, {d['ts']}, {d['ts']})")
        params += [
            connection.ops.adapt_datefield_value(day.local_date),
            adapt(day.start),
            adapt(min(day.end, now)),
        ]
    return "VALUES " + ", ".join(rows), params


NAMES = """
    JOIN agents_agent a ON a.id = {b}.agent_id JOIN auth_user u ON u.id = a.user_id
    JOIN agents_agentgroup g ON g.id = a.group_id
    LEFT JOIN statuscodes_statuscode c ON c.id = {b}.code_id
    LEFT JOIN statuscodes_statuscodelist l ON l.id = c.code_list_id"""


def baseline_time_by_code(window, now, agent_id, *, page: bool):
    """Intervals overlapping the window (those starting inside it, through an index on the
    start, and each agent's interval at its opening, one index probe per agent: no history
    outside the window is read), cut by a range join on the days; logged-in time as in the
    report (covered time less logged-out time). The page adds the time over the code's
    maximum and reads its rows, subtotals by agent and status, total and chart from one
    aggregate; the export reads the rows."""
    from django.db import connection

    d = dialect()
    adapt = connection.ops.adapt_datetimefield_value
    days = window.days(now=now)
    values, params = days_values(days, now)
    one = f" AND e.agent_id = {int(agent_id)}" if agent_id else ""
    one_agent = f" WHERE a.id = {int(agent_id)}" if agent_id else ""
    statuses = "('on_break', 'work_offline', 'logged_out')"
    # SQLite has no statistics: for one agent it is told to read the agent's own index.
    status = "+e.status" if agent_id and connection.vendor == "sqlite" else "e.status"
    part_us = d["us"](f"{d['least']}(iv.ended_at, d.e)", f"{d['greatest']}(iv.started_at, d.s)")
    maximum, codes, exceeded = "", "", ""
    if page:
        maximum = ", c.max_minutes"
        codes = " LEFT JOIN statuscodes_statuscode c ON c.id = e.code_id"
        over = (
            f"{d['us']('iv.ended_at', 'iv.started_at')} - iv.max_minutes * CAST(60000000 AS BIGINT)"
        )
        first_day = f"iv.started_at >= d.s AND {over} > 0"
        exceeded = (
            f", SUM(CASE WHEN {first_day} THEN 1 ELSE 0 END) AS xn"
            f", SUM(CASE WHEN {first_day} THEN {over} ELSE 0 END) AS xus"
        )
    aggregate = f"""
    WITH days (local_date, s, e) AS ({values}),
    iv AS (
        SELECT e.agent_id, e.status, e.code_id, e.started_at,
               COALESCE(e.ended_at, {d["ts"]}) AS ended_at{maximum}
        FROM agents_statusevent e{codes}
        WHERE e.kind = 'status' AND {status} IN {statuses}
          AND e.started_at >= {d["ts"]} AND e.started_at < {d["ts"]}{one}
        UNION ALL
        SELECT e.agent_id, e.status, e.code_id, e.started_at,
               COALESCE(e.ended_at, {d["ts"]}) AS ended_at{maximum}
        FROM agents_agent a
        JOIN agents_statusevent e ON e.id = (
            SELECT p.id FROM agents_statusevent p
            WHERE p.agent_id = a.id AND p.kind = 'status' AND p.started_at < {d["ts"]}
            ORDER BY p.started_at DESC LIMIT 1){codes}
        WHERE e.status IN {statuses} AND (e.ended_at > {d["ts"]} OR e.ended_at IS NULL)
          {one_agent.replace("WHERE", "AND")}
    ),
    b AS MATERIALIZED (
        SELECT d.local_date, iv.agent_id, iv.status, iv.code_id,
               SUM(CASE WHEN iv.started_at >= d.s THEN 1 ELSE 0 END) AS n,
               SUM({part_us}) AS us{exceeded}
        FROM iv JOIN days d ON iv.started_at < d.e AND iv.ended_at > d.s
        GROUP BY d.local_date, iv.agent_id, iv.status, iv.code_id
    ),
    f AS MATERIALIZED (
        SELECT a.id AS agent_id,
               (SELECT MIN(x.started_at) FROM agents_statusevent x
                WHERE x.agent_id = a.id AND x.kind = 'status') AS first_at
        FROM agents_agent a{one_agent}
    ),
    o AS (
        SELECT agent_id, local_date, SUM(us) AS us FROM b WHERE status = 'logged_out'
        GROUP BY agent_id, local_date
    ),
    li AS MATERIALIZED (
        SELECT f.agent_id, d.local_date,
               {d["us"]("d.e", f"{d['greatest']}(d.s, f.first_at)")} - COALESCE(o.us, 0) AS us
        FROM f JOIN days d ON f.first_at < d.e
        LEFT JOIN o ON o.agent_id = f.agent_id AND o.local_date = d.local_date
    )"""
    start, end = days[0].start, min(days[-1].end, now)
    params = [
        *params,
        *(adapt(now), adapt(start), adapt(end)),
        *(adapt(now), adapt(start), adapt(start)),
    ]
    order = "local_date, username, status, list_name, code"
    if not page:
        sql = f"""{aggregate}
        SELECT b.local_date, u.username, g.name, b.status, l.name AS list_name, c.code,
               c.label_en, b.n, b.us, li.us
        FROM b JOIN li ON li.agent_id = b.agent_id AND li.local_date = b.local_date
        {NAMES.format(b="b")}
        WHERE b.status <> 'logged_out'
        ORDER BY b.local_date, u.username, b.status, list_name, c.code"""
        return sql, params
    sql = f"""{aggregate},
    r AS MATERIALIZED (
        SELECT b.local_date, b.agent_id, u.username, g.name AS group_name, b.status,
               l.name AS list_name, c.code, c.label_en AS label, b.n, b.us, li.us AS li_us,
               b.xn, b.xus
        FROM b JOIN li ON li.agent_id = b.agent_id AND li.local_date = b.local_date
        {NAMES.format(b="b")}
        WHERE b.status <> 'logged_out'
    )
    SELECT * FROM (
        SELECT 'row' AS section, 0 AS row_count, local_date, username, group_name, status,
               list_name, code, label, n, us, li_us, xn, xus
        FROM r ORDER BY {order} LIMIT 50) p
    UNION ALL
    SELECT 'agent', NULL, NULL, r.username, NULL, NULL, NULL, NULL, NULL,
           SUM(r.n), SUM(r.us), t.us, SUM(r.xn), SUM(r.xus)
    FROM r JOIN (SELECT agent_id, SUM(us) AS us FROM li GROUP BY agent_id) t
      ON t.agent_id = r.agent_id
    GROUP BY r.agent_id, r.username, t.us
    UNION ALL
    SELECT 'status', NULL, NULL, NULL, NULL, status, NULL, NULL, NULL,
           SUM(n), SUM(us), (SELECT SUM(us) FROM li), SUM(xn), SUM(xus)
    FROM r GROUP BY status
    UNION ALL
    SELECT 'total', COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           SUM(n), SUM(us), (SELECT SUM(us) FROM li), SUM(xn), SUM(xus)
    FROM r
    UNION ALL
    SELECT 'chart', NULL, NULL, NULL, NULL, status, list_name, code, label,
           NULL, SUM(us), NULL, NULL, NULL
    FROM r GROUP BY list_name, code, label, status"""
    return sql, params


def baseline_rejections(window, now, agent_id, *, page: bool):
    """Rejections counted per local day, agent, channel and code, then named; the page adds
    its subtotals by channel and by code and the total."""
    values, params = days_values(window.days(now=now), now)
    one = f" AND e.agent_id = {int(agent_id)}" if agent_id else ""
    order = "local_date, username, channel, list_name, code"
    rows = f"""
    WITH days (local_date, s, e) AS ({values}),
    b AS (
        SELECT d.local_date, e.agent_id, e.channel, e.code_id, COUNT(*) AS n
        FROM days d
        JOIN agents_statusevent e ON e.started_at >= d.s AND e.started_at < d.e
        WHERE e.kind = 'rejection'{one}
        GROUP BY d.local_date, e.agent_id, e.channel, e.code_id
    ),
    r AS MATERIALIZED (
        SELECT b.local_date, u.username, g.name AS group_name, b.channel, l.name AS list_name,
               c.code, c.label_en AS label, b.n
        FROM b {NAMES.format(b="b")}
    )"""
    if not page:
        return f"{rows} SELECT * FROM r ORDER BY {order}", params
    sql = f"""{rows}
    SELECT * FROM (
        SELECT 'row' AS section, 0 AS row_count, local_date, username, group_name, channel,
               list_name, code, label, n
        FROM r ORDER BY {order} LIMIT 50) p
    UNION ALL
    SELECT 'channel', NULL, NULL, NULL, NULL, channel, NULL, NULL, NULL, SUM(n)
    FROM r GROUP BY channel
    UNION ALL
    SELECT 'code', NULL, NULL, NULL, NULL, NULL, list_name, code, label, SUM(n)
    FROM r GROUP BY list_name, code, label
    UNION ALL
    SELECT 'total', COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, SUM(n) FROM r"""
    return sql, params


STATUS_CHANGES_SELECT = """
    SELECT e.started_at, u.username, g.name, e.previous_status, e.status, l.name, c.code,
           c.label_en, {duration} AS duration_us, e.ended_at IS NULL AS ongoing, e.source
    FROM agents_statusevent e {names}
    WHERE e.kind = 'status' AND e.started_at >= %s AND e.started_at < %s{one}
    ORDER BY e.started_at DESC, u.username"""


def baseline_status_changes(window, now, agent_id, *, page: bool):
    from django.db import connection

    d = dialect()
    adapt = connection.ops.adapt_datetimefield_value
    one = f" AND e.agent_id = {int(agent_id)}" if agent_id else ""
    params = [adapt(window.start), adapt(min(window.end, now))]
    # The whole interval's length, up to `now` while ongoing (a literal: the SQLite spelling
    # reads the instant twice).
    duration = d["us"](f"COALESCE(e.ended_at, {d['literal'](now)})", "e.started_at")
    select = STATUS_CHANGES_SELECT.format(duration=duration, names=NAMES.format(b="e"), one=one)
    if not page:
        return [(select, params)]
    count = (
        f"SELECT COUNT(*) FROM agents_statusevent e WHERE e.kind = 'status'"
        f" AND e.started_at >= %s AND e.started_at < %s{one}"
    )
    return [(count, params), (select + " LIMIT 50", params)]


def baseline_live(agent_id, *, page: bool):
    one = f" WHERE a.id = {int(agent_id)}" if agent_id else ""
    select = f"""
    SELECT u.username, g.name, e.status, e.started_at, l.name, c.code, c.label_en, c.max_minutes
    FROM agents_agent a JOIN auth_user u ON u.id = a.user_id
    JOIN agents_agentgroup g ON g.id = a.group_id
    LEFT JOIN agents_statusevent e
      ON e.agent_id = a.id AND e.kind = 'status' AND e.ended_at IS NULL
    LEFT JOIN statuscodes_statuscode c ON c.id = e.code_id
    LEFT JOIN statuscodes_statuscodelist l ON l.id = c.code_list_id{one}
    ORDER BY u.username"""
    if not page:
        return [(select, [])]
    return [(f"SELECT COUNT(*) FROM agents_agent a{one}", []), (select + " LIMIT 50", [])]


def run_sql(statements) -> list:
    """Run the statements; the rows of the last one."""
    from django.db import connection

    rows = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    return rows


# --- the same figures: the CSV file against the hand-written SQL ---------------------------
#
# Each report's file and the hand-written query are reduced to the same figures, compared row
# by row (keyed by what identifies a row), and summed for the table. Rounding is done here
# independently of the product: whole seconds and tenths of a percent, half up.


def whole_seconds(us) -> int:
    return (int(us) + 500_000) // 1_000_000


def tenths_of_percent(part_us, whole_us) -> int | None:
    if not whole_us:
        return None
    return math.floor(Fraction(1000 * int(part_us), int(whole_us)) + Fraction(1, 2))


def read_csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def time_by_code_figures(csv_rows, sql_rows):
    in_file = {
        (r["date"], r["agent"], r["status"], r["list"], r["code"]): (
            int(r["count"]),
            int(r["seconds"]),
            round(float(r["percent_of_logged_in"]) * 10) if r["percent_of_logged_in"] else None,
        )
        for r in csv_rows
    }
    in_sql = {
        (str(day), agent, status, code_list or "", code or ""): (
            int(count),
            whole_seconds(us),
            tenths_of_percent(us, logged_in_us),
        )
        for day, agent, _, status, code_list, code, _, count, us, logged_in_us in sql_rows
    }
    count = sum(figures[0] for figures in in_sql.values())
    seconds = sum(figures[1] for figures in in_sql.values())
    return in_file, in_sql, f"Σ count {count:,}, Σ seconds {seconds:,}"


def rejections_figures(csv_rows, sql_rows):
    in_file = {
        (r["date"], r["agent"], r["channel"], r["list"], r["code"]): int(r["count"])
        for r in csv_rows
    }
    in_sql = {
        (str(day), agent, channel, code_list or "", code or ""): int(count)
        for day, agent, _, channel, code_list, code, _, count in sql_rows
    }
    return in_file, in_sql, f"Σ count {sum(in_sql.values()):,}"


def _utc_second(value) -> str:
    # PostgreSQL returns an aware datetime; SQLite the UTC text it stored.
    if isinstance(value, str):
        return value[:19]
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def status_changes_figures(csv_rows, sql_rows):
    """Each change by instant (to the second, as in the file) and agent, with its statuses,
    code and duration; an ongoing interval's duration runs to each query's own `now`, so only
    its being ongoing is compared."""
    in_file = Counter(
        (
            _utc_second(datetime.fromisoformat(r["timestamp"])),
            r["agent"],
            r["previous_status"],
            r["status"],
            r["code"],
            None if r["ongoing"] == "true" else int(r["duration_seconds"]),
        )
        for r in csv_rows
    )
    in_sql = Counter(
        (
            _utc_second(started_at),
            agent,
            previous,
            status,
            code or "",
            None if ongoing else whole_seconds(duration_us),
        )
        for started_at, agent, _, previous, status, _, code, _, duration_us, ongoing, _ in sql_rows
    )
    closed = sum(key[-1] * n for key, n in in_sql.items() if key[-1] is not None)
    ongoing = sum(n for key, n in in_sql.items() if key[-1] is None)
    return in_file, in_sql, f"Σ seconds {closed:,} closed, {ongoing:,} ongoing"


def live_figures(csv_rows, sql_rows):
    in_file = Counter((r["agent"], r["status"], r["code"]) for r in csv_rows)
    in_sql = Counter(
        (agent, status or "logged_out", code or "")
        for agent, _, status, _, _, code, _, _ in sql_rows
    )
    statuses = Counter(key[1] for key in in_sql.elements())
    return (
        in_file,
        in_sql,
        ", ".join(f"{n:,} {status}" for status, n in statuses.most_common()),
    )


def assert_same(name: str, scope: str, in_file, in_sql) -> None:
    if in_file == in_sql:
        return
    keys = set(in_file) | set(in_sql)
    differences = [
        (key, in_file.get(key), in_sql.get(key))
        for key in sorted(keys, key=repr)
        if in_file.get(key) != in_sql.get(key)
    ]
    raise AssertionError(
        f"{name}, {scope}: {len(differences)} rows differ (key, file, SQL): {differences[:5]}"
    )


# --- timing ------------------------------------------------------------------------------------


def timed(function, repeat: int) -> tuple[float, object]:
    """Median seconds of `repeat` runs after one warm-up run, and the last result."""
    result = function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure(*, history_days: int, window, one_agent: int, repeat: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    now = datetime.now(UTC)
    client = Client()
    client.force_login(get_user_model().objects.get(username="root"))
    dates = {
        "date_from": window.date_from.isoformat(),
        "date_to": window.date_to.isoformat(),
        "tz": window.zone.key,
    }

    def get(url, params):
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            return b"".join(response.streaming_content)
        return len(response.content)

    reports = {
        "time-by-code": (
            lambda agent: [baseline_time_by_code(window, now, agent, page=True)],
            lambda agent: [baseline_time_by_code(window, now, agent, page=False)],
            time_by_code_figures,
        ),
        "rejections": (
            lambda agent: [baseline_rejections(window, now, agent, page=True)],
            lambda agent: [baseline_rejections(window, now, agent, page=False)],
            rejections_figures,
        ),
        "status-changes": (
            lambda agent: baseline_status_changes(window, now, agent, page=True),
            lambda agent: baseline_status_changes(window, now, agent, page=False),
            status_changes_figures,
        ),
        "live": (
            lambda agent: baseline_live(agent, page=True),
            lambda agent: baseline_live(agent, page=False),
            live_figures,
        ),
    }
    results = []
    for name, (page_sql, export_sql, figures) in reports.items():
        url = f"/reports/{name}/"
        for scope, agent in (("all agents", None), ("one agent", one_agent)):
            params = dict(dates) if name != "live" else {"tz": window.zone.key}
            if agent:
                params["agent"] = agent
            page_time, _ = timed(partial(get, url, params), repeat)
            # The page's fixed cost: the same page for a window without events.
            empty_time = None
            if name != "live":
                empty = {**params, "date_from": "2000-01-01", "date_to": "2000-01-30"}
                empty_time, _ = timed(partial(get, url, empty), repeat)
            page_sql_time, _ = timed(partial(run_sql, page_sql(agent)), repeat)
            # Whole exports take seconds: at most three timed runs after the warm-up.
            export_time, content = timed(
                partial(get, url, {**params, "_export": "csv"}), min(repeat, 3)
            )
            export_sql_time, sql_rows = timed(partial(run_sql, export_sql(agent)), min(repeat, 3))
            # The same numbers: the file's rows and figures are the hand-written query's.
            csv_rows = read_csv(content)
            in_file, in_sql, summary = figures(csv_rows, sql_rows)
            assert len(csv_rows) == len(sql_rows), (name, scope, len(csv_rows), len(sql_rows))
            assert_same(name, scope, in_file, in_sql)
            results.append(
                {
                    "report": name,
                    "scope": scope,
                    "history": history_days,
                    "rows": len(csv_rows),
                    "page": page_time,
                    "empty": empty_time,
                    "page_sql": page_sql_time,
                    "export": export_time,
                    "export_sql": export_sql_time,
                    "figures": summary,
                }
            )
            print(format_row(results[-1]), flush=True)
    return results


def ms(seconds: float) -> str:
    milliseconds = seconds * 1000
    return f"{milliseconds:,.1f}" if milliseconds < 10 else f"{milliseconds:,.0f}"


def ratio(part: float, whole: float) -> str:
    return f"{part / whole:,.1f}×" if whole else "–"


def format_row(result: dict) -> str:
    """A row of the table; "net" is the page less its fixed cost (the empty window's page)."""
    empty = result["empty"]
    net = ratio(result["page"] - empty, result["page_sql"]) if empty is not None else "–"
    return (
        f"| {result['report']} | {result['scope']} | {result['history']} d | {result['rows']:,} "
        f"| {ms(result['page'])} | {ms(empty) if empty is not None else '–'} "
        f"| {ms(result['page_sql'])} | {ratio(result['page'], result['page_sql'])} | {net} "
        f"| {ms(result['export'])} | {ms(result['export_sql'])} "
        f"| {ratio(result['export'], result['export_sql'])} | {result['figures']} |"
    )


HEADER = (
    "| report | scope | history | export rows | page ms | empty page ms | SQL ms | page ÷ SQL "
    "| (page − empty) ÷ SQL | CSV export ms | SQL ms | export ÷ SQL | figures (file = SQL) |\n"
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)


# --- the alternative: a maintained daily rollup ----------------------------------------------
#
# Not part of the product: a table of seconds and counts per local date, agent, status and code,
# built here once from the events for one zone (UTC), as a rollup maintained by every write would
# hold them, to time the time-by-code figures read from it next to the live query.

ROLLUP = "bench_rollup"


def build_rollup(days, until: datetime) -> tuple[float, int]:
    """(seconds, rows) to build the rollup of every status interval over `days`, an ongoing
    interval counted up to `until` (the end of the last whole day)."""
    from django.db import connection

    d = dialect()
    values, params = days_values(days, until)
    part = d["us"](f"{d['least']}(i.ended_at, d.e)", "d.s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {ROLLUP}")
        cursor.execute(
            f"CREATE TABLE {ROLLUP} (local_date DATE NOT NULL, agent_id BIGINT NOT NULL,"
            " status VARCHAR(20) NOT NULL, code_id BIGINT NULL, count INTEGER NOT NULL,"
            " us BIGINT NOT NULL)"
        )
        cursor.execute(
            f"""
            INSERT INTO {ROLLUP} (local_date, agent_id, status, code_id, count, us)
            WITH days (local_date, s, e) AS ({values}),
            started AS (
                SELECT e.agent_id, e.status, e.code_id, e.started_at,
                       COALESCE(e.ended_at, {d["ts"]}) AS ended_at, d.local_date, d.e AS day_end
                FROM days d
                JOIN agents_statusevent e ON e.started_at >= d.s AND e.started_at < d.e
                WHERE e.kind = 'status'
            ),
            parts AS (
                SELECT local_date, agent_id, status, code_id, 1 AS starts,
                       {d["us"](f"{d['least']}(ended_at, day_end)", "started_at")} AS us
                FROM started
                UNION ALL
                SELECT d.local_date, i.agent_id, i.status, i.code_id, 0, {part}
                FROM started i JOIN days d ON d.s > i.started_at AND d.s < i.ended_at
                WHERE i.ended_at > i.day_end
            )
            SELECT local_date, agent_id, status, code_id, SUM(starts), SUM(us)
            FROM parts GROUP BY local_date, agent_id, status, code_id""",
            [*params, connection.ops.adapt_datetimefield_value(until)],
        )
        cursor.execute(f"CREATE INDEX {ROLLUP}_date ON {ROLLUP} (local_date, agent_id)")
        cursor.execute(f"CREATE INDEX {ROLLUP}_agent ON {ROLLUP} (agent_id, local_date)")
        cursor.execute(f"SELECT COUNT(*) FROM {ROLLUP}")
        rows = cursor.fetchone()[0]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {ROLLUP}")
    return time.perf_counter() - started, rows


def rollup_time_by_code(window, agent_id):
    """The export's rows of time by code for `window`, read from the rollup."""
    from django.db import connection

    d = dialect()
    one = f" AND agent_id = {int(agent_id)}" if agent_id else ""
    bounds = [
        connection.ops.adapt_datefield_value(window.date_from),
        connection.ops.adapt_datefield_value(window.date_to),
    ]
    # One pass over the window's rows: the logged-in time of the agent's day is a window sum.
    sql = f"""
    WITH w AS (
        SELECT local_date, agent_id, status, code_id, count, us,
               SUM(CASE WHEN status <> 'logged_out' THEN us ELSE 0 END)
                   OVER (PARTITION BY local_date, agent_id) AS logged_in_us
        FROM {ROLLUP}
        WHERE local_date >= {d["date"]} AND local_date <= {d["date"]}{one}
    )
    SELECT w.local_date, u.username, g.name, w.status, l.name AS list_name, c.code, c.label_en,
           w.count, w.us, w.logged_in_us
    FROM w {NAMES.format(b="w")}
    WHERE w.status IN ('on_break', 'work_offline')
    ORDER BY w.local_date, u.username, w.status, list_name, c.code"""
    return [(sql, bounds)]


def measure_rollup(*, history_days: int, days, window, one_agent: int, repeat: int) -> list:
    """Time by code for `window` three ways: the report's own query (its rows, as the export
    reads them, without HTTP or CSV), the hand-written query on the events, and the rollup."""
    from django.contrib.auth import get_user_model

    from reports.selectors.scope import agents_in_scope
    from reports.selectors.time_by_code import TimeByCodeReport

    now = datetime.now(UTC)
    build_seconds, rollup_rows = build_rollup(days, window.end)
    root = get_user_model().objects.get(username="root")
    results = []
    for scope, agent in (("all agents", None), ("one agent", one_agent)):
        agents = agents_in_scope(user=root)
        if agent:
            agents = agents.filter(pk=agent)
        report = TimeByCodeReport(agents=agents, window=window, now=now)
        report_time, report_rows = timed(lambda report=report: list(report.rows()), repeat)
        live_time, live_rows = timed(
            partial(run_sql, [baseline_time_by_code(window, now, agent, page=False)]), repeat
        )
        rollup_time, rollup_result = timed(
            partial(run_sql, rollup_time_by_code(window, agent)), repeat
        )
        as_rows = [
            (
                row.date,
                row.agent,
                row.group,
                row.status,
                row.list,
                row.code,
                row.code_label,
                row.figures.count,
                row.figures.us,
                row.figures.logged_in_us,
            )
            for row in report_rows
        ]
        _, in_report, _ = time_by_code_figures([], as_rows)
        _, in_live, summary = time_by_code_figures([], live_rows)
        _, in_rollup, _ = time_by_code_figures([], rollup_result)
        assert_same("time-by-code rollup", scope, in_rollup, in_live)
        assert_same("time-by-code report rows", scope, in_report, in_live)
        results.append(
            f"| {scope} | {history_days} d | {len(live_rows):,} | {ms(report_time)} "
            f"| {ms(live_time)} | {ms(rollup_time)} | {rollup_rows:,} rows, "
            f"built in {build_seconds:.1f} s | {summary} |"
        )
    return results


ROLLUP_HEADER = (
    "| scope | history | rows | report's query ms | hand-written SQL on events ms "
    "| rollup SQL ms | rollup | figures (all three equal) |\n"
    "|---|---|---:|---:|---:|---:|---|---|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--window", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    configure(args.database)
    from zoneinfo import ZoneInfo

    from reports.selectors.window import Window

    agents, codes = configuration(args.agents)
    end = datetime.now(UTC).date()
    window_days = [end - timedelta(days=args.window - index) for index in range(args.window)]
    earlier = [
        window_days[0] - timedelta(days=args.days - args.window - index)
        for index in range(args.days - args.window)
    ]
    utc = ZoneInfo("UTC")
    window = Window(window_days[0], window_days[-1], utc)
    one_agent = agents[len(agents) // 2]

    print(f"Machine: {machine()}")
    print(
        f"{args.agents} agents, window {window.date_from} to {window.date_to} "
        f"({args.window} days), {args.database}\n"
    )
    print(HEADER)
    started = time.perf_counter()
    count = insert_events(event_rows(agents, window_days, codes, following=None, first=True))
    print(f"<!-- {count:,} events in {time.perf_counter() - started:.0f} s -->")
    measure(history_days=args.window, window=window, one_agent=one_agent, repeat=args.repeat)
    rollups = measure_rollup(
        history_days=args.window,
        days=window.days(now=datetime.now(UTC)),
        window=window,
        one_agent=one_agent,
        repeat=args.repeat,
    )
    if earlier:
        started = time.perf_counter()
        count += insert_events(
            event_rows(agents, earlier, codes, following=window_days[0], first=True)
        )
        print(f"<!-- {count:,} events in all, {time.perf_counter() - started:.0f} s more -->")
        measure(history_days=args.days, window=window, one_agent=one_agent, repeat=args.repeat)
        history = Window(earlier[0], window_days[-1], utc)
        rollups += measure_rollup(
            history_days=args.days,
            days=history.days(now=datetime.now(UTC)),
            window=window,
            one_agent=one_agent,
            repeat=args.repeat,
        )
    print("\nTime by code for the window, from the events and from a daily rollup (UTC):\n")
    print(ROLLUP_HEADER)
    print("\n".join(rollups))


if __name__ == "__main__":
    main()
