"""Bad input to the API (docs/api.md, "Errors"): malformed or oversized input gets 4xx in the
error shape, never 500."""

import pytest

from agents.models import StatusEvent
from tests.api.conftest import post_json

URL = "/api/v1/agents/me/status"


@pytest.fixture
def ana_client(ana, client_for):
    return client_for(ana)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        (b"\xff\xfe\x00", 400),
        ("", 422),
        ("null", 422),
        ("[]", 422),
        ('"take_break"', 422),
        ("{}", 422),
        ('{"action": 5}', 422),
        ('{"action": "login", "code": ["LUNCH"]}', 422),
        ('{"action": "login", "reason": "LUNCH"}', 422),
        ('{"action": "' + "x" * 100_000 + '"}', 422),
    ],
)
def test_malformed_bodies_are_refused_in_the_error_shape(ana_client, raw, status):
    response = ana_client.post(URL, raw, content_type="application/json")
    assert response.status_code == status
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["detail"]
    assert not StatusEvent.objects.exists()


def test_validation_message_names_the_field(ana_client):
    detail = ana_client.post(URL, '{"code": "LUNCH"}', content_type="application/json").json()
    assert "action" in detail["detail"]
    detail = ana_client.post(
        URL, '{"action": "login", "reason": "x"}', content_type="application/json"
    ).json()
    assert "reason" in detail["detail"]


def test_oversized_body_is_refused(ana_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    raw = '{"action": "login", "code": "' + "x" * 2000 + '"}'
    response = ana_client.post(URL, raw, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"] == "request_too_large"


def test_long_but_bounded_code_is_refused_as_unknown(ana_client):
    ana_client.post(URL, '{"action": "login"}', content_type="application/json")
    response = ana_client.post(
        URL,
        '{"action": "take_break", "code": "' + "L" * 100 + '"}',
        content_type="application/json",
    )
    assert response.json()["error"] == "code_not_offered"


def test_wrong_method_is_not_a_server_error(ana_client):
    assert ana_client.get(URL).status_code == 405
    assert ana_client.delete("/api/v1/agents/me").status_code == 405


@pytest.mark.parametrize(
    "code", ["LUN\x00CH", "\x00", "LUNCH BREAK", "L" * 33, "L" * 101, "L" * 10_000]
)
def test_a_code_that_cannot_be_a_key_is_refused_without_reaching_the_database(
    ana_client, support_list, code
):
    # PostgreSQL refuses NUL bytes in queries; such a code must still be a plain refusal.
    ana_client.post(URL, '{"action": "login"}', content_type="application/json")
    response = post_json(ana_client, URL, {"action": "take_break", "code": code})
    assert response.status_code == 422
    assert response.json()["error"] == "code_not_offered"
    assert "letters, digits" in response.json()["detail"]
    response = post_json(
        ana_client, "/api/v1/agents/me/rejections", {"channel": "phone", "code": code}
    )
    assert response.json()["error"] == "code_not_offered"
    assert StatusEvent.objects.count() == 1  # the login only


def test_a_username_with_a_nul_byte_is_an_unknown_agent(client, integration_key):
    response = client.get(
        "/api/v1/agents/an%00a", headers={"Authorization": f"Bearer {integration_key}"}
    )
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_agent"


@pytest.mark.parametrize(
    ("raw", "language", "detail"),
    [
        ("{}", "en", "Invalid request: action: is required."),
        ("{}", "es", "Petición no válida: action: es obligatorio."),
        ("{}", "fr", "Requête invalide : action: est obligatoire."),
        ("[]", "es", "Petición no válida: el cuerpo debe ser un objeto JSON."),
        ('{"action": 5}', "fr", "Requête invalide : action: doit être une chaîne de caractères."),
        (
            '{"action": "' + "x" * 33 + '"}',
            "es",
            "Petición no válida: action: debe tener como máximo 32 caracteres.",
        ),
        (
            '{"action": "login", "reason": "LUNCH"}',
            "fr",
            "Requête invalide : reason: n’est pas un champ de cette requête.",
        ),
    ],
)
def test_validation_problems_are_told_in_the_requests_language(ana_client, raw, language, detail):
    response = ana_client.post(
        URL, raw, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 422
    assert response.json() == {"error": "invalid_request", "detail": detail}
