"""The agent console (docs/api.md, "The agent console"): the logged-in agent's status, actions
and code drop-downs, the offer ringing (Accept, Reject with a reason) and the pending change.

Plain forms with POST-redirect-GET, so it works without JavaScript; static/js/console.js only
makes the clocks tick from the seconds this view computed, shows the code's maximum passed at
the instant this view computed, and reloads the page when an offer arrives or the status is
changed elsewhere (an integration, a supervisor, a timer).
"""

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.choices import REJECTION_ACTION_OF_CHANNEL, AgentAction, AgentStatus, Channel, EventSource
from core.durations import hms

from .forms import OfferRejectionForm, SignOutForm, StatusActionForm
from .models import Agent, Offer, PendingChange
from .selectors import (
    AgentState,
    OfferedCode,
    agent_code_choices,
    agent_current_state,
    agent_for_user,
    agent_offer,
    agent_pending_change,
    agent_pending_offer,
    code_label,
    reason_label,
)
from .services import (
    ActionRefused,
    agent_allowed_actions,
    agent_cancel_pending_change,
    agent_deferrable_actions,
    agent_perform_action,
    offer_accept,
    offer_reject,
)
from .timeline import time_in_status


def in_agent_language(
    request: HttpRequest, agent: Agent | None, view: Callable[[], HttpResponse]
) -> HttpResponse:
    """`view()` in the agent's preferred language (Agent.language), whatever the browser asks
    for: the page, the messages it leaves for the next page and the refusals of the services,
    which are worded as they are raised (docs/languages.md). A non-agent keeps the browser's."""
    if agent is None:
        return view()
    with translation.override(agent.language):
        request.LANGUAGE_CODE = agent.language
        response = view()
    # LocaleMiddleware only fills the header when it is missing.
    response.headers["Content-Language"] = agent.language
    return response


def agent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then only users who are agents get through, with their Agent, in their
    language."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        agent = agent_for_user(user=request.user)
        if agent is None:
            return render(request, "agents/not_an_agent.html", status=403)
        return in_agent_language(request, agent, lambda: view(request, agent, *args, **kwargs))

    return wrapper


