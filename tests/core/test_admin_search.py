"""The admin's search ignores accents and letter case, both ways ("Jose" finds "José", "JOSÉ"
finds "Jose"), on agents, users, groups, code lists and codes (in every label language); run on
SQLite and PostgreSQL."""

import pytest

from agents.models import AgentGroup
from statuscodes.models import StatusCodeList
from tests.conftest import make_agent, make_user


@pytest.fixture
def people(support_group):
    jose = make_agent("jose", support_group)
    jose.user.first_name, jose.user.last_name = "José", "Núñez"
    jose.user.save()
    make_user("joseph", first_name="Joseph", last_name="Smith")
    make_user("maria", first_name="Maria", last_name="Lopez")
    AgentGroup.objects.create(name="Atención al cliente", code_list=support_group.code_list)
    StatusCodeList.objects.create(name="Réclamations")
    return jose


def results(client, path, query):
    response = client.get(path, {"q": query})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("query", ["Nunez", "nunez", "NÚÑEZ", "núñez", "José Núñez"])
def test_users_and_agents_are_found_without_their_accents_and_with_them(
    client_for, superuser, people, query
):
    client = client_for(superuser)
    users = results(client, "/admin/auth/user/", query)
    assert "jose" in users and "joseph" not in users and "maria" not in users
    assert ">jose<" in results(client, "/admin/agents/agent/", query)


def test_an_accent_in_the_query_finds_a_name_written_without_it(client_for, superuser, people):
    page = results(client_for(superuser), "/admin/auth/user/", "Lópéz")
    assert "maria" in page and "jose" not in page


def test_groups_code_lists_and_codes_ignore_accents(client_for, superuser, people):
    client = client_for(superuser)
    assert "Atención al cliente" in results(client, "/admin/agents/agentgroup/", "atencion")
    assert "Réclamations" in results(client, "/admin/statuscodes/statuscodelist/", "reclam")
    # MEETING's Spanish label is "Reunión"; RESTROOM's "Baño".
    codes = results(client, "/admin/statuscodes/statuscode/", "reunion")
    assert "MEETING" in codes and "RESTROOM" not in codes
    assert "RESTROOM" in results(client, "/admin/statuscodes/statuscode/", "BANO")


def test_a_search_that_matches_nothing_finds_nothing(client_for, superuser, people):
    page = results(client_for(superuser), "/admin/auth/user/", "Núñezz")
    assert "0 users" in page or "0 results" in page
