"""What the management commands share."""

from __future__ import annotations

import datetime

from django.core.management.base import CommandError
from django.utils import timezone


def day_option(value: str | None, option: str = "--date") -> datetime.date:
    """The day a command's ``option`` names (ISO, ``2026-05-31``), today when it is not given;
    one that is not a day stops the command with the reason."""
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{option}: {error}") from error
