"""Celery tasks of the coverage engine."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from coverage import services
from coverage.models import Run, RunStatus

# a lost database connection is retried (the run's transaction rolled back: the previous
# snapshot stands); anything else fails the run with its error
RETRYABLE = (OperationalError, InterfaceError)


@shared_task(
    name="coverage.compute_run",
    bind=True,
    max_retries=5,
    default_retry_delay=10,
    acks_late=True,
    reject_on_worker_lost=True,
)
def compute_run(self, run_id: int) -> dict:
    run = Run.objects.filter(pk=run_id).first()
    if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED):
        return {"run": run_id, "skipped": True}
    try:
        result = services.execute(run)
    except RETRYABLE as error:
        _drop_connection()
        if self.request.retries >= self.max_retries:
            services.fail(run_id, repr(error))
            raise
        raise self.retry(exc=error) from error
    except Exception as error:
        services.fail(run_id, repr(error))
        raise
    return {"run": run_id, "date": result.date.isoformat(), "rows": result.rows}


@shared_task(name="coverage.nightly")
def nightly() -> dict:
    """Celery beat, every night: today's snapshot of every region."""
    run, created = services.recompute(timezone.localdate())
    return {"run": run.pk, "queued": created}


@shared_task(
    name="coverage.recompute_dirty",
    bind=True,
    max_retries=3,
    default_retry_delay=30,
)
def recompute_dirty(self) -> dict:
    """Celery beat, every few minutes: the townships whose records changed."""
    try:
        result = services.recompute_dirty()
    except RETRYABLE as error:
        _drop_connection()
        raise self.retry(exc=error) from error
    if result is None:
        return {"recomputed": []}
    return {"recomputed": result.townships, "rows": result.rows}


@shared_task(
    name="coverage.build_report",
    bind=True,
    max_retries=3,
    default_retry_delay=30,
    acks_late=True,
    reject_on_worker_lost=True,
)
def build_report(self, region_code: str, month: str) -> dict:
    """The monthly report of a region (``month``: its first day, ISO) from the snapshots;
    building it again replaces the stored file."""
    day = datetime.date.fromisoformat(month)
    try:
        report = services.report_build(region_code, day)
    except RETRYABLE as error:
        _drop_connection()
        if self.request.retries >= self.max_retries:
            services.report_fail(region_code, day, repr(error))
            raise
        raise self.retry(exc=error) from error
    except Exception as error:
        services.report_fail(region_code, day, repr(error))
        raise
    return {"report": report.pk, "snapshot": str(report.snapshot_date), "bytes": len(report.pdf)}


@shared_task(name="coverage.monthly_reports")
def monthly_reports() -> dict:
    """Celery beat, on the first of each month: the previous month's reports of the district
    and its townships."""
    from coverage.report import previous_month

    month = previous_month(timezone.localdate())
    return {"month": month.isoformat(), "regions": services.report_month(month)}


def _drop_connection() -> None:
    """A lost connection is not reused by the retry (unless a caller's transaction holds it)."""
    from django.db import connection

    if not connection.in_atomic_block:
        connection.close()
