"""Faults on the real stack (PostgreSQL, Redis, a Celery worker process): a worker killed in the
middle of a coverage run, a database connection dropped in the middle of a ledger posting, and
the same request sent by many clients at once through the API."""

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
import zoneinfo
from decimal import Decimal

import psycopg
import pytest
import time_machine
from django.db import connection
from rest_framework.test import APIClient

from coverage import services
from coverage.compute import compute
from coverage.models import Run, Snapshot
from coverage.tasks import compute_run
from tests import factories as f
from tests.concurrency import CLIENTS, run_together
from volunteers import ledger
from volunteers.models import Account, Entry, Movement, Redemption, ServiceLog

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_rows", "migration_rows_after_module"),
]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DAY = datetime.date(2026, 11, 29)
DISTRICT = "500156000000"
WULONG = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=WULONG)


def _dsn() -> str:
    s = connection.settings_dict
    return f"postgresql://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


@contextlib.contextmanager
def side_connection():
    """A connection of the test's own, outside Django, for holding locks."""
    with psycopg.connect(_dsn(), autocommit=True) as side:
        yield side


def wait_for(condition, timeout=60.0, every=0.2, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def blocked_backend(statement: str):
    """The pid of a backend of this database waiting for a lock in ``statement`` (read on a
    connection of its own: inside a transaction PostgreSQL keeps showing the same activity)."""
    with psycopg.connect(_dsn(), autocommit=True) as watch:
        row = watch.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s AND pid <> pg_backend_pid()",
            [statement + "%"],
        ).fetchone()
    return row[0] if row else None


def backend_alive(pid: int) -> bool:
    with psycopg.connect(_dsn(), autocommit=True) as watch:
        return bool(
            watch.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
        )


# The worker as ``celery -A eldercare worker`` starts it, with the Redis transport's sweep for
# messages of dead workers made every second instead of every ~100 s (kombu's default interval
# 10 s times throttle 10): the test waits seconds, not minutes, for the redelivery.
WORKER = """
from eldercare.celery import app
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
app.worker_main(%r)
"""


