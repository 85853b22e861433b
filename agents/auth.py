"""Authentication of the JSON API: bearer tokens for integrations, the session for the console.

A request that carries `Authorization: Bearer …` is judged by its token alone: a wrong or revoked
token is refused even if a session cookie is present, so an integration never silently acts as
whoever is logged in in the same browser.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from core.precompiled import PrecompiledQuery, first_of

from .locks import LockWaitTimeout, atomic_with_lock_timeout
from .models import ApiToken
from .services import (
    MAY_ACT_FOR_OTHER_AGENTS,
    ActionRefused,
    AgentLookup,
    may_act_for_other_agents_read,
)

# last_used_at is for the administrator ("is this token still in use?"): a minute's precision
# is enough and spares a write on every request of a busy integration.
LAST_USED_PRECISION = timedelta(minutes=1)


# The token, its user and their permission to act for other agents; compiled once per process
# (core.precompiled).
USABLE_TOKEN = PrecompiledQuery(
    lambda *, key_hash: first_of(
        ApiToken.objects.usable()
        .select_related("user")
        .annotate(**{MAY_ACT_FOR_OTHER_AGENTS: may_act_for_other_agents_read(OuterRef("user"))})
        .filter(key_hash=key_hash)
    ),
    key_hash=str,
)


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`, looked up by the key's SHA-256 hash."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser:
        api_token = USABLE_TOKEN.first(key_hash=ApiToken.hash_key(token.strip()))
        if api_token is None:
            raise ActionRefused(
                "not_authenticated", _("The API token is unknown, revoked or its user is inactive.")
            )
        # The integration's permission, read in the same query (one round trip, not three).
        api_token.user.__dict__[MAY_ACT_FOR_OTHER_AGENTS] = getattr(
            api_token, MAY_ACT_FOR_OTHER_AGENTS
        )
        now = timezone.now()
        if api_token.last_used_at is None or api_token.last_used_at < now - LAST_USED_PRECISION:
            try:
                with atomic_with_lock_timeout():
                    ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
            except LockWaitTimeout:
                # SQLite while an import writes: bookkeeping must not hold the request up; the
                # next request records the time.
                pass
        return api_token.user


class SessionCsrfAuth(SessionAuth):
    """The Django session, with the CSRF check on unsafe methods (as the console's forms)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if check_csrf(request):
            raise ActionRefused(
                "csrf_failed",
                _("CSRF check failed: send the csrftoken cookie's value as X-CSRFToken header."),
            )
        return request.COOKIES.get(self.param_name)


class SessionClaimAuth(SessionCsrfAuth):
    """The session, whose user is checked by the statement that locks their agent: for the
    caller's own status change, where Django's `get_user` would read the user in a query of its
    own (`SessionClaim`). Anything out of the ordinary takes Django's path."""

    def authenticate(self, request: HttpRequest, key: str | None):
        return SessionClaim.of(request) or super().authenticate(request, key)


class ClaimNotConfirmed(Exception):
    """The user a session names is not the one the lock read as Django's `get_user` would accept
    them (inactive, not an agent, another password): Django's own path decides."""


class SessionClaim:
    """Who the session says is logged in: their id and the session's hash of their password,
    not yet checked against their user row. `agent_lookup()` has the statement that locks their
    agent read that row and check it as Django's `get_user` does (ModelBackend: the user exists
    and is active; the hash matches the current password), saving the user's own query; until
    then the claim is nobody (`settle_session_claim`)."""

    def __init__(self, request: HttpRequest, user_id, session_hash: str) -> None:
        self.request = request
        self.user_id = user_id
        self.session_hash = session_hash

    @classmethod
    def of(cls, request: HttpRequest) -> "SessionClaim | None":
        """The request's claim, or None where Django's `get_user` must decide: no user in the
        session, a user already read, a backend other than ModelBackend's reading, no hash."""
        if hasattr(request, "_cached_user"):  # AuthenticationMiddleware's: read already
            return None
        session = request.session
        try:
            user_id = _user_model_pk().to_python(session[SESSION_KEY])
            backend_path = session[BACKEND_SESSION_KEY]
        except KeyError:
            return None
        session_hash = session.get(HASH_SESSION_KEY)
        if not session_hash or not _reads_as_model_backend(backend_path):
            return None
        return cls(request, user_id, session_hash)

    def agent_lookup(self) -> AgentLookup:
        """The caller's agent, for the statement that locks them to read and confirm."""
        return AgentLookup(
            user_id=self.user_id, missing=ClaimNotConfirmed(), confirm_user=self.confirm
        )

    def confirm(self, user: AbstractBaseUser) -> None:
        """Accept `user`, read with their agent's lock, as the caller, as `get_user` would, and
        make them the request's user; raises ClaimNotConfirmed otherwise (the change rolls back,
        Django's path decides, flushing a session whose password changed)."""
        if not (
            user.pk == self.user_id
            and ModelBackend().user_can_authenticate(user)
            and constant_time_compare(self.session_hash, user.get_session_auth_hash())
        ):
            raise ClaimNotConfirmed
        self.request._cached_user = user  # what AuthenticationMiddleware's request.user returns
        self.request.auth = user


def settle_session_claim(request: HttpRequest) -> bool:
    """Replace a session's claim not confirmed yet (`request.auth`) by the user Django's
    `get_user` reads, which flushes a session whose password changed; False when that is nobody
    (the caller is not authenticated), True otherwise."""
    if not isinstance(getattr(request, "auth", None), SessionClaim):
        return True
    user = request.user
    request.auth = user if user.is_authenticated else None
    return request.auth is not None


def _user_model_pk():
    return get_user_model()._meta.pk


def _reads_as_model_backend(backend_path: str) -> bool:
    # get_user asks the backend that logged the user in; the claim checks what ModelBackend's
    # get_user checks, so only a backend reading users exactly as it does may use it.
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return False
    backend = type(load_backend(backend_path))
    return (
        backend.get_user is ModelBackend.get_user
        and backend.user_can_authenticate is ModelBackend.user_can_authenticate
    )
