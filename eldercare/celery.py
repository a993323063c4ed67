"""The Celery application.

With ``CELERY_BROKER_URL`` unset (the embedded demo) settings make every task run eagerly in the
calling process; with a Redis URL tasks go to the worker and beat started by docker compose.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eldercare.settings")

app = Celery("eldercare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
