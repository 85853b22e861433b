"""The JSON API fuzzed against its own OpenAPI schema (schemathesis, in-process over WSGI).

For every operation of the schema, generated requests — valid and invalid bodies, unknown and
real usernames, wrong methods — are sent with a bearer token, as an agent (one per starting
status) and as an integration user allowed to act for other agents. No response may be a server
error, and every response must match what the schema declares for it (status code, content
type, body shape). Requests run inside the test's transaction: they see the fixtures and leave
nothing behind.
"""

import pytest
import schemathesis
from django.contrib.auth.models import Permission
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import strategies as st
from schemathesis.generation.value import GeneratedValue

from agents.services import agent_perform_action, agent_set_system_status
from config.wsgi import application
from core.choices import AgentStatus, EventSource
from tests.api.conftest import make_token
from tests.conftest import make_user
from tests.fuzz_profiles import budget

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# Loaded when the module is collected (the schema view reads no database); loading it from a
# fixture, with schemathesis.pytest.from_fixture, fails under pytest 9.2.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    application,
    # A request the schema allows may still be refused by a workflow rule (docs/concepts.md)
    # that no schema can express: 409 invalid_transition, 422 code_required, code_not_offered…
    # (docs/api.md). Anything else for a well-formed request — a 400, a 5xx — fails the test.
    config=schemathesis.Config.from_dict(
        {
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", 401, 403, 404, 409, 422],
                }
            }
        }
    ),
)

# The agents of the fixtures, each put in another status before the requests start.
STARTING_STATUS = {
    "ana": AgentStatus.ON_BREAK,
    "sofia": AgentStatus.WORK_OFFLINE,
    "nocode": AgentStatus.BUSY,
    "sam": AgentStatus.LOGGED_OUT,
}


@schema.hook
def before_generate_path_parameters(context, strategy):
    # A random username is almost never an agent: name real ones (or the caller) 2 times in 3,
    # keeping the other generated parameters (an offer's id).
    real = st.tuples(strategy, st.sampled_from([*STARTING_STATUS, "telephony"])).map(_with_username)
    return st.one_of(strategy, real, real)


def _with_username(generated_and_name):
    generated, name = generated_and_name
    # Negative generation wraps its values.
    parameters = generated.value if isinstance(generated, GeneratedValue) else generated
    return {**(parameters or {}), "username": name}


@pytest.fixture(autouse=True)
def requests_share_the_test_connection():
    """Keep the test's connection open across requests, as Django's test client does.

    The WSGI handler closes the connection when a request ends if it is inside a transaction,
    which on PostgreSQL would end the test's transaction (and its fixtures) after one request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def center(ana, sofia, nocode, sam):
    """The four agents, each in its STARTING_STATUS."""
    for agent in [ana, sofia, nocode]:
        agent_perform_action(agent=agent, action="login", source=EventSource.API)
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source=EventSource.API)
    agent_perform_action(agent=sofia, action="work_offline", code="MEETING", source=EventSource.API)
    agent_set_system_status(agent=nocode, status=AgentStatus.BUSY, source=EventSource.SYSTEM)
    return {"ana": ana, "sofia": sofia, "nocode": nocode, "sam": sam}


@pytest.fixture(params=sorted(STARTING_STATUS))
def agent_key(request, center):
    return make_token(center[request.param].user, name="console")[1]


@pytest.fixture
def integration_key(center):
    user = make_user("telephony")
    user.user_permissions.add(Permission.objects.get(codename="act_for_other_agents"))
    return make_token(user, name="telephony")[1]


# A few dozen requests per operation and caller (more for the integration, which reaches every
# agent): the whole module runs in seconds; the thorough profile sends 50 times more.
@schema.parametrize()
@budget(12)
def test_an_agent_with_a_token_gets_no_server_error_and_answers_match_the_schema(case, agent_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {agent_key}"})


@schema.parametrize()
@budget(30)
def test_an_integration_acting_for_agents_gets_no_server_error_and_answers_match_the_schema(
    case, integration_key
):
    case.call_and_validate(headers={"Authorization": f"Bearer {integration_key}"})