def start_worker(queue: str) -> subprocess.Popen:
    """A Celery worker process on ``queue`` reading the test database; a message taken by a
    worker that died is handed out again after 5 s (``CELERY_VISIBILITY_TIMEOUT``)."""
    env = {
        **os.environ,
        "DATABASE_URL": _dsn().replace("postgresql://", "postgres://"),
        "CELERY_VISIBILITY_TIMEOUT": "5",
    }
    argv = [
        "worker", "--pool=solo", "--concurrency=1", "-Q", queue, "--loglevel=WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-c", WORKER % argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop(worker: subprocess.Popen) -> str:
    if worker.poll() is None:
        worker.terminate()
    try:
        return worker.communicate(timeout=20)[0].decode(errors="replace")
    except subprocess.TimeoutExpired:  # stuck in a task: no warm shutdown
        worker.kill()
        return worker.communicate(timeout=20)[0].decode(errors="replace")


def snapshot_rows(on=DAY):
    return sorted(
        Snapshot.objects.filter(date=on).values_list(
            "pk", "region_id", "indicator_id", "numerator", "denominator", "value", "run_id"
        )
    )


def doctor_share(region=DISTRICT, on=DAY):
    row = Snapshot.objects.get(indicator__code="family_doctor_signed", region_id=region, date=on)
    return row.numerator, row.denominator


# --- 1. a worker killed in the middle of a coverage run -----------------------------------------


def test_a_worker_killed_mid_run_leaves_the_old_snapshot_and_the_task_completes_on_retry(
    regions,
):
    f.SeniorFactory(village=regions["banqiao"], family_doctor_contract_on=datetime.date(2026, 1, 1))
    f.SeniorFactory(village=regions["wenfeng"])
    compute(DAY)
    before = snapshot_rows()
    assert doctor_share() == (1, 2)
    # a record changes: the next run gives 2 of 3
    f.SeniorFactory(village=regions["wenfeng"], family_doctor_contract_on=datetime.date(2026, 3, 1))
    run, created = services.run_request(on=DAY)
    assert created
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    table = Snapshot._meta.db_table

    with side_connection() as side:
        # The snapshot's foreign keys are checked when its transaction commits (Django makes
        # them DEFERRABLE INITIALLY DEFERRED); the check needs a key-share lock on the
        # indicators, which this lock refuses. So the worker marks the run running, computes,
        # deletes the day's old rows, writes the new ones, and waits in COMMIT: as late in the
        # run as it gets.
        side.execute("BEGIN")
        side.execute("SELECT 1 FROM coverage_indicator FOR UPDATE")
        first = start_worker(queue)
        try:
            result = compute_run.apply_async(args=[run.pk], task_id=run.task_id, queue=queue)
            pid = wait_for(
                lambda: blocked_backend("COMMIT"),
                what="the worker to wait in its write transaction's COMMIT",
            )
            assert Run.objects.get(pk=run.pk).status == "running"
            with psycopg.connect(_dsn(), autocommit=True) as watch:  # deleted, not committed
                assert watch.execute(
                    f"SELECT count(*) FROM {table} WHERE date = %s", [DAY]
                ).fetchone()[0] == len(before)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            stop(first)
        # PostgreSQL ends the backend of a dead client when it next reads from or writes to its
        # socket; one waiting for a lock does neither, and would commit once the lock is gone.
        # The database's view of the dead client is made at once here.
        assert backend_alive(pid)
        assert side.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        side.execute("ROLLBACK")  # the lock goes
        wait_for(lambda: not backend_alive(pid), what="the dead worker's backend to end")

    assert snapshot_rows() == before  # whole: the same rows, the same values
    assert doctor_share() == (1, 2)
    assert Run.objects.get(pk=run.pk).status == "running"

    second = start_worker(queue)
    try:
        answer = result.get(timeout=120)  # the message comes back after the visibility timeout
    finally:
        output = stop(second)
    assert "Traceback" not in output, output
    assert answer["rows"] == len(before)
    run.refresh_from_db()
    assert run.status == "done" and run.rows == len(before)
    assert doctor_share() == (2, 3)
    assert Snapshot.objects.filter(date=DAY).count() == len(before)
    assert set(Snapshot.objects.filter(date=DAY).values_list("run_id", flat=True)) == {run.pk}


# --- 2. the database connection dropped during a ledger posting ---------------------------------


def books_are_whole():
    """Every movement has exactly two entries summing to zero, every cached balance is the sum
    of its entries, and the ledger's own check agrees."""
    for movement in Movement.objects.prefetch_related("entries"):
        amounts = [e.amount for e in movement.entries.all()]
        assert len(amounts) == 2 and sum(amounts) == 0, (movement.pk, amounts)
    assert not Entry.objects.filter(movement__isnull=True).exists()
    assert ledger.books_balance() == {}


@pytest.mark.parametrize(
    "blocked_at",
    [
        # after the accounts are locked, before the movement is written
        "volunteers_movement",
        # after the movement is written, before its two entries and the balances
        "volunteers_entry",
    ],
)
def test_a_connection_dropped_mid_posting_leaves_no_half_movement(regions, blocked_at):
    account = ledger.account_for(f.VolunteerFactory(village=regions["banqiao"]))
    earning, redemption = ledger.system_account("earning"), ledger.system_account("redemption")
    ledger.post_movement(kind="earn", source=earning, target=account, hours=Decimal("10"), by=None)
    movements = Movement.objects.count()
    outcome = {}

    def post():
        try:
            ledger.post_movement(
                kind="redeem", source=account, target=redemption, hours=Decimal("4"), by=None,
                memo="cut off",
            )  # fmt: skip
            outcome["result"] = "posted"
        except Exception as error:  # the test looks at what the poster got
            outcome["result"] = error
        finally:
            connection.close()

    with side_connection() as side:
        side.execute("BEGIN")
        side.execute(f'LOCK TABLE "{blocked_at}" IN SHARE ROW EXCLUSIVE MODE')
        poster = threading.Thread(target=post)
        poster.start()
        pid = wait_for(
            lambda: blocked_backend(f'INSERT INTO "{blocked_at}"'),
            what=f"the posting to wait on {blocked_at}",
        )
        assert side.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        poster.join(timeout=30)
        side.execute("ROLLBACK")

    assert isinstance(outcome["result"], Exception), outcome
    assert "terminat" in str(outcome["result"]) or "closed" in str(outcome["result"])
    assert Movement.objects.count() == movements
    assert not Movement.objects.filter(memo="cut off").exists()
    account.refresh_from_db()
    assert account.balance == Decimal("10")
    books_are_whole()
    # the books take the same posting afterwards
    ledger.post_movement(
        kind="redeem", source=account, target=redemption, hours=Decimal("4"), by=None
    )
    account.refresh_from_db()
    assert account.balance == Decimal("6")
    books_are_whole()


# --- 3. the same request sent at once through the API ------------------------------------------


@pytest.fixture
def frozen():
    # not the suite's ``today``: its traveller must reach the client threads too
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def helper(regions, volunteer, frozen):
    return f.VolunteerFactory(village=regions["banqiao"], user=volunteer)


@pytest.fixture
def senior(regions, frozen):
    return f.SeniorFactory(
        id_number="500232194003011230", name="张大爷", sex="M",
        birth_date=datetime.date(1940, 3, 1), village=regions["banqiao"],
        registered_on=datetime.date(2021, 6, 1),
    )  # fmt: skip


def post_as(user, url, body):
    client = APIClient()
    client.force_authenticate(user=user)
    response = client.post(url, body, format="json", secure=True)
    return response.status_code, response.json()


def test_the_same_claim_posted_by_eight_clients_at_once_is_stored_once(volunteer, helper, senior):
    body = {
        "senior": senior.pk, "service_type": "meals", "client_uuid": str(uuid.uuid4()),
        "started_at": "2026-11-28T09:00:00+08:00", "ended_at": "2026-11-28T11:00:00+08:00",
    }  # fmt: skip

    results = run_together(lambda i: post_as(volunteer, "/api/v1/timebank/service-logs/", body))

    assert all(r[0] == "ok" for r in results), results
    statuses = sorted(r[1][0] for r in results)
    assert statuses == [200] * (CLIENTS - 1) + [201], results
    assert ServiceLog.objects.count() == 1
    assert {r[1][1]["id"] for r in results} == {ServiceLog.objects.get().pk}


def test_the_same_claim_verified_by_eight_clients_at_once_credits_once(
    volunteer, helper, senior, assistant_baima, staff_baima
):
    status, claim = post_as(
        volunteer,
        "/api/v1/timebank/service-logs/",
        {
            "senior": senior.pk, "service_type": "meals",
            "started_at": "2026-11-28T09:00:00+08:00", "ended_at": "2026-11-28T11:00:00+08:00",
        },
    )  # fmt: skip
    assert status == 201, claim
    verifiers = [assistant_baima, staff_baima]
    url = f"/api/v1/timebank/service-logs/{claim['id']}/verify/"

    results = run_together(lambda i: post_as(verifiers[i % 2], url, {}))

    assert all(r[0] == "ok" and r[1][0] == 200 for r in results), results
    assert ServiceLog.objects.get().status == "verified"
    assert Movement.objects.count() == 1
    assert Account.objects.get(volunteer=helper).balance == Decimal("2.0")
    books_are_whole()


def test_the_same_redemption_posted_by_eight_clients_at_once_redeems_once(
    regions, volunteer, helper
):
    account = ledger.account_for(helper)
    ledger.post_movement(
        kind="earn", source=ledger.system_account("earning"), target=account,
        hours=Decimal("5"), by=None,
    )  # fmt: skip
    rice = f.CatalogueItemFactory(
        region=regions["banqiao"], name="大米", hours_price=Decimal("2"), stock=3
    )
    body = {"item": rice.pk, "quantity": 1, "client_uuid": str(uuid.uuid4())}

    results = run_together(lambda i: post_as(volunteer, "/api/v1/timebank/redemptions/", body))

    assert all(r[0] == "ok" for r in results), results
    # every client gets the one redemption: 201 for the one that made it, 200 for the others
    assert sorted(r[1][0] for r in results) == [200] * (len(results) - 1) + [201], results
    assert {r[1][1]["id"] for r in results} == {Redemption.objects.get().pk}
    account.refresh_from_db()
    rice.refresh_from_db()
    assert account.balance == Decimal("3") and rice.stock == 2
    books_are_whole()
