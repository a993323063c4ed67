"""The per-address limit on logins: every view that takes a username and a password shares one
budget per client address (``accounts.addresses``), on top of django-axes' per-account lockout.

The views are named once, in ``LOGIN_VIEWS``, and ``LoginThrottleMiddleware`` counts a ``POST``
to any of them before the view looks at the password; ``tests/test_login_surfaces.py`` finds
every route that tries a password and fails when one is missing here.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from accounts.addresses import client_address

# The URL names of the views that check a password: the login form, the admin's login and the
# API's token login.
LOGIN_VIEWS = frozenset({"login", "admin:login", "api:token"})


def is_login_path(path: str) -> bool:
    """Whether ``path`` is served by a login view (the API schema documents its 429)."""
    try:
        return resolve(path).view_name in LOGIN_VIEWS
    except Resolver404:
        return False


class AddressThrottle(SimpleRateThrottle):
    """A DRF throttle keyed by the client's address as ``TRUSTED_PROXY_COUNT`` defines it
    (DRF's own ``get_ident`` would trust the whole ``X-Forwarded-For`` without ``NUM_PROXIES``)."""

    def get_ident(self, request):
        return client_address(request) or "unknown"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginThrottle(AddressThrottle):
    """``LOGIN_THROTTLE_RATE`` login attempts per address (default 30 a minute), whichever
    login view they come to."""

    scope = "login"


def login_refused(request) -> HttpResponse | None:
    """Count a login attempt against the address's budget; over it, the 429 to answer with
    (``Retry-After`` and the message in the user's language; JSON on the API)."""
    throttle = LoginThrottle()
    if throttle.allow_request(request, None):
        return None
    seconds = max(1, round(throttle.wait() or 1))
    # zh: 来自此地址的登录尝试过多，请在 %(seconds)d 秒后再试。
    text = _("Too many login attempts from this address. Try again in %(seconds)d seconds.")
    message = text % {"seconds": seconds}
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": message}, status=429, json_dumps_params={"ensure_ascii": False}
        )
    else:
        response = render(request, "registration/throttled.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


class LoginThrottleMiddleware:
    """A ``POST`` to a view of ``LOGIN_VIEWS`` over the address's budget is answered 429 before
    the view runs, so no password is tried."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        if request.resolver_match.view_name not in LOGIN_VIEWS:
            return None
        return login_refused(request)
