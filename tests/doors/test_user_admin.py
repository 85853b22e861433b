"""Only superusers grant privileges or touch an account that holds more than its editor's.

The Administrators role adds and changes users, and Django's stock user admin showed such
editors superuser status, staff status, groups and permissions, on their own account too: one
POST made an administrator a superuser. Now those fields are a superuser's, and an account
with powers beyond its editor's (a superuser's, or one holding a permission the editor lacks)
is read-only to them: no change, no password, no deletion.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from tests.admin_forms import account_form_data
from tests.conftest import PASSWORD, make_user
from tests.doors.conftest import in_role

pytestmark = pytest.mark.django_db

User = get_user_model()
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")
NEW_PASSWORD = "another-long-passphrase-42"


def forged(account, **changes) -> dict:
    """The account's change form with every privilege there is asked for."""
    privileges = {
        "is_superuser": True,
        "is_staff": True,
        "groups": [Group.objects.get(name="Administrators").pk],
        "user_permissions": [Permission.objects.get(codename="delete_user").pk],
    }
    return account_form_data(account, **{**privileges, **changes})


def test_an_administrator_edits_their_own_account_without_privilege_fields(
    client_for, role_administrator
):
    url = f"/admin/auth/user/{role_administrator.pk}/change/"
    client = client_for(role_administrator)

    page = client.get(url).content.decode()
    response = client.post(url, forged(role_administrator, first_name="Ada", email="ada@x.org"))

    for field in PRIVILEGE_FIELDS:
        assert f'name="{field}"' not in page
    for field in ("username", "first_name", "last_name", "email", "is_active"):
        assert f'name="{field}"' in page
    assert response.status_code == 302
    account = User.objects.get(pk=role_administrator.pk)
    assert (account.first_name, account.email) == ("Ada", "ada@x.org")
    assert (account.is_superuser, account.is_staff) == (False, True)
    assert list(account.groups.values_list("name", flat=True)) == ["Administrators"]
    assert not account.user_permissions.exists()
    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_an_administrator_adds_a_user_who_gets_no_privileges(client_for, role_administrator):
    client = client_for(role_administrator)
    added = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newbie",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    newbie = User.objects.get(username="newbie")
    # Django's add page continues on the change page, where the rest is filled in.
    assert added.status_code == 302
    assert added["Location"] == f"/admin/auth/user/{newbie.pk}/change/"
    page = client.get(added["Location"]).content.decode()

    response = client.post(added["Location"], forged(newbie, first_name="New"))

    for field in PRIVILEGE_FIELDS:
        assert f'name="{field}"' not in page
    assert response.status_code == 302
    newbie.refresh_from_db()
    assert newbie.first_name == "New"
    assert newbie.check_password(NEW_PASSWORD)
    assert (newbie.is_superuser, newbie.is_staff) == (False, False)
    assert not newbie.groups.exists() and not newbie.user_permissions.exists()


def test_a_superuser_still_grants_privileges(client_for, superuser):
    account = make_user("olga")
    url = f"/admin/auth/user/{account.pk}/change/"
    client = client_for(superuser)

    page = client.get(url).content.decode()
    response = client.post(url, forged(account, is_superuser=False))

    for field in PRIVILEGE_FIELDS:
        assert f'name="{field}"' in page
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.is_staff and not account.is_superuser
    assert account.has_perm("auth.delete_user") and account.has_perm("agents.view_all_reports")


def test_a_superusers_page_is_read_only_to_an_administrator(client_for, role_administrator):
    chief = User.objects.create_superuser("chief", "chief@example.com", PASSWORD)
    client = client_for(role_administrator)

    page = client.get(f"/admin/auth/user/{chief.pk}/change/").content.decode()

    assert "| View user |" in page
    assert 'name="first_name"' not in page and 'name="_save"' not in page
    # The password area links to the password page, which is refused too.
    assert client.get(f"/admin/auth/user/{chief.pk}/password/").status_code == 403


def test_an_inactive_superuser_cannot_be_reactivated_or_given_a_password(
    client_for, role_administrator
):
    chief = User.objects.create_superuser("chief", "chief@example.com", PASSWORD)
    chief.is_active = False
    chief.save()
    client = client_for(role_administrator)

    activate = client.post(
        f"/admin/auth/user/{chief.pk}/change/", account_form_data(chief, is_active=True)
    )
    password = client.post(
        f"/admin/auth/user/{chief.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert (activate.status_code, password.status_code) == (403, 403)
    chief.refresh_from_db()
    assert not chief.is_active and chief.check_password(PASSWORD)


def test_an_account_holding_a_permission_the_administrator_lacks_is_not_theirs(
    client_for, role_administrator
):
    # An integration user may act for other agents; the Administrators role may not.
    telephony = in_role(make_user("telephony"), "Integrations")
    client = client_for(role_administrator)

    response = client.post(
        f"/admin/auth/user/{telephony.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 403
    telephony.refresh_from_db()
    assert telephony.check_password(PASSWORD)


@pytest.fixture
def user_manager(db):
    """A staff user who may delete users: a role a superuser could build."""
    user = make_user("user_manager", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="auth",
            codename__in=["view_user", "change_user", "delete_user"],
        )
    )
    return user


def test_a_user_manager_cannot_delete_a_superuser(client_for, user_manager):
    chief = User.objects.create_superuser("chief", "chief@example.com", PASSWORD)
    olga = make_user("olga")
    client = client_for(user_manager)

    single = client.post(f"/admin/auth/user/{chief.pk}/delete/", {"post": "yes"})
    both = {"action": "delete_selected", "_selected_action": [chief.pk, olga.pk]}
    confirmation = client.post("/admin/auth/user/", both)
    confirmed = client.post("/admin/auth/user/", {**both, "post": "yes"})

    assert single.status_code == 403
    assert confirmation.status_code == 200
    assert "permission to delete" in confirmation.content.decode()
    assert confirmed.status_code == 403
    assert set(User.objects.filter(username__in=["chief", "olga"])) == {chief, olga}
    # An ordinary user alone is theirs to delete.
    client.post(f"/admin/auth/user/{olga.pk}/delete/", {"post": "yes"})
    assert not User.objects.filter(pk=olga.pk).exists()
