"""Shared fixtures: a small contact center and the people of every role (healthchecks style).

- `support_list` (LUNCH, SHORT, RESTROOM, MEETING, TRAINING, EOS, CASE, TECH, RETIRED inactive)
  and `sales_list` (LUNCH, COACHING, EOS);
- `support_group` (Support list, supervised by `supervisor_a`) and `sales_group` (Sales list,
  supervised by `supervisor_b`);
- agents `ana` (Support, en), `sofia` (Support, es), `nocode` (Support, switch off),
  `sam` (Sales, en);
- `administrator` (staff with the model permissions of both apps), `superuser`.

It also loads the hypothesis profile of the fuzz tests (tests/fuzz_profiles.py) before any test
module is imported, and gives the tests that run the app in child processes on SQLite files
`migrated_sqlite_database`.
"""

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import translation
from simple_history.models import HistoricalRecords

from agents.models import Agent, AgentGroup
from statuscodes.models import StatusCode, StatusCodeList
from tests import fuzz_profiles

fuzz_profiles.load_profile()

User = get_user_model()
PASSWORD = "correct-horse-battery-staple"


# Production's PBKDF2 costs ~0.2 s per user; tests create several users each.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


MIGRATED_SQLITE = pytest.StashKey()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory, request):
    """pytest-django's test database; on in-memory SQLite, also a copy of it as the migrations
    left it, in a file, for `migrated_sqlite_database`."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        path = tmp_path_factory.mktemp("migrated") / "db.sqlite3"
        with django_db_blocker.unblock():
            connection.ensure_connection()
            copy = sqlite3.connect(path)
            with copy:
                connection.connection.backup(copy)
            copy.close()
        request.config.stash[MIGRATED_SQLITE] = path
    return django_db_setup


@pytest.fixture(scope="session")
def migrated_sqlite_database(request):
    """`migrated_sqlite_database(path)`: makes `path` a new SQLite database with every migration
    applied. On SQLite it is a copy of the test database just after its migrations (no test had
    touched it); otherwise `manage.py migrate` runs on it in a child process."""
    if connection.vendor == "sqlite":
        request.getfixturevalue("django_db_setup")
    migrated = request.config.stash.get(MIGRATED_SQLITE, None)

    def make(path):
        if migrated is not None:
            shutil.copy(migrated, path)
            return path
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            cwd=django_settings.BASE_DIR,
            env={
                "PATH": os.environ["PATH"],
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": f"sqlite:///{path}",
            },
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return path

    return make


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def primary_language():
    """Each test starts and ends in the primary language: a request through LocaleMiddleware
    (a test client sending Accept-Language: es) leaves its language active in the thread, and
    the next test of the worker would read Spanish."""
    with translation.override(django_settings.LANGUAGE_CODE):
        yield


def make_code(
    code_list, code, label, actions, *, sort_order=0, active=True, max_minutes=None, **translations
):
    status_code = StatusCode.objects.create(
        code_list=code_list,
        code=code,
        label=label,
        sort_order=sort_order,
        active=active,
        max_minutes=max_minutes,
        **translations,
    )
    status_code.actions.set(actions)
    return status_code


def make_codes(code_list, rows):
    """Several codes of a list at once, each row `(code, label, actions, fields)`: the same rows,
    action links and audit history as `make_code` for each (its creation, then the change that
    links its actions), in six queries instead of nine a code. The shared fixtures build their
    lists this way: code by code, that was about a third of the time of the tests without a
    browser. tests/test_fixtures.py checks that both ways leave the same database."""
    codes = StatusCode.objects.bulk_create(
        [
            StatusCode(code_list=code_list, code=code, label=label, **fields)
            for code, label, _actions, fields in rows
        ]
    )
    Link = StatusCode.actions.through
    links = Link.objects.bulk_create(
        [
            Link(statuscode=status_code, action_id=action)
            for status_code, (_code, _label, actions, _fields) in zip(codes, rows, strict=True)
            for action in actions
        ]
    )
    # What simple-history records through the signals that bulk_create does not send: the
    # creation (no actions yet), then, where actions were linked, that change with the links.
    StatusCode.history.bulk_history_create(codes, default_change_reason=None)
    changes = StatusCode.history.bulk_history_create(
        [code for code, row in zip(codes, rows, strict=True) if row[2]],
        update=True,
        default_change_reason=None,
    )
    HistoricalLink = HistoricalRecords.m2m_models[StatusCode._meta.get_field("actions")]
    HistoricalLink.objects.bulk_create(
        [
            HistoricalLink(
                history=change,
                id=link.id,
                statuscode_id=link.statuscode_id,
                action_id=link.action_id,
            )
            for change in changes
            for link in sorted(links, key=lambda link: link.id)
            if link.statuscode_id == change.id
        ]
    )
    return codes


def make_user(username, **extra):
    return User.objects.create_user(username, f"{username}@example.com", PASSWORD, **extra)


def make_agent(username, group, *, language="en", enabled=True):
    return Agent.objects.create(
        user=make_user(username), group=group, language=language, status_codes_enabled=enabled
    )


@pytest.fixture
def support_list(db):
    code_list = StatusCodeList.objects.create(name="Support", description="Support workflow")
    rows = [
        ("LUNCH", "Lunch", "Almuerzo", ["take_break"], 60),
        ("SHORT", "Short Break", "Descanso corto", ["take_break"], 15),
        ("RESTROOM", "Restroom", "Baño", ["take_break"], 10),
        ("MEETING", "Attend Meeting", "Reunión", ["work_offline"], None),
        ("TRAINING", "Training", "Formación", ["work_offline"], None),
        ("EOS", "End of shift", "Fin de turno", ["logout"], None),
        (
            "CASE",
            "Working on a Case",
            "Trabajando en un caso",
            ["reject_phone", "reject_chat", "reject_email"],
            None,
        ),
        (
            "TECH",
            "Technical Issue",
            "Problema técnico",
            ["reject_phone", "reject_chat", "reject_email"],
            None,
        ),
    ]
    make_codes(
        code_list,
        [
            (
                code,
                en,
                actions,
                {"sort_order": order * 10, "max_minutes": max_minutes, "label_es": es},
            )
            for order, (code, en, es, actions, max_minutes) in enumerate(rows)
        ]
        + [("RETIRED", "Retired reason", ["take_break"], {"sort_order": 5, "active": False})],
    )
    return code_list


@pytest.fixture
def sales_list(db):
    code_list = StatusCodeList.objects.create(name="Sales")
    make_codes(
        code_list,
        [
            ("LUNCH", "Lunch", ["take_break"], {"max_minutes": 45, "label_es": "Almuerzo"}),
            ("COACHING", "Sales coaching", ["work_offline"], {"sort_order": 10}),
            ("EOS", "End of shift", ["logout"], {"sort_order": 20}),
        ],
    )
    return code_list


@pytest.fixture
def supervisor_a(db):
    return make_user("supervisor_a")


@pytest.fixture
def supervisor_b(db):
    return make_user("supervisor_b")


@pytest.fixture
def support_group(support_list, supervisor_a):
    group = AgentGroup.objects.create(name="Support Tier 1", code_list=support_list)
    group.supervisors.add(supervisor_a)
    return group


@pytest.fixture
def sales_group(sales_list, supervisor_b):
    group = AgentGroup.objects.create(name="Sales Team", code_list=sales_list)
    group.supervisors.add(supervisor_b)
    return group


@pytest.fixture
def ana(support_group):
    return make_agent("ana", support_group)


@pytest.fixture
def sofia(support_group):
    return make_agent("sofia", support_group, language="es")


@pytest.fixture
def nocode(support_group):
    return make_agent("nocode", support_group, enabled=False)


@pytest.fixture
def sam(sales_group):
    return make_agent("sam", sales_group)


@pytest.fixture
def administrator(db):
    user = make_user("administrator", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["statuscodes", "agents"])
    )
    return user


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.com", PASSWORD)


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client logged in as that user (or an Agent's user)."""

    def login(who):
        user = getattr(who, "user", who)
        client.force_login(user)
        return client

    return login
