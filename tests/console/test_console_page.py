"""GET /console/: the agent's status, time in it, and the actions possible now with codes."""

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from agents.models import StatusEvent
from agents.services import agent_perform_action, agent_set_system_status


def page(client):
    response = client.get("/console/")
    assert response.status_code == 200
    return response.content.decode()


def options(html, select_id):
    select = re.search(rf'<select name="code" id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no drop-down {select_id}"
    return re.findall(r'<option value="([^"]*)">([^<]*)</option>', select.group(1))


def test_anonymous_is_sent_to_the_login_page(db):
    response = Client().get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_user_who_is_not_an_agent_gets_a_clear_403(supervisor_a, client_for):
    response = client_for(supervisor_a).get("/console/")
    assert response.status_code == 403
    assert "is not an agent" in response.content.decode()


def test_logged_out_agent_can_only_log_in(ana, client_for):
    html = page(client_for(ana))
    assert "Logged out" in html
    assert 'name="action" value="login"' in html
    assert 'value="take_break"' not in html
    assert "Reject an interaction" not in html


def test_available_agent_sees_actions_with_required_drop_downs_in_order(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    html = page(client_for(ana))
    assert "Available" in html
    assert options(html, "code-do-take_break") == [
        ("", "— choose a reason —"),
        ("LUNCH", "Lunch"),
        ("SHORT", "Short Break"),
        ("RESTROOM", "Restroom"),
    ]
    assert re.search(r'id="code-do-take_break" required', html)
    assert [code for code, _ in options(html, "code-do-work_offline")] == [
        "",
        "MEETING",
        "TRAINING",
    ]
    assert [code for code, _ in options(html, "code-do-logout")] == ["", "EOS"]
    # Nothing rings: there is nothing to reject.
    assert "code-reject-" not in html and ">Reject<" not in html
    assert 'value="login"' not in html
    assert "RETIRED" not in html


def test_spanish_agent_sees_spanish_labels(sofia, client_for):
    agent_perform_action(agent=sofia, action="login", source="console")
    html = page(client_for(sofia))
    assert ("LUNCH", "Almuerzo") in options(html, "code-do-take_break")


def test_spanish_labels_are_shown_even_before_login(sofia, client_for):
    # A logged-out agent can already read the list of their codes, in their language.
    html = page(client_for(sofia))
    assert '<details class="console-codes" open>' in html
    assert 'Almuerzo <span class="muted">(LUNCH)</span>' in html


def test_on_break_shows_the_code_label_and_time_in_status(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
    html = page(client_for(ana))
    assert "On break" in html and 'class="console-code">Lunch<' in html
    assert re.search(r'class="console-elapsed" datetime="[^"]+" data-elapsed="0"', html)
    assert ">0:00:00</time>" in html
    assert "expected at most 60 min" in html


def test_disabled_agent_has_optional_drop_downs(nocode, client_for):
    agent_perform_action(agent=nocode, action="login", source="console")
    html = page(client_for(nocode))
    assert options(html, "code-do-take_break")[0] == ("", "— no reason —")
    assert not re.search(r'id="code-do-take_break" required', html)
    assert "Status codes are optional for you." in html


def test_busy_agent_goes_available_or_asks_for_a_change_after_the_interaction(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    agent_set_system_status(agent=ana, status="busy", source="system")
    html = page(client_for(ana))
    actions = re.findall(r'name="action" value="([a-z_]+)"', html)
    assert actions == ["go_available", "take_break", "work_offline", "logout"]
    assert "After this interaction</h2>" in html
    assert [code for code, _ in options(html, "code-later-take_break")] == [
        "",
        "LUNCH",
        "SHORT",
        "RESTROOM",
    ]


def test_available_agent_has_no_after_this_interaction_part(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    assert "After this interaction" not in page(client_for(ana))


def test_page_takes_a_fixed_number_of_queries(ana, client_for, django_assert_max_num_queries):
    client = client_for(ana)
    agent_perform_action(agent=ana, action="login", source="console")
    # 8 for the page, 4 for the header's doors (is an agent; may read reports: the permissions,
    # two queries, and the supervised groups).
    with django_assert_max_num_queries(12):
        page(client)


def test_page_loads_its_script_locally(ana, client_for):
    html = page(client_for(ana))
    assert '<script src="/static/js/console.js" defer></script>' in html


def started_ago(agent, delta):
    """Move the start of the agent's ongoing interval `delta` into the past."""
    StatusEvent.objects.ongoing().filter(agent=agent).update(started_at=timezone.now() - delta)


def test_the_page_tells_its_clock_when_the_codes_maximum_will_be_passed(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
    started_ago(ana, timedelta(minutes=59))  # LUNCH: at most 60 minutes
    html = page(client_for(ana))
    assert 'class="console-elapsed" ' in html
    exceeds_in = int(re.search(r'data-exceeds-in="(\d+)"', html).group(1))
    # About a minute from the page's rendering (the request itself takes a moment).
    assert 50_000 < exceeds_in <= 60_001


def test_over_the_codes_maximum_the_clock_is_a_warning_and_nothing_is_left_to_switch(
    ana, client_for
):
    agent_perform_action(agent=ana, action="login", source="console")
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
    started_ago(ana, timedelta(minutes=61))
    html = page(client_for(ana))
    assert 'class="console-elapsed exceeded"' in html
    assert re.search(r">1:01:0\d</time>", html)
    assert "data-exceeds-in" not in html


def test_without_a_maximum_there_is_nothing_to_switch(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    started_ago(ana, timedelta(hours=9))
    html = page(client_for(ana))
    assert 'class="console-elapsed" ' in html and re.search(r">9:00:0\d</time>", html)
    assert "data-exceeds-in" not in html
