from django.contrib.auth.signals import user_logged_in
from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts.lockout import lockout_response
from api.schema import ErrorsDocumentedSchema


def token_for(user) -> Token:
    """The user's token, created once even when a phone logs in twice at the same moment."""
    try:
        with transaction.atomic():
            return Token.objects.get_or_create(user=user)[0]
    except IntegrityError:
        return Token.objects.get(user=user)


class TokenView(ObtainAuthToken):
    """``POST {"username", "password"}`` → ``{"token"}`` for phones: send it back as
    ``Authorization: Token <token>``. Repeated failures lock the username (429)."""

    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "login"  # requests per address, on top of the per-account lockout
    schema = ErrorsDocumentedSchema()

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes flags the request it was given, which here is DRF's wrapper.
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request._request)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        # A token login is a login: last_login is kept, and django-axes clears the failures.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response({"token": token_for(user).key})
