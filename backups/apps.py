from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    """Export everything needed to rebuild the system, and restore it into an empty database."""

    name = "backups"
    verbose_name = _("Backups")
