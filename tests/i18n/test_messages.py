"""Refusals name statuses, actions, channels and codes by their labels, in whole sentences in the
reader's language: the agent's on the console, the request's on the API. The API's machine keys
stay the same in every language."""

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from agents.services import (
    ActionRefused,
    agent_change_status,
    agent_perform_action,
    agent_reject_interaction,
    agent_supervise,
    offer_create,
    offer_withdraw,
)
from tests.api.conftest import post_json
from tests.conftest import make_user

# Some tests pick their agent by name (getfixturevalue): marked, so that pytest-django runs them
# with the other database tests, before the transactional ones that flush the seeded actions.
pytestmark = pytest.mark.django_db

STATUS = "/api/v1/agents/me/status"
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
SPANISH_REQUEST = {"HTTP_ACCEPT_LANGUAGE": "es"}


def console_post(client, data):
    response = client.post("/console/status/", data, follow=True, **ENGLISH_BROWSER)
    return response.content.decode()


@pytest.fixture
def integration(db):
    user = make_user("telephony")
    user.user_permissions.add(Permission.objects.get(codename="act_for_other_agents"))
    return user


def refusal(call, language):
    with translation.override(language), pytest.raises(ActionRefused) as refused:
        call()
    return refused.value


# --- the console, in the agent's language ---------------------------------------------------------


@pytest.mark.parametrize(
    ("agent_name", "message"),
    [
        ("ana", "You are already on break with the code “Short Break”."),
        ("sofia", "Ya estás en descanso con el código «Descanso corto»."),
    ],
)
def test_asking_again_for_the_same_break_names_the_code_by_its_label(
    request, client_for, agent_name, message
):
    client = client_for(request.getfixturevalue(agent_name))
    console_post(client, {"action": "login"})
    console_post(client, {"action": "take_break", "code": "SHORT"})
    html = console_post(client, {"action": "take_break", "code": "SHORT"})
    assert message in html
    assert "SHORT" not in html.split('class="error"')[1].split("</")[0]


def test_a_transition_refusal_is_a_spanish_sentence_with_labels(sofia, client_for):
    html = console_post(client_for(sofia), {"action": "take_break", "code": "LUNCH"})
    assert (
        "«Tomar un descanso» no es posible mientras tu estado es «Desconectado». "
        "Ahora puedes elegir «Iniciar sesión»." in html
    )


@pytest.mark.parametrize(
    ("agent_name", "message"),
    [
        ("ana", "The code “Retired reason” is no longer active; choose another one."),
        ("sofia", "El código «Retired reason» ya no está activo; elige otro."),
    ],
)
def test_an_inactive_code_is_named_by_its_label(request, client_for, agent_name, message):
    client = client_for(request.getfixturevalue(agent_name))
    console_post(client, {"action": "login"})
    html = console_post(client, {"action": "take_break", "code": "RETIRED"})
    assert message in html
    assert "“RETIRED”" not in html


# --- the API, in the request's language -----------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        (
            ENGLISH_BROWSER,
            "The code “Attend Meeting” can be used with “Work offline”, not with “Take break”.",
        ),
        (
            SPANISH_REQUEST,
            "El código «Reunión» se puede usar con «Trabajar sin conexión», "
            "no con «Tomar un descanso».",
        ),
    ],
)
def test_the_api_detail_is_in_the_requests_language_and_its_key_unchanged(
    ana, client_for, headers, detail
):
    # ana reads English on the console; the API answers in the language the request asks for.
    client = client_for(ana)
    assert post_json(client, STATUS, {"action": "login"}).status_code == 200
    response = post_json(client, STATUS, {"action": "take_break", "code": "MEETING"}, **headers)
    assert response.status_code == 422
    assert response.json() == {"error": "code_not_for_action", "detail": detail}


def test_an_api_transition_refusal_in_spanish(ana, client_for):
    response = post_json(client_for(ana), STATUS, {"action": "logout"}, **SPANISH_REQUEST)
    assert response.json() == {
        "error": "invalid_transition",
        "detail": "«Cerrar sesión» no es posible mientras tu estado es «Desconectado». "
        "Ahora puedes elegir «Iniciar sesión».",
    }


def test_a_body_not_declared_as_json_is_refused_in_one_spanish_sentence(ana, client_for):
    response = client_for(ana).post(
        STATUS, "action=login", content_type="text/plain", **SPANISH_REQUEST
    )
    assert response.json() == {
        "error": "unsupported_media_type",
        "detail": "Envía el cuerpo como JSON en UTF-8, con «Content-Type: application/json»; "
        "esta petición se envió como «text/plain».",
    }


# --- the other refusals of the rules --------------------------------------------------------------


def test_a_system_status_refusal_names_the_statuses_by_their_labels(ana, integration):
    agent_perform_action(agent=ana, action="login", source="api")
    agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="api")
    refused = refusal(
        lambda: agent_change_status(agent=ana, action="busy", actor=integration, source="api"),
        "es",
    )
    assert refused.key == "invalid_transition"
    assert refused.detail == (
        "El estado no puede pasar de «En descanso» a «Ocupado»: solo desde «Disponible» o "
        "«Posprocesamiento»."
    )
    refused = refusal(
        lambda: agent_change_status(agent=ana, action="busy", actor=ana.user, source="api"), "en"
    )
    assert refused.detail == (
        "Only integrations allowed to act for other agents may set the status “Busy”."
    )


def test_a_supervisor_refusal_lists_the_supervisors_actions(ana, supervisor_a):
    refused = refusal(
        lambda: agent_supervise(agent=ana, action="login", supervisor=supervisor_a), "es"
    )
    assert refused.detail == (
        "«Iniciar sesión» no es una acción de supervisor: para un agente, un supervisor puede "
        "elegir «Pasar a disponible», «Tomar un descanso», «Trabajar sin conexión» o "
        "«Cerrar sesión»."
    )


def test_offer_refusals_are_sentences(ana, integration):
    refused = refusal(lambda: offer_create(agent=ana, channel="phone", actor=integration), "en")
    assert refused.detail == (
        "ana cannot be offered an interaction while their status is “Logged out”: only "
        "available agents are offered interactions."
    )
    agent_perform_action(agent=ana, action="login", source="api")
    offer = offer_create(agent=ana, channel="phone", actor=integration)
    offer_withdraw(agent=ana, offer_id=str(offer.pk))
    refused = refusal(lambda: offer_withdraw(agent=ana, offer_id=str(offer.pk)), "es")
    assert (refused.key, refused.detail) == (
        "offer_not_pending",
        "Esta oferta ya no está sonando: fue retirada.",
    )


def test_an_unknown_channel_lists_the_keys_with_their_labels(ana):
    refused = refusal(
        lambda: agent_reject_interaction(agent=ana, channel="fax", source="api"), "es"
    )
    assert refused.detail == (
        "«fax» no es un canal. Los canales son: phone (Teléfono), chat (Chat), "
        "email (Correo electrónico), voicemail (Buzón de voz)."
    )
