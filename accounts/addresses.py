"""The client's address: one rule for the login throttles, the lockout and the audit log.

``TRUSTED_PROXY_COUNT`` says how many reverse proxies stand in front of the application and each
append the address they received the connection from to ``X-Forwarded-For``:

- 0 (the default): nothing in front; the address is the connection's own (``REMOTE_ADDR``) and
  ``X-Forwarded-For`` is ignored, since any client can write it.
- n ≥ 1: the n-th entry from the right of ``X-Forwarded-For`` — the address the outermost
  trusted proxy saw. Entries further left were written by the client (or proxies we do not
  know) and are ignored, so rotating them changes nothing. A header shorter than n, or an entry
  that is not an address, means the request did not come through the proxies as configured:
  the connection's address is used.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
