"""Importing agent groups and agents (docs/imports.md): identity, user creation, all or nothing."""

import pytest
from django.contrib.auth import get_user_model

from agents.models import Agent, AgentGroup
from tests.importing import (
    AGENT_HEADER,
    AGENTS,
    GROUP_HEADER,
    GROUPS,
    database_state,
    export,
    export_rows,
    run_import,
    write_csv,
)

User = get_user_model()
pytestmark = pytest.mark.django_db


def groups_csv(tmp_path, rows):
    return write_csv(tmp_path / "groups.csv", GROUP_HEADER, rows)


def agents_csv(tmp_path, rows):
    return write_csv(tmp_path / "agents.csv", AGENT_HEADER, rows)


def supervisor_names(group):
    return sorted(group.supervisors.values_list("username", flat=True))


# Agent groups


def test_groups_are_created_with_their_list_and_supervisors(
    tmp_path, support_list, supervisor_a, supervisor_b
):
    rows = [
        ["Back office", "Support", "supervisor_a; supervisor_b"],
        ["Night shift", "", ""],
    ]

    run = run_import(GROUPS, groups_csv(tmp_path, rows))

    assert run.ok, run.err
    assert "2 new, 0 updated" in run.out
    back_office = AgentGroup.objects.get(name="Back office")
    assert back_office.code_list == support_list
    assert supervisor_names(back_office) == ["supervisor_a", "supervisor_b"]
    night = AgentGroup.objects.get(name="Night shift")
    assert night.code_list is None
    assert supervisor_names(night) == []


def test_a_row_with_an_existing_name_updates_that_group(
    tmp_path, support_group, sales_list, supervisor_b
):
    run = run_import(GROUPS, groups_csv(tmp_path, [["Support Tier 1", "Sales", "supervisor_b"]]))

    assert run.ok, run.err
    assert "0 new, 1 updated" in run.out
    support_group.refresh_from_db()
    assert support_group.code_list == sales_list
    assert supervisor_names(support_group) == ["supervisor_b"]


def test_groups_export_then_import_changes_nothing(tmp_path, support_group, sales_group):
    support_group.supervisors.add(User.objects.get(username="supervisor_b"))
    path = tmp_path / "groups.csv"
    path.write_bytes(export(GROUPS))
    before = database_state()

    run = run_import(GROUPS, path)

    assert run.ok, run.err
    assert "0 new, 0 updated, 2 skipped" in run.out
    assert database_state() == before
    assert export_rows(GROUPS)[1] == {
        "name": "Support Tier 1",
        "code_list": "Support",
        "supervisors": "supervisor_a;supervisor_b",
    }


@pytest.mark.parametrize(
    "row, reason",
    [
        (
            ["Back office", "Nowhere", ""],
            "code_list: There is no status code list named “Nowhere”.",
        ),
        (
            ["Back office", "", "supervisor_a;ghost;phantom"],
            "supervisors: Unknown supervisor usernames: “ghost”, “phantom”.",
        ),
        (["", "Support", ""], "name: Give the group's name."),
        (["G" * 101, "", ""], "name: Ensure this value has at most 100 characters (it has 101)."),
        (["Support Tier 1", "", ""], "Repeats line 2: name “Support Tier 1” may appear only once."),
    ],
)
def test_a_bad_group_row_refuses_the_whole_file(tmp_path, support_group, row, reason):
    before = database_state()
    good_row = ["Support Tier 1", "", ""]

    run = run_import(GROUPS, groups_csv(tmp_path, [good_row, row]))

    assert not run.ok
    assert run.problems == [f"line 3: {reason}"]
    assert database_state() == before


# Agents


def test_an_agent_is_created_with_a_new_user_who_has_no_usable_password(tmp_path, support_group):
    rows = [["maria", "María", "López", "Maria@Example.COM", "Support Tier 1", "no", "ES"]]

    run = run_import(AGENTS, agents_csv(tmp_path, rows))

    assert run.ok, run.err
    assert "1 new" in run.out
    agent = Agent.objects.select_related("user").get(user__username="maria")
    assert (agent.group, agent.status_codes_enabled, agent.language) == (
        support_group,
        False,
        "es",
    )
    user = agent.user
    assert (user.first_name, user.last_name, user.email) == ("María", "López", "Maria@example.com")
    assert not user.has_usable_password()
    assert user.is_active and not user.is_staff
    assert agent.history.count() == 1


def test_empty_switch_and_language_mean_enabled_and_the_primary_language(tmp_path, support_group):
    assert run_import(
        AGENTS, agents_csv(tmp_path, [["li", "", "", "", "Support Tier 1", "", ""]])
    ).ok

    agent = Agent.objects.get(user__username="li")
    assert (agent.status_codes_enabled, agent.language) == (True, "en")


def test_an_existing_user_without_an_agent_becomes_an_agent(tmp_path, support_group, supervisor_a):
    password = supervisor_a.password
    rows = [["supervisor_a", "Sue", "Visor", "sue@example.com", "Support Tier 1", "true", "en"]]

    run = run_import(AGENTS, agents_csv(tmp_path, rows))

    assert run.ok, run.err
    supervisor_a.refresh_from_db()
    assert supervisor_a.agent.group == support_group
    assert supervisor_a.first_name == "Sue"
    assert supervisor_a.password == password  # the import never touches a password
    assert User.objects.filter(username="supervisor_a").count() == 1


