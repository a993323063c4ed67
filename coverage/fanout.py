"""A full coverage run fanned out over the Celery workers (``COVERAGE_FANOUT``).

The run's task (``coverage.compute_run``) marks the run running and sends a chord: one
``coverage.stage_part`` per region of the configured level (a city, a district or a township
and everything under it, by code prefix), each staging its leaves under the run's batch in a
transaction of its own, then ``coverage.roll_up_run``, which replaces the day's snapshots from
the batch in one transaction and marks the run done in that same transaction (and makes the
cached answers read from the old snapshots unreachable, as one task does). More workers
stage more parts at once; the roll-up is one transaction whatever the number of workers.

What holds as with one task:

* *Single flight.* The run stays ``running`` from the dispatch to the roll-up, so
  ``services.run_request`` answers a second request for the day with this run.
* *A failed run leaves the previous snapshot whole.* Snapshots are written only by the
  roll-up's transaction. A part that fails (or the roll-up) marks the run failed and deletes
  the batch's leaves in one transaction. A part holds a share lock on the run's row while it
  stages and stages only while the run is running; marking it failed takes the row's lock, so
  it waits for the parts staging at that moment, and its delete then sees their leaves. No
  part stages after it.
* *Idempotent parts.* A part delivered again (its worker died before acknowledging it)
  replaces its own leaves; a part or roll-up of a run no longer running does nothing.

Unlike one task, the parts do not read the records at one single moment: a senior moved
between two parts while they run may be counted in both or in neither, until the next run.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from celery import chord
from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Substr
from django.utils import timezone

from coverage import cache, services
from coverage import compute as engine
from coverage.models import Leaf, Run, RunStatus
from eldercare.querycount import QueryCounter
from regions.models import PREFIX_LENGTH, Region


@dataclass
class Part:
    prefix: str
    rows: int
    queries: int
    seconds: float
    skipped: bool = False


def level() -> str:
    """The level whose regions are the parts ("city", "district", "township"); "" for none."""
    return settings.COVERAGE_FANOUT


def applies(run: Run) -> bool:
    """Only a full run fans out: a run of dirty townships is small and stays one task."""
    return bool(level()) and run.full


def parts(of_level: str) -> list[str]:
    """The code prefixes of the regions of ``of_level``, plus those of any region above it
    (whose own records no region of that level holds): disjoint, and together every region."""
    length = PREFIX_LENGTH[of_level]
    return list(
        Region.objects.annotate(prefix=Substr("code", 1, length))
        .order_by("prefix")
        .values_list("prefix", flat=True)
        .distinct()
    )


def start(run: Run, *, queue: str | None = None) -> tuple[int, str]:
    """Mark the run running and send its chord (to ``queue`` if given); returns the number of
    parts and the roll-up's task id. Eagerly (no broker) the chord runs here, before this
    returns."""
    from coverage.tasks import fanout_failed, roll_up_run, stage_part

    Run.objects.filter(pk=run.pk, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    prefixes = parts(level())
    if not prefixes:  # no regions: nothing to share out
        services.run_execute(run=run)
        return 0, ""
    batch = engine.new_batch(run)
    options = {"queue": queue} if queue else {}
    header = [stage_part.si(run.pk, batch, prefix).set(**options) for prefix in prefixes]
    body = roll_up_run.s(run.pk, batch).set(**options)
    body.link_error(fanout_failed.s(run_id=run.pk, batch=batch))
    return len(prefixes), chord(header)(body).id


class _NotRunning(Exception):
    """The run failed or finished while a part was about to stage: nothing is kept."""


def _hold_running(run_id: int) -> Run | None:
    """The run, if it is running, share-locked until the transaction ends (other parts may hold
    the same lock; marking the run failed or done waits for them)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {Run._meta.db_table} WHERE id = %s AND status = %s FOR SHARE",
                [run_id, RunStatus.RUNNING],
            )
            if cursor.fetchone() is None:
                return None
    return Run.objects.filter(pk=run_id, status=RunStatus.RUNNING).first()


def stage_part(run_id: int, batch: str, prefix: str) -> Part:
    """Stage the leaves of one part of a running run, in a transaction of its own."""
    started = time.perf_counter()
    counter = QueryCounter()
    try:
        with connection.execute_wrapper(counter), transaction.atomic():
            run = _hold_running(run_id)
            if run is None:
                raise _NotRunning
            rows = engine.stage(run.date, batch=batch, prefixes=[prefix])
    except _NotRunning:
        return Part(prefix, 0, counter.count, time.perf_counter() - started, skipped=True)
    return Part(prefix, rows, counter.count, time.perf_counter() - started)


def finish(run_id: int, batch: str, *, part_queries: int = 0) -> engine.Result | None:
    """Roll the batch up into the day's snapshots and mark the run done, in one transaction;
    ``None`` (and the batch discarded) if the run is no longer running."""
    with transaction.atomic():
        run = Run.objects.select_for_update().filter(pk=run_id, status=RunStatus.RUNNING).first()
        if run is not None:
            analyze_leaves()
            result = engine.roll_up(run.date, batch=batch, run=run)
            finished = timezone.now()
            Run.objects.filter(pk=run_id).update(
                status=RunStatus.DONE,
                finished_at=finished,
                rows=result.rows,
                queries=result.queries + part_queries,
                seconds=round(_seconds_since(run.started_at, finished, result.seconds), 3),
            )
            cache.invalidate()  # every answer read from the snapshots it replaced
            return result
    engine.discard(batch)
    return None


def analyze_leaves() -> None:
    """The staging table fills and empties with every run, so its statistics are those of
    whenever it was last analysed: taken from an empty table, they make the roll-up's plan
    5× slower at a province's scale (measured: 19.6 s against 3.9 s after ``ANALYZE``, which
    takes 0.14 s)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Leaf._meta.db_table}")


def _seconds_since(started: datetime.datetime | None, finished, fallback: float) -> float:
    return (finished - started).total_seconds() if started else fallback


def fail(run_id: int, batch: str, error: str) -> None:
    """Mark the run failed and delete the batch's leaves, in one transaction: the day's
    snapshots are those of the previous run."""
    with transaction.atomic():
        services.run_fail(run_id=run_id, error=error)
        engine.discard(batch)
