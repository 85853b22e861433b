"""Benchmark of `manage.py import_events` on a fresh database (docs/performance.md).

    .venv/bin/python bench/import_events.py [--rows 1000000] [--agents 200] [--shuffle]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/import_events.py

Uses the kind of database DATABASE_URL names (SQLite by default): a new SQLite file in a
temporary folder, or a new PostgreSQL database `bench_import_events` on the same server (dropped
afterwards). It migrates it, creates the demo configuration and `--agents` agents, generates
`--rows` rows of realistic shifts (the demo generator: breaks, offline work, rejections, night
shifts), runs the import command in a child process, checks the timelines, and prints the
child's wall time, rows per second and peak memory as a line of the table in the docs.
"""

import argparse
import csv
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DATABASE = "bench_import_events"
ROWS_PER_AGENT_DAY = 60  # what the demo generator makes, days off included


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--shuffle", action="store_true", help="write the rows in random order")
    parser.add_argument("--keep", action="store_true", help="keep the database and the file")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    url = os.environ.get("DATABASE_URL", "sqlite:///")
    if url.startswith("postgres"):
        url = _fresh_postgres_database(url)
    else:
        url = f"sqlite:///{workdir / 'db.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url}
    os.environ["DATABASE_URL"] = url
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    path = workdir / "events.csv"
    generated = time.perf_counter()
    agents = _create_agents(options.agents)
    rows = _write_file(path, agents, options.rows, options.shuffle)
    generated = time.perf_counter() - generated
    print(f"generated {rows:,} rows for {len(agents)} agents in {generated:.1f} s: {path}")

    started = time.perf_counter()
    child = subprocess.Popen([*manage, "import_events", str(path), "--quiet"], env=env)
    # wait4() rather than wait(): it also gives the child's own peak memory.
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"the import failed; the file and the database are in {workdir}")
    _check_timelines(rows)

    from django.db import connection

    if connection.vendor == "sqlite":
        database = f"SQLite {connection.Database.sqlite_version}"
    else:
        database = f"PostgreSQL {connection.pg_version // 10000}"
    order = "shuffled" if options.shuffle else "by agent"
    print("| machine | date | database | rows | order | seconds | rows/s | peak memory |")
    print(
        f"| {_machine()} | {date.today()} | {database} | {rows:,} | {order} | {seconds:.1f} "
        f"| {rows / seconds:,.0f} | {usage.ru_maxrss / 1024:,.0f} MB |"
    )
    connection.close()
    if not options.keep:
        shutil.rmtree(workdir)
        if url.startswith("postgres"):
            _drop_postgres_database(url)


def _create_agents(count: int) -> list:
    """`count` agents spread over the demo groups, a fifth of them on the night shift."""
    from django.contrib.auth import get_user_model

    from agents import demo
    from agents.models import Agent, AgentGroup

    demo.seed_configuration()
    groups = {group.name: group for group in AgentGroup.objects.all()}
    names = list(groups)
    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"agent{i:05}") for i in range(count))
    Agent.objects.bulk_create(
        Agent(user=user, group=groups[names[i % len(names)]]) for i, user in enumerate(users)
    )
    return [
        demo.DemoAgent(
            user.username, "", "", names[i % len(names)], shift_start=(7, 9, 14, 9, 22)[i % 5]
        )
        for i, user in enumerate(users)
    ]


def _write_file(path: Path, agents: list, wanted: int, shuffle: bool) -> int:
    from django.utils import timezone

    from agents import demo

    now = timezone.now()
    days = math.ceil(wanted / len(agents) / ROWS_PER_AGENT_DAY) + 1
    rows = []
    for index, agent in enumerate(agents):
        share = math.ceil((wanted - len(rows)) / (len(agents) - index))
        history = demo.agent_history_rows(agent, now=now, days=days)
        rows += [(row.timestamp, row.agent, row.event, row.code) for row in history[-share:]]
    rows = rows[:wanted]
    if shuffle:
        random.Random(1).shuffle(rows)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["timestamp", "agent", "event", "code"])
        writer.writerows(rows)
    return len(rows)


def _check_timelines(rows: int) -> None:
    """Every row became an event, and every agent's intervals chain without gap or overlap."""
    from django.db.models import F, Window
    from django.db.models.functions import Lead

    from agents.models import StatusEvent

    assert StatusEvent.objects.count() == rows, "not every row was imported"
    statuses = StatusEvent.objects.status_changes()
    agents = statuses.values("agent").distinct().count()
    assert statuses.ongoing().count() == agents, "an agent has no or several ongoing intervals"
    chained = statuses.annotate(
        next_start=Window(Lead("started_at"), partition_by="agent", order_by="started_at")
    ).filter(ended_at=F("next_start"))
    # Each interval but the agent's last one ends exactly where the next one starts.
    assert chained.count() == statuses.count() - agents, "a timeline has a gap or an overlap"
    print("checked: every row imported, every timeline chains")


def _machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _fresh_postgres_database(url: str) -> str:
    import psycopg

    with psycopg.connect(_server_url(url, "postgres"), autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        server.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return _server_url(url, BENCH_DATABASE)


def _drop_postgres_database(url: str) -> None:
    import psycopg

    with psycopg.connect(_server_url(url, "postgres"), autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")


if __name__ == "__main__":
    main()
