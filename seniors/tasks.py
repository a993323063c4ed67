"""Celery tasks of the ledger: checking and importing an Excel file, and sweeping the checks
and imports whose worker died."""

from __future__ import annotations

from celery import shared_task

from eldercare.tasks import RETRIED_TASK, retried_or_failed
from seniors import importing


def _stopped(import_id: str):
    """What stops the import when it fails: the import marked stopped, with a message."""
    return lambda _error: importing.senior_import_stopped(import_id=import_id)


@shared_task(name="seniors.check_import", **RETRIED_TASK)
def check_import(self, import_id: str) -> dict:
    with retried_or_failed(self, _stopped(import_id)):
        checked = importing.senior_import_check(import_id=import_id)
    if checked is None:
        return {"import": import_id, "skipped": True}
    return {"import": import_id, "status": checked.status, "errors": len(checked.errors)}


@shared_task(name="seniors.apply_import", **RETRIED_TASK)
def apply_import(self, import_id: str, user_id: int) -> dict:
    with retried_or_failed(self, _stopped(import_id)):
        applied = importing.senior_import_run(import_id=import_id, by_id=user_id)
    if applied is None:
        return {"import": import_id, "skipped": True}
    return {"import": import_id, "status": applied.status, "created": applied.created_count}


@shared_task(name="seniors.sweep_stopped_imports")
def sweep_stopped_imports() -> dict:
    """Run by beat every few minutes (``CELERY_BEAT_SCHEDULE``)."""
    return {"stopped": importing.senior_imports_sweep()}
