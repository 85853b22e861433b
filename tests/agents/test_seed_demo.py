"""`manage.py seed_demo`: a realistic demo center, three weeks of history, safe to rerun.

Seeding takes seconds, so the tests that only read the demo center (`TestTheDemoCenter`) share
one, seeded once (once per xdist worker that runs some of them); the tests that seed it
themselves have their own database.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from agents.demo import seed_demo
from agents.models import Agent, AgentGroup, StatusEvent
from statuscodes.models import StatusCode, StatusCodeList

from ..conftest import FAST_PASSWORD_HASHERS
from .test_import_events import assert_timeline_chains

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
User = get_user_model()


@pytest.fixture(scope="class")
def seeded_once(django_db_setup, django_db_blocker):
    """The demo center at NOW, inside a transaction rolled back after the class's last test.

    Each test's own transaction nests in it (a savepoint), so a test cannot leave a change for
    the next one, and the database is left as the other tests expect it.
    """
    # The same password hasher as the tests' (tests/conftest.py), or checking "demo" would fail.
    hashers = override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS)
    with django_db_blocker.unblock(), hashers, transaction.atomic():
        seed_demo(now=NOW)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded_once, db):
    """The shared demo center, for tests that only read it."""


def counts() -> dict[str, int]:
    models = [StatusCodeList, StatusCode, AgentGroup, Agent, User, StatusEvent]
    counted = {model.__name__: model.objects.count() for model in models}
    # The audit history too: a second run must not record changes it did not make.
    for model in [StatusCodeList, StatusCode, AgentGroup, Agent]:
        counted[f"history of {model.__name__}"] = model.history.count()
    return counted


def test_seeding_twice_changes_nothing(db, capsys):
    call_command("seed_demo")
    first = counts()
    assert "Demo data: created 2 lists, 16 codes, 3 groups, 33 users, 30 agents" in (
        capsys.readouterr().out
    )

    call_command("seed_demo")

    assert counts() == first
    out = capsys.readouterr().out
    assert out.startswith("Demo data: already present.\n")
    assert "password for every demo user: demo" in out
    assert "administrator  admin" in out and "supervisor     maria" in out


class TestTheDemoCenter:
    """The demo center as seeded at NOW, read (never changed) by every test."""

    def test_support_and_sales_lists_carry_the_contract_codes_in_three_languages(self, demo):
        support = StatusCode.objects.filter(code_list__name="Support").order_by("sort_order")
        assert [(c.code, c.label_en, c.label_es, c.sort_order, c.max_minutes) for c in support] == [
            ("LUNCH", "Lunch", "Almuerzo", 0, 60),
            ("SHORT", "Short Break", "Descanso corto", 10, 15),
            ("RESTROOM", "Restroom", "Baño", 20, 10),
            ("MEETING", "Attend Meeting", "Reunión", 30, None),
            ("PROJECT", "Project Work", "Trabajo de proyecto", 40, None),
            ("TRAINING", "Training", "Formación", 50, None),
            ("OUTBOUND", "Outbound Call", "Llamada saliente", 60, None),
            ("EOS", "End of shift", "Fin de turno", 70, None),
            ("REBOOT", "PC Reboot", "Reinicio del PC", 80, None),
            ("CASE", "Working on a Case", "Trabajando en un caso", 90, None),
            ("TECH", "Technical Issue", "Problema técnico", 100, None),
            ("NOTREADY", "Not Ready for Interaction", "No listo", 110, None),
            ("NEARBREAK", "Nearing Break Time", "Cerca del descanso", 120, None),
        ]
        assert all(code.label_fr for code in StatusCode.objects.all())
        with translation.override("fr"):
            assert (
                StatusCode.objects.get(code_list__name="Support", code="LUNCH").label == "Déjeuner"
            )
        actions = {c.code: sorted(c.actions.values_list("key", flat=True)) for c in support}
        assert actions["SHORT"] == ["take_break"]
        assert actions["OUTBOUND"] == ["work_offline"]
        assert actions["REBOOT"] == ["logout"]
        assert actions["CASE"] == ["reject_chat", "reject_email", "reject_phone"]
        sales = StatusCode.objects.filter(code_list__name="Sales").order_by("sort_order")
        assert [(c.code, c.label_es, c.max_minutes) for c in sales] == [
            ("LUNCH", "Almuerzo", 45),
            ("COACHING", "Coaching de ventas", None),
            ("EOS", "Fin de turno", None),
        ]

    def test_groups_supervisors_agents_and_the_admin(self, demo):
        lists = dict(AgentGroup.objects.values_list("name", "code_list__name"))
        assert lists == {
            "Support Tier 1": "Support",
            "Support Tier 2": "Support",
            "Sales Team": "Sales",
        }
        supervised = {
            user.username: sorted(user.supervised_groups.values_list("name", flat=True))
            for user in User.objects.filter(supervised_groups__isnull=False).distinct()
        }
        assert supervised == {
            "maria": ["Support Tier 1", "Support Tier 2"],
            "tom": ["Sales Team", "Support Tier 2"],
        }
        agents = Agent.objects.all()
        assert agents.count() == 30
        assert agents.filter(status_codes_enabled=False).count() >= 2
        assert agents.filter(language="es").count() >= 3
        assert agents.filter(language="fr").count() == 1
        admin = User.objects.get(username="admin")
        assert admin.is_superuser and admin.check_password("demo")
        assert User.objects.get(username="ana").check_password("demo")

    def test_every_agent_has_three_weeks_of_chained_history(self, demo):
        for agent in Agent.objects.all():
            assert_timeline_chains(agent)
        assert set(StatusEvent.objects.values_list("source", flat=True)) == {"demo"}
        first = StatusEvent.objects.order_by("started_at").first().started_at
        assert NOW - first > timedelta(days=20)
        assert not StatusEvent.objects.filter(started_at__gt=NOW).exists()

    def test_history_has_coded_breaks_offline_work_rejections_and_logouts(self, demo):
        coded = StatusEvent.objects.filter(code__isnull=False)
        breaks = set(coded.filter(status="on_break").values_list("code__code", flat=True))
        assert {"LUNCH", "SHORT", "RESTROOM"} <= breaks
        assert coded.filter(status="work_offline").exists()
        assert set(coded.filter(status="logged_out").values_list("code__code", flat=True)) == {
            "EOS",
            "REBOOT",
        }
        assert coded.filter(kind="rejection").exists()
        # Some breaks run past their code's expected maximum, for the reports to flag.
        overlong = [
            event
            for event in coded.filter(status="on_break", ended_at__isnull=False).select_related(
                "code"
            )
            if event.ended_at - event.started_at > timedelta(minutes=event.code.max_minutes)
        ]
        assert overlong
        # Agents with the switch off worked without codes.
        off = StatusEvent.objects.filter(agent__status_codes_enabled=False, status="on_break")
        assert off.exists() and not off.filter(code__isnull=False).exists()

    def test_night_shifts_cross_midnight(self, demo):
        local = timezone.get_default_timezone()
        working = StatusEvent.objects.status_changes().exclude(status="logged_out")
        crossing = [
            event
            for event in working.filter(ended_at__isnull=False, agent__user__username="oliver")
            if timezone.localtime(event.started_at, local).date()
            != timezone.localtime(event.ended_at, local).date()
        ]
        assert len(crossing) >= 10  # about one a night, over three weeks

    def test_agents_are_in_a_variety_of_states_now(self, demo):
        now = {
            event.agent.username: (event.status, event.code.code if event.code else "")
            for event in StatusEvent.objects.ongoing().select_related("agent__user", "code")
        }
        assert len(now) == 30
        assert now["sofia"] == ("on_break", "LUNCH")
        statuses = {status for status, _ in now.values()}
        assert {"available", "busy", "on_break", "work_offline", "logged_out"} <= statuses
        lunch = StatusEvent.objects.ongoing().get(agent__user__username="sofia")
        assert NOW - lunch.started_at > timedelta(minutes=60)  # past LUNCH's 60 minutes


def test_demo_history_survives_a_daylight_saving_change(db, settings):
    settings.TIME_ZONE = "Europe/Madrid"

    seed_demo(now=datetime(2025, 4, 2, 8, 0, tzinfo=UTC))  # clocks went forward on 30 March

    for agent in Agent.objects.all():
        assert_timeline_chains(agent)
    start = StatusEvent.objects.filter(agent__user__username="ana").earliest("started_at")
    assert timezone.localtime(start.started_at).hour in (8, 9)  # a 9:00 shift, give or take
