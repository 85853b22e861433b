"""Django's database sessions (SESSION_ENGINE), whose read of the session runs compiled once per
process (core.precompiled): every request of a logged-in user reads it, the console's API calls
included (docs/performance.md, "API throughput"). The SQL, and what is done with the row, are
Django's own."""

import logging
from datetime import datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.db.models.query import MAX_GET_RESULTS
from django.utils import timezone

from .precompiled import PrecompiledQuery

# What `Session.objects.get(session_key=…, expire_date__gt=now)` runs.
UNEXPIRED_SESSION = PrecompiledQuery(
    lambda *, session_key, now: Session.objects.filter(
        session_key=session_key, expire_date__gt=now
    ).order_by()[:MAX_GET_RESULTS],
    session_key=str,
    now=datetime,
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if self.model is not Session:  # a subclass's own model: Django's reading
            return super()._get_session_from_db()
        try:
            found = UNEXPIRED_SESSION.first(session_key=self.session_key, now=timezone.now())
        except SuspiciousOperation as error:
            logger = logging.getLogger(f"django.security.{error.__class__.__name__}")
            logger.warning(str(error))
            found = None
        if found is None:
            self._session_key = None
        return found
