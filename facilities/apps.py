from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    """Facilities, beds, residents, staff, training and upgrade projects (the facility issue)."""

    name = "facilities"
    verbose_name = _("Facilities")
