"""Celery tasks of the ledger: checking and importing a long Excel file."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError, connection

from seniors import importing

# a lost database connection is retried (the import's transaction rolled back: nothing was
# written); anything else stops the import with a message
RETRYABLE = (OperationalError, InterfaceError)


@shared_task(
    name="seniors.check_import",
    bind=True,
    max_retries=5,
    default_retry_delay=10,
    acks_late=True,
    reject_on_worker_lost=True,
)
def check_import(self, import_id: str) -> dict:
    try:
        checked = importing.senior_import_check(import_id=import_id)
    except RETRYABLE as error:
        _retry_or_stop(self, import_id, error)
    except Exception:
        importing.senior_import_stopped(import_id=import_id)
        raise
    if checked is None:
        return {"import": import_id, "skipped": True}
    return {"import": import_id, "status": checked.status, "errors": len(checked.errors)}


@shared_task(
    name="seniors.apply_import",
    bind=True,
    max_retries=5,
    default_retry_delay=10,
    acks_late=True,
    reject_on_worker_lost=True,
)
def apply_import(self, import_id: str, user_id: int) -> dict:
    try:
        applied = importing.senior_import_run(import_id=import_id, by_id=user_id)
    except RETRYABLE as error:
        _retry_or_stop(self, import_id, error)
    except Exception:
        importing.senior_import_stopped(import_id=import_id)
        raise
    if applied is None:
        return {"import": import_id, "skipped": True}
    return {"import": import_id, "status": applied.status, "created": applied.created_count}


def _retry_or_stop(task, import_id: str, error: Exception) -> None:

    if not connection.in_atomic_block:
        connection.close()  # a lost connection is not reused by the retry
    if task.request.retries >= task.max_retries:
        importing.senior_import_stopped(import_id=import_id)
        raise error
    raise task.retry(exc=error) from error
