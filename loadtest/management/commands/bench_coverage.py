"""Benchmark the coverage engine on a synthetic province (PostgreSQL only).

Generates the province (``demo.synthetic``; timed on its own), runs ``ANALYZE``, then
times a full ``compute(on)`` twice (the second with a warm cache) and, in the same run, a
hand-written SQL baseline: one aggregate query per table the engine reads, with the same date
filters, grouped by village or facility where the engine needs it — each row read once — and
then as many rows as the engine wrote, written once into a table shaped as the snapshots'
(same indexes, foreign keys checked at commit) by one ``INSERT … SELECT``: the floor any
implementation can reach. Then one township is recomputed alone (its villages, itself and the
regions above it), twice. A further computation runs under ``tracemalloc`` for the peak of
Python's allocations (tracing slows Python down, so it is not the timed one).

Prints rows scanned per table, seconds, peak memory (tracemalloc and ru_maxrss), queries,
snapshot rows written, the ratio engine/baseline and the ratio full run/one township.

``--fanout-workers 1,2`` then times a full run fanned out over Celery (``coverage.fanout``)
with that many real worker processes (``celery worker --pool=solo``, one per worker, a pool
per count on a queue of its own, over ``CELERY_BROKER_URL``): after the parts staged one after
the other here (the serial work the workers share out), rounds of the one-task computation in
this process and a fanned-out run on each pool, side by side; medians over the rounds.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from coverage.compute import compute, session_settings
from coverage.models import Indicator, Leaf, Snapshot
from demo import synthetic
from eldercare.commands import day_option
from facilities import models as facility
from regions.models import Level, Region
from seniors.models import Assessment, Senior, Visit, years_before
from volunteers.models import ElderlyCareAssistant, Group, Pairing


def _t(model) -> str:
    return model._meta.db_table


def baseline_queries() -> list[tuple[str, str]]:
    """(table, SQL): every query returns ``scanned`` and ``matched`` (rows read, rows that
    pass the day's filter) in its first two columns, grouped as the engine needs the rows.
    Parameters: %(on)s, %(eighty)s, %(before)s (the next local midnight), %(year)s."""
    served = _t(facility.Facility.served_regions.through)
    return [
        (
            _t(Region),
            f"""SELECT count(*), count(*) FILTER (WHERE level <> 'village' OR kind = '村'
                    OR counts_as_village), level, left(parent_id, 12)
                FROM {_t(Region)} GROUP BY level, left(parent_id, 12)""",
        ),
        (
            _t(Senior),
            f"""SELECT count(*), count(*) FILTER (WHERE live), village_id,
                    count(*) FILTER (WHERE live AND extreme_poverty <> ''),
                    count(*) FILTER (WHERE live AND birth_date <= %(eighty)s),
                    count(*) FILTER (WHERE live AND (subsistence_allowance OR low_income
                        OR living_situation IN ('alone', 'left_behind'))),
                    count(*) FILTER (WHERE live AND family_doctor_contract_on <= %(on)s),
                    count(*) FILTER (WHERE live AND family_care_bed_on <= %(on)s),
                    count(*) FILTER (WHERE live AND home_adaptation_on <= %(on)s),
                    count(*) FILTER (WHERE live AND wristband_on <= %(on)s)
                FROM (SELECT *, registered_on <= %(on)s
                        AND (status = 'active' OR status_on > %(on)s) AS live
                      FROM {_t(Senior)}) s
                GROUP BY village_id""",
        ),
        (
            _t(Assessment),
            f"""SELECT count(*), count(*) FILTER (WHERE assessed_on <= %(on)s), level
                FROM {_t(Assessment)} GROUP BY level""",
        ),
        (
            _t(Visit),
            f"""SELECT count(*), count(*) FILTER (WHERE visited_at < %(before)s),
                    max(visited_at) FILTER (WHERE visited_at < %(before)s)
                FROM {_t(Visit)}""",
        ),
        (
            _t(Pairing),
            f"""SELECT count(*), count(*) FILTER (WHERE started_on <= %(on)s
                    AND (ended_on IS NULL OR ended_on > %(on)s)), mode, visit_interval_days
                FROM {_t(Pairing)} GROUP BY mode, visit_interval_days""",
        ),
        (
            _t(facility.Placement),
            f"""SELECT count(*), count(*) FILTER (WHERE open), facility_id,
                    count(*) FILTER (WHERE open AND kind <> 'day_care')
                FROM (SELECT *, admitted_on <= %(on)s
                        AND (discharged_on IS NULL OR discharged_on > %(on)s) AS open
                      FROM {_t(facility.Placement)}) p
                GROUP BY facility_id""",
        ),
        (
            _t(facility.Facility),
            f"""SELECT count(*), count(*) FILTER (WHERE opened_on <= %(on)s AND NOT (
                    status IN ('closed', 'merged', 'suspended') AND status_on <= %(on)s)),
                    kind, left(region_id, 9)
                FROM {_t(facility.Facility)} GROUP BY kind, left(region_id, 9)""",
        ),
        (served, f"SELECT count(*), count(*) FROM {served}"),
        (
            _t(facility.Bed),
            f"""SELECT count(*), count(*) FILTER (WHERE in_use_from <= %(on)s
                    AND (retired_on IS NULL OR retired_on > %(on)s)), facility_id,
                    count(*) FILTER (WHERE kind = 'nursing' AND in_use_from <= %(on)s
                        AND (retired_on IS NULL OR retired_on > %(on)s))
                FROM {_t(facility.Bed)} GROUP BY facility_id""",
        ),
        (
            _t(facility.StaffMember),
            f"""SELECT count(*), count(*) FILTER (WHERE started_on <= %(on)s
                    AND (ended_on IS NULL OR ended_on > %(on)s)), facility_id, role
                FROM {_t(facility.StaffMember)} GROUP BY facility_id, role""",
        ),
        (
            _t(facility.Certificate),
            f"""SELECT count(*), count(*) FILTER (WHERE issued_on <= %(on)s
                    AND (expires_on IS NULL OR expires_on >= %(on)s))
                FROM {_t(facility.Certificate)}""",
        ),
        (
            _t(facility.QualityCheck),
            f"""SELECT count(*), count(*) FILTER (WHERE checked_on <= %(on)s), facility_id,
                    max(checked_on) FILTER (WHERE checked_on <= %(on)s)
                FROM {_t(facility.QualityCheck)} GROUP BY facility_id""",
        ),
        (
            _t(facility.UpgradeProject),
            f"""SELECT count(*), count(*) FILTER (WHERE completed_on <= %(on)s
                    OR award_paid_on <= %(on)s), facility_id,
                    sum(award_amount) FILTER (WHERE award_paid_on <= %(on)s)
                FROM {_t(facility.UpgradeProject)} GROUP BY facility_id""",
        ),
        (
            _t(facility.IndicatorCheck),
            f"""SELECT count(*), count(*) FILTER (WHERE met AND checked_on <= %(on)s),
                    project_id
                FROM {_t(facility.IndicatorCheck)} GROUP BY project_id""",
        ),
        (
            _t(facility.BasicIndicator),
            f"SELECT count(*), count(*) FILTER (WHERE active) FROM {_t(facility.BasicIndicator)}",
        ),
        (
            _t(facility.OperatingFund),
            f"""SELECT count(*), count(*) FILTER (WHERE year <= %(year)s), facility_id,
                    max(year) FILTER (WHERE year <= %(year)s)
                FROM {_t(facility.OperatingFund)} GROUP BY facility_id""",
        ),
        (
            _t(Group),
            f"""SELECT count(*), count(*) FILTER (WHERE founded_on <= %(on)s
                    AND (dissolved_on IS NULL OR dissolved_on > %(on)s)), kind,
                    left(region_id, 12)
                FROM {_t(Group)} GROUP BY kind, left(region_id, 12)""",
        ),
        (
            _t(ElderlyCareAssistant),
            f"""SELECT count(*), count(*) FILTER (WHERE started_on <= %(on)s
                    AND (ended_on IS NULL OR ended_on > %(on)s)), village_id
                FROM {_t(ElderlyCareAssistant)} GROUP BY village_id""",
        ),
        (
            _t(facility.TrainingSession),
            f"""SELECT count(*), count(*) FILTER (WHERE held_on <= %(on)s), kind, region_id
                FROM {_t(facility.TrainingSession)} GROUP BY kind, region_id""",
        ),
        (
            _t(facility.TrainingAttendance),
            f"""SELECT count(*), count(*) FILTER (WHERE passed), session_id,
                    count(DISTINCT id_number) FILTER (WHERE passed)
                FROM {_t(facility.TrainingAttendance)} GROUP BY session_id""",
        ),
        (_t(Indicator), f"SELECT count(*), count(*) FROM {_t(Indicator)}"),
    ]


BASELINE_TABLE = "bench_baseline_snapshot"


def baseline_table() -> None:
    """A table shaped as the snapshots' (columns, indexes, the unique day × region × indicator,
    the foreign keys to regions and indicators checked at commit), for the baseline's write."""
    snapshot = _t(Snapshot)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BASELINE_TABLE}")
        cursor.execute(f"CREATE TABLE {BASELINE_TABLE} (LIKE {snapshot} INCLUDING ALL)")
        for column, model in (("region_id", Region), ("indicator_id", Indicator)):
            pk = model._meta.pk.column
            cursor.execute(
                f"ALTER TABLE {BASELINE_TABLE} ADD FOREIGN KEY ({column})"
                f" REFERENCES {_t(model)} ({pk}) DEFERRABLE INITIALLY DEFERRED"
            )


