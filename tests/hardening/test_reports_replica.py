"""`REPORTS_DATABASE_URL` sends the report pages' reads to a replica, and nothing else.

Run end to end in child processes, the way a deployment switches it on: two SQLite files stand
in for the PostgreSQL primary and its replica (the router does not depend on the engine), both
copies of a migrated database (`migrated_sqlite_database`). The
"replica" is given rows the primary does not have, so where each page read is visible in what
it shows: reports show the replica's agents; the admin and the agent's own API show the
primary's, and an agent's status change is written to the primary.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

SETUP = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from agents.models import Agent, AgentGroup
from agents.services import agent_perform_action

for database, usernames in {databases!r}:
    connection.close()
    connection.settings_dict["NAME"] = database
    group = AgentGroup.objects.create(name="Night shift")
    for username in usernames:
        user = get_user_model().objects.create_user(username, password="x")
        agent = Agent.objects.create(user=user, group=group)
        agent_perform_action(agent=agent, action="login", source="console")
    get_user_model().objects.create_superuser("boss", password="x")
"""

VISIT = """
import csv, io, json
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
from agents.models import StatusEvent

setup_test_environment()
boss = Client()
boss.force_login(get_user_model().objects.get(username="boss"))
live = boss.get("/reports/live/", {"_export": "csv"})
changes = boss.get("/reports/status-changes/", {"_export": "csv"})
admin = boss.get("/admin/agents/agent/")
agent = Client()
agent.force_login(get_user_model().objects.get(username="on_primary"))
me = agent.post(
    "/api/v1/agents/me/status", {"action": "take_break"}, content_type="application/json"
)
print(json.dumps({
    "databases": sorted(settings.DATABASES),
    "routers": settings.DATABASE_ROUTERS,
    "live": [row["agent"] for row in csv.DictReader(
        io.StringIO(b"".join(live.streaming_content).decode("utf-8-sig")))],
    "changes": [row["agent"] for row in csv.DictReader(
        io.StringIO(b"".join(changes.streaming_content).decode("utf-8-sig")))],
    "admin_lists_primary_agent": b"on_primary" in admin.content,
    "admin_lists_replica_agent": b"on_replica" in admin.content,
    "api_status": me.status_code,
    "primary_events": StatusEvent.objects.using("default").count(),
    "replica_events": StatusEvent.objects.using("reports").count(),
}))
"""


def run(code: str, **environment: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=settings.BASE_DIR,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def databases(tmp_path_factory, migrated_sqlite_database):
    """A migrated primary and a "replica" copied from it, each with an agent of its own (written
    by one child process, to each file in turn)."""
    folder = tmp_path_factory.mktemp("replica")
    primary, replica = folder / "primary.sqlite3", folder / "replica.sqlite3"
    migrated_sqlite_database(primary)
    shutil.copy(primary, replica)
    run(
        SETUP.format(databases=[(str(primary), ["on_primary"]), (str(replica), ["on_replica"])]),
        DATABASE_URL=f"sqlite:///{primary}",
    )
    return primary, replica


def visit(primary, **environment) -> dict:
    return json.loads(
        run(VISIT, DATABASE_URL=f"sqlite:///{primary}", **environment).strip().splitlines()[-1]
    )


def test_with_a_replica_reports_read_it_and_everything_else_the_primary(databases):
    primary, replica = databases
    seen = visit(primary, REPORTS_DATABASE_URL=f"sqlite:///{replica}")
    assert seen["databases"] == ["default", "reports"]
    assert seen["routers"] == ["reports.routers.ReportsReplicaRouter"]
    # The report pages and their exports read the replica...
    assert seen["live"] == ["on_replica"]
    assert seen["changes"] == ["on_replica"]
    # ...the admin and the agent's API the primary, where the agent's change is written.
    assert seen["admin_lists_primary_agent"] is True
    assert seen["admin_lists_replica_agent"] is False
    assert seen["api_status"] == 200
    assert (seen["primary_events"], seen["replica_events"]) == (2, 1)


def test_without_the_variable_there_is_no_replica(databases, tmp_path):
    primary, _replica = databases
    copy = tmp_path / "primary.sqlite3"
    shutil.copy(primary, copy)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS)",
        ],
        cwd=settings.BASE_DIR,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{copy}",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "['default'] []"
