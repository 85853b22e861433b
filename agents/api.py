"""The JSON API (docs/api.md, django-ninja): the agents' door for the console and integrations.

Views are thin: authenticate, find the agent, call `agents.services`, shape the answer. Every
refusal, whatever raised it, leaves as `{"error": <key>, "detail": <sentence>}` (docs/api.md).
"""

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Field, NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator, ConfigDict, WithJsonSchema

from core.choices import ACTION_TARGET_STATUS, AgentStatus, Channel, EventSource
from statuscodes.validators import CODE_KEY_MAX_LENGTH

from .api_problems import problems_text
from .auth import (
    ApiTokenAuth,
    ClaimNotConfirmed,
    SessionClaim,
    SessionClaimAuth,
    SessionCsrfAuth,
    settle_session_claim,
)
from .models import Agent, Offer, StatusEvent
from .selectors import (
    AgentState,
    agent_by_username,
    agent_code_choices,
    agent_current_state,
    agent_for_user,
    agent_pending_change,
    agent_pending_offer,
    code_label,
    reason_label,
)
from .services import (
    SYSTEM_STATUS_ALLOWED_FROM,
    ActionRefused,
    AgentLookup,
    agent_allowed_actions,
    agent_cancel_pending_change,
    agent_change_status,
    agent_perform_action,
    agent_reject_interaction,
    agent_supervise,
    check_code_key,
    offer_accept,
    offer_create,
    offer_miss,
    offer_reject,
    offer_withdraw,
    user_may_act_for_other_agents,
    user_may_supervise,
)

# The HTTP status of each refusal key; the table of docs/api.md, "Errors".
REFUSAL_STATUS: dict[str, int] = {
    "invalid_request": 400,
    "unknown_action": 400,
    "unknown_channel": 400,
    "not_authenticated": 401,
    "forbidden": 403,
    "csrf_failed": 403,
    "not_an_agent": 403,
    "unknown_agent": 404,
    "unknown_offer": 404,
    "not_found": 404,
    "invalid_transition": 409,
    "not_available": 409,
    "offer_pending": 409,
    "offer_not_pending": 409,
    "request_too_large": 413,
    "unsupported_media_type": 415,
    "code_required": 422,
    "code_not_offered": 422,
    "code_inactive": 422,
    "code_not_for_action": 422,
    "agent_locked": 503,
}
# When a client refused with `agent_locked` may try again (seconds): the lock is held by a
# history import, which takes seconds to a minute.
AGENT_LOCKED_RETRY_AFTER = 5


class UnsupportedMediaType(Exception):
    """The body is not declared as JSON in UTF-8 (HTTP 415); the message says so to people."""


class JsonOnlyParser(Parser):
    """Bodies are JSON in UTF-8, declared as such (RFC 8259).

    The stock parser reads any body with json.loads, whatever its Content-Type: a cross-site
    form's `text/plain`, or UTF-16 that json.loads detects by itself.
    """

    def parse_body(self, request: HttpRequest):
        media_type = request.content_type.strip().lower()
        charset = (request.content_params.get("charset") or "utf-8").strip("\"' ").lower()
        if media_type != "application/json" or charset != "utf-8":
            sent = request.headers.get("Content-Type", "").strip()[:100]
            raise UnsupportedMediaType(
                _(
                    "Send the body as JSON in UTF-8, with “Content-Type: application/json”; "
                    "this request was sent as “%(type)s”."
                )
                % {"type": sent}
                if sent
                else _(
                    "Send the body as JSON in UTF-8, with “Content-Type: application/json”; "
                    "this request has no Content-Type."
                )
            )
        # json.loads(bytes) would also accept UTF-16 and UTF-32: decode as UTF-8 ourselves.
        return json.loads(request.body.decode("utf-8"))


