from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data's generators and their commands; no models."""

    name = "demo"
    verbose_name = _("Demo")
