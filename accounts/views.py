"""The login form, with the per-address limit the token endpoint has too."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.throttling import LoginThrottle


class LoginView(auth_views.LoginView):
    """Django's login form; a login attempt over the address's budget is answered 429 before
    the password is looked at (django-axes still locks the account after repeated failures)."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        throttle = LoginThrottle()
        if not throttle.allow_request(request, self):
            seconds = max(1, round(throttle.wait() or 1))
            message = _(
                "Too many login attempts from this address. Try again in %(seconds)d seconds."
            ) % {"seconds": seconds}
            response = render(
                request, "registration/throttled.html", {"message": message}, status=429
            )
            response["Retry-After"] = str(seconds)
            return response
        return super().post(request, *args, **kwargs)
