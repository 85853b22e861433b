"""The console's part of the agent's day: an offer ringing (Accept, Reject with a reason), the
pending change asked while busy (shown, cancelled), and statuses set by the system shown with
their reason, all in the agent's language."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agents.models import Offer, StatusEvent
from agents.selectors import agent_pending_change, agent_pending_offer
from agents.services import (
    agent_current_state,
    agent_perform_action,
    agent_set_system_status,
    agent_supervise,
    offer_create,
    offer_miss,
)
from tests.conftest import make_user

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture
def telephony(db):
    """The integration that offers interactions."""
    return make_user("telephony")


def page(client) -> str:
    response = client.get("/console/", **ENGLISH_BROWSER)
    assert response.status_code == 200
    return response.content.decode()


def follow_post(client, url, data=None) -> str:
    response = client.post(url, data or {}, follow=True, **ENGLISH_BROWSER)
    assert response.redirect_chain == [("/console/", 302)]
    return response.content.decode()


def messages(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li class="(\w+)">([^<]*)</li>', html.split('class="messages"')[1])


def reject_options(html: str, channel: str) -> list[str]:
    select = re.search(
        rf'<select name="code" id="code-reject-{channel}"[^>]*>(.*?)</select>', html, re.S
    )
    assert select, f"no reasons to reject {channel}"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def test_a_ringing_offer_shows_its_channel_timer_accept_and_reject_reasons(
    ana, telephony, client_for
):
    agent_perform_action(agent=ana, action="login", source="console")
    with time_machine.travel(timezone.now() - timedelta(seconds=75), tick=False):
        offer = offer_create(agent=ana, channel="chat", actor=telephony)
    html = page(client_for(ana))
    assert "A chat interaction is ringing</h2>" in html
    assert 'class="offer-channel">Chat<' in html
    # The page's clock starts from the seconds the server counted since the offer.
    seconds = int(re.search(r'class="offer-elapsed"[^>]*data-elapsed="(\d+)"', html).group(1))
    assert 75 <= seconds < 80
    assert f'action="/console/offers/{offer.pk}/accept/"' in html
    assert f'action="/console/offers/{offer.pk}/reject/"' in html
    assert reject_options(html, "chat") == [
        "— choose a reason —",
        "Working on a Case",
        "Technical Issue",
    ]
    assert re.search(r'id="code-reject-chat" required', html)
    assert f'data-offer="{offer.pk}"' in html


def test_accept_makes_the_agent_busy(ana, telephony, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    offer = offer_create(agent=ana, channel="phone", actor=telephony)
    html = follow_post(client_for(ana), f"/console/offers/{offer.pk}/accept/")
    assert ("success", "You accepted the phone interaction; you are now busy with it.") in (
        messages(html)
    )
    assert "is ringing" not in html
    assert agent_current_state(agent=ana).status == "busy"
    offer.refresh_from_db()
    assert offer.state == "accepted"


def test_reject_with_a_code_records_the_rejection_then_the_status_after_rejection(
    ana, telephony, client_for
):
    agent_perform_action(agent=ana, action="login", source="console")
    offer = offer_create(agent=ana, channel="email", actor=telephony)
    html = follow_post(client_for(ana), f"/console/offers/{offer.pk}/reject/", {"code": "TECH"})
    assert messages(html) == [
        ("success", "You rejected the email interaction (Technical Issue)."),
        ("info", "You are now on break (Technical Issue)."),
    ]
    rejection = StatusEvent.objects.rejections().get()
    assert (rejection.channel, rejection.code.code, rejection.source) == (
        "email",
        "TECH",
        "console",
    )
    state = agent_current_state(agent=ana)
    assert (state.status, state.code.code) == ("on_break", "TECH")
    assert 'class="console-code">Technical Issue<' in html
    assert "is ringing" not in html


def test_the_groups_status_after_rejection_applies(ana, telephony, client_for, support_group):
    support_group.status_after_rejection = "work_offline"
    support_group.save()
    agent_perform_action(agent=ana, action="login", source="console")
    offer = offer_create(agent=ana, channel="phone", actor=telephony)
    html = follow_post(client_for(ana), f"/console/offers/{offer.pk}/reject/", {"code": "CASE"})
    assert ("info", "You are now working offline (Working on a Case).") in messages(html)
    assert agent_current_state(agent=ana).status == "work_offline"


def test_a_group_that_keeps_its_agents_available_after_a_rejection(ana, telephony, client_for):
    ana.group.status_after_rejection = "available"
    ana.group.save()
    agent_perform_action(agent=ana, action="login", source="console")
    offer = offer_create(agent=ana, channel="phone", actor=telephony)
    html = follow_post(client_for(ana), f"/console/offers/{offer.pk}/reject/", {"code": "CASE"})
    assert messages(html) == [
        ("success", "You rejected the phone interaction (Working on a Case).")
    ]
    assert agent_current_state(agent=ana).status == "available"


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("", "Choose a status code for"),
        ("LUNCH", "can be used with “Take break”, not with “Reject phone”"),
        ("COACHING", "COACHING"),  # a code of another list
    ],
)
def test_reject_with_a_bad_code_is_refused_and_the_offer_still_rings(
    ana, telephony, client_for, code, why
):
    agent_perform_action(agent=ana, action="login", source="console")
    offer = offer_create(agent=ana, channel="phone", actor=telephony)
    html = follow_post(client_for(ana), f"/console/offers/{offer.pk}/reject/", {"code": code})
    [(kind, text)] = messages(html)
    assert kind == "error" and why in text
    assert not StatusEvent.objects.rejections().exists()
    assert agent_pending_offer(agent=ana) == offer
    assert agent_current_state(agent=ana).status == "available"
    assert "A phone interaction is ringing" in html


def test_an_offer_no_longer_ringing_is_refused(ana, telephony, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    offer = offer_create(agent=ana, channel="phone", actor=telephony)
    offer_miss(agent=ana, offer_id=str(offer.pk), actor=telephony)
    client = client_for(ana)
    html = follow_post(client, f"/console/offers/{offer.pk}/accept/")
    assert ("error", "This offer is no longer ringing: it was missed.") in messages(html)
    html = follow_post(client, f"/console/offers/{offer.pk}/reject/", {"code": "CASE"})
    assert ("error", "This offer is no longer ringing: it was missed.") in messages(html)
    assert StatusEvent.objects.rejections().count() == 1  # the missed one


def test_another_agents_offer_cannot_be_answered(ana, sofia, telephony, client_for):
    agent_perform_action(agent=sofia, action="login", source="console")
    offer = offer_create(agent=sofia, channel="phone", actor=telephony)
    client = client_for(ana)
    follow_post(client, f"/console/offers/{offer.pk}/accept/")
    follow_post(client, f"/console/offers/{offer.pk}/reject/", {"code": "CASE"})
    assert Offer.objects.get(pk=offer.pk).state == "pending"
    assert agent_current_state(agent=sofia).status == "available"


def test_no_reject_button_when_nothing_rings(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    html = page(client_for(ana))
    assert "is ringing" not in html
    assert "code-reject-" not in html and not re.search(r"<button[^>]*>Reject", html)
    assert client_for(ana).post("/console/rejections/", {"channel": "phone"}).status_code == 404


def test_a_missed_offer_leaves_the_status_after_missed_with_its_reason(ana, telephony, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    offer = offer_create(agent=ana, channel="chat", actor=telephony)
    offer_miss(agent=ana, offer_id=str(offer.pk), actor=telephony)
    html = page(client_for(ana))
    assert re.search(r">On break</span>\s*<span class=\"console-code\">Missed offer<", html)


def test_a_supervisors_change_shows_its_reason(ana, supervisor_a, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    agent_supervise(agent=ana, action="take_break", supervisor=supervisor_a)
    html = page(client_for(ana))
    assert 'class="console-code">Changed by a supervisor<' in html


def test_the_status_after_login_is_shown(ana, client_for, support_group, support_list):
    support_group.login_status = "work_offline"
    support_group.login_code = support_list.codes.get(code="MEETING")
    support_group.save()
    html = follow_post(client_for(ana), "/console/status/", {"action": "login"})
    assert ("success", "You are now working offline (Attend Meeting).") in messages(html)
    assert 'class="console-code">Attend Meeting<' in html


def test_a_pending_change_is_shown_and_cancelled(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    agent_set_system_status(agent=ana, status="busy", source="system")
    client = client_for(ana)
    html = follow_post(client, "/console/status/", {"action": "take_break", "code": "LUNCH"})
    assert "After this interaction: Take break – Lunch" in html
    assert 'data-pending="take_break:LUNCH"' in html
    html = follow_post(client, "/console/pending/cancel/")
    assert ("success", "Your pending change is cancelled.") in messages(html)
    assert "After this interaction:" not in html
    assert agent_pending_change(agent=ana) is None
    html = follow_post(client, "/console/pending/cancel/")
    assert ("info", "There was no pending change to cancel.") in messages(html)
    assert agent_current_state(agent=ana).status == "busy"


def test_the_pending_change_applies_when_the_interaction_ends(ana, client_for):
    agent_perform_action(agent=ana, action="login", source="console")
    agent_set_system_status(agent=ana, status="busy", source="system")
    client = client_for(ana)
    follow_post(client, "/console/status/", {"action": "logout", "code": "EOS"})
    html = follow_post(client, "/console/status/", {"action": "go_available"})
    assert ("success", "You are now logged out of the contact center (End of shift).") in (
        messages(html)
    )
    assert "After this interaction:" not in html


def test_the_offer_and_its_answers_are_in_spanish_for_sofia(sofia, telephony, client_for):
    agent_perform_action(agent=sofia, action="login", source="console")
    offer = offer_create(agent=sofia, channel="phone", actor=telephony)
    client = client_for(sofia)
    html = page(client)
    assert "Está sonando una llamada telefónica</h2>" in html
    assert 'class="offer-channel">Teléfono<' in html
    assert reject_options(html, "phone") == [
        "— elige un motivo —",
        "Trabajando en un caso",
        "Problema técnico",
    ]
    html = follow_post(client, f"/console/offers/{offer.pk}/reject/", {"code": "LUNCH"})
    [(kind, text)] = messages(html)
    assert kind == "error" and "no con «Rechazar llamada»" in text
    html = follow_post(client, f"/console/offers/{offer.pk}/reject/", {"code": "CASE"})
    assert messages(html) == [
        ("success", "Has rechazado la llamada (Trabajando en un caso)."),
        ("info", "Ahora estás en descanso (Trabajando en un caso)."),
    ]
    agent_perform_action(agent=sofia, action="go_available", source="console")
    offer = offer_create(agent=sofia, channel="chat", actor=telephony)
    html = follow_post(client, f"/console/offers/{offer.pk}/accept/")
    assert ("success", "Has aceptado el chat; ya lo estás atendiendo.") in messages(html)


def test_pending_change_and_system_reasons_are_in_spanish(sofia, supervisor_a, client_for):
    agent_perform_action(agent=sofia, action="login", source="console")
    agent_set_system_status(agent=sofia, status="busy", source="system")
    client = client_for(sofia)
    html = follow_post(client, "/console/status/", {"action": "take_break", "code": "LUNCH"})
    assert "Después de esta interacción: Tomar un descanso – Almuerzo" in html
    html = follow_post(client, "/console/pending/cancel/")
    assert ("success", "Se ha cancelado tu cambio pendiente.") in messages(html)
    agent_perform_action(agent=sofia, action="go_available", source="console")
    agent_supervise(agent=sofia, action="take_break", supervisor=supervisor_a)
    assert 'class="console-code">Cambiado por un supervisor<' in page(client)
