"""How the coverage engine runs: idempotent reruns, a failed run leaving the old snapshot,
dirty townships, the single-flight recompute endpoint, a query count that does not grow with
the regions, and the task through a real Celery worker (CI's PostgreSQL pass)."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import OperationalError

from coverage import compute as engine
from coverage import services
from coverage.compute import compute
from coverage.models import DirtyTownship, Leaf, Run, Snapshot, Target
from coverage.tasks import compute_run
from tests import factories as f
from tests.concurrency import run_together
from tests.workers import celery_worker

DAY = datetime.date(2026, 11, 29)
DISTRICT, BAIMA, HOUPING = "500156000000", "500156101000", "500156208000"


def doctor_share(region, on=DAY):
    row = Snapshot.objects.get(indicator__code="family_doctor_signed", region_id=region, date=on)
    return row.numerator, row.denominator


@pytest.fixture
def ledger(regions, today):
    """Two seniors in 板桥 (白马) of whom one has a family doctor (a contract of this year),
    one in 文凤 (后坪) without."""
    f.SeniorFactory(village=regions["banqiao"], family_doctor_contract_on=datetime.date(2026, 1, 1))
    f.SeniorFactory(village=regions["banqiao"])
    f.SeniorFactory(village=regions["wenfeng"])
    DirtyTownship.objects.all().delete()
    return regions


def test_a_rerun_for_the_same_day_replaces_the_snapshot(ledger):
    first = compute(DAY)
    assert doctor_share(DISTRICT) == (1, 3)
    f.SeniorFactory(village=ledger["wenfeng"], family_doctor_contract_on=datetime.date(2026, 2, 1))
    second = compute(DAY)
    assert second.rows == first.rows + 0  # the same regions and indicators, once each
    assert Snapshot.objects.filter(date=DAY).count() == second.rows
    assert doctor_share(DISTRICT) == (2, 4)
    compute(DAY)
    assert Snapshot.objects.filter(date=DAY).count() == second.rows


def test_a_failed_run_leaves_the_previous_snapshot_whole(ledger, monkeypatch):
    compute(DAY)
    before = Snapshot.objects.filter(date=DAY).count()
    f.SeniorFactory(village=ledger["wenfeng"], family_doctor_contract_on=datetime.date(2026, 2, 1))

    def broken(*args):
        raise RuntimeError("the database went away half-way")

    monkeypatch.setattr(engine, "_write", broken)  # after the delete, before the insert
    with pytest.raises(RuntimeError):
        compute(DAY)
    assert Snapshot.objects.filter(date=DAY).count() == before  # the delete rolled back
    assert not Leaf.objects.exists()  # nor is anything left staged
    assert doctor_share(DISTRICT) == (1, 3)


def test_changes_mark_their_township_dirty_and_only_it_is_recomputed(ledger):
    compute(DAY)
    baima_rows = dict(
        Snapshot.objects.filter(date=DAY, region_id=BAIMA).values_list("indicator_id", "pk")
    )
    assert not DirtyTownship.objects.exists()
    f.SeniorFactory(village=ledger["wenfeng"], family_doctor_contract_on=datetime.date(2026, 2, 1))
    assert list(DirtyTownship.objects.values_list("township_id", flat=True)) == [HOUPING]
    result = services.dirty_recompute(on=DAY)
    assert result.townships == [HOUPING]
    assert doctor_share(HOUPING) == (1, 2)
    assert doctor_share(DISTRICT) == (2, 4)  # 白马's 1 of 2 plus 后坪's 1 of 2
    # 白马's rows were not rewritten
    assert (
        dict(Snapshot.objects.filter(date=DAY, region_id=BAIMA).values_list("indicator_id", "pk"))
        == baima_rows
    )
    assert not DirtyTownship.objects.exists()
    assert Run.objects.get().status == "done"


def test_a_dirty_township_on_a_day_without_snapshots_computes_everything(ledger):
    f.SeniorFactory(village=ledger["wenfeng"])
    services.dirty_recompute(on=DAY)
    assert doctor_share(DISTRICT) == (1, 4)
    assert doctor_share(BAIMA) == (1, 2)


def test_the_number_of_queries_does_not_grow_with_the_regions(ledger):
    small = compute(DAY)
    for n in range(10):
        village = f.village(ledger["houping"], f"500156208{300 + n}", f"新村{n}村民委员会")
        f.SeniorFactory(village=village)
        f.FacilityFactory(kind="mutual_aid_point", region=village)
        f.FacilityFactory(
            kind="nursing_home",
            region=f.township(ledger["district"], f"500156{400 + n}000", f"新{n}乡"),
        )
    large = compute(DAY)
    assert large.rows > small.rows
    assert large.queries == small.queries
    assert small.queries <= 35


def test_the_monthly_backfill_days():
    days = services.month_ends(datetime.date(2021, 5, 25), datetime.date(2021, 8, 10))
    assert days == [
        datetime.date(2021, 5, 31),
        datetime.date(2021, 6, 30),
        datetime.date(2021, 7, 31),
        datetime.date(2021, 8, 10),
    ]


def test_the_task_retries_when_the_database_connection_is_lost(ledger, monkeypatch):
    calls = []
    real = services.compute

    def flaky(on, **kwargs):
        calls.append(on)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(on, **kwargs)

    monkeypatch.setattr(services, "compute", flaky)
    monkeypatch.setattr(compute_run, "default_retry_delay", 0)
    run, _ = services.run_request(on=DAY)
    # eagerly, Celery runs the retry at once, inside this call
    compute_run.apply(args=[run.pk], task_id=run.task_id, throw=False)
    assert len(calls) == 2
    run.refresh_from_db()
    assert run.status == "done"
    assert doctor_share(DISTRICT) == (1, 3)


def test_a_run_that_fails_for_another_reason_is_marked_failed(ledger, monkeypatch):
    def broken(on, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(services, "compute", broken)
    run, _ = services.run_request(on=DAY)
    result = compute_run.apply(args=[run.pk], task_id=run.task_id, throw=False)
    assert result.failed()
    run.refresh_from_db()
    assert run.status == "failed" and "a bug" in run.error
    # a failed run does not block the next request
    assert services.run_request(on=DAY)[1] is True


# --- the API ---------------------------------------------------------------------------------


def test_recompute_answers_202_with_the_task_and_computes(
    ledger, bureau, api_as, django_capture_on_commit_callbacks
):
    client = api_as(bureau)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/coverage/recompute/", {}, format="json")
    assert response.status_code == 202
    run = Run.objects.get()
    assert response.json()["task_id"] == run.task_id and response.json()["queued"] is True
    run.refresh_from_db()
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        assert run.status == "queued"  # sent to the broker; the worker test below runs one
        return
    assert run.status == "done" and run.rows > 0  # eager Celery on the embedded default
    assert doctor_share(DISTRICT) == (1, 3)


def test_a_second_request_while_one_runs_starts_no_second_run(ledger, bureau, api_as):
    running = f.RunFactory(date=DAY, status="running", task_id="already-there")
    response = api_as(bureau).post("/api/v1/coverage/recompute/", {}, format="json")
    assert response.status_code == 202
    assert response.json()["task_id"] == "already-there"
    assert response.json()["queued"] is False
    assert Run.objects.count() == 1 and running.pk == response.json()["run"]


def test_only_the_bureau_queues_a_recomputation(ledger, staff_baima, api_as):
    response = api_as(staff_baima).post("/api/v1/coverage/recompute/", {}, format="json")
    assert response.status_code == 403
    assert not Run.objects.exists()


def test_a_future_day_is_refused_with_the_field_named(ledger, bureau, api_as):
    response = api_as(bureau).post(
        "/api/v1/coverage/recompute/", {"date": "2027-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "date" in response.json()
    assert not Run.objects.exists()


def test_snapshots_are_scoped_and_newest_by_default(ledger, staff_baima, bureau, api_as):
    compute(datetime.date(2026, 10, 31))
    compute(DAY)
    rows = (
        api_as(staff_baima)
        .get("/api/v1/coverage/snapshots/", {"indicator": "family_doctor_signed", "page_size": 100})
        .json()["results"]
    )
    # 白马 and its villages (板桥; 铁佛寺 holds nobody), never the district or 后坪
    assert {r["region"] for r in rows} == {BAIMA, "500156101201"}
    assert {r["date"] for r in rows} == {"2026-11-29"}
    district = (
        api_as(bureau)
        .get(
            "/api/v1/coverage/snapshots/",
            {"indicator": "family_doctor_signed", "region": DISTRICT, "date": "2026-10-31"},
        )
        .json()["results"]
    )
    assert [(r["numerator"], r["denominator"]) for r in district] == [("1.00", "3.00")]
    outside = api_as(staff_baima).get("/api/v1/coverage/snapshots/", {"region": DISTRICT})
    assert outside.json()["results"] == []


def test_indicators_list_the_plans_targets_and_the_bureau_edits_them(
    ledger, bureau, staff_baima, api_as
):
    indicators = api_as(staff_baima).get("/api/v1/coverage/indicators/").json()
    assert len(indicators) == 36  # the 35 of targets-2022.md and 中心带点
    by_code = {i["code"]: i for i in indicators}
    assert by_code["care_centres"]["target"]["value"] == "3.0000"
    assert by_code["family_care_beds"]["target"]["value"] is None
    target_id = by_code["nursing_homes_socialised"]["target"]["id"]
    refused = api_as(staff_baima).patch(
        f"/api/v1/coverage/targets/{target_id}/", {"value": "70"}, format="json"
    )
    assert refused.status_code == 403
    bad = api_as(bureau).patch(
        f"/api/v1/coverage/targets/{target_id}/", {"value": "-1"}, format="json"
    )
    assert bad.status_code == 400 and "value" in bad.json()
    changed = api_as(bureau).patch(
        f"/api/v1/coverage/targets/{target_id}/", {"value": "70"}, format="json"
    )
    assert changed.status_code == 200

    target = Target.objects.get(pk=target_id)
    assert target.value == Decimal(70)
    assert target.history.first().history_user == bureau


# --- PostgreSQL and a real worker (CI's second pass) -----------------------------------------


@pytest.mark.services
def test_concurrent_requests_queue_one_run(plan_rows, ledger):
    results = run_together(lambda i: services.run_request(on=DAY)[1])
    assert sorted(r[1] for r in results) == [False] * 7 + [True]
    assert Run.objects.filter(date=DAY).count() == 1


@pytest.mark.services
def test_the_computation_runs_through_a_real_celery_worker(plan_rows, ledger):
    run, created = services.run_request(on=DAY)
    assert created
    with celery_worker() as queue:
        result = compute_run.apply_async(args=[run.pk], task_id=run.task_id, queue=queue)
        answer = result.get(timeout=120)
    assert answer["rows"] > 0
    run.refresh_from_db()
    assert run.status == "done"
    assert doctor_share(DISTRICT) == (1, 3)
