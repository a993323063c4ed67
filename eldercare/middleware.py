"""Pages are closed unless a view says otherwise."""

from django.contrib.auth.middleware import LoginRequiredMiddleware
from rest_framework.views import APIView


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
