"""Benchmark of the background worker's timers (docs/performance.md, "Worker").

    .venv/bin/python bench/worker.py [--agents 1000] [--sweep 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/worker.py

On a fresh database (a SQLite file in a temporary folder, or a new PostgreSQL database
`bench_worker` on the server DATABASE_URL names, dropped afterwards), with `--agents` agents on a
break whose code ends automatically after a minute (the safety net):

1. **Catch-up**: every timer is two hours overdue (the worker was down); one sweep, in process,
   fires them all: timers fired per second.
2. **Live**: the timers come due over 20 seconds; a real worker (`celery -A config worker
   --beat`, the filesystem broker, one sweep every `--sweep` seconds) fires them; for each, the
   delay from the due instant to the moment the change was recorded: p50, p99, max.

Prints the lines of the table in the docs.
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DATABASE = "bench_worker"
SPREAD = timedelta(seconds=20)
LEAD = timedelta(seconds=120)  # set-up time before the first live timer is due


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--sweep", type=float, default=5.0, help="TIMER_SWEEP_SECONDS")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    url = os.environ.get("DATABASE_URL", "sqlite:///")
    postgres = url.startswith("postgres")
    url = _fresh_postgres_database(url) if postgres else f"sqlite:///{workdir / 'db.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_BROKER_DIR": str(workdir / "broker"),
        "TIMER_SWEEP_SECONDS": str(options.sweep),
    }
    os.environ.update(env)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    try:
        agents = _create_agents(options.agents)
        catch_up = _catch_up(agents)
        delays = _live(agents, env, workdir, options.sweep)
    finally:
        from django.db import connections

        connections.close_all()
        if postgres:
            _drop_postgres_database(url)
        shutil.rmtree(workdir, ignore_errors=True)

    vendor = "PostgreSQL" if postgres else "SQLite"
    print(f"# {platform.python_implementation()} {platform.python_version()}, {vendor}")
    print(f"| catch-up, {options.agents} timers overdue | {catch_up:,.0f} timers/s |")
    quantiles = statistics.quantiles(delays, n=100)
    print(
        f"| live, sweep every {options.sweep:g} s | p50 {quantiles[49]:.2f} s, "
        f"p99 {quantiles[98]:.2f} s, max {max(delays):.2f} s ({len(delays)} fired) |"
    )


def _create_agents(count: int):
    from django.contrib.auth import get_user_model

    from agents.models import Agent, AgentGroup
    from statuscodes.models import StatusCode, StatusCodeList

    code_list = StatusCodeList.objects.create(name="Bench")
    lunch = StatusCode.objects.create(
        code_list=code_list, code="LUNCH", label="Lunch", auto_end_minutes=1
    )
    lunch.actions.set(["take_break"])
    group = AgentGroup.objects.create(name="Bench", code_list=code_list)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"agent{n:05}") for n in range(count)
    )
    Agent.objects.bulk_create(Agent(user=user, group=group) for user in users)
    return list(Agent.objects.select_related("user", "group__code_list"))


def _on_break_at(agents, starts) -> None:
    """Log each agent in a minute before its start, and put it on the LUNCH break at its start."""
    import time_machine

    from agents.services import agent_perform_action

    for agent, start in zip(agents, starts, strict=True):
        with time_machine.travel(start - timedelta(seconds=30), tick=False):
            agent_perform_action(agent=agent, action="login", source="demo")
        with time_machine.travel(start, tick=False):
            agent_perform_action(agent=agent, action="take_break", code="LUNCH", source="demo")


def _catch_up(agents) -> float:
    from django.utils import timezone

    from agents.tasks import fire_due_timers

    start = timezone.now() - timedelta(hours=2)
    _on_break_at(agents, [start] * len(agents))
    began = time.perf_counter()
    fired = fire_due_timers()
    elapsed = time.perf_counter() - began
    assert fired == len(agents), fired
    return fired / elapsed


def _live(agents, env, workdir: Path, sweep: float) -> list[float]:
    from django.utils import timezone

    from agents.models import StatusEvent

    first_due = timezone.now() + LEAD
    step = SPREAD / len(agents)
    # Due = start + 1 minute (the code's automatic end).
    starts = [first_due - timedelta(minutes=1) + n * step for n in range(len(agents))]
    _on_break_at(agents, starts)
    log = (workdir / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--beat", "--pool=solo"],
        cwd=ROOT,
        env={**env, "CELERY_BEAT_SCHEDULE_FILENAME": str(workdir / "beat")},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    last_due = first_due + SPREAD
    fired = StatusEvent.objects.none()
    try:
        while timezone.now() < last_due + timedelta(seconds=sweep * 3 + 30):
            fired = StatusEvent.objects.filter(
                system_reason="timeout", started_at__gte=first_due - timedelta(seconds=1)
            )
            if fired.count() == len(agents):
                break
            time.sleep(1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
    return [
        (recorded - due).total_seconds()
        for due, recorded in fired.values_list("started_at", "recorded_at")
    ]


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
        server.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
