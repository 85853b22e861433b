"""Supervisors act from the live board (docs/reports.md, "Acting from the live board"): each row
of an agent they supervise has the actions, with the agent's codes or none; the service records
the change with `changed_by`; the board says what happened; refusals record nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages

from agents.models import StatusEvent
from agents.services import agent_perform_action, agent_set_system_status, offer_create
from tests.conftest import make_code, make_user

pytestmark = pytest.mark.django_db

URL = "/reports/live/"


def act_url(username: str) -> str:
    return f"/reports/live/{username}/status/"


def said(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def board(response) -> dict:
    return {row.record["agent_username"]: row for row in response.context["table"].paginated_rows}


def ongoing(agent) -> tuple:
    event = StatusEvent.objects.ongoing().select_related("code", "changed_by").get(agent=agent)
    return (
        event.status,
        event.code.code if event.code else event.system_reason,
        event.source,
        event.changed_by.username if event.changed_by else None,
    )


@pytest.fixture
def on_shift(ana, sofia, sam):
    for agent in (ana, sofia, sam):
        agent_perform_action(agent=agent, action="login", source="console")
    return ana, sofia, sam


@pytest.fixture
def integration_user(db):
    user = make_user("telephony")
    user.user_permissions.add(Permission.objects.get(codename="act_for_other_agents"))
    return user


def test_each_row_of_the_supervisors_agents_has_the_actions_with_the_agents_codes(
    client_for, on_shift, supervisor_a
):
    response = client_for(supervisor_a).get(URL)
    rows = board(response)
    actions = rows["ana"].get_cell("actions")
    assert 'action="/reports/live/ana/status/"' in actions
    assert "csrfmiddlewaretoken" in actions
    # The break reasons of ana's list (active ones, in order), and "no reason".
    assert '<label for="act-ana-take_break-code">Break reason</label>' in actions
    select = actions.split('id="act-ana-take_break-code"')[1].split("</select>")[0]
    assert [part.split('"')[1] for part in select.split("<option value=")[1:]] == [
        "",
        "LUNCH",
        "SHORT",
        "RESTROOM",
    ]
    assert "RETIRED" not in select
    assert '<option value="EOS">End of shift</option>' in actions
    for button in ("Put on break", "Put offline", "Make available", "Log out"):
        assert button in actions


def test_only_the_agents_the_reader_supervises_have_actions(
    client_for, on_shift, supervisor_a, superuser
):
    rows = board(client_for(supervisor_a).get(URL))
    assert rows["sofia"].get_cell("actions")
    assert "sam" not in rows
    # A superuser reads every agent but supervises no group: nothing to act with.
    rows = board(client_for(superuser).get(URL))
    assert set(rows) == {"ana", "sofia", "sam"}
    assert not any(row.get_cell("actions") for row in rows.values())


def test_a_supervisor_logs_an_agent_out_with_a_reason(client_for, on_shift, supervisor_a):
    ana = on_shift[0]
    response = client_for(supervisor_a).post(
        act_url("ana"), {"action": "logout", "code": "EOS"}, follow=True
    )
    assert response.redirect_chain == [(URL, 302)]
    assert ongoing(ana) == ("logged_out", "EOS", "supervisor", "supervisor_a")
    assert said(response) == [("success", "ana is now logged out (End of shift).")]
    row = board(response)["ana"]
    assert (row.record["status_now"], row.record["code_label"], row.record["changed_by"]) == (
        "logged_out",
        "End of shift",
        "supervisor_a",
    )


def test_no_reason_records_the_system_reason_supervisor(client_for, on_shift, supervisor_a):
    ana = on_shift[0]
    response = client_for(supervisor_a).post(
        act_url("ana"), {"action": "take_break", "code": ""}, follow=True
    )
    assert ongoing(ana) == ("on_break", "supervisor", "supervisor", "supervisor_a")
    assert said(response) == [("success", "ana is now on break (Changed by a supervisor).")]
    row = board(response)["ana"]
    assert (row.record["code_key"], row.record["list_name"], row.record["code_label"]) == (
        "supervisor",
        "",
        "Changed by a supervisor",
    )


def test_putting_offline_then_available(client_for, on_shift, supervisor_a):
    sofia = on_shift[1]
    client = client_for(supervisor_a)
    response = client.post(
        act_url("sofia"), {"action": "work_offline", "code": "MEETING"}, follow=True
    )
    assert said(response) == [("success", "sofia is now working offline (Attend Meeting).")]
    response = client.post(act_url("sofia"), {"action": "go_available"})
    assert said(response) == [("success", "sofia is now available.")]
    assert ongoing(sofia) == ("available", "supervisor", "supervisor", "supervisor_a")


def test_a_busy_agents_change_waits_for_the_interaction(
    client_for, on_shift, supervisor_a, integration_user
):
    ana = on_shift[0]
    agent_set_system_status(agent=ana, status="busy", source="system", actor=integration_user)
    response = client_for(supervisor_a).post(act_url("ana"), {"action": "logout"})
    assert said(response) == [
        (
            "success",
            "ana is on an interaction: “Log out” will apply when it and its wrap-up end.",
        )
    ]
    assert ongoing(ana)[0] == "busy"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # A code of the list, but for another action.
        (
            {"action": "take_break", "code": "EOS"},
            "can be used with “Log out”, not with “Take break”",
        ),
        # A code of another group's list.
        ({"action": "work_offline", "code": "COACHING"}, "is not a code of"),
        # Already there.
        ({"action": "go_available"}, ""),
    ],
)
def test_a_refusal_is_said_and_nothing_is_recorded(
    client_for, on_shift, supervisor_a, data, reason
):
    ana = on_shift[0]
    before = StatusEvent.objects.filter(agent=ana).count()
    response = client_for(supervisor_a).post(act_url("ana"), data)
    assert response.status_code == 302
    [(level, text)] = said(response)
    assert level == "error"
    assert text.startswith("Nothing was changed for ana. ")
    assert reason in text
    assert StatusEvent.objects.filter(agent=ana).count() == before


def test_an_unknown_action_is_refused(client_for, on_shift, supervisor_a):
    response = client_for(supervisor_a).post(act_url("ana"), {"action": "busy"})
    assert said(response) == [("error", "Nothing was changed: choose one of the board’s actions.")]
    assert ongoing(on_shift[0])[0] == "available"


def test_back_to_the_same_board(client_for, on_shift, supervisor_a):
    response = client_for(supervisor_a).post(
        act_url("ana"),
        {"action": "take_break", "code": "LUNCH", "filters": "status=on_break&tz=Europe/Madrid"},
    )
    assert response["Location"] == f"{URL}?status=on_break&tz=Europe%2FMadrid"


def test_the_board_shows_an_offer_ringing_and_who_changed_the_status(
    client_for, on_shift, supervisor_a, integration_user
):
    ana, sofia, _sam = on_shift
    offer_create(agent=ana, channel="chat", actor=integration_user)
    client = client_for(supervisor_a)
    client.post(act_url("sofia"), {"action": "take_break", "code": "SHORT"})
    rows = board(client.get(URL))
    assert rows["ana"].get_cell("offer") == '<span class="status ringing">ringing: Chat</span>'
    assert rows["ana"].record["changed_by"] == ""
    assert "ringing" not in rows["sofia"].get_cell("offer")
    assert rows["sofia"].record["changed_by"] == "supervisor_a"


def test_the_board_in_spanish(client_for, on_shift, supervisor_a):
    ana = on_shift[0]
    make_code(ana.group.code_list, "COFFEE", "Coffee", ["take_break"], label_es="Café")
    client = client_for(supervisor_a)
    response = client.post(
        act_url("ana"),
        {"action": "take_break", "code": "COFFEE"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert said(response) == [("success", "ana está ahora en pausa (Café).")]
    response = client.post(act_url("ana"), {"action": "logout"}, HTTP_ACCEPT_LANGUAGE="es")
    assert said(response) == [
        ("success", "Se ha cerrado la sesión de ana (Cambiado por un supervisor).")
    ]
    content = client.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cambiado por un supervisor" in content
    assert "Actuar" in content
