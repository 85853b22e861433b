"""A group move in the admin while the agent's row is locked (PostgreSQL, threads).

A real history import for ana pauses inside its transaction, holding ana's row. Moving ana to
another group meanwhile — her change page, the Revert of her history, the group's "Add agents",
the agents import — waits at most AGENT_LOCK_TIMEOUT, then says so on the page (a form error, or
the import's row error) and changes nothing, instead of hanging until the import ends.
"""

import pytest
from django.db import connection

from agents.models import Agent, StatusEvent
from agents.services import agent_perform_action
from tests.admin_forms import change_form_data
from tests.conftest import make_user
from tests.hardening.paused_import import import_paused_in_its_transaction
from tests.importing import AGENT_HEADER, AGENTS, run_import, write_csv

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite's in-memory test database is not shared across threads",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LOCKED = "locked by an update in progress"


@pytest.fixture
def ana_at_work(ana, settings):
    settings.AGENT_LOCK_TIMEOUT = 0.5
    agent_perform_action(agent=ana, action="login", source="api")
    return ana


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def assert_not_moved(ana, support_group):
    assert Agent.objects.get(pk=ana.pk).group == support_group
    assert not StatusEvent.objects.filter(agent=ana, source="group_move").exists()


def test_the_agents_page_says_the_agent_is_locked(
    admin_client, ana_at_work, support_group, sales_group
):
    url = f"/admin/agents/agent/{ana_at_work.pk}/change/"
    data = change_form_data(admin_client.get(url)) | {"group": str(sales_group.pk)}

    with import_paused_in_its_transaction("ana"):
        response = admin_client.post(url, data)

    assert response.status_code == 200
    assert LOCKED in str(response.context["adminform"].form.non_field_errors())
    assert_not_moved(ana_at_work, support_group)


def test_reverting_the_agents_group_says_the_agent_is_locked(
    admin_client, ana_at_work, support_group, sales_group
):
    first_version = ana_at_work.history.earliest()
    ana_at_work.group = sales_group
    ana_at_work.save()  # a group set without a move, so that reverting is one
    url = f"/admin/agents/agent/{ana_at_work.pk}/history/{first_version.history_id}/"
    data = change_form_data(admin_client.get(url))

    with import_paused_in_its_transaction("ana"):
        response = admin_client.post(url, data)

    assert response.status_code == 200
    assert LOCKED in str(response.context["adminform"].form.non_field_errors())
    assert Agent.objects.get(pk=ana_at_work.pk).group == sales_group


def test_adding_the_agent_to_a_group_says_the_agent_is_locked(
    admin_client, ana_at_work, support_group, sales_group
):
    url = f"/admin/agents/agentgroup/{sales_group.pk}/change/"
    data = change_form_data(admin_client.get(url)) | {"add_agents": [str(ana_at_work.pk)]}

    with import_paused_in_its_transaction("ana"):
        response = admin_client.post(url, data)

    assert response.status_code == 200
    assert LOCKED in str(response.context["adminform"].form.errors["add_agents"])
    assert_not_moved(ana_at_work, support_group)


def test_the_agents_import_gives_the_locked_agents_row_an_error(
    tmp_path, ana_at_work, support_group, sales_group
):
    path = write_csv(
        tmp_path / "agents.csv",
        AGENT_HEADER,
        [["ana", "Ana", "", "ana@example.com", "Sales Team", "true", "en"]],
    )

    with import_paused_in_its_transaction("ana"):
        run = run_import(AGENTS, path)

    assert not run.ok
    assert LOCKED in run.err and "Traceback" not in run.err + run.out
    assert_not_moved(ana_at_work, support_group)
