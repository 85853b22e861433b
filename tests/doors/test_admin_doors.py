"""The admin door: staff with model permissions only (README, "Roles").

Everyone who is not staff — agents, supervisors who are not staff, API tokens (the admin knows
no tokens), anonymous visitors — is sent to the admin's login page. Staff get each page only
with its model permission: the "Supervisors" role views, the "Administrators" role edits the
configuration and imports, superusers do everything except what nobody may (add an event).

Two kinds of doors are knocked on with data as well: the audit history (reverting to a past
version changes the object, so it needs the change permission) and the user admin (only
superusers grant privileges or touch a superuser's account).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client

from agents.models import Agent, AgentGroup
from statuscodes.models import StatusCode, StatusCodeList
from tests.admin_forms import account_form_data, change_form_data
from tests.conftest import PASSWORD, make_user
from tests.doors.conftest import ROLES, STAFF_ROLES

pytestmark = pytest.mark.django_db

User = get_user_model()

OK, FORBIDDEN = 200, 403
# A POST that was saved (302 to the next page) and changed what it asked to change; a POST that
# was saved but left alone what it asked to change (forged fields the page does not offer).
DONE, IGNORED = "done", "ignored"

# URL, then the answer to the staff supervisor, the administrator and the superuser.
ADMIN_PAGES = [
    ("/admin/", OK, OK, OK),
    ("/admin/statuscodes/statuscodelist/", OK, OK, OK),
    ("/admin/statuscodes/statuscodelist/add/", FORBIDDEN, OK, OK),
    ("/admin/statuscodes/statuscode/", OK, OK, OK),
    ("/admin/statuscodes/statuscode/add/", FORBIDDEN, OK, OK),
    ("/admin/statuscodes/statuscode/import/", FORBIDDEN, OK, OK),
    # IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view": who may read the rows may export them.
    ("/admin/statuscodes/statuscode/export/", OK, OK, OK),
    ("/admin/agents/agentgroup/", OK, OK, OK),
    ("/admin/agents/agentgroup/add/", FORBIDDEN, OK, OK),
    ("/admin/agents/agentgroup/import/", FORBIDDEN, OK, OK),
    ("/admin/agents/agentgroup/export/", OK, OK, OK),
    ("/admin/agents/agent/", OK, OK, OK),
    ("/admin/agents/agent/add/", FORBIDDEN, OK, OK),
    ("/admin/agents/agent/import/", FORBIDDEN, OK, OK),
    ("/admin/agents/agent/export/", OK, OK, OK),
    ("/admin/agents/statusevent/", OK, OK, OK),
    # Events are written only by agents.services: nobody adds one by hand.
    ("/admin/agents/statusevent/add/", FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("/admin/agents/apitoken/", FORBIDDEN, OK, OK),
    ("/admin/agents/apitoken/add/", FORBIDDEN, OK, OK),
    ("/admin/auth/user/", FORBIDDEN, OK, OK),
    ("/admin/auth/user/add/", FORBIDDEN, OK, OK),
    ("/admin/auth/group/", FORBIDDEN, OK, OK),
    # Administrators see the roles but do not redefine them.
    ("/admin/auth/group/add/", FORBIDDEN, FORBIDDEN, OK),
    # Webhooks are the administrators' (docs/integrations.md); the log is written by the worker.
    ("/admin/feed/webhookendpoint/", FORBIDDEN, OK, OK),
    ("/admin/feed/webhookendpoint/add/", FORBIDDEN, OK, OK),
    ("/admin/feed/delivery/", FORBIDDEN, OK, OK),
    ("/admin/feed/delivery/add/", FORBIDDEN, FORBIDDEN, FORBIDDEN),
    # Login lockouts (django-axes) are lifted by a superuser (docs/security.md).
    ("/admin/axes/accessattempt/", FORBIDDEN, FORBIDDEN, OK),
]

CASES = [
    pytest.param(
        url,
        role,
        dict(zip(STAFF_ROLES, answers, strict=True)).get(role, "login"),
        id=f"{url}-{role}",
    )
    for url, *answers in ADMIN_PAGES
    for role in ROLES
]


@pytest.mark.parametrize(("url", "role", "expected"), CASES)
def test_admin_page(caller, url, role, expected):
    response = caller(role).get(url)
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")
    else:
        assert response.status_code == expected


def test_the_administrator_role_has_no_permission_beyond_the_configuration(role_administrator):
    # The matrix above relies on this: the role opens the admin, not the agents' door.
    assert not role_administrator.has_perm("agents.act_for_other_agents")
    assert role_administrator.has_perm("agents.view_all_reports")
    assert not role_administrator.is_superuser


def cases(doors):
    """One case per door and role: non-staff roles get the login page everywhere."""
    return [
        pytest.param(
            *door,
            role,
            dict(zip(STAFF_ROLES, answers, strict=True)).get(role, "login"),
            id="-".join([*door, role]),
        )
        for *door, answers in doors
        for role in ROLES
    ]


def assert_answer(response, expected, before, after):
    """The answer was `expected`, and only DONE changed what the request was about."""
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")
    elif expected in (DONE, IGNORED):
        assert response.status_code == 302, response.content.decode()[:2000]
        assert not response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == expected
    if expected == DONE:
        assert after != before
    else:
        assert after == before


# --- The audit history: /admin/<model>/<id>/history/ and /history/<version>/ ---------------

# The door, then the answer to the staff supervisor, the administrator and the superuser.
HISTORY_DOORS = [
    ("history list", (OK, OK, OK)),
    ("history form", (OK, OK, OK)),
    # Reverting saves the posted form: it needs the change permission, not just the view one.
    ("revert", (FORBIDDEN, DONE, DONE)),
]
HISTORY_MODELS = (
    "statuscodes/statuscodelist",
    "statuscodes/statuscode",
    "agents/agentgroup",
    "agents/agent",
)


@dataclass(frozen=True)
class HistorySubject:
    """An object with a history, how a revert POST is forged to change it, and how to see it."""

    obj: Any
    forge: Callable[[dict, Any], None]
    observe: Callable[[], Any]


@pytest.fixture
def history_subjects(support_list, support_group, sales_group, ana):
    lunch = support_list.codes.get(code="LUNCH")

    def make_supervisor(data, user):
        # What a view-only supervisor would gain: the reports of the group.
        data["supervisors"] = [str(user.pk)] if user else []

    return {
        "statuscodes/statuscodelist": HistorySubject(
            support_list,
            lambda data, user: data.update(name="Renamed by a revert"),
            lambda: StatusCodeList.objects.get(pk=support_list.pk).name,
        ),
        "statuscodes/statuscode": HistorySubject(
            lunch,
            lambda data, user: data.update(label_en="Renamed by a revert"),
            lambda: StatusCode.objects.get(pk=lunch.pk).label_en,
        ),
        "agents/agentgroup": HistorySubject(
            support_group,
            make_supervisor,
            lambda: set(AgentGroup.objects.get(pk=support_group.pk).supervisors.all()),
        ),
        "agents/agent": HistorySubject(
            ana,
            lambda data, user: data.update(group=str(sales_group.pk)),
            lambda: Agent.objects.get(pk=ana.pk).group_id,
        ),
    }


def session_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("model", "door", "role", "expected"),
    cases([(model, door, answers) for model in HISTORY_MODELS for door, answers in HISTORY_DOORS]),
)
def test_admin_history_door(caller, superuser, history_subjects, model, door, role, expected):
    subject = history_subjects[model]
    list_url = f"/admin/{model}/{subject.obj.pk}/history/"
    form_url = f"{list_url}{subject.obj.history.earliest().history_id}/"
    client = caller(role)
    before = subject.observe()

    if door == "history list":
        response = client.get(list_url)
    elif door == "history form":
        response = client.get(form_url)
    else:
        data = change_form_data(session_of(superuser).get(form_url))
        subject.forge(data, client.user)
        response = client.post(form_url, data)

    assert_answer(response, expected, before, subject.observe())


# --- The user admin: /admin/auth/user/… and the roles at /admin/auth/group/… ----------------

# Whose account, the door, then the answer to the staff supervisor, the administrator and the
# superuser.
USER_DOORS = [
    # The privileges (superuser, staff, roles, permissions) are the superusers' to give.
    ("own account", "change, forging privileges", (FORBIDDEN, IGNORED, DONE)),
    # Administrators may read a superuser's page (they view users), not change it.
    ("superuser", "change page", (FORBIDDEN, OK, OK)),
    ("superuser", "change", (FORBIDDEN, FORBIDDEN, DONE)),
    ("superuser", "password page", (FORBIDDEN, FORBIDDEN, OK)),
    ("superuser", "password", (FORBIDDEN, FORBIDDEN, DONE)),
    ("superuser", "delete page", (FORBIDDEN, FORBIDDEN, OK)),
    ("superuser", "delete", (FORBIDDEN, FORBIDDEN, DONE)),
    # Ordinary users are the administrators' to manage.
    ("ordinary user", "change page", (FORBIDDEN, OK, OK)),
    ("ordinary user", "change", (FORBIDDEN, DONE, DONE)),
    ("ordinary user", "password", (FORBIDDEN, DONE, DONE)),
    # Deleting users is not part of the Administrators role.
    ("ordinary user", "delete", (FORBIDDEN, FORBIDDEN, DONE)),
    # The roles themselves are redefined by superusers only.
    ("role", "change", (FORBIDDEN, FORBIDDEN, DONE)),
]
NEW_PASSWORD = "another-long-passphrase-42"


def privileges(user) -> tuple:
    user = User.objects.get(pk=user.pk)
    return (
        user.is_superuser,
        user.is_staff,
        sorted(user.groups.values_list("pk", flat=True)),
        sorted(user.user_permissions.values_list("pk", flat=True)),
    )


def knock_on_own_account(client: Client):
    """POST one's own change page with every privilege forged in: the response, before, after."""
    account = client.user or make_user("nobody")
    data = account_form_data(
        account,
        first_name="Self",
        is_superuser=True,
        is_staff=True,
        groups=[Group.objects.get(name="Administrators").pk],
        user_permissions=[Permission.objects.get(codename="delete_user").pk],
    )
    before = privileges(account)
    response = client.post(f"/admin/auth/user/{account.pk}/change/", data)
    return response, before, privileges(account)


