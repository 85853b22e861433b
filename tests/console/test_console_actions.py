"""POSTs of the console forms: the rule applies, refusals are shown and record nothing."""

from django.http import HttpRequest
from django.test import Client

from agents.models import StatusEvent
from agents.selectors import agent_pending_offer
from agents.services import agent_current_state, agent_perform_action, offer_create
from tests.conftest import PASSWORD


def follow_post(client, url, data):
    response = client.post(url, data, follow=True)
    assert response.redirect_chain == [("/console/", 302)]
    return response.content.decode()


def test_login_then_break_with_code(ana, client_for):
    client = client_for(ana)
    html = follow_post(client, "/console/status/", {"action": "login"})
    assert "You are now available." in html
    html = follow_post(client, "/console/status/", {"action": "take_break", "code": "LUNCH"})
    assert "You are now on break (Lunch)." in html
    state = agent_current_state(agent=ana)
    assert (state.status, state.code.code) == ("on_break", "LUNCH")
    assert set(StatusEvent.objects.values_list("source", flat=True)) == {"console"}


def test_break_without_code_is_refused_with_a_message(ana, client_for):
    client = client_for(ana)
    follow_post(client, "/console/status/", {"action": "login"})
    html = follow_post(client, "/console/status/", {"action": "take_break", "code": ""})
    assert 'class="error"' in html and "Choose a status code for “Take break”" in html
    assert agent_current_state(agent=ana).status == "available"
    assert StatusEvent.objects.count() == 1


def test_refusal_message_for_a_code_of_another_action(ana, client_for):
    client = client_for(ana)
    follow_post(client, "/console/status/", {"action": "login"})
    html = follow_post(client, "/console/status/", {"action": "take_break", "code": "MEETING"})
    assert (
        "The code “Attend Meeting” can be used with “Work offline”, not with “Take break”." in html
    )
    assert StatusEvent.objects.count() == 1


def test_invalid_transition_is_refused_with_a_message(ana, client_for):
    html = follow_post(client_for(ana), "/console/status/", {"action": "logout", "code": "EOS"})
    assert (
        "“Log out” is not possible while your status is “Logged out”. You can now choose "
        "“Log in”." in html
    )
    assert not StatusEvent.objects.exists()


def test_incomplete_post_changes_nothing(ana, client_for):
    html = follow_post(client_for(ana), "/console/status/", {})
    assert "incomplete" in html
    assert not StatusEvent.objects.exists()


def test_a_code_that_cannot_be_a_key_gets_the_services_refusal(ana, client_for, supervisor_a):
    client = client_for(ana)
    follow_post(client, "/console/status/", {"action": "login"})
    offer = offer_create(agent=ana, channel="phone", actor=supervisor_a)
    for code in ("LUNCH BREAK", "L" * 33, "L" * 101):
        html = follow_post(client, "/console/status/", {"action": "take_break", "code": code})
        assert "is not a status code: a code is 1 to 32 letters, digits" in html
        html = follow_post(client, f"/console/offers/{offer.pk}/reject/", {"code": code})
        assert "is not a status code: a code is 1 to 32 letters, digits" in html
    assert StatusEvent.objects.count() == 1  # the login only
    assert agent_pending_offer(agent=ana) == offer


def test_forms_carry_a_csrf_token_and_work_with_csrf_checks_on(ana):
    client = Client(enforce_csrf_checks=True)
    client.login(request=HttpRequest(), username="ana", password=PASSWORD)
    assert client.post("/console/status/", {"action": "login"}).status_code == 403
    html = client.get("/console/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    token = client.cookies["csrftoken"].value
    response = client.post("/console/status/", {"action": "login", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert agent_current_state(agent=ana).status == "available"


def test_posts_need_an_agent_and_a_post(supervisor_a, ana, client_for):
    assert client_for(supervisor_a).post("/console/status/", {"action": "login"}).status_code == (
        403
    )
    assert client_for(ana).get("/console/status/").status_code == 405
    anonymous = Client().post("/console/status/", {"action": "login"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert not StatusEvent.objects.exists()


def test_a_break_posted_while_busy_waits_as_the_pending_change(ana, client_for):
    from agents.selectors import agent_pending_change
    from agents.services import agent_set_system_status

    agent_perform_action(agent=ana, action="login", source="console")
    agent_set_system_status(agent=ana, status="busy", source="system")
    response = client_for(ana).post(
        "/console/status/", {"action": "take_break", "code": "LUNCH"}, follow=True
    )
    assert "will apply when your interaction and its wrap-up end" in response.content.decode()
    assert agent_pending_change(agent=ana).action == "take_break"
