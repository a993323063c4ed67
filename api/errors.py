"""Turning the domain's ``django.core.exceptions.ValidationError`` into the API's 400."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError


@contextmanager
def domain_errors():
    """Run a service; its field errors become a 400 ``{"field": ["message"]}``."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError(exc.message_dict) from None
        raise ValidationError({"non_field_errors": exc.messages}) from None
