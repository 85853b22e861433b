"""Every people page of the admin renders for administrators and refuses other staff."""

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import Agent, ApiToken, StatusEvent

from ..conftest import make_agent, make_user


@pytest.fixture
def timeline(ana, sofia):
    """A break of Ana and a rejection of Sofia, with codes."""
    codes = ana.group.code_list.codes
    now = timezone.now()
    StatusEvent.objects.create(
        agent=ana,
        group=ana.group,
        kind="status",
        status="on_break",
        code=codes.get(code="LUNCH"),
        started_at=now,
        source="admin",
    )
    return StatusEvent.objects.create(
        agent=sofia,
        group=sofia.group,
        kind="rejection",
        channel="phone",
        code=codes.get(code="CASE"),
        started_at=now,
        source="api",
    )


@pytest.fixture
def token(ana):
    token = ApiToken(user=ana.user, name="Dialer")
    token.set_new_key()
    token.save()
    return token


def people_pages(group, agent, event, token):
    return [
        reverse("admin:app_list", args=["agents"]),
        reverse("admin:agents_agentgroup_changelist"),
        reverse("admin:agents_agentgroup_add"),
        reverse("admin:agents_agentgroup_change", args=[group.pk]),
        reverse("admin:agents_agentgroup_history", args=[group.pk]),
        reverse(
            "admin:agents_agentgroup_simple_history",
            args=[group.pk, group.history.latest().history_id],
        ),
        reverse("admin:agents_agentgroup_delete", args=[group.pk]),
        reverse("admin:agents_agentgroup_import"),
        reverse("admin:agents_agentgroup_export"),
        reverse("admin:agents_agent_changelist"),
        reverse("admin:agents_agent_add"),
        reverse("admin:agents_agent_change", args=[agent.pk]),
        reverse("admin:agents_agent_history", args=[agent.pk]),
        reverse(
            "admin:agents_agent_simple_history", args=[agent.pk, agent.history.latest().history_id]
        ),
        reverse("admin:agents_agent_delete", args=[agent.pk]),
        reverse("admin:agents_agent_import"),
        reverse("admin:agents_agent_export"),
        reverse("admin:agents_statusevent_changelist"),
        reverse("admin:agents_statusevent_change", args=[event.pk]),
        reverse("admin:agents_apitoken_changelist"),
        reverse("admin:agents_apitoken_add"),
        reverse("admin:agents_apitoken_change", args=[token.pk]),
    ]


@pytest.mark.parametrize("who", ["superuser", "administrator"])
def test_people_pages_render_for_administrators(request, who, timeline, token, client_for):
    client = client_for(request.getfixturevalue(who))
    for url in people_pages(timeline.agent.group, timeline.agent, timeline, token):
        assert client.get(url).status_code == 200, url


def test_staff_without_permissions_is_refused(timeline, token, client_for):
    client = client_for(make_user("clerk", is_staff=True))
    pages = people_pages(timeline.agent.group, timeline.agent, timeline, token)
    assert client.get(pages[0]).status_code == 404
    for url in pages[1:]:
        assert client.get(url).status_code == 403, url


def test_agent_is_found_by_name_or_email(ana, sofia, client_for, superuser):
    sofia.user.last_name = "Ruiz"
    sofia.user.save()
    url = reverse("admin:agents_agent_changelist")
    client = client_for(superuser)

    by_name = client.get(url, {"q": "ruiz"}).context["cl"].result_list
    by_email = client.get(url, {"q": "ana@example.com"}).context["cl"].result_list

    assert [agent.username for agent in by_name] == ["sofia"]
    assert [agent.username for agent in by_email] == ["ana"]


def test_agents_are_filtered_by_switch_and_language(ana, sofia, nocode, client_for, superuser):
    url = reverse("admin:agents_agent_changelist")
    client = client_for(superuser)

    disabled = client.get(url, {"status_codes_enabled__exact": "0"}).context["cl"].result_list
    spanish = client.get(url, {"language__exact": "es"}).context["cl"].result_list

    assert [agent.username for agent in disabled] == ["nocode"]
    assert [agent.username for agent in spanish] == ["sofia"]


def test_group_changelist_counts_agents(ana, sofia, nocode, sam, client_for, superuser):
    response = client_for(superuser).get(reverse("admin:agents_agentgroup_changelist"))

    rows = {group.name: group for group in response.context["cl"].result_list}
    assert (rows["Support Tier 1"].agents_count, rows["Support Tier 1"].enabled_count) == (3, 2)
    assert rows["Sales Team"].agents_count == 1
    assert "supervisor_a" in response.content.decode()


def test_events_are_searched_by_username_and_code(timeline, client_for, superuser):
    url = reverse("admin:agents_statusevent_changelist")
    client = client_for(superuser)

    by_user = client.get(url, {"q": "sofia"}).context["cl"].result_list
    by_code = client.get(url, {"q": "LUNCH"}).context["cl"].result_list

    assert [event.channel for event in by_user] == ["phone"]
    assert [event.status for event in by_code] == ["on_break"]


def test_events_are_filtered_by_kind(timeline, client_for, superuser):
    url = reverse("admin:agents_statusevent_changelist")
    response = client_for(superuser).get(url, {"kind__exact": "rejection"})
    assert [event.agent.username for event in response.context["cl"].result_list] == ["sofia"]


def test_changelists_take_a_fixed_number_of_queries(
    timeline, token, client_for, superuser, django_assert_max_num_queries
):
    group = timeline.agent.group
    start = timezone.now()
    for number in range(25):
        agent = make_agent(f"agent{number}", group)
        StatusEvent.objects.create(
            agent=agent,
            group=agent.group,
            kind="status",
            status="work_offline",
            code=group.code_list.codes.get(code="MEETING"),
            started_at=start,
            source="admin",
        )
        extra = ApiToken(user=agent.user, name=f"Token {number}")
        extra.set_new_key()
        extra.save()
    client = client_for(superuser)
    for name, most in [
        ("agents_agentgroup_changelist", 8),
        ("agents_agent_changelist", 7),
        ("agents_statusevent_changelist", 8),
        ("agents_apitoken_changelist", 6),
    ]:
        with django_assert_max_num_queries(most):
            assert client.get(reverse(f"admin:{name}")).status_code == 200
    with django_assert_max_num_queries(10):
        assert (
            client.get(reverse("admin:agents_agentgroup_change", args=[group.pk])).status_code
            == 200
        )
    assert Agent.objects.count() == 27