class InstantEncoder(NinjaJSONEncoder):
    """Instants in UTC to the millisecond, always (docs/api.md): a change at a whole second
    reads `…:07.000Z`, not `…:07Z`, so that clients parse one format."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return super().default(o)


class InstantRenderer(JSONRenderer):
    encoder_class = InstantEncoder


api = NinjaAPI(
    title="Agent status codes API",
    version="1",
    description=(
        "Agents' status changes and rejections with status codes (reasons). "
        "Authenticate with the session (console; CSRF header on POST) or "
        "`Authorization: Bearer <token>` (integrations). See docs/api.md."
    ),
    urls_namespace="api",
    auth=[ApiTokenAuth(), SessionCsrfAuth()],
    parser=JsonOnlyParser(),
    renderer=InstantRenderer(),
)
# Agents' states are personal and change by the second: no browser or proxy keeps a copy
# (shared workstations).
api.add_decorator(never_cache, mode="view")


class StrictSchema(Schema):
    # An unknown field is most likely a typo ("reason" for "code"): say so instead of ignoring it.
    model_config = ConfigDict(extra="forbid")


class CodeOut(Schema):
    code: str
    label: str


class OfferOut(Schema):
    id: str
    channel: str
    offered_at: datetime


class PendingOut(Schema):
    action: str = Field(description="take_break, work_offline or logout.")
    code: str | None


class AgentStateOut(Schema):
    username: str
    status: str = Field(description="Status key: available, busy, post_processing, …")
    status_label: str
    code: str | None = Field(
        description=(
            "Key of the current status's code, or the system reason recorded instead of one "
            "(missed, timeout, supervisor); null if none."
        )
    )
    code_label: str | None = Field(description="That code's label in the agent's language.")
    since: datetime | None = Field(description="Start of the current status; null if never.")
    status_codes_enabled: bool
    allowed_actions: list[str] = Field(description="The agent actions possible now.")
    codes: dict[str, list[CodeOut]] = Field(
        description="For every action that may carry a code, the codes offered, in order."
    )
    offer: OfferOut | None = Field(description="The offer ringing now; null if none.")
    pending: PendingOut | None = Field(
        description="The change asked while busy or in wrap-up, applied when it ends; null if none."
    )


class RejectionOut(Schema):
    channel: str
    code: str | None
    code_label: str | None
    at: datetime


class RejectionResultOut(AgentStateOut):
    rejection: RejectionOut


def _code_key(value: str | None) -> str | None:
    # Refused as the services refuse it (`code_not_offered`), not as a generic invalid request:
    # ActionRefused is not a ValueError, so pydantic lets it through to `_refused`.
    check_code_key(code=value)
    return value


# A status code's key (statuscodes.validators: at most 32 characters) or null.
CodeKey = Annotated[
    str | None,
    AfterValidator(_code_key),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "maxLength": CODE_KEY_MAX_LENGTH}, {"type": "null"}]}
    ),
]


class StatusIn(StrictSchema):
    # The schema lists the accepted keys; any other string still gets the clearer refusal
    # `unknown_action` (400) from the service instead of a generic validation error.
    action: str = Field(
        max_length=32,
        description=(
            "login, go_available, take_break, work_offline, logout; "
            "busy or post_processing for integrations allowed to act for other agents."
        ),
        json_schema_extra={"enum": [*map(str, ACTION_TARGET_STATUS), *SYSTEM_STATUS_ALLOWED_FROM]},
    )
    code: CodeKey = Field(default=None, description="A code key, e.g. LUNCH.", examples=["LUNCH"])


class RejectionIn(StrictSchema):
    channel: str = Field(
        max_length=32,
        description="phone, chat, email or voicemail.",
        json_schema_extra={"enum": Channel.values},
    )
    code: CodeKey = Field(default=None, description="A code key, e.g. CASE.", examples=["CASE"])


class OfferIn(StrictSchema):
    channel: str = Field(
        max_length=32,
        description="phone, chat, email or voicemail.",
        json_schema_extra={"enum": Channel.values},
    )


class OfferRejectionIn(StrictSchema):
    code: CodeKey = Field(default=None, description="A code key, e.g. CASE.", examples=["CASE"])


class ErrorOut(Schema):
    error: str = Field(description="Stable machine key, see docs/api.md.")
    detail: str = Field(description="What went wrong, in a sentence for people.")


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
CHANGE_ERRORS = {**ERRORS, 409: ErrorOut, 415: ErrorOut, 503: ErrorOut}
# The status of an accepted change, or 202 for a pending change (docs/api.md, "Pending change").
STATE_RESPONSES = {200: AgentStateOut, 202: AgentStateOut, **CHANGE_ERRORS}


def _error(request: HttpRequest, key: str, detail: str, status: int) -> HttpResponse:
    if status != 401 and not settle_session_claim(request):
        # Refused before the session's user was checked: who is calling is answered first, as
        # everywhere else.
        return _unauthenticated(request, AuthenticationError())
    response = api.create_response(request, {"error": key, "detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    if key == "agent_locked":
        response["Retry-After"] = str(AGENT_LOCKED_RETRY_AFTER)
    return response


@api.exception_handler(ActionRefused)
def _refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
    return _error(request, exc.key, exc.detail, REFUSAL_STATUS.get(exc.key, 400))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(
        request,
        "invalid_request",
        _("Invalid request: %(problems)s.") % {"problems": problems_text(exc.errors)},
        422,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        "not_authenticated",
        _("Log in, or send an API token as “Authorization: Bearer <token>”."),
        401,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises HttpError(400) only when the body cannot be parsed, from the parser's error.
    if exc.status_code == 400:
        if isinstance(exc.__cause__, UnsupportedMediaType):
            return _error(request, "unsupported_media_type", str(exc.__cause__), 415)
        if isinstance(exc.__cause__, UnicodeDecodeError):
            return _error(request, "invalid_request", _("The request body is not UTF-8."), 400)
        return _error(request, "invalid_request", _("The request body is not valid JSON."), 400)
    return _error(request, "invalid_request", str(exc), exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, "request_too_large", _("The request body is too large."), 413)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, "not_found", _("Not found."), 404)


def _caller(request: HttpRequest) -> AbstractBaseUser:
    # Set by ApiTokenAuth or SessionCsrfAuth: the authenticated user (SessionClaimAuth's claim
    # is settled into one here, if still unconfirmed).
    if not settle_session_claim(request):
        raise AuthenticationError()
    return request.auth


def _me(request: HttpRequest) -> Agent:
    agent = agent_for_user(user=_caller(request))
    if agent is None:
        raise _not_an_agent()
    return agent


def _not_an_agent() -> ActionRefused:
    return ActionRefused(
        "not_an_agent",
        _("Your user is not an agent; ask an administrator to add you to an agent group."),
    )


def _unknown_agent(username: str) -> ActionRefused:
    return ActionRefused(
        "unknown_agent", _("There is no agent “%(username)s”.") % {"username": username}
    )


def _to_change(request: HttpRequest, username: str | None = None) -> AgentLookup | None:
    """The agent a status change names (`username`, or the caller), for the service to find as
    it locks them (one query less), when no permission depends on who they are: the caller, or
    any agent for an integration. None: a supervisor's case (`_other`)."""
    caller = _caller(request)
    if username is None or username == caller.get_username():
        return AgentLookup(user_id=caller.pk, missing=_not_an_agent())
    if user_may_act_for_other_agents(user=caller):
        return AgentLookup(username=username, missing=_unknown_agent(username))
    return None


