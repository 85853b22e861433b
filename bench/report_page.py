"""The time-by-code page's fixed cost: one agent chosen, a window without events. Run by hand:

    .venv/bin/python bench/report_page.py --database postgres   # database bench_onepage
    .venv/bin/python bench/report_page.py --database sqlite     # /tmp/bench_onepage.sqlite3
    options: --agents 1000 --repeat 31 --reuse
             --source DIR      (time the code of another checkout, e.g. `main` extracted with
                                `git archive main | tar -x -C DIR`)
             --against DIR --rounds 3   (DIR's code next to this checkout's: two processes
                                on the same database, their requests taken in turn; ROUNDS
                                times with fresh processes)
             --profile N       (cProfile of N requests: the costliest functions)

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
READERS = ("root", "supervisor00")


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def prepare(args):
    """Django pointed at the bench's database with this checkout's code (or `--source`'s), the
    contact center generated if need be; returns {reader: get}, where `get()` fetches the page
    as that reader and returns its size, and the code's directory."""
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
    from django.test import Client

    from agents.models import Agent

    if not reused:
        contact_center.configuration(args.agents)
    agent = Agent.objects.filter(group__name="Team 00").order_by("pk").first()
    params = {"date_from": "2000-01-01", "date_to": "2000-01-30", "agent": agent.pk, "tz": "UTC"}
    pages = {}
    for reader in READERS:
        client = Client()
        client.force_login(get_user_model().objects.get(username=reader))

        def get(client=client) -> int:
            response = client.get(URL, params)
            assert response.status_code == 200, response.status_code
            return len(response.content)

        for _ in range(WARM_UP):
            get()
        pages[reader] = get
    return pages, code


def statements_of(get) -> list[str]:
    """The statements of one request."""
    from django.db import connection

    # Counted by a wrapper: the test client's request_started signal empties
    # `connection.queries`, so CaptureQueriesContext would see none.
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        get()
    return statements


def timed(get) -> tuple[float, float]:
    """One request's wall clock and this process's CPU time, in ms."""
    started, cpu_started = time.perf_counter(), time.process_time()
    get()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000


def measure(args) -> None:
    """One process, one checkout: each reader's page timed REPEAT times."""
    from django.db import connection

    pages, code = prepare(args)
    for reader, get in pages.items():
        statements = statements_of(get)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.profile):
                get()
            profiler.disable()
            if os.environ.get("PROFILE_DUMP"):  # for pstats: PROFILE_DUMP=/tmp/page
                profiler.dump_stats(f"{os.environ['PROFILE_DUMP']}.{reader}")
            print(f"--- {reader}: cProfile of {args.profile} requests", file=sys.stderr)
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)
        walls, cpus = zip(*(timed(get) for _ in range(args.repeat)), strict=True)
        print(
            f"{connection.vendor}, {reader} ({code}): median {statistics.median(walls):.1f} ms "
            f"(fastest {min(walls):.1f} ms, CPU {statistics.median(cpus):.1f} ms) of "
            f"{args.repeat}, {len(statements)} statements, {get():,} bytes, "
            f"load {load_average()}"
        )
        if args.sql:
            for sql in statements:
                print(f"    {sql[:300]}")


def serve(args) -> None:
    """A worker of `interleave`: prepared, it answers each line naming a reader on stdin with
    one request's times (JSON)."""
    from django.db import connection

    pages, _code = prepare(args)
    ready = {
        reader: {"statements": len(statements_of(get)), "bytes": get()}
        for reader, get in pages.items()
    }
    print(json.dumps({"database": connection.vendor, **ready}), flush=True)
    for line in sys.stdin:
        wall, cpu = timed(pages[line.strip()])
        print(json.dumps([wall, cpu]), flush=True)


def interleave(args) -> None:
    """DIR's code and this checkout's in two processes at once, their requests taken in turn
    (which goes first alternating), REPEAT of each per reader: both see the same moments of
    whatever else the machine is doing. ROUNDS times, with fresh processes."""
    print(
        "| round | code | database | reader | median | fastest | CPU (median) | statements "
        "| bytes | load (1 min) |"
    )
    print("|---:|---|---|---|---:|---:|---:|---:|---:|---:|")
    options = ["--database", args.database, "--agents", str(args.agents), "--reuse", "--serve"]
    # Each worker is ready before the next starts: a new contact center is generated once.
    command = [sys.executable, __file__, *options]
    for number in range(1, args.rounds + 1):
        workers = {}
        for name, source in ((args.against_name, args.against), ("this branch", None)):
            extra = ["--source", source] if source else []
            worker = subprocess.Popen(
                [*command, *extra], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
            workers[name] = (worker, json.loads(worker.stdout.readline()))
        for reader in READERS:
            times = {name: [] for name in workers}
            loads = []
            for index in range(args.repeat):
                order = list(workers) if index % 2 == 0 else list(reversed(workers))
                for name in order:
                    worker = workers[name][0]
                    worker.stdin.write(f"{reader}\n")
                    worker.stdin.flush()
                    times[name].append(json.loads(worker.stdout.readline()))
                loads.append(os.getloadavg()[0])
            for name, (_worker, ready) in workers.items():
                walls, cpus = zip(*times[name], strict=True)
                print(
                    f"| {number} | {name} | {ready['database']} | {reader} | "
                    f"{statistics.median(walls):.1f} ms | {min(walls):.1f} ms | "
                    f"{statistics.median(cpus):.1f} ms | {ready[reader]['statements']} | "
                    f"{ready[reader]['bytes']:,} | {min(loads):.1f}–{max(loads):.1f} |",
                    flush=True,
                )
        for worker, _ready in workers.values():
            worker.stdin.close()
            worker.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=31)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--source")
    parser.add_argument("--against")
    parser.add_argument("--against-name", default="main", help="the other checkout's name")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--sql", action="store_true", help="print each request's statements")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.against:
        interleave(args)
    elif args.serve:
        serve(args)
    else:
        measure(args)


if __name__ == "__main__":
    main()