def knock_on_role(client: Client):
    """POST the Supervisors role with one more permission: the response, before, after."""
    role = Group.objects.get(name="Supervisors")
    granted = set(role.permissions.values_list("pk", flat=True))
    extra = Permission.objects.get(codename="change_user").pk
    data = {"name": role.name, "permissions": [str(pk) for pk in granted | {extra}]}
    response = client.post(f"/admin/auth/group/{role.pk}/change/", data)
    return response, granted, set(role.permissions.values_list("pk", flat=True))


def knock_on_account(client: Client, account, door: str):
    """`door` of another user's account: the response, and the account before and after."""
    url = f"/admin/auth/user/{account.pk}/"

    def state():
        # None once deleted; a new password shows as a new hash.
        return User.objects.filter(pk=account.pk).values("first_name", "password").first()

    before = state()
    if door == "change page":
        response = client.get(f"{url}change/")
    elif door == "change":
        response = client.post(f"{url}change/", account_form_data(account, first_name="Renamed"))
    elif door == "password page":
        response = client.get(f"{url}password/")
    elif door == "password":
        data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        response = client.post(f"{url}password/", data)
    elif door == "delete page":
        response = client.get(f"{url}delete/")
    else:
        assert door == "delete"
        response = client.post(f"{url}delete/", {"post": "yes"})
    return response, before, state()


@pytest.mark.parametrize(("whose", "door", "role", "expected"), cases(USER_DOORS))
def test_admin_user_door(caller, whose, door, role, expected):
    client = caller(role)
    if whose == "own account":
        response, before, after = knock_on_own_account(client)
    elif whose == "role":
        response, before, after = knock_on_role(client)
    elif whose == "superuser":
        chief = User.objects.create_superuser("chief", "chief@example.com", PASSWORD)
        response, before, after = knock_on_account(client, chief, door)
    else:
        response, before, after = knock_on_account(client, make_user("olga"), door)
    assert_answer(response, expected, before, after)
