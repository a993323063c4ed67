"""Pages are closed unless a view says otherwise; unreadable input is refused before any view."""

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from rest_framework.views import APIView

from eldercare.input import UnreadableInput, check_request


class PagesLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's ``LoginRequiredMiddleware`` for the pages, leaving the API to DRF.

    Every page needs a logged-in user unless its view is marked ``@login_not_required``.
    API views answer 401/403 themselves (DRF's authentication and ``api.permissions.HasScope``),
    which a phone client understands better than a redirect to the login form.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RefuseUnreadableInputMiddleware:
    """A 400 for a request no view should see (``eldercare.input``): a NUL character in the
    address, the query, a header or the body, or a JSON body nested too deeply.

    Early in ``MIDDLEWARE`` (after the language is chosen, so the message is in the user's
    language), for every route: the API answers ``{"detail": "message"}``, pages a short page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check_request(request)
        except UnreadableInput as refused:
            return refusal(request, refused.message)
        return self.get_response(request)


def refusal(request, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponseBadRequest(
        render_to_string("400.html", {"message": message}), content_type="text/html"
    )
