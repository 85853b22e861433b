"""The API reads only bodies declared as JSON, in UTF-8 (docs/api.md, "Request bodies").

Otherwise a cross-site form could post `text/plain` that parses as JSON, and json.loads would
accept UTF-16 or UTF-32 by guessing. A body with another or no media type is 415
`unsupported_media_type`; a JSON body that is not UTF-8 is 400 `invalid_request`. Nothing is
recorded either way.
"""

import json

import pytest

from agents.models import StatusEvent
from tests.api.conftest import make_token

pytestmark = pytest.mark.django_db

STATUS = "/api/v1/agents/me/status"
REJECTIONS = "/api/v1/agents/me/rejections"
LOGIN = json.dumps({"action": "login"})


@pytest.fixture
def token_client(ana, client):
    """ana's own token: no session, so no CSRF check stands in front of the body."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(ana.user)[1]}"
    return client


def send(client, path, body: bytes | str, content_type: str):
    # generic() sends the Content-Type as given; an empty one is no media type at all.
    return client.generic("POST", path, body, content_type=content_type)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/octet-stream",
        "application/json; charset=utf-16",
        "application/json; charset=iso-8859-1",
        "application/jsonp",
        "application/vnd.api+json",
    ],
)
@pytest.mark.parametrize("path", [STATUS, REJECTIONS])
def test_a_body_not_declared_as_utf8_json_is_refused_with_415(token_client, path, content_type):
    response = send(token_client, path, LOGIN, content_type)
    assert response.status_code == 415
    body = response.json()
    assert body["error"] == "unsupported_media_type"
    assert "application/json" in body["detail"]
    assert not StatusEvent.objects.exists()


def test_the_415_says_what_was_sent(token_client):
    assert send(token_client, STATUS, LOGIN, "text/plain").json()["detail"] == (
        "Send the body as JSON in UTF-8, with “Content-Type: application/json”; "
        "this request was sent as “text/plain”."
    )
    assert send(token_client, STATUS, LOGIN, "").json()["detail"] == (
        "Send the body as JSON in UTF-8, with “Content-Type: application/json”; "
        "this request has no Content-Type."
    )


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON; Charset=UTF-8",
        'application/json; charset="utf-8"',
    ],
)
def test_json_in_utf8_is_accepted(token_client, content_type):
    response = send(token_client, STATUS, LOGIN, content_type)
    assert response.status_code == 200
    assert response.json()["status"] == "available"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "latin-1"])
def test_a_json_body_that_is_not_utf8_is_refused_with_400(token_client, encoding):
    body = json.dumps({"action": "login", "code": "Café"}, ensure_ascii=False)
    response = send(token_client, STATUS, body.encode(encoding), "application/json")
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "detail": "The request body is not UTF-8.",
    }
    assert not StatusEvent.objects.exists()


def test_the_session_door_refuses_text_plain_too(ana, client_for):
    # A logged-in browser: the CSRF token is present, the media type is still checked.
    client = client_for(ana)
    client.get("/console/")
    token = client.cookies["csrftoken"].value
    response = client.generic(
        "POST", STATUS, LOGIN, content_type="text/plain", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
