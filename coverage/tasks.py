"""Celery tasks of the coverage engine."""

from __future__ import annotations

import datetime
import functools
import time

from celery import shared_task
from django.utils import timezone

from coverage import fanout, services
from coverage.models import Run, RunStatus
from coverage.report import previous_month
from eldercare.tasks import RETRIED_TASK, retried_or_failed


@shared_task(name="coverage.compute_run", **RETRIED_TASK)
def compute_run(self, run_id: int) -> dict:
    run = Run.objects.filter(pk=run_id).first()
    if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED):
        return {"run": run_id, "skipped": True}
    with retried_or_failed(self, lambda error: services.run_fail(run_id=run_id, error=error)):
        if fanout.applies(run):
            # the parts go where this task came from (a test worker's own queue, for one)
            parts, roll_up = fanout.start(run, queue=_queue_of(self.request))
            return {"run": run_id, "date": run.date.isoformat(), "parts": parts, "roll_up": roll_up}
        result = services.run_execute(run=run)
    return {"run": run_id, "date": result.date.isoformat(), "rows": result.rows}


@shared_task(name="coverage.stage_part", **RETRIED_TASK)
def stage_part(self, run_id: int, batch: str, prefix: str) -> dict:
    """One part of a fanned-out run: the leaves of the regions under ``prefix``, staged in a
    transaction of its own (again, if delivered again). A part that fails fails the run."""
    fail = functools.partial(fanout.fail, run_id, batch)
    with retried_or_failed(self, fail, f"part {prefix}: "):
        part = fanout.stage_part(run_id, batch, prefix)
    return {
        "prefix": prefix,
        "rows": part.rows,
        "queries": part.queries,
        "seconds": round(part.seconds, 3),
        "skipped": part.skipped,
    }


@shared_task(name="coverage.roll_up_run", **RETRIED_TASK)
def roll_up_run(self, results: list[dict], run_id: int, batch: str) -> dict:
    """The chord's end: the day's snapshots from the parts' leaves, the run marked done."""
    queries = sum(part.get("queries", 0) for part in results)
    started = time.perf_counter()
    fail = functools.partial(fanout.fail, run_id, batch)
    with retried_or_failed(self, fail, "roll-up: "):
        result = fanout.finish(run_id, batch, part_queries=queries)
    if result is None:
        return {"run": run_id, "skipped": True}
    return {
        "run": run_id,
        "date": result.date.isoformat(),
        "rows": result.rows,
        "parts": len(results),
        "staged": sum(part.get("rows", 0) for part in results),
        "stage_seconds": round(sum(part.get("seconds", 0) for part in results), 3),
        "longest_part_seconds": max((part.get("seconds", 0) for part in results), default=0),
        # the roll-up's transaction with its commit (the snapshots' foreign keys are checked then)
        "roll_up_seconds": round(time.perf_counter() - started, 3),
    }


@shared_task(name="coverage.fanout_failed")
def fanout_failed(request, exc, traceback, *, run_id: int, batch: str) -> None:
    """The chord's error callback (a part or the roll-up failed for good, or the chord could
    not finish): the run failed, its leaves deleted. The failing task has usually done so
    already; doing it again changes nothing."""
    fanout.fail(run_id, batch, repr(exc))


@shared_task(name="coverage.nightly")
def nightly() -> dict:
    """Celery beat, every night: today's snapshot of every region."""
    run, created = services.run_queue(on=timezone.localdate())
    return {"run": run.pk, "queued": created}


@shared_task(
    name="coverage.recompute_dirty",
    bind=True,
    max_retries=3,
    default_retry_delay=30,
)
def recompute_dirty(self) -> dict:
    """Celery beat, every few minutes: the townships whose records changed."""
    with retried_or_failed(self):
        result = services.dirty_recompute()
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

    def fail(error: str) -> None:
        services.report_fail(region_code=region_code, month=day, error=error)

    with retried_or_failed(self, fail):
        report = services.report_build(region_code=region_code, month=day)
    return {"report": report.pk, "snapshot": str(report.snapshot_date), "bytes": len(report.pdf)}


@shared_task(name="coverage.monthly_reports")
def monthly_reports() -> dict:
    """Celery beat, on the first of each month: the previous month's reports of the district
    and its townships."""
    month = previous_month(timezone.localdate())
    return {"month": month.isoformat(), "regions": services.report_request_month(month=month)}


def _queue_of(request) -> str | None:
    return (request.delivery_info or {}).get("routing_key") or None
