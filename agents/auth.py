"""Authentication of the JSON API: bearer tokens for integrations, the session for the console.

A request that carries `Authorization: Bearer …` is judged by its token alone: a wrong or revoked
token is refused even if a session cookie is present, so an integration never silently acts as
whoever is logged in in the same browser.
"""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from .locks import LockWaitTimeout, atomic_with_lock_timeout
from .models import ApiToken
from .services import (
    MAY_ACT_FOR_OTHER_AGENTS,
    ActionRefused,
    may_act_for_other_agents_read,
)

# last_used_at is for the administrator ("is this token still in use?"): a minute's precision
# is enough and spares a write on every request of a busy integration.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`, looked up by the key's SHA-256 hash."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser:
        api_token = (
            ApiToken.objects.usable()
            .select_related("user")
            .annotate(**{MAY_ACT_FOR_OTHER_AGENTS: may_act_for_other_agents_read(OuterRef("user"))})
            .filter(key_hash=ApiToken.hash_key(token.strip()))
            .first()
        )
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
