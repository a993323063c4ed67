"""Writes on users: every face (admin, commands, the demo set-up) goes through these."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from regions.models import Region


@transaction.atomic
def user_upsert(
    *,
    username: str,
    password: str,
    role: str,
    region: Region | None,
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
) -> tuple[User, bool]:
    """Create the user, or bring an existing one to the given role, region and password.

    Raises ``ValidationError`` when the role does not work at the region's level."""
    user, created = User.objects.select_for_update().get_or_create(username=username)
    user.role = role
    user.region = region
    user.first_name = first_name
    user.last_name = last_name
    user.is_staff = is_staff
    user.is_active = True
    user.clean()
    user.set_password(password)
    user.save()
    return user, created