def _other(request: HttpRequest, username: str, *, supervisors: bool = False) -> Agent:
    """The agent `username` acted on: oneself, or another agent for an integration (and, where
    `supervisors`, for a supervisor of the agent's group). Anyone else is refused the same way,
    whether the agent exists or not."""
    caller = _caller(request)
    if username == caller.get_username():
        return _me(request)
    if not user_may_act_for_other_agents(user=caller):
        agent = agent_by_username(username=username) if supervisors else None
        if agent is not None and user_may_supervise(user=caller, agent=agent):
            return agent
        raise ActionRefused(
            "forbidden",
            _("You may not act for other agents (permission “act for other agents”)."),
        )
    agent = agent_by_username(username=username)
    if agent is None:
        raise _unknown_agent(username)
    return agent


def _state_out(state: AgentState) -> dict:
    agent = state.agent
    code, label = None, None
    if state.code:
        code, label = state.code.code, code_label(code=state.code, language=agent.language)
    elif state.system_reason:
        code = state.system_reason
        label = reason_label(reason=state.system_reason, language=agent.language)
    offer = agent_pending_offer(agent=agent)
    pending = agent_pending_change(agent=agent)
    return {
        "username": agent.username,
        "status": state.status,
        "status_label": str(AgentStatus(state.status).label),
        "code": code,
        "code_label": label,
        "since": state.since,
        "status_codes_enabled": agent.status_codes_enabled,
        "allowed_actions": agent_allowed_actions(state=state),
        "codes": {
            action: [{"code": c.code, "label": c.label} for c in offered]
            for action, offered in agent_code_choices(agent=agent).items()
        },
        "offer": _offer_out(offer) if offer else None,
        "pending": (
            {"action": pending.action, "code": pending.code.code if pending.code else None}
            if pending
            else None
        ),
    }


