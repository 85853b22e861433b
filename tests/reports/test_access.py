"""Who sees which report (docs/reports.md): supervisors their groups, report readers all, agents
none."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission

from tests.conftest import make_user
from tests.reports.conftest import REPORT_URLS, WINDOW

pytestmark = pytest.mark.django_db

EVERY_PAGE = ["/reports/", *REPORT_URLS]


def exported_agents(client, url: str, **filters) -> set[str]:
    response = client.get(url, {**WINDOW, **filters, "_export": "csv"})
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    return {row["agent"] for row in rows}


def table_agents(response) -> set[str]:
    records = [row.record for row in response.context["table"].paginated_rows]
    return {
        record["agent_username"] if isinstance(record, dict) else record.agent for record in records
    }


@pytest.mark.parametrize("url", EVERY_PAGE)
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", EVERY_PAGE)
def test_agents_see_no_report(client_for, ana, url):
    assert client_for(ana).get(url, WINDOW).status_code == 403


@pytest.mark.parametrize("url", REPORT_URLS)
def test_agents_cannot_export_either(client_for, ana, url):
    assert client_for(ana).get(url, {**WINDOW, "_export": "csv"}).status_code == 403


@pytest.mark.parametrize("url", REPORT_URLS)
def test_a_supervisor_sees_only_the_agents_of_their_groups(client_for, history, supervisor_a, url):
    assert exported_agents(client_for(supervisor_a), url) == {"ana", "sofia"}


@pytest.mark.parametrize("url", REPORT_URLS)
def test_the_other_supervisor_sees_only_their_group(client_for, history, supervisor_b, url):
    assert exported_agents(client_for(supervisor_b), url) == {"sam"}


@pytest.mark.parametrize("url", REPORT_URLS)
def test_the_page_shows_only_agents_in_scope(client_for, history, supervisor_b, url):
    response = client_for(supervisor_b).get(url, WINDOW)
    assert response.status_code == 200
    assert table_agents(response) == {"sam"}


@pytest.mark.parametrize("url", REPORT_URLS)
def test_report_readers_and_superusers_see_everyone(client_for, history, superuser, url):
    reader = make_user("reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_all_reports"))
    assert exported_agents(client_for(reader), url) == {"ana", "sofia", "sam"}
    assert exported_agents(client_for(superuser), url) == {"ana", "sofia", "sam"}


def test_filters_offer_only_the_groups_and_agents_in_scope(
    client_for, history, supervisor_a, sales_group
):
    form = client_for(supervisor_a).get("/reports/time-by-code/", WINDOW).context["filterset"].form
    assert [group.name for group in form.fields["group"].queryset] == ["Support Tier 1"]
    assert [str(agent) for agent in form.fields["agent"].queryset] == ["ana", "sofia"]
    assert {code.code_list.name for code in form.fields["code"].queryset} == {"Support"}


@pytest.mark.parametrize("url", REPORT_URLS)
def test_a_group_outside_scope_is_a_form_error(client_for, history, supervisor_a, sales_group, url):
    client = client_for(supervisor_a)
    response = client.get(url, {**WINDOW, "group": sales_group.pk})
    assert response.status_code == 200
    assert "group" in response.context["filterset"].errors
    assert "table" not in response.context
    assert "Select a valid choice" in response.content.decode()
    export = client.get(url, {**WINDOW, "group": sales_group.pk, "_export": "csv"})
    assert export.status_code == 400


@pytest.mark.parametrize("url", REPORT_URLS)
def test_an_agent_outside_scope_is_a_form_error(client_for, history, supervisor_a, sam, url):
    response = client_for(supervisor_a).get(url, {**WINDOW, "agent": sam.pk})
    assert "agent" in response.context["filterset"].errors
    assert "table" not in response.context


@pytest.mark.parametrize("url", REPORT_URLS)
def test_filtering_by_an_agent_in_scope_narrows_the_report(
    client_for, history, supervisor_a, sofia, url
):
    assert exported_agents(client_for(supervisor_a), url, agent=sofia.pk) == {"sofia"}
