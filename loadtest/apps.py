from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoadtestConfig(AppConfig):
    """The load test, the floor and bare views it measures against, and the benchmark
    commands (``bench_api``, ``bench_coverage``, ``bench_pages``); no models."""

    name = "loadtest"
    verbose_name = _("Load test")
