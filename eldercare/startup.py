"""Checks a serving process makes before it starts."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_demo_secret_in_production() -> None:
    """With DEBUG off, the public demo key would let anyone forge sessions: refuse to serve."""
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEMO_SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the system refuses to start with the demo key: "
            "set SECRET_KEY in the environment (e.g. python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))')."
        )