# What the console says after a change, one whole sentence per status so that each language can
# word it its own way (a status label such as "Work offline" does not fit "You are now …").
NOW_IN_STATUS = {
    AgentStatus.AVAILABLE: gettext_lazy("You are now available."),
    AgentStatus.BUSY: gettext_lazy("You are now busy with an interaction."),
    AgentStatus.POST_PROCESSING: gettext_lazy("You are now in post-processing."),
    AgentStatus.ON_BREAK: gettext_lazy("You are now on break."),
    AgentStatus.WORK_OFFLINE: gettext_lazy("You are now working offline."),
    AgentStatus.LOGGED_OUT: gettext_lazy("You are now logged out of the contact center."),
}
NOW_IN_STATUS_WITH_CODE = {
    AgentStatus.AVAILABLE: gettext_lazy("You are now available (%(code)s)."),
    AgentStatus.BUSY: gettext_lazy("You are now busy with an interaction (%(code)s)."),
    AgentStatus.POST_PROCESSING: gettext_lazy("You are now in post-processing (%(code)s)."),
    AgentStatus.ON_BREAK: gettext_lazy("You are now on break (%(code)s)."),
    AgentStatus.WORK_OFFLINE: gettext_lazy("You are now working offline (%(code)s)."),
    AgentStatus.LOGGED_OUT: gettext_lazy(
        "You are now logged out of the contact center (%(code)s)."
    ),
}
# The sign-out question's title: "You are still on break (Lunch)".
STILL_IN_STATUS = {
    AgentStatus.AVAILABLE: gettext_lazy("You are still available"),
    AgentStatus.BUSY: gettext_lazy("You are still busy with an interaction"),
    AgentStatus.POST_PROCESSING: gettext_lazy("You are still in post-processing"),
    AgentStatus.ON_BREAK: gettext_lazy("You are still on break"),
    AgentStatus.WORK_OFFLINE: gettext_lazy("You are still working offline"),
}
STILL_IN_STATUS_WITH_CODE = {
    AgentStatus.AVAILABLE: gettext_lazy("You are still available (%(code)s)"),
    AgentStatus.BUSY: gettext_lazy("You are still busy with an interaction (%(code)s)"),
    AgentStatus.POST_PROCESSING: gettext_lazy("You are still in post-processing (%(code)s)"),
    AgentStatus.ON_BREAK: gettext_lazy("You are still on break (%(code)s)"),
    AgentStatus.WORK_OFFLINE: gettext_lazy("You are still working offline (%(code)s)"),
}
# An offer ringing, and its answers, per channel for the same reason.
RINGING = {
    Channel.PHONE: gettext_lazy("A phone interaction is ringing"),
    Channel.CHAT: gettext_lazy("A chat interaction is ringing"),
    Channel.EMAIL: gettext_lazy("An email interaction is ringing"),
    Channel.VOICEMAIL: gettext_lazy("A voicemail interaction is ringing"),
}
ACCEPTED = {
    Channel.PHONE: gettext_lazy("You accepted the phone interaction; you are now busy with it."),
    Channel.CHAT: gettext_lazy("You accepted the chat interaction; you are now busy with it."),
    Channel.EMAIL: gettext_lazy("You accepted the email interaction; you are now busy with it."),
    Channel.VOICEMAIL: gettext_lazy(
        "You accepted the voicemail interaction; you are now busy with it."
    ),
}
# After a rejection, per channel for the same reason.
REJECTED = {
    Channel.PHONE: gettext_lazy("You rejected the phone interaction."),
    Channel.CHAT: gettext_lazy("You rejected the chat interaction."),
    Channel.EMAIL: gettext_lazy("You rejected the email interaction."),
    Channel.VOICEMAIL: gettext_lazy("You rejected the voicemail interaction."),
}
REJECTED_WITH_CODE = {
    Channel.PHONE: gettext_lazy("You rejected the phone interaction (%(code)s)."),
    Channel.CHAT: gettext_lazy("You rejected the chat interaction (%(code)s)."),
    Channel.EMAIL: gettext_lazy("You rejected the email interaction (%(code)s)."),
    Channel.VOICEMAIL: gettext_lazy("You rejected the voicemail interaction (%(code)s)."),
}


def _sentence(plain: dict, with_code: dict, key: str, agent: Agent, code) -> str:
    """The sentence for `key`, naming `code` by its label in the agent's language if any."""
    if code is None:
        return str(plain[key])
    return str(with_code[key]) % {"code": code_label(code=code, language=agent.language)}


def _reason(agent: Agent, state: AgentState) -> str:
    """The label of the state's code, or of the system reason recorded instead of one."""
    if state.code:
        return code_label(code=state.code, language=agent.language)
    if state.system_reason:
        return reason_label(reason=state.system_reason, language=agent.language)
    return ""


def _offer_context(agent: Agent, offer: Offer, choices: dict, now: datetime) -> dict:
    """The ringing offer: its channel, how long it has rung, and the Reject form's reasons."""
    codes = choices.get(REJECTION_ACTION_OF_CHANNEL[offer.channel], [])
    seconds = time_in_status(since=offer.offered_at, max_minutes=None, now=now).seconds
    return {
        "offer": offer,
        "ringing": RINGING[offer.channel],
        "channel_label": Channel(offer.channel).label,
        "seconds": seconds,
        "elapsed": hms(seconds),
        "reject": _form(agent, offer.channel, Channel(offer.channel).label, codes)
        | {"url": reverse("console:reject_offer", args=[offer.pk])},
    }


def _pending_context(agent: Agent, pending: PendingChange) -> dict:
    """ "After this interaction: Take break – Lunch"."""
    what = str(AgentAction(pending.action).label)
    if pending.code:
        what = f"{what} – {code_label(code=pending.code, language=agent.language)}"
    return {"change": pending, "text": what}


