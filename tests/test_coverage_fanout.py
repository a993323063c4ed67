"""A full coverage run fanned out over Celery (``COVERAGE_FANOUT``): a chord of one task per
city, district or township, then the roll-up. It writes the same snapshots as one task, a rerun
replaces them, a second request while it runs gets the same run, and a part or roll-up that
fails leaves the previous snapshot whole and no staged leaves behind.

The world: the indicator tests' people and network (武隆区, 2022-12-31) under a city,
重庆市市辖区, with a second district beside it (梁平区, one township and village with people, a
point, an assistant and a team), and trainings in both districts that one director attended
in each (counted once in the city)."""

import datetime
import re
import time

import pytest

from coverage import compute as engine
from coverage import fanout, services
from coverage.compute import compute
from coverage.models import DirtyTownship, Leaf, Run, Snapshot
from coverage.tasks import compute_run, fanout_failed
from facilities.models import Facility
from regions.models import Kind, Level, Region
from tests import factories as f
from tests.test_coverage_indicators import network, people  # noqa: F401 (fixtures)
from tests.workers import celery_worker

pytestmark = pytest.mark.django_db

DAY = datetime.date(2022, 12, 31)
d = datetime.date
CITY, WULONG, LIANGPING = "500100000000", "500156000000", "500155000000"
PINGAN, HELIN = "500155101000", "500155101200"
XINHUA = "500156208201"
# the parts of the world at each level: the regions of that level, and those above it by the
# prefix of their own code (the city's own records, at the district and township levels)
PARTS = {
    "city": ["5001"],
    "district": ["500100", "500155", "500156"],
    "township": ["500100000", "500155000", "500155101", "500156000", "500156101", "500156208"],
}


def leaves() -> int:
    return Leaf.objects.count()


def table(on=DAY) -> list[tuple]:
    """Every snapshot row of the day, everything it says."""
    return sorted(
        Snapshot.objects.filter(date=on).values_list(
            "region_id",
            "indicator__code",
            "numerator",
            "denominator",
            "value",
            "target",
            "met",
            "judgement",
            "reason",
            "facilities",
            "facilities_meeting",
            "failing",
        )
    )


@pytest.fixture
def world(request, regions):
    request.getfixturevalue("people")
    request.getfixturevalue("network")
    city = f.RegionFactory(
        code=CITY, name="重庆市市辖区", short_name="市辖区", level=Level.CITY, kind=Kind.DISTRICT
    )
    Region.objects.filter(code=WULONG).update(parent=city)
    liangping = f.district(LIANGPING, "梁平区")
    Region.objects.filter(code=LIANGPING).update(parent=city)
    pingan = f.township(liangping, PINGAN, "平安镇")
    helin = f.village(pingan, HELIN, "河林村村民委员会")
    f.SeniorFactory(village=helin, family_doctor_contract_on=d(2022, 3, 1))
    f.SeniorFactory(village=helin, born=d(1938, 2, 1), living_situation="alone")
    f.SeniorFactory(village=helin, extreme_poverty="dispersed")
    f.FacilityFactory(
        kind="mutual_aid_point", region=helin, opened_on=d(2022, 4, 1), **f.POINT_FUNCTIONS
    )
    f.FacilityFactory(kind="nursing_home", region=pingan)
    f.ElderlyCareAssistantFactory(village=helin, name="丙", started_on=d(2022, 1, 1))
    f.GroupFactory(kind="volunteer_team", name="河林队", region=helin, founded_on=d(2022, 1, 1))
    for region, title in ((regions["district"], "院长培训"), (liangping, "院长培训（梁平）")):
        session = f.TrainingSessionFactory(
            kind="director", title=title, held_on=d(2022, 5, 1), organiser="区", hours=8,
            region=region,
        )  # fmt: skip
        f.TrainingAttendanceFactory(session=session, name="甲", id_number="ID-A")
    f.TrainingAttendanceFactory(session=session, name="乙", id_number="ID-B")
    # 新华村 of 后坪 is served by 板桥's point in 白马: a point serving a village of another part
    xinhua = f.village(regions["houping"], XINHUA, "新华村村民委员会")
    Facility.objects.get(kind="mutual_aid_point", region=regions["banqiao"]).served_regions.add(
        xinhua
    )
    DirtyTownship.objects.all().delete()
    return regions


def fan_out(level, settings, capture) -> Run:
    """Request a full run of the day as the API does, with the fan-out at ``level``."""
    settings.COVERAGE_FANOUT = level
    with capture(execute=True):
        run, created = services.run_queue(on=DAY)
    assert created
    run.refresh_from_db()
    return run