def _offer_out(offer: Offer) -> dict:
    return {"id": str(offer.pk), "channel": offer.channel, "offered_at": offer.offered_at}


def _state_response(state: AgentState):
    return Status(202 if state.deferred else 200, _state_out(state))


def _change_status(
    request: HttpRequest, agent: Agent | AgentLookup, payload: StatusIn
) -> AgentState:
    return agent_change_status(
        agent=agent,
        action=payload.action,
        code=payload.code,
        actor=_caller(request),
        source=EventSource.API,
    )


def _reject(request: HttpRequest, agent: Agent, payload: RejectionIn) -> tuple[int, dict]:
    event: StatusEvent = agent_reject_interaction(
        agent=agent,
        channel=payload.channel,
        code=payload.code,
        source=EventSource.API,
        actor=_caller(request),
    )
    return Status(201, _with_rejection(agent_current_state(agent=agent), event))


def _with_rejection(state: AgentState, event: StatusEvent) -> dict:
    agent = state.agent
    result = _state_out(state)
    result["rejection"] = {
        "channel": event.channel,
        "code": event.code.code if event.code else None,
        "code_label": code_label(code=event.code, language=agent.language) if event.code else None,
        "at": event.started_at,
    }
    return result


def _reject_offer(
    request: HttpRequest, agent: Agent, offer_id: str, payload: OfferRejectionIn
) -> dict:
    state, event = offer_reject(
        agent=agent,
        offer_id=offer_id,
        code=payload.code,
        source=EventSource.API,
        actor=_caller(request),
    )
    return _with_rejection(state, event)


@api.get("/agents/me", response={200: AgentStateOut, **ERRORS}, tags=["agents"])
def my_state(request: HttpRequest):
    """Your status, its code and start, and the codes offered for each action."""
    return _state_out(agent_current_state(agent=_me(request)))


@api.post(
    "/agents/me/status",
    response=STATE_RESPONSES,
    tags=["agents"],
    auth=[ApiTokenAuth(), SessionClaimAuth()],
)
def change_my_status(request: HttpRequest, payload: StatusIn):
    """Change your status, e.g. `{"action": "take_break", "code": "LUNCH"}`; while busy or in
    wrap-up a break, offline or logout is accepted as your pending change (202)."""
    claim = request.auth
    if isinstance(claim, SessionClaim) and payload.action not in SYSTEM_STATUS_ALLOWED_FROM:
        # The session's user is checked by the statement that locks their agent (one query
        # less); the agent acts for themselves, so no actor is recorded, as with `_caller`.
        try:
            state = agent_perform_action(
                agent=claim.agent_lookup(),
                action=payload.action,
                code=payload.code,
                source=EventSource.API,
            )
            return _state_response(state)
        except ClaimNotConfirmed:
            pass  # rolled back: Django's own reading of the session decides, as for any request
    return _state_response(_change_status(request, _to_change(request), payload))


@api.delete("/agents/me/pending", response={200: AgentStateOut, **CHANGE_ERRORS}, tags=["agents"])
def cancel_my_pending_change(request: HttpRequest):
    """Cancel your pending change, if any."""
    agent = _me(request)
    agent_cancel_pending_change(agent=agent)
    return _state_out(agent_current_state(agent=agent))


@api.post(
    "/agents/me/offers/{offer_id}/accept",
    response={200: AgentStateOut, **CHANGE_ERRORS},
    tags=["agents"],
)
def accept_my_offer(request: HttpRequest, offer_id: str):
    """Accept the offer ringing for you: you are busy."""
    state = offer_accept(
        agent=_me(request), offer_id=offer_id, source=EventSource.API, actor=_caller(request)
    )
    return _state_out(state)


@api.post(
    "/agents/me/offers/{offer_id}/reject",
    response={200: RejectionResultOut, **CHANGE_ERRORS},
    tags=["agents"],
)
def reject_my_offer(request: HttpRequest, offer_id: str, payload: OfferRejectionIn):
    """Reject the offer ringing for you, e.g. `{"code": "CASE"}`; your group's status after a
    rejection follows."""
    return _reject_offer(request, _me(request), offer_id, payload)