def _form(agent: Agent, key: str, label: str, codes: list[OfferedCode]) -> dict:
    """One action button of the page, with its drop-down of codes where the list offers some."""
    return {
        "key": key,
        "label": label,
        "codes": codes,
        "required": bool(codes) and agent.status_codes_enabled,
    }


def _form_refusal(form: forms.Form) -> str:
    """What the agent is told of a form that is not valid: why the code is refused, or that the
    request was incomplete."""
    if form.errors.keys() == {"code"}:
        return form.errors["code"][0]
    return _("That request was incomplete; nothing was changed.")


# The console shows the agent's own state, on shared workstations: never kept in a cache.
@never_cache
@require_GET
@agent_required
def console(request: HttpRequest, agent: Agent) -> HttpResponse:
    now = timezone.now()
    state = agent_current_state(agent=agent)
    choices = agent_code_choices(agent=agent)
    actions = [
        _form(agent, action, AgentAction(action).label, choices.get(action, []))
        for action in agent_allowed_actions(state=state)
    ]
    # Asked while busy or in wrap-up, these wait as the pending change.
    later = [
        _form(agent, action, AgentAction(action).label, choices.get(action, []))
        for action in agent_deferrable_actions(state=state)
    ]
    # Rejecting answers an offer: without one ringing there is nothing to reject here.
    offer = agent_pending_offer(agent=agent)
    pending = agent_pending_change(agent=agent)
    max_minutes = state.code.max_minutes if state.code else None
    timing = time_in_status(since=state.since, max_minutes=max_minutes, now=now)
    context = {
        "agent": agent,
        "state": state,
        "status_label": AgentStatus(state.status).label,
        "code_label": _reason(agent, state),
        "elapsed_seconds": timing.seconds,
        "elapsed": hms(timing.seconds) if timing.seconds is not None else "",
        "max_minutes": max_minutes,
        "exceeded": timing.exceeded,
        # The page's script switches the warning on then; it does not apply the rule itself.
        "exceeds_in_ms": timing.exceeds_in_ms,
        "actions": actions,
        "later": later,
        "offer": _offer_context(agent, offer, choices, now) if offer else None,
        "pending": _pending_context(agent, pending) if pending else None,
        "code_reference": [
            {"label": AgentAction(action).label, "codes": codes}
            for action, codes in choices.items()
        ],
    }
    return render(request, "agents/console.html", context)


@never_cache
@require_POST
@agent_required
def change_status(request: HttpRequest, agent: Agent) -> HttpResponse:
    form = StatusActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_refusal(form))
        return redirect("console:home")
    try:
        state = agent_perform_action(
            agent=agent,
            action=form.cleaned_data["action"],
            code=form.cleaned_data["code"],
            source=EventSource.CONSOLE,
        )
    except ActionRefused as refused:
        messages.error(request, refused.detail)
        return redirect("console:home")
    if state.deferred:
        # Asked while busy or in wrap-up: it waits (docs/concepts.md, "Pending change").
        messages.success(
            request,
            _("“%(action)s” will apply when your interaction and its wrap-up end.")
            % {"action": AgentAction(form.cleaned_data["action"]).label},
        )
        return redirect("console:home")
    messages.success(
        request, _sentence(NOW_IN_STATUS, NOW_IN_STATUS_WITH_CODE, state.status, agent, state.code)
    )
    return redirect("console:home")


@never_cache
@require_POST
@agent_required
def accept_offer(request: HttpRequest, agent: Agent, offer_id: str) -> HttpResponse:
    try:
        offer_accept(agent=agent, offer_id=offer_id, source=EventSource.CONSOLE)
    except ActionRefused as refused:
        messages.error(request, refused.detail)
        return redirect("console:home")
    offer = agent_offer(agent=agent, offer_id=offer_id)
    messages.success(request, str(ACCEPTED[offer.channel]))
    return redirect("console:home")


