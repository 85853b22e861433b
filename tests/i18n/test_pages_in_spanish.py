"""Pages that follow the reader's browser (Accept-Language): the login page, the reports, the
error pages and the admin's customised pages; the console follows the agent (tests/console)."""

from agents.services import agent_perform_action

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9,en;q=0.5"}


def test_the_login_page_follows_the_browser(client):
    html = client.get("/accounts/login/", **SPANISH).content.decode()
    assert "Nombre de usuario" in html and "Contraseña" in html
    assert "Iniciar sesión" in html


def test_the_reports_follow_the_readers_browser(client_for, support_group, supervisor_a):
    client = client_for(supervisor_a)
    html = client.get("/reports/", **SPANISH).content.decode()
    assert "Detalle de los cambios de estado de los agentes" in html
    assert "Panel en directo" in html
    html = client.get(
        "/reports/time-by-code/", {"date_from": "2025-03-05", "date_to": "2025-03-01"}, **SPANISH
    ).content.decode()
    assert "La fecha final es anterior a la fecha inicial." in html
    assert "Filtros" in html and "Aplicar" in html
    assert "Time on break and offline by code" not in html


def test_an_export_refusal_follows_the_browser_too(client_for, support_group, supervisor_a):
    response = client_for(supervisor_a).get(
        "/reports/status-changes/",
        {"date_from": "2025-03-05", "date_to": "2025-03-01", "_export": "csv"},
        **SPANISH,
    )
    assert response.status_code == 400
    assert response.content.decode() == "La fecha final es anterior a la fecha inicial."


def test_the_error_pages_follow_the_browser(client_for, ana):
    client = client_for(ana)
    html = client.get("/reports/", **SPANISH).content.decode()
    assert "Esta página no es para ti" in html
    html = client.get("/no-such-page/", **SPANISH).content.decode()
    assert "Página no encontrada" in html


def test_the_admin_customisations_follow_the_browser(admin_client):
    html = admin_client.get("/admin/", **SPANISH).content.decode()
    assert "Códigos de estado de agentes — administración" in html
    assert "Configuración" in html and "Personas" in html


def test_the_live_board_and_the_details_label_codes_in_the_readers_language(
    client_for, sofia, supervisor_a
):
    agent_perform_action(agent=sofia, action="login", source="console")
    agent_perform_action(agent=sofia, action="take_break", code="LUNCH", source="console")
    client = client_for(supervisor_a)
    for url in ("/reports/live/", "/reports/status-changes/"):
        response = client.get(url, **SPANISH)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "Almuerzo" in html and "En descanso" in html, url