def baseline_write(on: datetime.date, rows: int) -> None:
    """The write any implementation must do: replace the day's rows by ``rows`` new ones, one
    plain ``INSERT … SELECT`` (regions × indicators with the seniors' count per village), in
    one transaction."""
    sums = f"SELECT village_id, count(*) AS n FROM {_t(Senior)} GROUP BY village_id"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {BASELINE_TABLE} WHERE date = %s", [on])
        cursor.execute(
            f"""INSERT INTO {BASELINE_TABLE} (date, region_id, indicator_id, numerator,
                    denominator, value, target, met, facilities, facilities_meeting, run_id,
                    judgement, reason, failing)
                SELECT %s, r.code, i.id, COALESCE(g.n, 0), COALESCE(g.n, 0), COALESCE(g.n, 0),
                    NULL, NULL, NULL, NULL, NULL, 'tracked', '', '[]'
                FROM {_t(Region)} r CROSS JOIN {_t(Indicator)} i
                LEFT JOIN ({sums}) g ON g.village_id = r.code
                WHERE r.level <> 'group'
                LIMIT %s""",
            [on, rows],
        )
        # the foreign keys checked now rather than at the commit: the same work, and nothing
        # left pending on the table (a caller's transaction may drop it next)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def run_baseline(
    on: datetime.date, write_rows: int = 0
) -> tuple[float, int, dict[str, tuple[int, int]]]:
    """Seconds, queries and (rows scanned, rows on the day) per table; with ``write_rows``,
    the same number of rows as the engine writes are written once (``baseline_write``)."""
    params = {
        "on": on,
        "eighty": years_before(on, 80),
        "before": timezone.make_aware(
            datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min)
        ),
        "year": on.year,
    }
    rows: dict[str, tuple[int, int]] = {}
    queries = 0
    started = time.perf_counter()
    # one transaction with the engine's planner settings, as the engine's
    with transaction.atomic(), connection.cursor() as cursor:
        session_settings()
        for table, sql in baseline_queries():
            cursor.execute(sql, params)
            queries += 1
            result = cursor.fetchall()
            rows[table] = (sum(r[0] for r in result), sum(r[1] for r in result))
        if write_rows:
            baseline_write(on, write_rows)
            queries += 2
    return time.perf_counter() - started, queries, rows


