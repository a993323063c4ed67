from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

NOT_FOUND = _("Not found, or outside your region.")


def exception_handler(exc, context):
    """DRF's handler, with one 404 for "does not exist" and "outside your region": the answer
    must not tell which (and Django's own 404 text names the model, untranslated)."""
    if isinstance(exc, Http404 | exceptions.NotFound):
        exc = exceptions.NotFound(NOT_FOUND)
    return drf_exception_handler(exc, context)
