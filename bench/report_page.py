"""The time-by-code page's fixed cost: one agent chosen, a window without events. Run by hand:

    .venv/bin/python bench/report_page.py --database postgres   # database bench_onepage
    .venv/bin/python bench/report_page.py --database sqlite     # /tmp/bench_onepage.sqlite3
    options: --agents 1000 --repeat 31 --reuse
             --source DIR      (time the code of another checkout, e.g. `main` extracted with
                                `git archive main | tar -x -C DIR`)
             --against DIR --rounds 3   (alternate: DIR's code, then this checkout's, ROUNDS
                                times, each in its own process on the same database)
             --profile N       (cProfile of N requests, the 30 costliest functions)

Generates the configuration of bench/contact_center.py (AGENTS agents in groups of 50, each
group with a supervisor; no events: the page reads none), then times
`/reports/time-by-code/?date_from=2000-01-01&date_to=2000-01-30&agent=<pk>&tz=UTC` through
`django.test.Client` with production settings: median of REPEAT requests after a warm-up, for
a superuser (the agent picker lists only the chosen agent: more than 100 agents in scope) and
for the supervisor of the agent's group (50 agents: the picker lists them all). Also the
statements of one request and the page's size. The tables go to stdout (docs/performance.md,
"Reports": "The one-agent page's fixed cost").
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SQLITE_PATH = Path("/tmp/bench_onepage.sqlite3")
POSTGRES_NAME = "bench_onepage"
URL = "/reports/time-by-code/"
WARM_UP = 5


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def measure(args) -> list[dict]:
    """One process, one checkout: each reader's page timed; a dict per reader."""
    code = Path(args.source).resolve() if args.source else ROOT
    # The checkout's apps and settings first (before the editable install's finder), and it as
    # the working directory: Celery's Django fix-up puts that first on the path.
    sys.path.insert(0, str(code))
    os.chdir(code)
    sys.path.append(str(ROOT / "bench"))
    import contact_center

    reused = contact_center.configure(
        args.database, sqlite_path=SQLITE_PATH, postgres_name=POSTGRES_NAME, reuse=args.reuse
    )
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    import reports
    from agents.models import Agent

    if not reused:
        contact_center.configuration(args.agents)
    agent = Agent.objects.filter(group__name="Team 00").order_by("pk").first()
    params = {"date_from": "2000-01-01", "date_to": "2000-01-30", "agent": agent.pk, "tz": "UTC"}
    results = []
    for reader in ("root", "supervisor00"):
        client = Client()
        client.force_login(get_user_model().objects.get(username=reader))

        def get(client=client) -> int:
            response = client.get(URL, params)
            assert response.status_code == 200, response.status_code
            return len(response.content)

        for _ in range(WARM_UP):
            size = get()
        # Counted by a wrapper: the test client's request_started signal empties
        # `connection.queries`, so CaptureQueriesContext would see none.
        statements = []

        def record(execute, sql, params, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            get()
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.profile):
                get()
            profiler.disable()
            if os.environ.get("PROFILE_DUMP"):
                profiler.dump_stats(f"{os.environ['PROFILE_DUMP']}.{reader}")
            print(f"--- {reader}: cProfile of {args.profile} requests", file=sys.stderr)
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            get()
            times.append(time.perf_counter() - started)
        results.append(
            {
                "code": str(Path(reports.__file__).resolve().parent.parent),
                "database": connection.vendor,
                "reader": reader,
                "median_ms": statistics.median(times) * 1000,
                "min_ms": min(times) * 1000,
                "statements": len(statements),
                "sql": statements,
                "bytes": size,
                "load": load_average(),
            }
        )
    return results


def alternate(args) -> None:
    """DIR's code and this checkout's, one after the other, ROUNDS times, each in a fresh
    process on the same database (created by the first run)."""
    print("| round | code | database | reader | median | fastest | statements | bytes | load |")
    print("|---:|---|---|---|---:|---:|---:|---:|---|")
    reuse = args.reuse
    for number in range(1, args.rounds + 1):
        for source in (args.against, None):
            command = [
                sys.executable,
                __file__,
                "--database",
                args.database,
                "--agents",
                str(args.agents),
                "--repeat",
                str(args.repeat),
                "--json",
            ]
            if reuse:
                command.append("--reuse")
            if source:
                command += ["--source", source]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            reuse = True
            for result in json.loads(output):
                code = "main" if source else "this branch"
                print(
                    f"| {number} | {code} | {result['database']} | {result['reader']} | "
                    f"{result['median_ms']:.1f} ms | {result['min_ms']:.1f} ms | "
                    f"{result['statements']} | {result['bytes']:,} | {result['load']} |",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=31)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--source")
    parser.add_argument("--against")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--sql", action="store_true", help="print each request's statements")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.against:
        alternate(args)
        return
    results = measure(args)
    if args.json:
        print(json.dumps(results))
        return
    for result in results:
        print(
            f"{result['database']}, {result['reader']} ({result['code']}): median "
            f"{result['median_ms']:.1f} ms (fastest {result['min_ms']:.1f} ms) of {args.repeat}, "
            f"{result['statements']} statements, {result['bytes']:,} bytes, "
            f"load {result['load']}"
        )
        if args.sql:
            for sql in result["sql"]:
                print(f"    {sql[:300]}")


if __name__ == "__main__":
    main()