ROOT = Path(__file__).resolve().parents[3]


def _database_url() -> str:
    """This process's database as a URL, for the worker processes (in tests: the test one)."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )


class Workers:
    """``count`` Celery worker processes (solo pool: one task at a time each) consuming a queue
    of their own, with the fan-out at ``level``; stopped on leaving."""

    def __init__(self, count: int, level: str) -> None:
        self.count, self.level = count, level
        self.queue = f"bench-{uuid.uuid4().hex[:8]}"
        self.names = [f"{self.queue}-{i}@bench" for i in range(count)]
        self.logs = tempfile.TemporaryDirectory(prefix="bench-workers-")
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> Workers:
        from eldercare.celery import app

        env = {**os.environ, "DATABASE_URL": _database_url(), "COVERAGE_FANOUT": self.level}
        for name in self.names:
            command = [
                sys.executable, "-m", "celery", "-A", "eldercare", "worker", "--pool=solo",
                "--concurrency=1", "-Q", self.queue, "-n", name, "--loglevel=WARNING",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ]  # fmt: skip
            with open(Path(self.logs.name) / f"{name}.log", "wb") as log:
                self.processes.append(
                    subprocess.Popen(
                        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
                    )
                )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            answers = app.control.ping(destination=self.names, timeout=0.5) or []
            if len(answers) == self.count:
                return self
            if any(p.poll() is not None for p in self.processes):
                break
        self.__exit__(None, None, None)
        raise CommandError(f"{self.count} worker(s) did not start:\n{self.output()}")

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def output(self) -> str:
        return "\n".join(
            path.read_text(errors="replace") for path in Path(self.logs.name).iterdir()
        )


def fanned_out_run(on: datetime.date, queue: str, *, timeout: float = 3600) -> tuple[float, dict]:
    """Request a full run of ``on``, send it to ``queue`` and wait for its end: (seconds from
    the request to the run done, the roll-up's figures)."""
    from celery.result import AsyncResult

    from coverage import services
    from coverage.models import RUNNING_STATES, Run, RunStatus
    from coverage.tasks import compute_run

    started = time.perf_counter()
    run, created = services.run_request(on=on)
    if not created:
        raise CommandError(f"a run of {on} is queued or running already (run {run.pk})")
    sent = compute_run.apply_async(args=[run.pk], task_id=run.task_id, queue=queue)
    answer = sent.get(timeout=timeout)
    deadline = time.monotonic() + timeout
    while (status := Run.objects.get(pk=run.pk).status) in RUNNING_STATES:
        if time.monotonic() > deadline:
            raise CommandError(f"the fanned-out run {run.pk} did not finish in {timeout:.0f} s")
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    run.refresh_from_db()
    if status != RunStatus.DONE:
        raise CommandError(f"the fanned-out run {run.pk} failed: {run.error}")
    figures = AsyncResult(answer["roll_up"]).get(timeout=60) if answer.get("roll_up") else {}
    return seconds, {"parts": answer.get("parts", 0), **figures}


def vacuum_results() -> None:
    """Every run replaces the day's 160 k snapshot rows and stages and deletes as many leaves:
    each timed run starts from vacuumed tables, as a nightly run does after autovacuum."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {_t(Snapshot)}, {_t(Leaf)}")


def serial_parts(on: datetime.date, level: str) -> tuple[int, float, float, float]:
    """Stage every part one after the other in this process, then roll up: (parts, seconds
    staging, the longest part's seconds, seconds rolling up). What the workers share out."""
    from coverage import compute as engine
    from coverage import fanout

    prefixes = fanout.parts(level)
    batch = engine.new_batch()
    longest = 0.0
    started = time.perf_counter()
    for prefix in prefixes:
        began = time.perf_counter()
        engine.stage(on, batch=batch, prefixes=[prefix])
        longest = max(longest, time.perf_counter() - began)
    staging = time.perf_counter() - started
    began = time.perf_counter()
    fanout.analyze_leaves()  # as the roll-up task does
    engine.roll_up(on, batch=batch)
    return len(prefixes), staging, longest, time.perf_counter() - began


def _mb(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.1f} MB"


def _maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


class Command(BaseCommand):
    help = "Time the coverage engine against a SQL baseline on a synthetic province."

    def add_arguments(self, parser):
        parser.add_argument("--townships", type=int, default=1000)
        parser.add_argument("--villages", type=int, default=8000)
        parser.add_argument("--seniors", type=int, default=1_000_000)
        parser.add_argument("--date", help="as of this day (YYYY-MM-DD); default today")
        parser.add_argument(
            "--skip-generate", action="store_true", help="reuse the province that is there"
        )
        parser.add_argument(
            "--drop", action="store_true", help="remove an earlier synthetic province first"
        )
        parser.add_argument(
            "--force", action="store_true", help="generate even if the database holds seniors"
        )
        parser.add_argument(
            "--no-trace", action="store_true", help="skip the tracemalloc run (peak memory)"
        )
        parser.add_argument(
            "--fanout-workers",
            default="",
            help="then time a full run fanned out over this many Celery workers, each count "
            "in turn (e.g. 1,2); needs CELERY_BROKER_URL",
        )
        parser.add_argument(
            "--fanout-level",
            default="district",
            choices=["city", "district", "township"],
            help="the regions a fanned-out run is shared out by (default: district)",
        )
        parser.add_argument(
            "--fanout-repeat",
            type=int,
            default=3,
            help="rounds of fanned-out runs (one per worker count each, beside a one-task run)",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"bench_coverage needs PostgreSQL; this database is {connection.vendor} "
                "(set DATABASE_URL=postgres://…)"
            )
        on = day_option(options["date"])
        out = self.stdout.write
        rss_start = _maxrss()
        try:
            worker_counts = [int(n) for n in options["fanout_workers"].split(",") if n.strip()]
        except ValueError as error:
            raise CommandError(f"--fanout-workers: {error}") from error
        if worker_counts and settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError(
                "--fanout-workers needs CELERY_BROKER_URL (a Redis the worker processes share)"
            )
        if worker_counts and connection.in_atomic_block:
            raise CommandError("--fanout-workers: the workers cannot see this transaction's rows")

        if options["skip_generate"]:
            if not synthetic.present():
                raise CommandError("--skip-generate: there is no synthetic province to reuse")
            out("generate: skipped (reusing the synthetic province)")
        else:
            out(
                f"generating {options['townships']:,} townships, {options['villages']:,} "
                f"villages, {options['seniors']:,} seniors as of {on} …"
            )
            try:
                generated = synthetic.generate(
                    on,
                    townships=options["townships"],
                    villages=options["villages"],
                    seniors=options["seniors"],
                    force=options["force"],
                    replace=options["drop"],
                    log=out,
                )
            except synthetic.SyntheticError as error:
                raise CommandError(str(error)) from error
            out(
                f"generate: {generated.seconds:.2f} s, "
                f"{sum(generated.rows.values()):,} rows inserted"
            )
        # VACUUM as well where it can run (not inside a transaction, as in the tests): a freshly
        # loaded table has neither hint bits nor a visibility map, and its first reader would
        # pay for writing them, which a database in use has long done (autovacuum).
        statement = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(statement)
        out(f"analyze: {time.perf_counter() - started:.2f} s ({statement})")

        # the engine twice (the second on a warm cache), the baseline twice, interleaved; the
        # baseline reads the same rows once and writes as many rows as the engine, once
        baseline_table()
        engine, baseline = [], []
        for _ in range(2):
            gc.collect()
            engine.append(compute(on))
            baseline.append(run_baseline(on, write_rows=engine[-1].rows))
        # one dirty township recomputed (its villages, itself and the regions above it),
        # twice, against the full run's warm time
        township = (
            Region.objects.filter(level=Level.TOWNSHIP, code__startswith=synthetic.PREFIX)
            .order_by("code")
            .values_list("code", flat=True)
            .first()
        )
        incremental = [compute(on, townships=[township]) for _ in range(2)] if township else []
        rss_timed = _maxrss()  # before tracemalloc, whose bookkeeping takes memory too
        traced_peak = traced_seconds = None
        if not options["no_trace"]:
            gc.collect()
            tracemalloc.start()
            traced_seconds = compute(on).seconds
            traced_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        rss_end = _maxrss()

        rows = baseline[-1][2]
        out("")
        out(f"rows scanned, as of {on} (table: rows read / rows on the day)")
        for table, (scanned, matched) in sorted(rows.items(), key=lambda kv: -kv[1][0]):
            out(f"  {table:<36} {scanned:>12,} {matched:>12,}")
        total = sum(s for s, _ in rows.values())
        out(f"  {'total':<36} {total:>12,} {sum(m for _, m in rows.values()):>12,}")
        out("")
        runs = zip(engine, baseline, strict=True)
        for i, (result, (seconds, queries, _rows)) in enumerate(runs, 1):
            out(
                f"run {i}: engine {result.seconds:.2f} s, {result.queries} queries; "
                f"baseline {seconds:.2f} s, {queries} queries; "
                f"ratio engine/baseline {result.seconds / seconds:.2f}"
            )
        result = engine[-1]
        out(f"engine seconds: {' '.join(f'{r.seconds:.2f}' for r in engine)}")
        out(f"baseline seconds: {' '.join(f'{b[0]:.2f}' for b in baseline)}")
        out(f"engine queries: {result.queries}")
        out(f"baseline queries: {baseline[-1][1]}")
        out(f"ratio engine/baseline (warm): {result.seconds / baseline[-1][0]:.2f}")
        if incremental:
            part = incremental[-1]
            out(
                f"incremental, one township ({part.townships[0]}): "
                f"{' '.join(f'{r.seconds:.3f}' for r in incremental)} s, {part.rows:,} rows, "
                f"{part.queries} queries; full/incremental (warm): "
                f"{result.seconds / part.seconds:.0f} (1/{result.seconds / part.seconds:.0f} "
                "of a full run)"
            )
        out(f"snapshot rows written: {result.rows:,} for {result.regions:,} regions")
        levels = dict(
            Snapshot.objects.filter(date=on)
            .values_list("region__level")
            .annotate(n=Count("id"))
            .values_list("region__level", "n")
        )
        out(
            "snapshot rows by level: "
            + ", ".join(f"{level} {levels.get(level, 0):,}" for level in synthetic.LEVELS)
        )
        if traced_peak is not None:
            out(
                f"peak memory: tracemalloc {_mb(traced_peak)} (traced run {traced_seconds:.2f} s)"
                f"; ru_maxrss {_mb(rss_timed)} after the timed runs, {_mb(rss_end)} after the "
                f"traced one (at start {_mb(rss_start)})"
            )
        else:
            out(f"peak memory: ru_maxrss {_mb(rss_timed)} (at start {_mb(rss_start)})")
        if worker_counts:
            self.fan_out(on, worker_counts, options["fanout_level"], options["fanout_repeat"])

    def fan_out(self, on: datetime.date, worker_counts: list[int], level: str, repeat: int):
        """Every worker count's pool started at once (idle workers wait on the broker), then
        ``repeat`` rounds of: the one-task computation here, a fanned-out run on each pool
        (in turn, the order reversed every other round) — so that each round's figures are
        taken side by side under the same load; every timed run after a VACUUM of the
        snapshots and leaves. Medians over the rounds."""
        out = self.stdout.write
        out("")
        out(
            f"fan-out by {level} (load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} "
            f"CPUs before it)"
        )
        vacuum_results()
        parts, staging, longest, rolling = serial_parts(on, level)
        out(
            f"parts staged one after the other here: {staging:.2f} s for {parts} parts "
            f"(longest {longest:.2f} s), then the roll-up {rolling:.2f} s"
        )
        one: list[float] = []
        runs: dict[int, list[tuple[float, dict]]] = {count: [] for count in worker_counts}
        with contextlib.ExitStack() as stack:
            # a SIGTERM stops the worker pools too (the stack unwinds)
            previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
            stack.callback(signal.signal, signal.SIGTERM, previous)
            pools = {count: stack.enter_context(Workers(count, level)) for count in worker_counts}
            for round_ in range(1, repeat + 1):
                vacuum_results()
                gc.collect()
                one.append(compute(on).seconds)
                order = worker_counts if round_ % 2 else worker_counts[::-1]
                for count in order:
                    vacuum_results()
                    runs[count].append(fanned_out_run(on, pools[count].queue))
                out(
                    f"round {round_}: one task {one[-1]:.2f} s; "
                    + "; ".join(
                        f"{count} worker(s) {runs[count][-1][0]:.2f} s" for count in worker_counts
                    )
                    + f" (load average {os.getloadavg()[0]:.2f})"
                )
        out(f"one task (compute in this process): {statistics.median(one):.2f} s")
        for count in worker_counts:
            seconds = statistics.median(t for t, _ in runs[count])
            figures = runs[count][-1][1]
            out(f"fan-out with {count} worker(s): {seconds:.2f} s (parts {figures['parts']})")
            out(
                f"  last run: parts staged {figures.get('stage_seconds', 0):.2f} s in all "
                f"(longest {figures.get('longest_part_seconds', 0):.2f} s), roll-up "
                f"{figures.get('roll_up_seconds', 0):.2f} s"
            )
        first = worker_counts[0]
        for count in worker_counts[1:]:
            ratios = [a[0] / b[0] for a, b in zip(runs[first], runs[count], strict=True)]
            out(
                f"speed-up {first} → {count} workers: {statistics.median(ratios):.2f} "
                f"(median of the rounds' {' '.join(f'{r:.2f}' for r in ratios)})"
            )
