"""Status-change throughput of the API, run by hand (not part of the test suite).

    .venv/bin/python bench/api.py one --database postgres      # queries and server time
    .venv/bin/python bench/api.py one --session                 # the same, the agent's session
    .venv/bin/python bench/api.py load --agents 10 50           # through gunicorn, PostgreSQL
    .venv/bin/python bench/api.py load --pool                   # … with the connection pool

`one` measures a single status change in the server process: the SQL queries it runs and the
milliseconds it takes, through django.test.Client with a bearer token (an integration acting
for an agent; `--session`: the agent's own session, `POST /api/v1/agents/me/status`), the agent
alternating take_break (with a code) and go_available, REPEAT times after WARMUP changes that
are not measured; it prints the queries of one change (BEGIN and COMMIT included), the p50/p99
milliseconds and the p50/p99 processor milliseconds of the server process (Django's own work,
PostgreSQL's excluded: on a busy machine the elapsed time is mostly waiting for a core).

`load` starts gunicorn as `make serve` does (Uvicorn's ASGI workers, production settings;
`--wsgi`: gunicorn's sync workers instead; `--pool`: DATABASE_POOL=true, psycopg's pool in each
worker) on a scratch PostgreSQL database, gives each of AGENTS agents its own thread and
keep-alive connection, and has each agent change status as fast as the server answers for
SECONDS seconds (take_break with a code, then go_available, …), through the integration's
token, after a warm-up of WARMUP seconds that is not measured. It prints changes per second and
the client-side p50/p99 latency per agent count, then checks the timeline: every 2xx answer is
one recorded change, no gap, no overlap. The load client, gunicorn and PostgreSQL share the
machine's cores, as in production on one box. Results: docs/performance.md#api-throughput.
"""

import argparse
import http.client
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_NAME = "bench_api"
SQLITE_PATH = Path("/tmp/bench_api.sqlite3")
CODE = "LUNCH"


