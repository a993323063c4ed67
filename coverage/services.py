"""Queuing computations: one run per day at a time, the dirty townships, the monthly backfill;
and the plan's reference data the bureau keeps (plans, indicators, targets).

The computations are the system's own work: ``by`` is the user who asked, or ``None`` (beat,
a command); the task bodies (``run_execute``, ``report_build``, …) take no user and commit step
by step on purpose, so that a reader sees a run running while it computes."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import User
from coverage import cache
from coverage.compute import IncompleteDay, Result, compute
from coverage.models import (
    RUNNING_STATES,
    DirtyTownship,
    Indicator,
    Leaf,
    Plan,
    Report,
    ReportStatus,
    Run,
    RunStatus,
    Snapshot,
    Target,
)
from coverage.report import build as report_content
from coverage.report import in_report_span, month_end, snapshot_day
from coverage.report_pdf import render as render_pdf
from eldercare.records import editable_fields, row_save
from regions.models import Level, Region

# a run queued or running for longer than this was lost (its worker died and the message with
# it): it no longer blocks a new request
STALE_AFTER = datetime.timedelta(hours=2)


def _abandon_stale(on: datetime.date) -> None:
    Run.objects.filter(
        date=on, status__in=RUNNING_STATES, created_at__lt=timezone.now() - STALE_AFTER
    ).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error="abandoned: no worker finished it",
    )
    # leaves staged by a fanned-out run that no longer runs (its roll-up never came)
    running = Run.objects.filter(status__in=RUNNING_STATES).values_list("pk", flat=True)
    Leaf.objects.filter(batch__startswith="run-").exclude(
        batch__in=[f"run-{pk}" for pk in running]
    ).delete()


def run_request(
    *, by: User | None = None, on: datetime.date, townships: list[str] | None = None
) -> tuple[Run, bool]:
    """Create a queued run for ``on`` unless one is queued or running for that day already;
    returns ``(run, created)``. The database's constraint decides between concurrent callers."""
    _abandon_stale(on)
    try:
        with transaction.atomic():
            run = Run.objects.create(
                date=on,
                full=not townships,
                townships=sorted(townships or []),
                requested_by=by,
                task_id=str(uuid.uuid4()),
            )
    except IntegrityError:
        existing = Run.objects.filter(date=on, status__in=RUNNING_STATES).first()
        if existing is None:  # it finished in between: ask again
            return run_request(on=on, by=by, townships=townships)
        return existing, False
    return run, True


@transaction.atomic
def run_queue(*, by: User | None = None, on: datetime.date) -> tuple[Run, bool]:
    """Queue a full computation of ``on`` (single-flight): ``(run, created)``. The task is sent
    when the transaction commits."""
    from coverage.tasks import compute_run

    run, created = run_request(on=on, by=by)
    if created:
        transaction.on_commit(lambda: compute_run.apply_async(args=[run.pk], task_id=run.task_id))
    return run, created


def run_execute(*, run: Run) -> Result:
    """Do a queued run (the task's body): mark it running, compute, mark it done. Each step
    commits on its own (the computation swaps the day's snapshots in whole), so a reader sees
    the run running while it computes."""
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=timezone.now())
    try:
        result = compute(run.date, townships=run.townships or None, run=run)
    except IncompleteDay:
        # the other townships have no snapshot of the day yet: compute everything
        result = compute(run.date, run=run)
    Run.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        finished_at=timezone.now(),
        rows=result.rows,
        queries=result.queries,
        seconds=round(result.seconds, 3),
    )
    # the answers read from the snapshots it rewrote (all, when it fell back to a full run)
    cache.invalidate(result.townships)
    return result


def run_fail(*, run_id: int, error: str) -> None:
    """Mark a queued or running run failed with ``error`` (one conditional update: a run
    already done or failed stays as it is)."""
    Run.objects.filter(pk=run_id, status__in=RUNNING_STATES).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), error=error[:2000]
    )


def dirty_recompute(*, on: datetime.date | None = None) -> Result | None:
    """Recompute the townships whose records changed (and the regions above them) for today.
    A township changed again while this runs stays dirty for the next round."""
    on = on or timezone.localdate()
    marked = dict(DirtyTownship.objects.values_list("township_id", "marked_at"))
    if not marked:
        return None
    run, created = run_request(on=on, townships=list(marked))
    if not created:
        return None  # a run for today is under way; the townships stay dirty
    try:
        result = run_execute(run=run)
    except Exception as error:
        run_fail(run_id=run.pk, error=repr(error))
        raise
    for code, marked_at in marked.items():
        DirtyTownship.objects.filter(township_id=code, marked_at=marked_at).delete()
    return result


