"""How long a login lasts: ``SESSION_IDLE_MINUTES`` without a request ends it, and so does
``SESSION_COOKIE_AGE`` after it began whatever happens (a working day by default), so a
township computer left logged in does not keep the ledger open for the next person.

Django's own expiry counts from the last save of the session, which the idle clock below
saves, so the session alone would never reach its limit: both limits are checked here, on
the server, on every request."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

STARTED = "_session_started_at"
SEEN = "_session_seen_at"
# the last-seen time is saved at most this often (one session write a minute, not one a request)
SEEN_RESOLUTION = 60


@receiver(user_logged_in, dispatch_uid="session_limits_start")
def start_the_clocks(sender, request, user, **kwargs):
    """Both clocks start at the login (a session from before this rule starts them at its next
    request)."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[STARTED] = now
        session[SEEN] = now


class SessionLimitsMiddleware:
    """Ends an idle or too old session before the view runs: the request goes on as an
    anonymous one (pages redirect to the login form, the API answers 401/403). API tokens are
    not sessions and have their own expiry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            now = int(time.time())
            started = session.setdefault(STARTED, now)
            seen = session.get(SEEN, now)
            idle = settings.SESSION_IDLE_MINUTES * 60
            if now - seen > idle or now - started > settings.SESSION_COOKIE_AGE:
                logout(request)
            elif SEEN not in session or now - seen >= SEEN_RESOLUTION:
                session[SEEN] = now
        return self.get_response(request)
