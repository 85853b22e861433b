"""In Chromium: a Spanish-speaking agent, in a Spanish console, must choose a reason before taking
a break; the time in status turns to a warning when the server said the code's maximum is
passed."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import StatusEvent
from agents.services import agent_perform_action
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def status_history(agent) -> list[tuple[str, str | None]]:
    events = StatusEvent.objects.status_changes().filter(agent=agent).order_by("started_at")
    return list(events.values_list("status", "code__code"))


def test_take_break_needs_a_reason_chosen_from_the_spanish_drop_down(page, sofia):
    # The browser asks for English; sofia's console follows her own language, Spanish.
    log_in(page, "sofia", next_url="/console/")
    status = page.locator(".console-status")
    expect(status).to_contain_text("Desconectado")
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    expect(page.locator(".messages .success")).to_have_text("Ahora estás disponible.")
    expect(status).to_contain_text("Disponible")

    take_break = page.locator("form.console-action").filter(
        has=page.get_by_role("button", name="Tomar un descanso")
    )
    reason = take_break.get_by_label("Motivo (obligatorio)")
    assert reason.locator("option").all_inner_texts() == [
        "— elige un motivo —",
        "Almuerzo",
        "Descanso corto",
        "Baño",
    ]

    # The browser itself holds the form back while the required reason is empty...
    take_break.get_by_role("button", name="Tomar un descanso").click()
    assert reason.evaluate("select => select.validity.valueMissing")
    expect(status).to_contain_text("Disponible")

    # ...and the server refuses it too, in Spanish, for a client that skips the browser's check.
    reason.evaluate("select => select.removeAttribute('required')")
    take_break.get_by_role("button", name="Tomar un descanso").click()
    expect(page.locator(".messages .error")).to_have_text(
        "Elige un código de estado para «Tomar un descanso»: "
        "LUNCH (Almuerzo), SHORT (Descanso corto), RESTROOM (Baño)."
    )
    expect(status).to_contain_text("Disponible")
    assert status_history(sofia) == [("available", None)]

    page.locator("details.console-codes summary").click()
    reason.select_option(label="Almuerzo")
    screenshot(page, "console-spanish-codes")
    take_break.get_by_role("button", name="Tomar un descanso").click()

    expect(page.locator(".messages .success")).to_have_text("Ahora estás en descanso (Almuerzo).")
    expect(status).to_have_text("En descanso Almuerzo")
    expect(page.locator(".console-elapsed")).to_have_text(re.compile(r"^0:0\d:\d\d$"))
    screenshot(page, "console-on-break")
    assert status_history(sofia) == [("available", None), ("on_break", "LUNCH")]


def test_the_clock_turns_to_a_warning_at_the_instant_the_server_gave(page, ana):
    agent_perform_action(agent=ana, action="login", source="console")
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
    # LUNCH allows 60 minutes: half a minute is left.
    StatusEvent.objects.ongoing().filter(agent=ana).update(
        started_at=timezone.now() - timedelta(minutes=59, seconds=30)
    )
    page.clock.install()  # the page's timers run on a clock the test moves
    log_in(page, "ana", next_url="/console/")
    clock = page.locator(".console-elapsed")
    exceeds_in = int(clock.get_attribute("data-exceeds-in"))
    assert 25_000 < exceeds_in <= 30_001

    # Two seconds of margin for the real time the test itself takes.
    page.clock.run_for(exceeds_in - 2_000)
    expect(clock).to_have_text(re.compile(r"^0:59:5\d$"))
    expect(clock).not_to_have_class(re.compile(r"\bexceeded\b"))
    page.clock.run_for(3_000)
    expect(clock).to_have_class(re.compile(r"\bexceeded\b"))
