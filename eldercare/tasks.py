"""Tasks of the project itself (the domain apps keep theirs in their own ``tasks.py``)."""

from __future__ import annotations

from celery import shared_task
from django.db import connection


@shared_task(name="eldercare.ping")
def ping(token: str) -> dict[str, str]:
    """Answer from the worker, with the database it reaches: operators and CI use it to see a
    task make the whole round trip (broker → worker → database → result backend)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {
        "token": token,
        "database": connection.settings_dict["NAME"],
        "vendor": connection.vendor,
    }
