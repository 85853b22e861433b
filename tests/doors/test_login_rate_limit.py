"""Login rate limiting (django-axes): five wrong passwords lock a username from one address.

The lock holds for the cool-off (15 minutes), even against the right password, and is shown as
a page that says why and for how long. It falls on the (username, address) pair: the same
person from another address, or another username from the same address, can still log in.
A success clears the count; `axes_reset_username` lifts a lock at once.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db.models import F
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
ADDRESS, OTHER_ADDRESS = "198.51.100.7", "203.0.113.9"


@pytest.fixture(autouse=True)
def rate_limit(settings):
    # The shipped defaults, pinned so that an AXES_* variable in the environment cannot move them.
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def log_in(username, password, *, url=LOGIN, address=ADDRESS):
    return Client(REMOTE_ADDR=address).post(url, {"username": username, "password": password})


def is_logged_in(response) -> bool:
    return "_auth_user_id" in response.wsgi_request.session


def fail(times, username="ana", **where):
    return [log_in(username, "wrong password", **where) for _ in range(times)]


def test_four_wrong_passwords_only_say_the_password_is_wrong(ana):
    for response in fail(4):
        assert response.status_code == 200
        assert "didn't match" in response.content.decode()
    assert is_logged_in(log_in("ana", PASSWORD))


def test_the_fifth_wrong_password_locks_with_a_clear_page(ana):
    *_, fifth = fail(5)
    assert fifth.status_code == 429
    page = fifth.content.decode()
    assert "Too many failed logins" in page
    assert "Logging in as “ana” from this address failed 5 times" in page
    assert "Try again in 15 minutes, even with the right password" in page


def test_the_right_password_is_refused_during_the_cool_off(ana):
    fail(5)
    response = log_in("ana", PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(response)


def test_the_right_password_works_again_after_the_cool_off(ana):
    fail(5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    response = log_in("ana", PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(response)


def test_a_failure_during_the_lock_starts_the_cool_off_again(ana):
    fail(5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=10))
    assert fail(1)[0].status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=10))
    assert log_in("ana", PASSWORD).status_code == 429  # 20 minutes after the fifth failure


def test_the_lock_is_for_the_username_from_that_address_only(ana, sofia):
    fail(5)
    assert is_logged_in(log_in("ana", PASSWORD, address=OTHER_ADDRESS))
    assert is_logged_in(log_in("sofia", PASSWORD))


def test_a_success_clears_the_count_of_failures(ana):
    fail(4)
    assert is_logged_in(log_in("ana", PASSWORD))
    responses = fail(4)
    assert [response.status_code for response in responses] == [200] * 4
    assert is_logged_in(log_in("ana", PASSWORD))


def test_unknown_usernames_are_limited_too(db):
    *_, fifth = fail(5, username="nobody")
    assert fifth.status_code == 429


def test_the_lockout_page_escapes_the_username_it_repeats(db):
    *_, fifth = fail(5, username="<script>alert(1)</script>")
    assert fifth.status_code == 429
    assert "<script>alert(1)</script>" not in fifth.content.decode()
    assert "&lt;script&gt;" in fifth.content.decode()


def test_the_admin_login_is_limited_too(administrator):
    *_, fifth = fail(5, username="administrator", url=ADMIN_LOGIN)
    assert fifth.status_code == 429
    response = log_in("administrator", PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert not is_logged_in(response)


def test_a_failed_attempt_is_recorded_without_its_password(ana):
    log_in("ana", "my-secret-guess")
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "ana",
        ADDRESS,
        1,
    )
    assert "my-secret-guess" not in attempt.post_data


def test_axes_reset_username_lifts_the_lock_at_once(ana):
    fail(5)
    call_command("axes_reset_username", "ana", verbosity=0)
    assert is_logged_in(log_in("ana", PASSWORD))