def test_the_parts_are_the_regions_of_the_level_and_those_above(world):
    for level, prefixes in PARTS.items():
        assert fanout.parts(level) == prefixes, level


@pytest.mark.parametrize("level", ["city", "district", "township"])
def test_the_fanned_out_run_writes_what_one_task_writes(
    world, eager, settings, django_capture_on_commit_callbacks, level
):
    run = fan_out(level, settings, django_capture_on_commit_callbacks)
    assert run.status == "done"
    fanned = table()
    assert len(fanned) == run.rows > 0
    assert set(Snapshot.objects.filter(date=DAY).values_list("run", flat=True)) == {run.pk}
    assert leaves() == 0

    point = Snapshot.objects.get(date=DAY, indicator__code="villages_with_point", region=XINHUA)
    assert (point.numerator, point.denominator) == (1, 1)

    compute(DAY)  # one task, in one transaction
    assert table() == fanned
    # the director trained in both districts counts once in the city, once in each district
    trained = Snapshot.objects.filter(date=DAY, indicator__code="directors_trained")
    assert dict(trained.filter(region__level__in=["city", "district"]).values_list(
        "region_id", "numerator"
    )) == {CITY: 2, WULONG: 1, LIANGPING: 2}  # fmt: skip


def test_running_it_twice_replaces_the_rows(
    world, eager, settings, django_capture_on_commit_callbacks
):
    first = fan_out("district", settings, django_capture_on_commit_callbacks)
    rows = table()
    second = fan_out("district", settings, django_capture_on_commit_callbacks)
    assert second.pk != first.pk and second.status == "done"
    assert table() == rows
    assert Snapshot.objects.filter(date=DAY).count() == second.rows == len(rows)
    assert leaves() == 0


def test_the_pages_show_a_fanned_out_runs_figures_at_once(
    world, eager, settings, django_capture_on_commit_callbacks, client, bureau
):
    compute(DAY)
    client.force_login(bureau)

    def doctors() -> tuple[int, int]:
        body = client.get(f"/coverage/{WULONG}/").content.decode()
        start = body.index('data-indicator="family_doctor_signed"')
        tile = body[start : body.index("</article>", start)]
        numerator, denominator = re.search(r"(\d+) / (\d+)", tile).groups()
        return int(numerator), int(denominator)

    before = doctors()
    f.SeniorFactory(village=world["wenfeng"], family_doctor_contract_on=d(2022, 2, 1))
    assert doctors() == before  # from the cache until a run
    fan_out("district", settings, django_capture_on_commit_callbacks)
    assert doctors() == (before[0] + 1, before[1] + 1)


def test_a_part_delivered_twice_stages_its_leaves_once(world):
    run, _ = services.run_request(on=DAY)
    Run.objects.filter(pk=run.pk).update(status="running")
    batch = engine.new_batch()
    first = fanout.stage_part(run.pk, batch, "500156")
    staged = leaves()
    again = fanout.stage_part(run.pk, batch, "500156")
    assert again.rows == first.rows > 0 and leaves() == staged
    for prefix in ("500100", "500155"):
        fanout.stage_part(run.pk, batch, prefix)
    fanout.finish(run.pk, batch)
    rows = table()
    compute(DAY)
    assert table() == rows
    assert leaves() == 0


def computed_then_changed(world):
    """Compute the day, then sign one more family-doctor contract in 文凤村, which the next run
    would count; the snapshots as the first run left them."""
    compute(DAY)
    before = table()
    f.SeniorFactory(village=world["wenfeng"], family_doctor_contract_on=d(2022, 2, 1))
    return before


def test_a_failing_part_leaves_the_previous_snapshot_whole(
    world, eager, settings, django_capture_on_commit_callbacks, monkeypatch
):
    before = computed_then_changed(world)
    real = engine.stage

    def stage(on, *, batch, prefixes=None):
        if prefixes == ["500156"]:  # the last part: the two before it have staged theirs
            raise RuntimeError("the database went away half-way")
        return real(on, batch=batch, prefixes=prefixes)

    monkeypatch.setattr(engine, "stage", stage)
    with pytest.raises(RuntimeError):
        fan_out("district", settings, django_capture_on_commit_callbacks)
    run = Run.objects.get(date=DAY)
    assert run.status == "failed" and "part 500156" in run.error
    assert table() == before
    assert leaves() == 0
    assert services.run_request(on=DAY)[1] is True  # a failed run does not block the next