def test_a_row_for_an_existing_agent_updates_agent_and_user(tmp_path, ana, sales_group):
    rows = [["ana", "Ana", "Smith", "ana.smith@example.com", "Sales Team", "false", "fr"]]

    run = run_import(AGENTS, agents_csv(tmp_path, rows))

    assert run.ok, run.err
    assert "0 new, 1 updated" in run.out
    ana.refresh_from_db()
    ana.user.refresh_from_db()
    assert (ana.group, ana.status_codes_enabled, ana.language) == (sales_group, False, "fr")
    assert (ana.user.last_name, ana.user.email) == ("Smith", "ana.smith@example.com")


def test_changing_only_a_users_name_adds_no_agent_history(tmp_path, ana):
    history = ana.history.count()
    rows = [["ana", "Anabel", "", "ana@example.com", "Support Tier 1", "true", "en"]]

    run = run_import(AGENTS, agents_csv(tmp_path, rows))

    assert run.ok, run.err
    assert "1 updated" in run.out
    assert User.objects.get(username="ana").first_name == "Anabel"
    assert ana.history.count() == history


def test_agents_export_then_import_changes_nothing(tmp_path, ana, sofia, nocode, sam):
    path = tmp_path / "agents.csv"
    path.write_bytes(export(AGENTS))
    before = database_state()

    run = run_import(AGENTS, path)

    assert run.ok, run.err
    assert "0 new, 0 updated, 4 skipped" in run.out
    assert database_state() == before
    assert export_rows(AGENTS)[0] == {
        "username": "ana",
        "first_name": "",
        "last_name": "",
        "email": "ana@example.com",
        "group": "Support Tier 1",
        "status_codes_enabled": "true",
        "language": "en",
    }


@pytest.mark.parametrize(
    "row, reason",
    [
        (
            ["nina", "", "", "", "Nowhere", "true", "en"],
            "group: There is no agent group named “Nowhere”.",
        ),
        (["nina", "", "", "", "", "true", "en"], "group: Give the agent group's name."),
        (
            ["nina", "", "", "", "Support Tier 1", "true", "de"],
            "language: Language “de” is not configured; use one of: en, es, fr.",
        ),
        (
            ["nina", "", "", "not-an-email", "Support Tier 1", "true", "en"],
            "email: Enter a valid email address.",
        ),
        (
            ["nina", "", "", "", "Support Tier 1", "sometimes", "en"],
            "status_codes_enabled: “sometimes” is not true or false.",
        ),
        (
            ["nina lopez", "", "", "", "Support Tier 1", "true", "en"],
            "username: Enter a valid username.",
        ),
        (
            ["", "Nina", "", "", "Support Tier 1", "true", "en"],
            "username: Give the agent's username.",
        ),
        (
            ["nina", "N" * 151, "", "", "Support Tier 1", "true", "en"],
            "first_name: Ensure this value has at most 150 characters (it has 151).",
        ),
        (
            ["newbie", "", "", "", "Support Tier 1", "true", "en"],
            "Repeats line 2: username “newbie” may appear only once.",
        ),
    ],
)
def test_a_bad_agent_row_refuses_the_whole_file_and_creates_no_user(
    tmp_path, support_group, row, reason
):
    before = database_state()
    good_row = ["newbie", "New", "Bie", "newbie@example.com", "Support Tier 1", "true", "en"]

    run = run_import(AGENTS, agents_csv(tmp_path, [good_row, row]))

    assert not run.ok
    assert any(problem.startswith(f"line 3: {reason}") for problem in run.problems), run.problems
    assert database_state() == before
    assert not User.objects.filter(username="newbie").exists()


def test_an_import_cannot_change_the_email_of_a_staff_account(tmp_path, support_group, superuser):
    rows = [["root", "", "", "attacker@example.com", "Support Tier 1", "true", "en"]]

    run = run_import(AGENTS, agents_csv(tmp_path, rows))

    assert not run.ok
    assert run.problems == [
        "line 2: email: “root” is a staff account: change its email address in the users "
        "admin, not by import."
    ]
    superuser.refresh_from_db()
    assert superuser.email == "root@example.com"
    assert not Agent.objects.filter(user=superuser).exists()


def test_a_new_group_by_import_splits_the_agents_ongoing_interval(tmp_path, ana, sales_group):
    from agents.services import agent_perform_action

    agent_perform_action(agent=ana, action="login", source="console")
    support = ana.group
    rows = [["ana", "", "", "ana@example.com", "Sales Team", "true", "en"]]

    run = run_import(AGENTS, agents_csv(tmp_path, rows))

    assert run.ok, run.err
    login, move = ana.events.order_by("started_at")
    assert (login.group, login.ended_at) == (support, move.started_at)
    assert (move.group, move.source, move.status) == (sales_group, "group_move", "available")
    assert move.ended_at is None


def test_a_dry_run_import_moves_no_one(tmp_path, ana, sales_group):
    from agents.services import agent_perform_action

    agent_perform_action(agent=ana, action="login", source="console")
    rows = [["ana", "", "", "ana@example.com", "Sales Team", "true", "en"]]

    run = run_import(AGENTS, agents_csv(tmp_path, rows), "--dry-run")

    assert run.ok, run.err
    assert ana.events.count() == 1
    assert Agent.objects.get(pk=ana.pk).group != sales_group
