"""The per-address limit on logins: the token endpoint and the login form share one budget
per client address (``accounts.addresses``), on top of django-axes' per-account lockout."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from accounts.addresses import client_address


class AddressThrottle(SimpleRateThrottle):
    """A DRF throttle keyed by the client's address as ``TRUSTED_PROXY_COUNT`` defines it
    (DRF's own ``get_ident`` would trust the whole ``X-Forwarded-For`` without ``NUM_PROXIES``)."""

    def get_ident(self, request):
        return client_address(request) or "unknown"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginThrottle(AddressThrottle):
    """``LOGIN_THROTTLE_RATE`` login attempts per address (default 30 a minute), whether they
    come to the token endpoint or the login form."""

    scope = "login"
