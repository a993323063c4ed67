"""Writes on users: every face (admin, commands, the demo set-up) goes through these."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User
from regions.models import Region


@transaction.atomic
def user_upsert(
    *,
    by: User | None = None,
    username: str,
    password: str,
    role: str,
    region: Region | None,
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
) -> tuple[User, bool]:
    """Create the user, or bring an existing one to the given role, region and password.

    Returns ``(user, created)``; ``by`` (None: a command or the set-up) is recorded in the
    user's history. Raises ``ValidationError`` when the role does not work at the region's
    level."""
    user, created = User.objects.select_for_update().get_or_create(username=username)
    user.role = role
    user.region = region
    user.first_name = first_name
    user.last_name = last_name
    user.is_staff = is_staff
    user.is_active = True
    user.clean()
    user.set_password(password)
    if by is not None:
        user._history_user = by
    user.save()
    return user, created


@transaction.atomic
def token_issue(*, by: User) -> tuple[ApiToken, str]:
    """A new API token for ``by`` (a phone's login), valid for ``API_TOKEN_HOURS``; returns
    the token and its key, which is shown this once (only its digest is stored). The user's
    tokens that have run out are of no use to anyone: cleared at each login."""
    ApiToken.objects.filter(user=by, expiry__lte=timezone.now()).delete()
    return ApiToken.objects.create(user=by)


@transaction.atomic
def token_revoke(*, by: User, token: ApiToken) -> ApiToken:
    """End a token (``by`` has already been allowed to see it): it opens the API no more."""
    ApiToken.objects.filter(digest=token.digest).delete()
    return token
