"""What one status change costs the database (docs/performance.md, "API throughput"): at most
6 statements, whether an integration changes an agent with its token or agents change their own
status with the session (the session's user is read and checked by the statement that locks the
agent), and the answer is the same as reading the state afresh.

Transaction control (BEGIN, COMMIT, SAVEPOINT, RELEASE SAVEPOINT) is left out of the count:
inside a test the change's transaction is a savepoint of the test's own, and SQLite and
PostgreSQL do not log the same statements for either; what is counted are the statements that
read and write.
"""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.models import Offer, StatusEvent
from tests.api.conftest import make_token, post_json
from tests.conftest import make_user

MAX_STATEMENTS = 6
TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE\b)", re.IGNORECASE)


def counted_post(client, path, body, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = post_json(client, path, body, **headers)
    statements = [q["sql"] for q in queries if not TRANSACTION_CONTROL.match(q["sql"])]
    return response, statements


@pytest.fixture
def bearer(integration_key):
    return {"HTTP_AUTHORIZATION": f"Bearer {integration_key}"}


@pytest.fixture
def ana_logged_in(ana, client, bearer):
    response = post_json(client, "/api/v1/agents/ana/status", {"action": "login"}, **bearer)
    assert response.status_code == 200, response.content
    return ana


@pytest.mark.parametrize(
    "body", [{"action": "take_break", "code": "LUNCH"}, {"action": "go_available"}]
)
def test_an_integration_changes_an_agent_in_at_most_6_statements(
    ana_logged_in, client, bearer, body
):
    if body["action"] == "go_available":
        on_break = {"action": "take_break", "code": "LUNCH"}
        assert post_json(client, "/api/v1/agents/ana/status", on_break, **bearer).status_code == 200
    response, statements = counted_post(client, "/api/v1/agents/ana/status", body, **bearer)
    assert response.status_code == 200, response.content
    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)
    assert response.json() == client.get("/api/v1/agents/ana", **bearer).json()


@pytest.mark.parametrize(
    "body", [{"action": "take_break", "code": "LUNCH"}, {"action": "go_available"}]
)
def test_an_agent_changes_their_own_status_in_at_most_6_statements(ana_logged_in, client_for, body):
    client = client_for(ana_logged_in)
    if body["action"] == "go_available":
        on_break = {"action": "take_break", "code": "LUNCH"}
        assert post_json(client, "/api/v1/agents/me/status", on_break).status_code == 200
    response, statements = counted_post(client, "/api/v1/agents/me/status", body)
    assert response.status_code == 200, response.content
    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)
    assert response.json() == client.get("/api/v1/agents/me").json()


def test_leaving_available_withdraws_the_ringing_offer_and_says_so(ana_logged_in, client, bearer):
    offered = post_json(client, "/api/v1/agents/ana/offers", {"channel": "phone"}, **bearer)
    assert offered.status_code == 201, offered.content
    assert client.get("/api/v1/agents/ana", **bearer).json()["offer"] is not None

    response = post_json(
        client, "/api/v1/agents/ana/status", {"action": "take_break", "code": "LUNCH"}, **bearer
    )

    assert response.json()["offer"] is None
    assert response.json() == client.get("/api/v1/agents/ana", **bearer).json()
    assert not Offer.objects.pending().filter(agent=ana_logged_in).exists()


def test_a_pending_change_is_answered_then_applied(ana_logged_in, client, bearer):
    busy = post_json(client, "/api/v1/agents/ana/status", {"action": "busy"}, **bearer)
    assert busy.status_code == 200, busy.content
    deferred = post_json(
        client, "/api/v1/agents/ana/status", {"action": "take_break", "code": "LUNCH"}, **bearer
    )
    assert deferred.status_code == 202
    assert deferred.json()["pending"] == {"action": "take_break", "code": "LUNCH"}
    assert deferred.json() == client.get("/api/v1/agents/ana", **bearer).json()

    applied = post_json(client, "/api/v1/agents/ana/status", {"action": "go_available"}, **bearer)

    assert (applied.json()["status"], applied.json()["pending"]) == ("on_break", None)
    assert applied.json() == client.get("/api/v1/agents/ana", **bearer).json()


def test_an_unknown_agent_is_refused_and_nothing_recorded(db, client, bearer):
    response = post_json(client, "/api/v1/agents/ghost/status", {"action": "login"}, **bearer)
    assert (response.status_code, response.json()["error"]) == (404, "unknown_agent")
    assert not StatusEvent.objects.exists()


@pytest.mark.parametrize("granted", ["group", "superuser", "none"])
def test_the_tokens_permission_is_read_with_the_token(ana, client, granted):
    """The permission to act for other agents comes with the token's own query: given to one of
    the user's groups, or to a superuser, it counts; otherwise the change is refused."""
    user = make_user("integration", is_superuser=granted == "superuser")
    if granted == "group":
        group = Group.objects.create(name="Telephony integrations")
        group.permissions.add(Permission.objects.get(codename="act_for_other_agents"))
        user.groups.add(group)
    key = make_token(user)[1]

    response = post_json(
        client, "/api/v1/agents/ana/status", {"action": "login"}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )

    assert response.status_code == (403 if granted == "none" else 200), response.content