@never_cache
@require_POST
@agent_required
def reject_offer(request: HttpRequest, agent: Agent, offer_id: str) -> HttpResponse:
    form = OfferRejectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_refusal(form))
        return redirect("console:home")
    try:
        state, rejection = offer_reject(
            agent=agent,
            offer_id=offer_id,
            code=form.cleaned_data["code"],
            source=EventSource.CONSOLE,
        )
    except ActionRefused as refused:
        messages.error(request, refused.detail)
        return redirect("console:home")
    messages.success(
        request, _sentence(REJECTED, REJECTED_WITH_CODE, rejection.channel, agent, rejection.code)
    )
    # Then the group's status after a rejection, which carries the rejection's code (a group
    # that keeps its agents available changes nothing, and there is nothing more to say).
    if state.status != AgentStatus.AVAILABLE:
        messages.info(
            request,
            _sentence(NOW_IN_STATUS, NOW_IN_STATUS_WITH_CODE, state.status, agent, state.code),
        )
    return redirect("console:home")


@never_cache
@require_POST
@agent_required
def cancel_pending(request: HttpRequest, agent: Agent) -> HttpResponse:
    if agent_cancel_pending_change(agent=agent):
        messages.success(request, _("Your pending change is cancelled."))
    else:
        messages.info(request, _("There was no pending change to cancel."))
    return redirect("console:home")


def _still_in(state: AgentState) -> str:
    """ "You are still on break (Lunch)": the sign-out question's title."""
    return _sentence(
        STILL_IN_STATUS, STILL_IN_STATUS_WITH_CODE, state.status, state.agent, state.code
    )


def _end_session(request: HttpRequest, message: str | Promise) -> HttpResponse:
    auth.logout(request)
    # After logout(): the message goes with the next page (the login page), not the old session.
    # A lazy text, worded when the message is stored after this view: in the language of the
    # login page that shows it (the browser's), not the agent's.
    messages.success(request, message)
    return redirect(settings.LOGOUT_REDIRECT_URL)


SIGNED_OUT = gettext_lazy("You are signed out.")
LOGGED_OUT_AND_SIGNED_OUT = gettext_lazy("You are logged out of the contact center and signed out.")


@never_cache
@login_required
def sign_out(request: HttpRequest) -> HttpResponse:
    """The header's "Sign out": ends the web session. An agent who is still in the contact center
    (any status but logged out) is asked first whether to log out of it too, since signing out
    alone leaves them in their status on the live board (docs/security.md, "Sessions")."""
    agent = agent_for_user(user=request.user)
    return in_agent_language(request, agent, lambda: _sign_out(request, agent))


def _sign_out(request: HttpRequest, agent: Agent | None) -> HttpResponse:
    state = agent_current_state(agent=agent) if agent else None
    still_in = state is not None and state.status != AgentStatus.LOGGED_OUT
    form = SignOutForm(request.POST if "choice" in request.POST else None)
    if request.method == "POST" and not still_in:
        return _end_session(request, SIGNED_OUT)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["choice"] == SignOutForm.SIGN_OUT_ONLY:
            return _end_session(request, SIGNED_OUT)
        try:
            agent_perform_action(
                agent=agent,
                action=AgentAction.LOGOUT,
                code=form.cleaned_data["code"],
                source=EventSource.CONSOLE,
            )
        except ActionRefused as refused:
            messages.error(request, refused.detail)
        else:
            return _end_session(request, LOGGED_OUT_AND_SIGNED_OUT)
    elif form.is_bound:
        messages.error(request, _form_refusal(form))
    context = {"still_in": still_in}
    if still_in:
        codes = agent_code_choices(agent=agent).get(AgentAction.LOGOUT, [])
        context |= {
            "still_in_text": _still_in(state),
            "may_log_out": AgentAction.LOGOUT in agent_allowed_actions(state=state),
            "logout": _form(agent, AgentAction.LOGOUT, AgentAction.LOGOUT.label, codes),
        }
    return render(request, "agents/sign_out.html", context)
