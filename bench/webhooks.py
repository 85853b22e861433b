"""Webhook benchmark, run by hand (not part of the test suite).

    .venv/bin/python bench/webhooks.py --database sqlite      # /tmp/bench_webhooks.sqlite3
    .venv/bin/python bench/webhooks.py --database postgres    # database bench_webhooks (or
                                                              # $BENCH_POSTGRES_NAME)

Two figures (docs/performance.md, "Webhooks"):

1. The latency a status change gains from the feed: CHANGES status changes through
   `agents.services` (each its own transaction, committed, the worker woken after the commit
   through the development broker, a folder: by the process's waking thread, feed/wake.py, or
   by the commit itself with --wake-in-request) with no endpoint, then with 10 endpoints; p50
   and p99 of each, and the difference.
2. Throughput: AGENTS agents change status once each (one message per agent, one endpoint),
   then one worker (`feed.delivery.deliver_endpoint`, as the Celery task runs it) delivers the
   backlog to a local receiver (a separate process on 127.0.0.1 answering 200); deliveries/s.
   Then WORKERS workers in threads share it (PostgreSQL only: SQLite's writers take turns).
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SQLITE_PATH = Path("/tmp/bench_webhooks.sqlite3")
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_NAME = os.environ.get("BENCH_POSTGRES_NAME", "bench_webhooks")

RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers["content-length"]))
        # One write: headers and body in separate small writes meet Nagle's algorithm and the
        # client's delayed ACK, 40 ms per answer.
        self.wfile.write(b"HTTP/1.1 200 OK\\r\\ncontent-length: 2\\r\\n\\r\\nok")
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def configure(database: str) -> None:
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    else:
        import psycopg

        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {POSTGRES_NAME}")
            server.execute(f"CREATE DATABASE {POSTGRES_NAME}")
        os.environ["DATABASE_URL"] = f"{POSTGRES_SERVER}/{POSTGRES_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["WEBHOOKS_ALLOW_PRIVATE"] = "true"
    os.environ["CELERY_BROKER_URL"] = "filesystem://"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # The development broker (a folder), in a throwaway place; nobody consumes it here.
    folder = tempfile.mkdtemp(prefix="bench-broker-")
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": folder,
        "data_folder_out": folder,
        "processed_folder": folder,
    }
    call_command("migrate", verbosity=0)


def make_agents(count: int):
    from django.contrib.auth import get_user_model

    from agents.models import Agent, AgentGroup

    User = get_user_model()
    group = AgentGroup.objects.create(name="Bench")
    users = User.objects.bulk_create(User(username=f"agent{n:05d}") for n in range(count))
    return Agent.objects.bulk_create(
        Agent(user=user, group=group, status_codes_enabled=False) for user in users
    )


ON_BREAK: set[int] = set()


def change_latencies(agents, changes: int) -> list[float]:
    """Milliseconds per status change, each agent alternating break and available."""
    from agents.services import agent_perform_action

    timings = []
    for number in range(changes):
        agent = agents[number % len(agents)]
        action = "go_available" if agent.pk in ON_BREAK else "take_break"
        ON_BREAK.symmetric_difference_update({agent.pk})
        started = time.perf_counter()
        agent_perform_action(agent=agent, action=action, source="api")
        timings.append((time.perf_counter() - started) * 1000)
    return timings


FEED_MS: list[float] = []


def time_the_feed() -> None:
    """Measure the feed's own share of each change: its signal receiver (writing the message and
    its deliveries) plus the wake-up of the worker after the commit."""
    from agents.signals import status_changed
    from feed import outbox

    def timed(function):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                FEED_MS.append((time.perf_counter() - started) * 1000)

        return run

    status_changed.disconnect(dispatch_uid="feed.status_changed")
    status_changed.connect(
        timed(outbox.on_status_changed), dispatch_uid="feed.status_changed", weak=False
    )
    outbox.wake_worker = timed(outbox.wake_worker)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def start_receiver() -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    return process, int(process.stdout.readline())


def drain(endpoint_id: int) -> None:
    from django.db import connection

    from feed.delivery import deliver_endpoint

    try:
        while deliver_endpoint(endpoint_id):
            pass
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--wake-in-request",
        action="store_true",
        help="the commit publishes the wake-up itself (WEBHOOKS_WAKE_IN_BACKGROUND off)",
    )
    options = parser.parse_args()
    if options.wake_in_request:
        os.environ["WEBHOOKS_WAKE_IN_BACKGROUND"] = "false"
    configure(options.database)

    from django.db import connection

    from agents.services import agent_perform_action
    from feed.choices import DeliveryState
    from feed.models import Delivery, WebhookEndpoint
    from feed.services import endpoint_create

    print(
        f"# Python {platform.python_version()}, {connection.vendor}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    agents = make_agents(options.agents)
    for agent in agents:
        agent_perform_action(agent=agent, action="login", source="api")

    # 1. Latency of a status change, without and with 10 endpoints, in alternating blocks so
    # that both see the same load of the machine.
    warm = agents[: min(len(agents), 100)]
    change_latencies(warm, 200)
    process, port = start_receiver()
    try:
        endpoints = [
            endpoint_create(
                url=f"http://127.0.0.1:{port}/hook/{n}", event_types=["agent.status_changed"]
            )[0]
            for n in range(10)
        ]
        without, with_ten, feed_ms, receiver_ms, wake_ms = [], [], [], [], []
        block = 100
        time_the_feed()
        for _ in range(max(1, options.changes // block)):
            WebhookEndpoint.objects.update(active=False)
            without += change_latencies(warm, block)
            WebhookEndpoint.objects.update(active=True)
            FEED_MS.clear()
            with_ten += change_latencies(warm, block)
            # Receiver and wake-up of each change, summed.
            feed_ms += [a + b for a, b in zip(FEED_MS[0::2], FEED_MS[1::2], strict=True)]
            receiver_ms += FEED_MS[0::2]
            wake_ms += FEED_MS[1::2]
        print("\n| status change | p50 ms | p99 ms |")
        print("| --- | ---: | ---: |")
        for name, values in (("no endpoint", without), ("10 endpoints", with_ten)):
            print(f"| {name} | {percentile(values, 0.5):.2f} | {percentile(values, 0.99):.2f} |")
        print(
            f"| difference | {percentile(with_ten, 0.5) - percentile(without, 0.5):.2f} "
            f"| {percentile(with_ten, 0.99) - percentile(without, 0.99):.2f} |"
        )
        print(
            f"| the feed's own time (receiver + waking the worker) "
            f"| {percentile(feed_ms, 0.5):.2f} | {percentile(feed_ms, 0.99):.2f} |"
        )
        for name, values in (("its receiver", receiver_ms), ("its wake-up", wake_ms)):
            print(f"| {name} | {percentile(values, 0.5):.2f} | {percentile(values, 0.99):.2f} |")

        print(f"(load average {os.getloadavg()[0]:.1f})")

        # 2. Throughput: one endpoint, one message per agent.
        Delivery.objects.all().delete()
        for endpoint in endpoints[1:]:
            endpoint.active = False
            endpoint.save()
        target = endpoints[0]
        for agent in agents:
            agent_perform_action(agent=agent, action="work_offline", source="api")
        ON_BREAK.clear()
        backlog = Delivery.objects.filter(endpoint=target, state=DeliveryState.PENDING).count()
        started = time.perf_counter()
        drain(target.pk)
        elapsed = time.perf_counter() - started
        done = Delivery.objects.filter(endpoint=target, state=DeliveryState.SUCCEEDED).count()
        print("\n| workers | deliveries | seconds | deliveries/s |")
        print("| ---: | ---: | ---: | ---: |")
        print(f"| 1 | {done}/{backlog} | {elapsed:.2f} | {done / elapsed:.0f} |")

        if connection.vendor == "postgresql" and options.workers > 1:
            Delivery.objects.all().delete()
            for agent in agents:
                agent_perform_action(agent=agent, action="go_available", source="api")
            backlog = Delivery.objects.filter(endpoint=target, state=DeliveryState.PENDING).count()
            connection.close()
            threads = [
                threading.Thread(target=drain, args=(target.pk,)) for _ in range(options.workers)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            done = Delivery.objects.filter(endpoint=target, state=DeliveryState.SUCCEEDED).count()
            print(
                f"| {options.workers} (threads) | {done}/{backlog} | {elapsed:.2f} "
                f"| {done / elapsed:.0f} |"
            )
        print(f"(load average {os.getloadavg()[0]:.1f})")
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