@api.post(
    "/agents/me/rejections", response={201: RejectionResultOut, **CHANGE_ERRORS}, tags=["agents"]
)
def reject_for_me(request: HttpRequest, payload: RejectionIn):
    """Record that you declined an interaction offered outside `offers` while available, e.g.
    `{"channel": "phone", "code": "CASE"}`."""
    return _reject(request, _me(request), payload)


@api.get("/agents/{username}", response={200: AgentStateOut, **ERRORS}, tags=["other agents"])
def agent_state(request: HttpRequest, username: str):
    """Another agent's state (permission “act for other agents”)."""
    return _state_out(agent_current_state(agent=_other(request, username)))


@api.post("/agents/{username}/status", response=STATE_RESPONSES, tags=["other agents"])
def change_agent_status(request: HttpRequest, username: str, payload: StatusIn):
    """Change another agent's status (permission “act for other agents”), or, as a supervisor
    of the agent's group, put them available, on break, offline or log them out (no code: the
    system reason `supervisor`)."""
    lookup = _to_change(request, username)
    if lookup is not None:
        return _state_response(_change_status(request, lookup, payload))
    agent = _other(request, username, supervisors=True)
    state = agent_supervise(
        agent=agent, action=payload.action, code=payload.code, supervisor=_caller(request)
    )
    return _state_response(state)


@api.post(
    "/agents/{username}/rejections",
    response={201: RejectionResultOut, **CHANGE_ERRORS},
    tags=["other agents"],
)
def reject_for_agent(request: HttpRequest, username: str, payload: RejectionIn):
    """Record a rejection for another agent (permission “act for other agents”)."""
    return _reject(request, _other(request, username), payload)


@api.post(
    "/agents/{username}/offers",
    response={201: OfferOut, **CHANGE_ERRORS},
    tags=["other agents"],
)
def offer_to_agent(request: HttpRequest, username: str, payload: OfferIn):
    """Offer an interaction to an available agent, e.g. `{"channel": "chat"}` (permission “act
    for other agents”)."""
    offer = offer_create(
        agent=_other(request, username), channel=payload.channel, actor=_caller(request)
    )
    return Status(201, _offer_out(offer))


@api.post(
    "/agents/{username}/offers/{offer_id}/accept",
    response={200: AgentStateOut, **CHANGE_ERRORS},
    tags=["other agents"],
)
def accept_agent_offer(request: HttpRequest, username: str, offer_id: str):
    """Accept an offer for another agent (permission “act for other agents”)."""
    state = offer_accept(
        agent=_other(request, username),
        offer_id=offer_id,
        source=EventSource.API,
        actor=_caller(request),
    )
    return _state_out(state)


@api.post(
    "/agents/{username}/offers/{offer_id}/reject",
    response={200: RejectionResultOut, **CHANGE_ERRORS},
    tags=["other agents"],
)
def reject_agent_offer(
    request: HttpRequest, username: str, offer_id: str, payload: OfferRejectionIn
):
    """Reject an offer for another agent (permission “act for other agents”)."""
    return _reject_offer(request, _other(request, username), offer_id, payload)


@api.post(
    "/agents/{username}/offers/{offer_id}/miss",
    response={200: AgentStateOut, **CHANGE_ERRORS},
    tags=["other agents"],
)
def miss_agent_offer(request: HttpRequest, username: str, offer_id: str):
    """The offer rang out unanswered: the group's status after a missed offer follows
    (permission “act for other agents”)."""
    state = offer_miss(agent=_other(request, username), offer_id=offer_id, actor=_caller(request))
    return _state_out(state)


@api.post(
    "/agents/{username}/offers/{offer_id}/withdraw",
    response={200: AgentStateOut, **CHANGE_ERRORS},
    tags=["other agents"],
)
def withdraw_agent_offer(request: HttpRequest, username: str, offer_id: str):
    """Take an offer back before it is answered (permission “act for other agents”)."""
    agent = _other(request, username)
    offer_withdraw(agent=agent, offer_id=offer_id)
    return _state_out(agent_current_state(agent=agent))
