"""In Chromium at 1366×900, in Spanish: sofia's console follows her language (Agent.language)
even in an English browser, with its texts, a refusal and a success message in Spanish, and the
sign-out question; a supervisor whose browser asks for Spanish reads the login page and the
reports in Spanish. axe-core finds no serious violation on these pages."""

import pytest

from agents.selectors import agent_current_state
from agents.services import agent_perform_action, offer_create
from tests.browser.axe import laptop_page, serious_violations, use_axe
from tests.browser.conftest import TIMEOUT_MS, log_in
from tests.conftest import PASSWORD
from tests.reports.timeline import at, timeline

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

WINDOW = "?date_from=2025-03-01&date_to=2025-03-02&tz=UTC"


@pytest.fixture
def laptop(browser, live_server):
    yield from laptop_page(browser, live_server)


@pytest.fixture
def spanish_browser(browser, live_server):
    """A tab whose browser asks for Spanish (Accept-Language: es-ES), axe loaded."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 900}, locale="es-ES"
    )
    context.set_default_timeout(TIMEOUT_MS)
    use_axe(context)
    yield context.new_page()
    context.close()


def assert_accessible(page) -> None:
    assert serious_violations(page) == [], page.url


def test_sofia_walks_her_console_in_spanish(laptop, sofia):
    page = laptop  # an English browser
    log_in(page, "sofia", next_url="/console/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Consola del agente")
    expect(page.locator(".console-status")).to_contain_text("Desconectado")
    expect(page.locator("header nav")).to_contain_text("Consola")
    assert_accessible(page)

    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    expect(page.locator(".messages .success")).to_have_text("Ahora estás disponible.")
    # An offer rings (the page looks for one every few seconds; here it is reloaded by hand):
    # she rejects it with a reason, and the group's status after a rejection follows.
    offer_create(agent=sofia, channel="phone", actor=None)
    page.reload()
    ringing = page.get_by_role("region", name="Está sonando una llamada telefónica")
    ringing.get_by_label("Motivo (obligatorio)").select_option(label="Problema técnico")
    assert_accessible(page)
    ringing.get_by_role("button", name="Rechazar").click()
    expect(page.locator(".messages .success")).to_have_text(
        "Has rechazado la llamada (Problema técnico)."
    )
    expect(page.locator(".console-status")).to_have_text("En descanso Problema técnico")
    assert_accessible(page)

    offline = page.locator("form.console-action").filter(
        has=page.get_by_role("button", name="Trabajar sin conexión")
    )
    offline.get_by_label("Motivo (obligatorio)").evaluate("s => s.removeAttribute('required')")
    offline.get_by_role("button", name="Trabajar sin conexión").click()
    expect(page.locator(".messages .error")).to_have_text(
        "Elige un código de estado para «Trabajar sin conexión»: "
        "MEETING (Reunión), TRAINING (Formación)."
    )
    assert_accessible(page)

    # A success, naming the code by its Spanish label in a sentence.
    offline.get_by_label("Motivo (obligatorio)").select_option(label="Formación")
    offline.get_by_role("button", name="Trabajar sin conexión").click()
    expect(page.locator(".messages .success")).to_have_text(
        "Ahora estás trabajando sin conexión (Formación)."
    )
    expect(page.locator(".console-status")).to_have_text("Trabajo sin conexión Formación")

    # Signing out while working offline: the question, in Spanish.
    page.get_by_role("button", name="Salir del sitio").click()
    expect(page.locator("h1")).to_have_text("Todavía estás trabajando sin conexión (Formación)")
    assert_accessible(page)
    page.get_by_label("Motivo del cierre de sesión (obligatorio)").select_option(
        label="Fin de turno"
    )
    page.get_by_role("button", name="Cerrar sesión y salir del sitio").click()
    page.wait_for_url("**/accounts/login/")
    # The login page follows the browser (English here), and so does its message.
    expect(page.locator(".messages")).to_contain_text(
        "You are logged out of the contact center and signed out."
    )
    state = agent_current_state(agent=sofia)
    assert (state.status, state.code.code) == ("logged_out", "EOS")


def test_a_supervisor_reads_the_reports_in_spanish(spanish_browser, ana, sofia, supervisor_a):
    timeline(
        ana,
        (at("2025-03-01 08:00"), "available"),
        (at("2025-03-01 10:00"), "on_break", "SHORT"),
        (at("2025-03-01 10:12"), "logged_out", "EOS"),
    )
    agent_perform_action(agent=sofia, action="login", source="console")
    page = spanish_browser
    page.goto("/accounts/login/?next=/reports/")
    assert_accessible(page)
    form = page.locator("main form")
    form.get_by_label("Nombre de usuario").fill("supervisor_a")
    form.get_by_label("Contraseña").fill(PASSWORD)
    form.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url("**/reports/")
    expect(page.locator("h1")).to_have_text("Informes")
    assert_accessible(page)

    expect(page.locator("main")).to_contain_text("Panel en directo")
    page.goto(f"/reports/time-by-code/{WINDOW}")
    expect(page.locator("h1")).to_have_text("Tiempo en descanso y sin conexión por código")
    expect(page.locator("main")).to_contain_text("Del 2025-03-01 al 2025-03-02, hora de UTC.")
    headings = page.locator("table.report thead th").all_inner_texts()
    assert "Agente" in [heading.strip() for heading in headings]
    assert_accessible(page)

    # A bad filter: the page's own error, in Spanish, also for a refused export.
    page.goto("/reports/status-changes/?date_from=2025-03-05&date_to=2025-03-01")
    expect(page.locator("main")).to_contain_text("La fecha final es anterior a la fecha inicial.")
    response = page.goto(
        "/reports/status-changes/?date_from=2025-03-05&date_to=2025-03-01&_export=csv"
    )
    assert response.status == 400
    expect(page.locator("h1")).to_have_text("Detalle de los cambios de estado de los agentes")
    expect(page.locator("main")).to_contain_text("La fecha final es anterior a la fecha inicial.")
    assert_accessible(page)

    page.goto("/reports/live/")
    expect(page.locator("h1")).to_have_text("Panel en directo")
    expect(page.locator("table.report")).to_contain_text("Disponible")