def environment(database: str) -> dict[str, str]:
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE_PATH}"
    else:
        import psycopg

        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {POSTGRES_NAME}")
            server.execute(f"CREATE DATABASE {POSTGRES_NAME}")
        url = f"{POSTGRES_SERVER}/{POSTGRES_NAME}"
    return {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "TIME_ZONE": "UTC",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_center(agents: int) -> tuple[str, list[str]]:
    """A code list with a break code, one group, AGENTS agents; the integration's token key."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from agents.models import Agent, AgentGroup, ApiToken
    from core.choices import AgentAction
    from statuscodes.models import Action, StatusCode, StatusCodeList

    code_list = StatusCodeList.objects.create(name="Bench")
    code = StatusCode.objects.create(code_list=code_list, code=CODE, label="Lunch")
    code.actions.set([Action.objects.get(key=AgentAction.TAKE_BREAK)])
    group = AgentGroup.objects.create(name="Bench group", code_list=code_list)
    User = get_user_model()
    names = []
    for i in range(agents):
        user = User.objects.create_user(f"bench{i:04d}")
        Agent.objects.create(user=user, group=group)
        names.append(user.username)
    integration = User.objects.create_user("bench-integration")
    integration.user_permissions.add(Permission.objects.get(codename="act_for_other_agents"))
    token = ApiToken(user=integration, name="bench")
    key = token.set_new_key()
    token.save()
    return key, names


def next_body(step: int) -> dict:
    if step == 0:
        return {"action": "login"}
    return {"action": "take_break", "code": CODE} if step % 2 else {"action": "go_available"}


def run_one(args) -> None:
    setup_django(environment(args.database))
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    key, (name,) = make_center(1)
    if args.session:
        client = Client()  # the console's session (CSRF is checked by the browser's own tests)
        client.force_login(get_user_model().objects.get(username=name))
        path = "/api/v1/agents/me/status"
    else:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        path = f"/api/v1/agents/{name}/status"
    millis, cpu_millis, counts, last = [], [], [], None
    for step in range(args.warmup + args.repeat):
        with CaptureQueriesContext(connection) as queries:
            start, cpu_start = time.perf_counter(), time.process_time()
            response = client.post(path, json.dumps(next_body(step)), "application/json")
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        assert response.status_code == 200, response.content
        if step >= args.warmup:  # the first changes (login first) warm the process up
            millis.append(elapsed * 1000)
            cpu_millis.append(cpu * 1000)
            counts.append(len(queries))
            last = queries.captured_queries
    door = "session" if args.session else "token"
    print(
        f"# one status change, {args.database}, {door}, {args.repeat} changes after "
        f"{args.warmup}, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"queries per change: {min(counts)}–{max(counts)}")
    for query in last:
        print("  ", query["sql"][:150])
    print(f"server time: p50 {percentile(millis, 50):.2f} ms, p99 {percentile(millis, 99):.2f} ms")
    # The process's own processor time: what the change costs Django, whatever else runs.
    print(
        f"server CPU time: p50 {percentile(cpu_millis, 50):.2f} ms, "
        f"p99 {percentile(cpu_millis, 99):.2f} ms"
    )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_load(args) -> None:
    kind = "sync (WSGI)" if args.wsgi else "Uvicorn (ASGI)"
    pool = ", connection pool" if args.pool else ""
    print(
        f"# API load, PostgreSQL, gunicorn {args.workers} {kind} workers{pool}, "
        f"{args.seconds} s each after {args.warmup} s of warm-up"
    )
    print("| agents | changes | changes/s | p50 ms | p99 ms | non-2xx | load average |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for agents in args.agents:
        env = environment("postgres")
        if args.pool:
            env["DATABASE_POOL"] = "true"
        setup_env = {**os.environ, **env}
        script = (
            "import json, sys; sys.path.insert(0, '.'); from bench.api import setup_django, "
            f"make_center; setup_django({env!r}); print(json.dumps(make_center({agents})))"
        )
        out = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=setup_env, check=True, capture_output=True
        ).stdout
        key, names = json.loads(out.decode().strip().splitlines()[-1])
        port = free_port()
        # As `make serve` (Makefile): the ASGI application in Uvicorn's workers, or WSGI.
        application = ["config.wsgi"] if args.wsgi else ["config.asgi:application"]
        if not args.wsgi:
            application += ["--worker-class", "uvicorn_worker.UvicornWorker"]
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                *application,
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=setup_env,
        )
        try:
            wait_for(port)
            steps: dict[str, int] = {}
            warmed = load(port, key, names, args.warmup, steps)[0]
            load_start = os.getloadavg()[0]
            changes, latencies, refused = load(port, key, names, args.seconds, steps)
            load_end = os.getloadavg()[0]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        recorded = check_timelines(env, names)
        assert recorded == warmed + changes, f"{changes} changes answered 2xx, {recorded} recorded"
        print(
            f"| {agents} | {changes} | {changes / args.seconds:.1f} | "
            f"{percentile(latencies, 50):.1f} | {percentile(latencies, 99):.1f} | {refused} | "
            f"{load_start:.1f}–{load_end:.1f} |"
        )


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def load(port: int, key: str, names: list[str], seconds: float, steps: dict[str, int]):
    """Each agent changes status for `seconds`, from its step in `steps` (updated)."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    totals = {"ok": 0, "refused": 0}

    def agent(name: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        mine, ok, refused, step = [], 0, 0, steps.get(name, 0)
        while time.monotonic() < deadline:
            body = json.dumps(next_body(step))
            start = time.perf_counter()
            conn.request("POST", f"/api/v1/agents/{name}/status", body, headers)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            if 200 <= response.status < 300:
                ok += 1
                step += 1
            else:
                refused += 1
        conn.close()
        with lock:
            steps[name] = step
            latencies.extend(mine)
            totals["ok"] += ok
            totals["refused"] += refused

    threads = [threading.Thread(target=agent, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return totals["ok"], latencies, totals["refused"]


def check_timelines(env: dict[str, str], names: list[str]) -> int:
    """The number of recorded status changes, after checking each timeline chains exactly."""
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/{POSTGRES_NAME}") as db:
        rows = db.execute(
            "SELECT a.id, e.started_at, e.ended_at FROM agents_statusevent e "
            "JOIN agents_agent a ON a.id = e.agent_id WHERE e.kind = 'status' "
            "ORDER BY a.id, e.started_at"
        ).fetchall()
    previous: dict[int, object] = {}
    ongoing = 0
    for agent_id, started, ended in rows:
        if agent_id in previous:
            assert previous[agent_id] == started, f"gap or overlap for agent {agent_id}"
        previous[agent_id] = ended
        ongoing += ended is None
    assert ongoing == len(previous) <= len(names), "an agent has no or several ongoing intervals"
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    one = sub.add_parser("one")
    one.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    one.add_argument("--repeat", type=int, default=500)
    one.add_argument("--warmup", type=int, default=50, help="changes not measured, first")
    one.add_argument("--session", action="store_true", help="the agent's session, not a token")
    many = sub.add_parser("load")
    many.add_argument("--agents", type=int, nargs="+", default=[10, 50])
    many.add_argument("--seconds", type=float, default=20)
    many.add_argument("--warmup", type=float, default=3, help="seconds not measured, first")
    many.add_argument("--workers", type=int, default=3)
    many.add_argument("--wsgi", action="store_true", help="gunicorn's sync workers, not ASGI")
    many.add_argument("--pool", action="store_true", help="DATABASE_POOL=true")
    args = parser.parse_args()
    run_one(args) if args.mode == "one" else run_load(args)


if __name__ == "__main__":
    main()
