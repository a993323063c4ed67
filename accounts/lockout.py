"""What a locked-out login sees: the same rule for the login form and the token endpoint."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return _(
        "Too many failed logins for this account. Try again in %(minutes)d minutes, "
        "or ask the district administrator to unlock it."
    ) % {"minutes": minutes}


def lockout_response(request, *args, **kwargs):
    """django-axes' lockout callable (called with the request, and by some versions the original
    response and the credentials, which this ignores)."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    retry_after = str(round(settings.AXES_COOLOFF_TIME * 3600))
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": lockout_message()}, status=status, headers={"Retry-After": retry_after}
        )
    response = render(
        request, "registration/locked_out.html", {"message": lockout_message()}, status=status
    )
    response["Retry-After"] = retry_after
    return response