def month_ends(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The last day of every month from ``first``'s to the one before ``last``'s, then ``last``."""
    days = []
    month = first.replace(day=1)
    while True:
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        end = following - datetime.timedelta(days=1)
        if end >= last:
            break
        days.append(end)
        month = following
    days.append(last)
    return days


class MonthOutsideSpan(ValueError):
    """A report asked for a month before the plan or one that has not ended yet."""


@transaction.atomic
def report_request(
    *, by: User | None = None, region_code: str, month: datetime.date
) -> tuple[Report, bool]:
    """The monthly report of a region, queuing its build when there is none yet, when the last
    build failed, when the month has a newer snapshot than the one it was made from (a day of
    it computed again), or when a queued build was lost (no worker finished it). Concurrent
    requests queue it once: the row's status moves only for the one whose update matches.
    Only the months of the plan's span have reports (``report_span``): another one raises
    ``MonthOutsideSpan`` and writes nothing. ``by``: the user who asked, or None (beat).
    Returns ``(report, created)``: ``created`` when the month had no report row yet."""
    from coverage.tasks import build_report

    month = month.replace(day=1)
    if not in_report_span(month, timezone.localdate()):
        raise MonthOutsideSpan(month.isoformat())
    report, created = Report.objects.get_or_create(
        region_id=region_code, month=month, defaults={"requested_by": by}
    )
    current = snapshot_day(Snapshot.objects.all(), region_code, month)
    now = timezone.now()
    due = (
        created
        or report.status == ReportStatus.FAILED
        or (report.status == ReportStatus.DONE and report.snapshot_date != current)
        or report.build_lost(now)
    )
    if not due:
        return report, created
    moved = Report.objects.filter(
        pk=report.pk, status=report.status, queued_at=report.queued_at
    ).update(status=ReportStatus.QUEUED, queued_at=now, error="", requested_by=by)
    if moved:
        report.status, report.queued_at, report.requested_by = ReportStatus.QUEUED, now, by
        transaction.on_commit(
            lambda: build_report.delay(region_code, month.isoformat()), robust=True
        )
    return report, created


def report_request_month(*, month: datetime.date) -> list[str]:
    """Queue the reports of ``month`` for the district and each township with a snapshot in
    it (those built already from the month's newest snapshot are left as they are); returns
    the region codes."""
    month = month.replace(day=1)
    if not in_report_span(month, timezone.localdate()):
        return []
    codes = sorted(
        Snapshot.objects.filter(
            date__gte=month,
            date__lte=month_end(month),
            region__level__in=[Level.DISTRICT, Level.TOWNSHIP],
        )
        .order_by()
        .values_list("region_id", flat=True)
        .distinct()
    )
    for code in codes:
        report_request(region_code=code, month=month)
    return codes


def report_build(*, region_code: str, month: datetime.date) -> Report:
    """Build (or build again, replacing the file) the report of a region for a month from the
    snapshots (the task's body). The report is a Chinese document whatever the caller's
    language."""
    month = month.replace(day=1)
    region = Region.objects.get(code=region_code)
    with translation.override("zh-hans"):
        content = report_content(Snapshot.objects.all(), Region.objects.all(), region, month)
        pdf = render_pdf(content)
    report, _created = Report.objects.update_or_create(
        region=region,
        month=month,
        defaults={
            "status": ReportStatus.DONE,
            "pdf": pdf,
            "snapshot_date": content.on,
            "built_at": timezone.now(),
            "error": "",
        },
    )
    return report


def report_fail(*, region_code: str, month: datetime.date, error: str) -> None:
    """Mark the report of a region and month failed with ``error``."""
    Report.objects.filter(region_id=region_code, month=month.replace(day=1)).update(
        status=ReportStatus.FAILED, error=error[:2000]
    )


# --- the plan's reference data ----------------------------------------------------------
# Kept by the bureau (the admin, the targets API). Never deleted: old snapshots name them.
# Each change makes every cached coverage answer unreachable (``coverage.signals``).

PLAN_FIELDS = editable_fields(Plan)
INDICATOR_FIELDS = editable_fields(Indicator)
TARGET_FIELDS = editable_fields(Target)


@transaction.atomic
def plan_save(*, by: User | None, plan: Plan | None = None, **fields: Any) -> Plan:
    """Add a plan (``plan=None``) or change one: its document, dates and name."""
    return row_save(Plan, by=by, row=plan, fields=fields, allowed=PLAN_FIELDS)


@transaction.atomic
def indicator_save(
    *, by: User | None, indicator: Indicator | None = None, **fields: Any
) -> Indicator:
    """Add an indicator or change how one is described; how it is counted is code
    (``coverage.definitions``)."""
    return row_save(Indicator, by=by, row=indicator, fields=fields, allowed=INDICATOR_FIELDS)


@transaction.atomic
def target_save(*, by: User | None, target: Target | None = None, **fields: Any) -> Target:
    """Set a plan's target for an indicator (value, comparison, the level it applies to);
    one target per plan and indicator (the model's constraint)."""
    return row_save(Target, by=by, row=target, fields=fields, allowed=TARGET_FIELDS)
