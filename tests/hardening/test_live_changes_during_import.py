"""A history import never stalls the live doors (PostgreSQL, threads).

A real `events_import` for ana runs in a thread and pauses inside its transaction, after writing
its rows and before committing, with ana's row locked, for as long as the test needs. Meanwhile
the main thread acts: another agent changes status as if nothing were running, while ana's
changes are refused with `agent_locked` within AGENT_LOCK_TIMEOUT instead of waiting for the
import (which, at 800,000 rows, outlasted the app server's worker timeout).
"""

import time

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client

from agents.models import StatusEvent
from agents.services import (
    ActionRefused,
    agent_perform_action,
    agent_reject_interaction,
    agent_set_system_status,
)
from tests.api.conftest import make_token, post_json
from tests.conftest import make_user
from tests.hardening.paused_import import import_paused_in_its_transaction

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite's in-memory test database is not shared across threads "
        "(test_sqlite_during_import.py covers SQLite)",
    ),
]

BOUND = 1.0  # AGENT_LOCK_TIMEOUT of these tests, in seconds
# A change that did not wait for any lock: far below the bound even on a loaded machine.
NO_WAIT = BOUND / 2


def timed(call):
    """(result or exception, seconds taken)."""
    started = time.monotonic()
    try:
        result = call()
    except ActionRefused as refused:
        result = refused
    return result, time.monotonic() - started


@pytest.fixture
def bound(settings):
    settings.AGENT_LOCK_TIMEOUT = BOUND


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_other_agents_change_freely_and_the_imported_agent_is_refused_within_the_bound(
    ana, sam, bound
):
    for agent in (ana, sam):
        agent_perform_action(agent=agent, action="login", source="api")
    with import_paused_in_its_transaction("ana") as imported:
        # sam is not in the file: every kind of change goes through without waiting.
        for change in [
            lambda: agent_perform_action(
                agent=sam, action="take_break", code="LUNCH", source="api"
            ),
            lambda: agent_perform_action(agent=sam, action="go_available", source="api"),
            # Rejected while available, as only an available agent can.
            lambda: agent_reject_interaction(agent=sam, channel="phone", source="api"),
            lambda: agent_set_system_status(agent=sam, status="busy", source="system"),
            lambda: agent_set_system_status(agent=sam, status="post_processing", source="system"),
        ]:
            result, seconds = timed(change)
            assert not isinstance(result, ActionRefused), result
            assert seconds < NO_WAIT

        # ana is in the file: each door into the timeline is refused once the bound is reached.
        for change in [
            lambda: agent_perform_action(
                agent=ana, action="take_break", code="LUNCH", source="api"
            ),
            lambda: agent_set_system_status(agent=ana, status="busy", source="system"),
            lambda: agent_reject_interaction(agent=ana, channel="phone", code="CASE", source="api"),
        ]:
            result, seconds = timed(change)
            assert isinstance(result, ActionRefused)
            assert result.key == "agent_locked"
            assert "nothing was recorded" in result.detail
            assert BOUND * 0.9 <= seconds < BOUND + NO_WAIT

    assert "error" not in imported, imported["error"]
    assert imported["summary"].status_changes == 3
    # Nothing of the refused changes was recorded: the login, then the imported shift before it.
    assert list(
        StatusEvent.objects.filter(agent=ana)
        .order_by("started_at")
        .values_list("source", flat=True)
    ) == ["import", "import", "import", "api"]
    assert StatusEvent.objects.filter(agent=sam, source__in=["api", "system"]).count() == 6
    # Once the import has committed, ana changes status as usual.
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="api")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_api_answers_503_with_retry_after_for_an_agent_being_imported(ana, sam, bound):
    integration = make_user("telephony")
    integration.user_permissions.add(Permission.objects.get(codename="act_for_other_agents"))
    key = make_token(integration)[1]
    api = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    for agent in (ana, sam):
        agent_perform_action(agent=agent, action="login", source="api")
    with import_paused_in_its_transaction("ana"):
        client = Client()
        other, seconds = timed(
            lambda: post_json(client, "/api/v1/agents/sam/status", {"action": "busy"}, **api)
        )
        assert other.status_code == 200
        assert other.json()["status"] == "busy"
        assert seconds < NO_WAIT

        refused, seconds = timed(
            lambda: post_json(client, "/api/v1/agents/ana/status", {"action": "busy"}, **api)
        )
        assert refused.status_code == 503
        assert refused["Retry-After"] == "5"
        assert refused.json() == {
            "error": "agent_locked",
            "detail": "Your timeline is locked by an update in progress (a history import, "
            "for instance): nothing was recorded. Try again in a moment.",
        }
        assert seconds < BOUND + NO_WAIT
        rejection = post_json(
            client, "/api/v1/agents/ana/rejections", {"channel": "phone", "code": "CASE"}, **api
        )
        assert rejection.status_code == 503
        assert rejection.json()["error"] == "agent_locked"

    assert not StatusEvent.objects.filter(agent=ana, source="system").exists()
    assert not StatusEvent.objects.rejections().filter(agent=ana).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_console_shows_the_refusal_as_a_message(ana, client_for, bound):
    agent_perform_action(agent=ana, action="login", source="console")
    client = client_for(ana)
    with import_paused_in_its_transaction("ana"):
        response = client.post(
            "/console/status/", {"action": "take_break", "code": "LUNCH"}, follow=True
        )
    assert response.status_code == 200
    assert "Your timeline is locked by an update in progress" in response.content.decode()
    assert not StatusEvent.objects.filter(agent=ana, status="on_break", source="console").exists()
