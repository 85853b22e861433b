"""On SQLite, a history import makes every live change wait at most AGENT_LOCK_TIMEOUT, then
refuses it: no request hangs for the database's 20-second timeout and none ends in a 500.

SQLite has one writer for the whole database, so while an import writes, every agent's change
is refused (docs/history-import.md); reads go on. The scenario needs threads on a file database,
which the in-memory test database is not: it runs in a child process
(tests/hardening/sqlite_during_import.py) on a new file database, already migrated.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

BOUND = 0.5  # AGENT_LOCK_TIMEOUT of the scenario, in seconds
SLACK = 1.0  # for a loaded machine; far below the database's 20-second timeout
REFUSAL = (
    "Your timeline is locked by an update in progress (a history import, for instance): "
    "nothing was recorded. Try again in a moment."
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the SQLite behaviour, tested in the SQLite run (test_live_changes_during_import.py "
    "covers PostgreSQL)",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory, migrated_sqlite_database):
    database = migrated_sqlite_database(tmp_path_factory.mktemp("sqlite") / "db.sqlite3")
    environment = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": f"sqlite:///{database}",
        "AGENT_LOCK_TIMEOUT": str(BOUND),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.hardening.sqlite_during_import"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("agent", ["inside_the_file", "outside_the_file"])
def test_every_agents_change_is_refused_within_the_bound_while_an_import_writes(report, agent):
    answer = report[agent]
    assert answer["status"] == 503
    assert answer["retry_after"] == "5"
    assert answer["body"] == {"error": "agent_locked", "detail": REFUSAL}
    # Once for the token's last-use time (skipped when the database is busy), once for the
    # change.
    assert 2 * BOUND <= answer["seconds"] < 2 * BOUND + SLACK


def test_reads_are_answered_while_an_import_writes(report):
    assert report["read"]["status"] == 200
    assert report["read"]["body"]["username"] == "ana"
    # At most the wait for the token's last-use time, which is then skipped.
    assert report["read"]["seconds"] < BOUND + SLACK


def test_the_console_shows_the_refusal_as_a_message(report):
    assert report["console"]["status"] == 200
    assert REFUSAL in report["console"]["body"]
    assert BOUND <= report["console"]["seconds"] < BOUND + SLACK


def test_nothing_was_recorded_and_changes_resume_after_the_import(report):
    assert report["import"] == 3
    assert report["live_events_after"] == 2  # the two logins before the import
    assert report["after_the_import"]["status"] == 200
