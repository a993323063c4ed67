"""The API's token check: django-rest-knox's, leaner at each request.

knox's ``TokenAuthentication`` reads every token of the user at every request, to delete the
ones that have expired, and then the user's region in a query of its own when the scope is
asked. Here the token presented is checked by knox's rules (its key, its SHA-512 digest, its
expiry, an active user; an expired token of that key is deleted), with the user and the user's
region in the same query, and no sweep: a login clears the user's expired tokens
(``api.auth.TokenView``) and the token list shows only current ones.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox import auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions


class TokenAuthentication(auth.TokenAuthentication):
    def authenticate_credentials(self, token):
        message = _("Invalid token.")
        token = token.decode("utf-8")
        candidates = get_token_model().objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
        for auth_token in candidates.select_related("user__region"):
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=type(self), username=username, source="auth_token")
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(message) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)
