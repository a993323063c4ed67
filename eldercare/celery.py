"""The Celery application.

With ``CELERY_BROKER_URL`` unset (the embedded demo) settings make every task run eagerly in the
calling process; with a Redis URL tasks go to the worker and beat started by docker compose.
"""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")

app = Celery("eldercare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_demo_secret(**kwargs) -> None:
    from eldercare.startup import refuse_demo_secret_in_production

    refuse_demo_secret_in_production()
