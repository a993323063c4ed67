from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    """Indicators, targets and dated snapshots of how far each region stands from them."""

    name = "coverage"
    verbose_name = _("Coverage")

    def ready(self) -> None:
        from coverage import signals

        signals.connect()
