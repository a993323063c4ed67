"""After every request: the view log of the full numbers it showed, and no caching of answers
meant for a logged-in user."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers

from audit.log import people_viewed
from audit.models import Channel
from audit.personal import people_shown


class PersonalDataMiddleware:
    """Writes one view-log row per person whose full numbers the answer carries (noted by
    ``audit.personal.shown`` while the view built it; nothing for an error or a redirect,
    which carry none), and marks every answer to a logged-in user ``Cache-Control: no-store``:
    a person's record carries full numbers, and lists and pages carry names, ages and
    addresses that must not stay in a shared township computer's browser cache or a proxy.
    A view that sets its own ``Cache-Control`` (the volunteer's service worker) keeps it,
    unless its answer carries full numbers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        people = people_shown(request)
        if people and 200 <= response.status_code < 300:
            channel = Channel.API if request.path.startswith("/api/") else Channel.PAGE
            people_viewed(request, people, channel)
        user = getattr(request, "user", None)
        logged_in = user is not None and user.is_authenticated
        if people or (logged_in and not response.has_header("Cache-Control")):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response
