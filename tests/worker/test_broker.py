"""A round trip through the production brokers (docs/deployment.md): the project's worker
(`celery -A config worker`, as `make worker` starts it) connects to Redis (database 5) or
RabbitMQ (guest/guest), and answers a ping sent through the broker. Skipped, with the reason,
where the server is not running."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]
BROKERS = {
    "redis": ("127.0.0.1", 6379, "redis://127.0.0.1:6379/5"),
    "rabbitmq": ("127.0.0.1", 5672, "amqp://guest:guest@127.0.0.1:5672//"),
}
STARTUP_SECONDS = 60


def listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("broker", sorted(BROKERS))
def test_the_worker_answers_through_the_broker(broker, tmp_path):
    host, port, url = BROKERS[broker]
    if not listening(host, port):
        pytest.skip(f"no {broker} server on {host}:{port}")
    name = f"roundtrip-{broker}-{os.getpid()}@localhost"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-n", name],
        cwd=ROOT,
        env={
            **os.environ,
            "CELERY_BROKER_URL": url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    client = Celery("roundtrip", broker=url, set_as_current=False)
    try:
        answers = []
        deadline = time.monotonic() + STARTUP_SECONDS
        while not answers and time.monotonic() < deadline and worker.poll() is None:
            answers = client.control.ping(destination=[name], timeout=1)
        assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
        assert answers == [{name: {"ok": "pong"}}]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        client.close()
