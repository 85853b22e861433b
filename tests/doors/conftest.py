"""Every role that may knock on a door, as a ready test client (the healthchecks habit).

`caller(role)` returns a `django.test.Client` acting as that role: logged in with a session,
or carrying `Authorization: Bearer <key>` for the token roles, or nobody; its `user` attribute
is the user behind the role (None for anonymous). The roles:

- `anonymous`;
- `agent` (ana, Support) and `agent_of_other_group` (sam, Sales);
- `supervisor_a` (of Support) and `supervisor_b` (of Sales), plain users, as supervisors are;
- `staff_supervisor`: staff, in the real "Supervisors" role, supervisor of Support;
- `administrator`: staff in the real "Administrators" role of the roles migration, nothing else;
- `superuser`;
- `integration_token`: token of a user in the real "Integrations" role (act for other agents);
- `token_without_permission`: token of a user with no permission and no agent;
- `agent_token`: ana's own token;
- `revoked_token`: a revoked token of a user in the "Integrations" role.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from agents.models import ApiToken
from agents.services import agent_perform_action
from tests.conftest import make_user

ROLES = (
    "anonymous",
    "agent",
    "agent_of_other_group",
    "supervisor_a",
    "supervisor_b",
    "staff_supervisor",
    "administrator",
    "superuser",
    "integration_token",
    "token_without_permission",
    "agent_token",
    "revoked_token",
)
SESSION_ROLES = ROLES[1:8]
TOKEN_ROLES = ROLES[8:]
STAFF_ROLES = ("staff_supervisor", "administrator", "superuser")


def in_role(user, role_name: str):
    user.groups.add(Group.objects.get(name=role_name))
    return user


def bearer_client(user, *, revoked: bool = False) -> Client:
    token = ApiToken(user=user, name="door test")
    key = token.set_new_key()
    if revoked:
        token.revoked_at = timezone.now()
    token.save()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    client.user = user
    return client


@pytest.fixture
def staff_supervisor(support_group):
    user = in_role(make_user("staff_supervisor", is_staff=True), "Supervisors")
    support_group.supervisors.add(user)
    return user


@pytest.fixture
def role_administrator(db):
    return in_role(make_user("role_administrator", is_staff=True), "Administrators")


@pytest.fixture
def caller(request, db):
    """`caller(role)`: a fresh client acting as `role` (one of ROLES).

    Only the fixtures the role needs are built, which keeps the matrix fast.
    """

    def session_of(user) -> Client:
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    def make(role: str) -> Client:
        fixture = request.getfixturevalue
        if role == "anonymous":
            client = Client()
            client.user = None
            return client
        if role == "agent":
            return session_of(fixture("ana").user)
        if role == "agent_of_other_group":
            return session_of(fixture("sam").user)
        if role in ("supervisor_a", "supervisor_b", "staff_supervisor", "superuser"):
            return session_of(fixture(role))
        if role == "administrator":
            return session_of(fixture("role_administrator"))
        if role == "integration_token":
            return bearer_client(in_role(make_user("telephony"), "Integrations"))
        if role == "token_without_permission":
            return bearer_client(make_user("crm"))
        if role == "agent_token":
            return bearer_client(fixture("ana").user)
        if role == "revoked_token":
            return bearer_client(in_role(make_user("old_dialer"), "Integrations"), revoked=True)
        raise ValueError(f"unknown role {role!r}")

    return make


@pytest.fixture
def agents_logged_in(ana, sam):
    """ana and sam available, so that breaks and rejections are possible for both."""
    for agent in (ana, sam):
        agent_perform_action(agent=agent, action="login", source="console")
    return ana, sam
