"""The login form."""

from __future__ import annotations

from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    """Django's login form. An attempt over the address's budget is answered 429 before the
    password is looked at (``accounts.throttling``, for every login view alike), and django-axes
    locks the account after repeated failures."""

    redirect_authenticated_user = True
