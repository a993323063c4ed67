"""API tokens for phones (django-rest-knox): log in, log out, list and revoke.

A login makes a new token (one per phone), valid for ``API_TOKEN_HOURS``; only its SHA-512
digest is stored, so the token is shown once, in the login's answer. Tokens end at their expiry,
at logout, on a password change and when the account is deactivated (``accounts.signals``).
"""

import re

from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema, inline_serializer
from knox import views as knox_views
from knox.models import AuthToken
from rest_framework import mixins, serializers, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.lockout import lockout_response
from accounts.models import ApiToken
from accounts.services import token_issue, token_revoke
from api.authentication import TokenAuthentication
from api.schema import ErrorsDocumentedSchema
from api.scoping import ScopedViewSetMixin
from api.serializers import ModelSerializer


class TokenView(APIView):
    """``POST {"username", "password"}`` → ``{"token", "expiry"}`` for phones: send it back as
    ``Authorization: Token <token>``. Repeated failures lock the username (429), and every
    address has a budget of login attempts, shared with the other login views (429,
    ``accounts.throttling``)."""

    permission_classes = (AllowAny,)
    authentication_classes = ()
    serializer_class = AuthTokenSerializer
    schema = ErrorsDocumentedSchema()

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={
            200: inline_serializer(
                "TokenResponse",
                {"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
            )
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            # django-axes flags the request it was given, which here is DRF's wrapper.
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request._request)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, key = token_issue(by=user)
        # A token login is a login: last_login is kept, and django-axes clears the failures.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response(
            {"token": key, "expiry": serializers.DateTimeField().to_representation(token.expiry)}
        )


class LogoutView(knox_views.LogoutView):
    """``POST`` with ``Authorization: Token …``: that token ends (204)."""

    authentication_classes = (TokenAuthentication,)  # knox's names its own
    schema = ErrorsDocumentedSchema()

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        if not isinstance(request.auth, AuthToken):  # a test client's forced login has none
            return Response(status=204)
        return super().post(request, format)


class LogoutAllView(knox_views.LogoutAllView):
    """``POST`` with ``Authorization: Token …``: every token of the user ends (204), on every
    phone."""

    authentication_classes = (TokenAuthentication,)  # knox's names its own
    schema = ErrorsDocumentedSchema()

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)


class ApiTokenSerializer(ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ("id", "username", "created", "expiry", "current")
        read_only_fields = fields

    def get_current(self, token) -> bool:
        """Whether this is the token the request was made with."""
        used = self.context["request"].auth
        return isinstance(used, AuthToken) and used.digest == token.digest


PUBLIC_ID = re.compile(r"[0-9a-f]{16}")


class ApiTokenViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """``GET auth/tokens/``: the tokens that still open the API — your own, and for the bureau
    those of every user in its region — with when they were made and when they end, never the
    token. ``GET``/``DELETE auth/tokens/{id}/`` shows or revokes one (204)."""

    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer
    ordering = ("-created",)
    ordering_fields = ("created", "expiry")

    def base_queryset(self):
        return ApiToken.objects.current().select_related("user")

    def get_object(self):
        public_id = self.kwargs["pk"]
        if not PUBLIC_ID.fullmatch(public_id):
            raise NotFound()
        token = self.get_queryset().filter(digest__startswith=public_id).first()
        if token is None:
            raise NotFound()
        return token

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        token_revoke(by=request.user, token=self.get_object())
        return Response(status=204)
