"""Tasks of the project itself (the domain apps keep theirs in their own ``tasks.py``)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection

# a lost database connection is retried (the task's transaction rolled back: nothing was
# written); anything else fails the task
RETRYABLE = (OperationalError, InterfaceError)

# the options of a task whose work is one transaction: acknowledged once done (a worker lost
# mid-way hands the message to another), a lost database connection retried five times ten
# seconds apart (``retried_or_failed``)
RETRIED_TASK = {
    "bind": True,
    "max_retries": 5,
    "default_retry_delay": 10,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


def drop_connection() -> None:
    """A lost connection is not reused by the retry (unless a caller's transaction holds it)."""
    if not connection.in_atomic_block:
        connection.close()


@contextlib.contextmanager
def retried_or_failed(task, fail: Callable[[str], None] | None = None, what: str = ""):
    """The body of a bound task: a lost connection is retried as the task's ``max_retries``
    and ``default_retry_delay`` say (``fail`` once the retries are spent); anything else calls
    ``fail`` with ``what`` and the error, and the task fails with it."""
    try:
        yield
    except RETRYABLE as error:
        drop_connection()
        if task.request.retries >= task.max_retries:
            if fail is not None:
                fail(f"{what}{error!r}")
            raise
        raise task.retry(exc=error) from error
    except Exception as error:
        if fail is not None:
            fail(f"{what}{error!r}")
        raise


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
