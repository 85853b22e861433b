"""The header's "Sign out" ends the web session; an agent still in the contact center is asked
whether to log out of it too (with a logout reason where the list requires one)."""

import re

import pytest

from agents.models import StatusEvent
from agents.selectors import agent_current_state
from agents.services import agent_perform_action, agent_set_system_status

pytestmark = pytest.mark.django_db

SIGN_OUT = "/accounts/sign-out/"


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_header_says_sign_out_and_the_console_says_log_out_end_of_shift(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    html = client_for(ana).get("/console/").content.decode()
    assert re.search(r'action="/accounts/sign-out/".*?>Sign out</button>', html)
    assert ">Log out</button>" not in html
    assert "Log out (end of shift)</button>" in html


def test_a_logged_out_agent_signs_out_at_once(ana, client_for):
    client = client_for(ana)
    response = client.post(SIGN_OUT)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not signed_in(client)
    assert "You are signed out." in text(client.get(response["Location"]).content.decode())


def test_an_agent_on_break_is_asked_before_signing_out(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
    client = client_for(ana)
    response = client.post(SIGN_OUT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are still on break (Lunch)" in text(html)
    assert "Log out of the contact center too?" in text(html)
    assert re.findall(r'<option value="([^"]*)">', html) == ["", "EOS"]
    assert 'id="sign-out-code" required' in html
    assert re.search(r'name="choice" value="logout">Log out and sign out</button>', html)
    assert re.search(r'name="choice" value="sign_out"[^>]*>Sign out only</button>', html)
    assert signed_in(client)


def test_the_question_names_the_code_in_the_agents_language(sofia, client_for):
    agent_perform_action(agent=sofia, action="login", source="console")
    agent_perform_action(agent=sofia, action="take_break", code="LUNCH", source="console")
    html = client_for(sofia).post(SIGN_OUT).content.decode()
    assert "Todavía estás en descanso (Almuerzo)" in text(html)


def test_log_out_and_sign_out_records_the_logout_with_its_reason(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
    client = client_for(ana)
    response = client.post(SIGN_OUT, {"choice": "logout", "code": "EOS"})
    assert response.status_code == 302
    assert not signed_in(client)
    state = agent_current_state(agent=ana)
    assert (state.status, state.code.code) == ("logged_out", "EOS")
    assert StatusEvent.objects.filter(agent=ana).latest("started_at").source == "console"
    assert "You are logged out of the contact center and signed out." in text(
        client.get(response["Location"]).content.decode()
    )


def test_log_out_without_the_required_reason_is_refused_and_nothing_changes(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    client = client_for(ana)
    events = StatusEvent.objects.count()
    response = client.post(SIGN_OUT, {"choice": "logout", "code": ""})
    assert response.status_code == 200
    assert "You are still available" in text(response.content.decode())
    assert 'class="error"' in response.content.decode()
    assert signed_in(client)
    assert StatusEvent.objects.count() == events
    assert agent_current_state(agent=ana).status == "available"


def test_a_reason_from_another_action_is_refused(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    client = client_for(ana)
    response = client.post(SIGN_OUT, {"choice": "logout", "code": "LUNCH"})
    assert response.status_code == 200
    assert signed_in(client)
    assert agent_current_state(agent=ana).status == "available"


def test_sign_out_only_leaves_the_status_as_it_is(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
    client = client_for(ana)
    response = client.post(SIGN_OUT, {"choice": "sign_out"})
    assert response.status_code == 302
    assert not signed_in(client)
    assert agent_current_state(agent=ana).status == "on_break"


def test_a_busy_agent_may_only_sign_out(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    agent_set_system_status(agent=ana, status="busy", source="system")
    html = client_for(ana).post(SIGN_OUT).content.decode()
    assert "You are still busy with an interaction" in text(html)
    assert "You cannot log out of the contact center during an interaction" in text(html)
    assert 'value="logout"' not in html
    assert "Sign out only" in html


def test_someone_who_is_not_an_agent_just_signs_out(caller, support_group):
    client = caller("supervisor_a")
    assert "Sign out of this website?" in client.get(SIGN_OUT).content.decode()
    response = client.post(SIGN_OUT)
    assert response.status_code == 302
    assert not signed_in(client)


def test_a_garbled_choice_is_refused_and_nothing_changes(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    client = client_for(ana)
    response = client.post(SIGN_OUT, {"choice": "explode"})
    assert response.status_code == 200
    assert "nothing was changed" in text(response.content.decode())
    assert signed_in(client)
