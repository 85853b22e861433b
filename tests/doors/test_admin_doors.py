"""The admin door: staff with model permissions only (README, "Roles").

Everyone who is not staff — agents, supervisors who are not staff, API tokens (the admin knows
no tokens), anonymous visitors — is sent to the admin's login page. Staff get each page only
with its model permission: the "Supervisors" role views, the "Administrators" role edits the
configuration and imports, superusers do everything except what nobody may (add an event).
"""

import pytest

from tests.doors.conftest import ROLES, STAFF_ROLES

pytestmark = pytest.mark.django_db

OK, FORBIDDEN = 200, 403

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
