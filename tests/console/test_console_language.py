"""The console speaks the agent's language (Agent.language), whatever the browser asks for: its
texts, its success messages and the refusals, with statuses and codes named by their labels."""

import pytest

from agents.services import agent_perform_action

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def follow_post(client, url, data):
    response = client.post(url, data, follow=True, **ENGLISH_BROWSER)
    assert response.redirect_chain == [("/console/", 302)]
    return response


def test_the_console_is_in_the_agents_language_not_the_browsers(sofia, client_for):
    response = client_for(sofia).get("/console/", **ENGLISH_BROWSER)
    html = response.content.decode()
    assert response.headers["Content-Language"] == "es"
    assert '<html lang="es">' in html
    for text in ("Consola del agente", "Acciones", "Iniciar sesión", "Tus códigos de estado"):
        assert text in html
    assert "Agent console" not in html
    assert "Salir del sitio" in html  # the header's sign-out


def test_an_english_agent_with_a_spanish_browser_reads_english(ana, client_for):
    response = client_for(ana).get("/console/", HTTP_ACCEPT_LANGUAGE="es")
    assert "Agent console" in response.content.decode()
    assert response.headers["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("action", "code", "message"),
    [
        ("take_break", "SHORT", "Ahora estás en descanso (Descanso corto)."),
        ("work_offline", "TRAINING", "Ahora estás trabajando sin conexión (Formación)."),
        ("logout", "EOS", "Has cerrado sesión en el centro de contacto (Fin de turno)."),
    ],
)
def test_success_messages_name_the_code_by_its_label_in_a_sentence(
    sofia, client_for, action, code, message
):
    client = client_for(sofia)
    html = follow_post(client, "/console/status/", {"action": "login"}).content.decode()
    assert "Ahora estás disponible." in html
    html = follow_post(client, "/console/status/", {"action": action, "code": code})
    assert message in html.content.decode()


def test_english_success_messages_are_sentences(ana, client_for):
    client = client_for(ana)
    follow_post(client, "/console/status/", {"action": "login"})
    html = follow_post(client, "/console/status/", {"action": "work_offline", "code": "TRAINING"})
    assert "You are now working offline (Training)." in html.content.decode()


def test_a_refusal_is_in_the_agents_language(sofia, client_for):
    client = client_for(sofia)
    follow_post(client, "/console/status/", {"action": "login"})
    html = follow_post(client, "/console/status/", {"action": "take_break"}).content.decode()
    assert (
        "Elige un código de estado para «Tomar un descanso»: "
        "LUNCH (Almuerzo), SHORT (Descanso corto), RESTROOM (Baño)." in html
    )
    html = follow_post(client, "/console/status/", {"action": "take_break", "code": "x y"})
    assert "«x y» no es un código de estado" in html.content.decode()


def test_an_incomplete_request_is_refused_in_the_agents_language(sofia, client_for):
    html = follow_post(client_for(sofia), "/console/status/", {}).content.decode()
    assert "La petición estaba incompleta; no se ha cambiado nada." in html


def test_the_sign_out_question_is_in_the_agents_language(sofia, client_for):
    agent_perform_action(agent=sofia, action="login", source="console")
    client = client_for(sofia)
    html = client.post("/accounts/sign-out/", **ENGLISH_BROWSER).content.decode()
    assert "Todavía estás disponible" in html
    assert "¿Cerrar también la sesión en el centro de contacto?" in html
    # Signing out: the message goes with the login page, in the browser's language.
    response = client.post(
        "/accounts/sign-out/", {"choice": "sign_out"}, follow=True, **ENGLISH_BROWSER
    )
    assert "You are signed out." in response.content.decode()
