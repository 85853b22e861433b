"""The SQLite scenario of test_sqlite_during_import.py, run in a child process.

SQLite's test database lives in memory and cannot be shared by threads, so this runs on the
file database that DATABASE_URL names (the parent makes a new one, migrated): it migrates it
(if needed), starts a
history import for ana that pauses inside its transaction (holding SQLite's write lock), and
meanwhile sends the requests of the scenario through the test client. It prints a JSON report:
for each request its status, body and duration; then what the database holds.

    DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.hardening.sqlite_during_import
"""

import json
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth.models import Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from agents.models import AgentGroup, ApiToken, StatusEvent  # noqa: E402
from agents.services import agent_perform_action  # noqa: E402
from statuscodes.models import StatusCodeList  # noqa: E402
from tests.conftest import make_agent, make_code, make_user  # noqa: E402
from tests.hardening.paused_import import import_paused_in_its_transaction  # noqa: E402


def timed_request(send) -> dict:
    started = time.monotonic()
    response = send()
    seconds = time.monotonic() - started
    is_json = response.get("Content-Type", "").startswith("application/json")
    return {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "body": response.json() if is_json else response.content.decode(),
        "seconds": seconds,
    }


def main() -> dict:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    code_list = StatusCodeList.objects.create(name="Support")
    make_code(code_list, "LUNCH", "Lunch", ["take_break"])
    group = AgentGroup.objects.create(name="Support", code_list=code_list)
    ana, sam = make_agent("ana", group), make_agent("sam", group)
    for agent in (ana, sam):
        agent_perform_action(agent=agent, action="login", source="api")
    telephony = make_user("telephony")
    telephony.user_permissions.add(Permission.objects.get(codename="act_for_other_agents"))
    token = ApiToken(user=telephony, name="telephony")
    key = token.set_new_key()
    token.save()  # never used yet: its first use records the time, a write
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    console = Client()
    console.force_login(ana.user)

    with import_paused_in_its_transaction("ana") as imported:
        report = {
            "outside_the_file": timed_request(
                lambda: api.post(
                    "/api/v1/agents/sam/status",
                    '{"action": "busy"}',
                    content_type="application/json",
                )
            ),
            "inside_the_file": timed_request(
                lambda: api.post(
                    "/api/v1/agents/ana/status",
                    '{"action": "busy"}',
                    content_type="application/json",
                )
            ),
            "read": timed_request(lambda: api.get("/api/v1/agents/ana")),
            "console": timed_request(
                lambda: console.post(
                    "/console/status/", {"action": "take_break", "code": "LUNCH"}, follow=True
                )
            ),
        }
    report["import"] = (
        repr(imported["error"]) if "error" in imported else imported["summary"].status_changes
    )
    report["live_events_after"] = StatusEvent.objects.exclude(source="import").count()
    report["after_the_import"] = timed_request(
        lambda: api.post(
            "/api/v1/agents/ana/status", '{"action": "busy"}', content_type="application/json"
        )
    )
    return report


if __name__ == "__main__":
    print(json.dumps(main()))
