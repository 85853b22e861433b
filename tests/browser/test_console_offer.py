"""In Chromium, in Spanish: an offer made through the service rings on sofia's console with its
channel and a ticking timer; she rejects it with a reason chosen from the drop-down and the console
shows the group's status after a rejection. An offer made while the page is open appears without
a reload by hand. axe-core finds nothing serious on the ringing console."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agents.models import StatusEvent
from agents.selectors import agent_current_state, agent_pending_offer
from agents.services import agent_perform_action, offer_create
from tests.browser.axe import laptop_page, serious_violations
from tests.browser.conftest import log_in, screenshot
from tests.conftest import make_user

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.fixture
def laptop(browser, live_server):
    yield from laptop_page(browser, live_server)


@pytest.fixture
def telephony(db):
    return make_user("telephony")


def test_sofia_rejects_a_ringing_offer_with_a_reason(laptop, sofia, telephony):
    page = laptop  # an English browser: the console follows sofia's language
    agent_perform_action(agent=sofia, action="login", source="console")
    # The chat has rung for 12 seconds when she opens the console.
    with time_machine.travel(timezone.now() - timedelta(seconds=12), tick=False):
        offer_create(agent=sofia, channel="chat", actor=telephony)
    log_in(page, "sofia", next_url="/console/")

    ringing = page.get_by_role("region", name="Está sonando un chat")
    expect(ringing).to_be_visible()
    expect(ringing.locator(".offer-channel")).to_have_text("Chat")
    timer = ringing.locator(".offer-elapsed")
    expect(timer).to_have_text(re.compile(r"^0:00:1\d$"))
    expect(ringing.get_by_role("button", name="Aceptar")).to_be_visible()
    reason = ringing.get_by_label("Motivo (obligatorio)")
    assert reason.locator("option").all_inner_texts() == [
        "— elige un motivo —",
        "Trabajando en un caso",
        "Problema técnico",
    ]
    assert serious_violations(page) == []
    reason.select_option(label="Problema técnico")
    screenshot(page, "console-offer-ringing")

    ringing.get_by_role("button", name="Rechazar").click()
    expect(page.locator(".messages .success")).to_have_text(
        "Has rechazado el chat (Problema técnico)."
    )
    expect(page.locator(".messages .info")).to_have_text(
        "Ahora estás en descanso (Problema técnico)."
    )
    expect(page.locator(".console-status")).to_have_text("En descanso Problema técnico")
    expect(page.locator(".console-offer")).to_have_count(0)
    state = agent_current_state(agent=sofia)
    assert (state.status, state.code.code) == ("on_break", "TECH")
    rejection = StatusEvent.objects.rejections().get()
    assert (rejection.channel, rejection.code.code, rejection.source) == ("chat", "TECH", "console")


def test_an_offer_made_while_the_console_is_open_appears_by_itself(laptop, sofia, telephony):
    page = laptop
    agent_perform_action(agent=sofia, action="login", source="console")
    page.clock.install()  # the page's timers run on a clock the test moves
    log_in(page, "sofia", next_url="/console/")
    expect(page.locator(".console-status")).to_contain_text("Disponible")
    expect(page.locator(".console-offer")).to_have_count(0)

    offer_create(agent=sofia, channel="phone", actor=telephony)
    page.clock.run_for(5_000)  # past the next look at the agent's state

    ringing = page.get_by_role("region", name="Está sonando una llamada telefónica")
    expect(ringing).to_be_visible()
    expect(ringing.locator(".offer-channel")).to_have_text("Teléfono")

    ringing.get_by_role("button", name="Aceptar").click()
    expect(page.locator(".messages .success")).to_have_text(
        "Has aceptado la llamada; ya la estás atendiendo."
    )
    expect(page.locator(".console-status")).to_contain_text("Ocupado")
    assert agent_pending_offer(agent=sofia) is None
    assert agent_current_state(agent=sofia).status == "busy"