def test_a_failing_roll_up_leaves_the_previous_snapshot_whole(
    world, eager, settings, django_capture_on_commit_callbacks, monkeypatch
):
    before = computed_then_changed(world)
    real = engine.roll_up

    def roll_up(on, **kwargs):
        real(on, **kwargs)  # the snapshots replaced, then the transaction fails
        raise RuntimeError("lost at commit")

    monkeypatch.setattr(engine, "roll_up", roll_up)
    with pytest.raises(RuntimeError):
        fan_out("district", settings, django_capture_on_commit_callbacks)
    run = Run.objects.get(date=DAY)
    assert run.status == "failed" and "roll-up" in run.error
    assert table() == before
    assert leaves() == 0


def test_a_second_request_while_the_parts_run_gets_the_same_run(
    world, eager, settings, django_capture_on_commit_callbacks, monkeypatch
):
    real, answers = engine.stage, []

    def stage(on, **kwargs):
        answers.append(services.run_queue(on=on))
        return real(on, **kwargs)

    monkeypatch.setattr(engine, "stage", stage)
    run = fan_out("district", settings, django_capture_on_commit_callbacks)
    assert [(other.pk, created) for other, created in answers] == [(run.pk, False)] * 3
    assert {other.status for other, _created in answers} == {"running"}
    assert Run.objects.count() == 1 and run.status == "done"


def test_the_chords_error_callback_fails_the_run_and_deletes_its_leaves(world):
    compute(DAY)
    before = table()
    run, _ = services.run_request(on=DAY)
    Run.objects.filter(pk=run.pk).update(status="running")
    batch = engine.new_batch()
    fanout.stage_part(run.pk, batch, "500156")
    assert leaves() > 0
    # as Celery calls it when a part fails for good: (request, exception, traceback)
    fanout_failed(None, RuntimeError("worker lost"), None, run_id=run.pk, batch=batch)
    run.refresh_from_db()
    assert run.status == "failed" and "worker lost" in run.error
    assert leaves() == 0 and table() == before


def test_a_part_of_a_run_no_longer_running_stages_nothing(world):
    run, _ = services.run_request(on=DAY)
    Run.objects.filter(pk=run.pk).update(status="failed")
    part = fanout.stage_part(run.pk, engine.new_batch(), "500156")
    assert part.skipped and part.rows == 0
    assert leaves() == 0


def test_a_run_of_dirty_townships_stays_one_task(world, eager, settings, monkeypatch):
    compute(DAY)
    settings.COVERAGE_FANOUT = "district"
    monkeypatch.setattr(fanout, "start", lambda *a, **k: pytest.fail("fanned out"))
    run, _ = services.run_request(on=DAY, townships=[PINGAN])
    answer = compute_run.apply(args=[run.pk], task_id=run.task_id).get()
    assert "parts" not in answer and answer["rows"] > 0
    run.refresh_from_db()
    assert run.status == "done"


# --- PostgreSQL and real workers (CI's second pass) -----------------------------------------


@pytest.mark.services
def test_the_fanned_out_run_goes_through_a_real_worker(plan_rows, world):
    run, created = services.run_request(on=DAY)
    assert created
    with celery_worker(env={"COVERAGE_FANOUT": "district"}) as queue:
        answer = compute_run.apply_async(args=[run.pk], task_id=run.task_id, queue=queue).get(
            timeout=120
        )
        assert answer["parts"] == 3
        deadline = time.monotonic() + 120
        while Run.objects.get(pk=run.pk).status == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
    run.refresh_from_db()
    assert run.status == "done", run.error
    fanned = table()
    assert len(fanned) == run.rows and leaves() == 0
    compute(DAY)
    assert table() == fanned


def test_the_leaves_of_a_run_given_up_are_cleaned_up_with_it():
    """A fanned-out run whose roll-up never came (its worker gone) is given up after two hours;
    its staged leaves go with it, while a running run's stay."""
    lost = f.RunFactory(date=DAY, status="running")
    Run.objects.filter(pk=lost.pk).update(
        created_at=datetime.datetime(2022, 12, 31, tzinfo=datetime.UTC)
    )
    running = f.RunFactory(date=d(2023, 1, 31), status="running")
    for run in (lost, running):
        f.LeafFactory(batch=engine.new_batch(run), indicator_id=1, code=XINHUA)
    services.run_request(on=DAY)
    assert Run.objects.get(pk=lost.pk).status == "failed"
    assert list(Leaf.objects.values_list("batch", flat=True)) == [f"run-{running.pk}"]
