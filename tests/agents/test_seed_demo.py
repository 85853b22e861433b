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
from agents.models import Agent, AgentGroup, Offer, StatusEvent
from agents.selectors import agent_current_state, agent_pending_offer
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
        # The history is the demo's, but for what the system and the supervisors did.
        assert set(StatusEvent.objects.values_list("source", flat=True)) == {
            "demo",
            "system",
            "supervisor",
        }
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
            for event in coded.filter(
                status="on_break", ended_at__isnull=False, code__max_minutes__isnull=False
            ).select_related("code")
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


class TestTheAgentsDayInTheDemo:
    """The demo center's configuration and history show the agent's day, read at NOW."""

    def test_groups_run_the_agents_day_their_own_way(self, demo):
        groups = {group.name: group for group in AgentGroup.objects.select_related("login_code")}
        tier1, tier2, sales = (
            groups["Support Tier 1"],
            groups["Support Tier 2"],
            groups["Sales Team"],
        )
        assert (tier1.status_after_rejection, tier1.status_after_missed) == ("on_break", "on_break")
        assert (tier1.auto_return_seconds, tier1.login_status, tier1.timeout_action) == (
            120,
            "available",
            "logout",
        )
        assert (tier2.status_after_rejection, tier2.auto_return_seconds) == ("work_offline", 60)
        assert (tier2.login_status, tier2.login_code.code) == ("on_break", "NOTREADY")
        assert tier2.timeout_action == "go_available"
        assert (sales.status_after_rejection, sales.auto_return_seconds) == ("available", None)
        lunch = StatusCode.objects.get(code_list__name="Support", code="LUNCH")
        assert (lunch.max_minutes, lunch.auto_end_minutes) == (60, 90)

    def test_a_rejected_offer_is_followed_by_the_automatic_status_and_its_return(self, demo):
        for username, status in (("ana", "on_break"), ("lucas", "work_offline")):
            agent = Agent.objects.get(user__username=username)
            seconds = agent.group.auto_return_seconds
            rejections = agent.events.rejections().filter(missed=False, code__isnull=False)
            assert rejections.count() >= 10
            for rejection in rejections:
                after = agent.events.status_changes().get(started_at=rejection.started_at)
                assert (after.status, after.code_id, after.source) == (
                    status,
                    rejection.code_id,
                    "system",
                )
                assert after.ended_at - after.started_at == timedelta(seconds=seconds)
                back = agent.events.status_changes().get(started_at=after.ended_at)
                assert (back.status, back.source) == ("available", "system")

    def test_sales_stays_available_after_a_rejection(self, demo):
        sam = Agent.objects.get(user__username="sam")
        rejection = sam.events.rejections().filter(missed=False).first()
        interval = sam.events.status_changes().get(
            started_at__lte=rejection.started_at, ended_at__gt=rejection.started_at
        )
        assert interval.status == "available"

    def test_missed_offers_carry_the_system_reason(self, demo):
        missed = StatusEvent.objects.rejections().filter(missed=True)
        assert missed.count() >= 20
        assert set(missed.values_list("system_reason", "source", "code")) == {
            ("missed", "system", None)
        }
        for rejection in missed.filter(agent__user__username="ana"):
            after = StatusEvent.objects.status_changes().get(
                agent=rejection.agent, started_at=rejection.started_at
            )
            assert (after.status, after.system_reason, after.source) == (
                "on_break",
                "missed",
                "system",
            )

    def test_the_safety_net_ends_a_forgotten_lunch_at_its_instant(self, demo):
        timeouts = StatusEvent.objects.status_changes().filter(system_reason="timeout")
        assert {
            (event.agent.username, event.status, event.source)
            for event in timeouts.select_related("agent__user")
        } == {("liam", "logged_out", "system"), ("amelia", "available", "system")}
        for timeout in timeouts:
            lunch = StatusEvent.objects.status_changes().get(
                agent=timeout.agent, ended_at=timeout.started_at
            )
            assert lunch.code.code == "LUNCH"
            assert timeout.started_at - lunch.started_at == timedelta(minutes=90)

    def test_supervisors_changes_say_who_acted(self, demo):
        changed = StatusEvent.objects.filter(source="supervisor").select_related(
            "agent__user", "changed_by", "code"
        )
        assert {
            (
                event.agent.username,
                event.status,
                event.code.code if event.code else event.system_reason,
                event.changed_by.username,
            )
            for event in changed
        } == {("diego", "available", "supervisor", "maria"), ("grace", "logged_out", "EOS", "tom")}
        assert (
            not StatusEvent.objects.exclude(source="supervisor").exclude(changed_by=None).exists()
        )

    def test_tier_2_logs_in_not_ready(self, demo):
        lucas = Agent.objects.get(user__username="lucas")
        logins = lucas.events.status_changes().filter(previous_status="logged_out")
        assert logins.count() >= 10
        assert set(logins.values_list("status", "code__code")) == {("on_break", "NOTREADY")}

    def test_an_offer_rings_for_lucas(self, demo):
        lucas = Agent.objects.get(user__username="lucas")
        offer = agent_pending_offer(agent=lucas)
        assert offer.channel == "phone"
        assert agent_current_state(agent=lucas).status == "available"
        assert Offer.objects.count() == 1


def test_the_seed_output_names_the_agent_with_an_offer_ringing(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "an offer rings for lucas (phone)" in out


def test_demo_history_survives_a_daylight_saving_change(db, settings):
    settings.TIME_ZONE = "Europe/Madrid"

    seed_demo(now=datetime(2025, 4, 2, 8, 0, tzinfo=UTC))  # clocks went forward on 30 March

    for agent in Agent.objects.all():
        assert_timeline_chains(agent)
    start = StatusEvent.objects.filter(agent__user__username="ana").earliest("started_at")
    assert timezone.localtime(start.started_at).hour in (8, 9)  # a 9:00 shift, give or take
