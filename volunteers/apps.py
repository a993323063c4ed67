from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """Volunteers, groups, 结对扶老 pairings and the time bank (the volunteers issue)."""

    name = "volunteers"
    verbose_name = _("Volunteers")
