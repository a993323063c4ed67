"""``/bench/bare/``: the floor the framework sets, for the load test (``loadtest/``).

A plain Django view that answers ``{"ok": true}`` through the whole middleware stack (sessions,
CSRF, authentication, the login-required middleware, django-axes) with no database access and no
data, so that the load run can show the app's endpoints beside what the same stack serves when
the view itself does nothing.

The route exists only when the process is started with ``BENCH_BARE_VIEW=1`` (the load runner
sets it for its gunicorn); otherwise ``urlpatterns`` is empty and the URL is a 404. It is open
(``@login_not_required``) because the floor must not include a login; it reads nothing, so an
open route holds no records even when it is switched on.
"""

from __future__ import annotations

import os

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

ENV_FLAG = "BENCH_BARE_VIEW"


@login_not_required
@never_cache
@require_GET
def bare(request):
    """A small JSON body and nothing else: no query, no session write, no template."""
    return JsonResponse({"ok": True})


def enabled() -> bool:
    return os.environ.get(ENV_FLAG, "").strip().lower() in {"1", "true", "yes", "on"}


def routes() -> list:
    return [path("bare/", bare, name="bare")] if enabled() else []


app_name = "bench"
urlpatterns = routes()
