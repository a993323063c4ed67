from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Who saw a person's full ID and phone numbers, and who changed their records."""

    name = "audit"
    verbose_name = _("Audit")
