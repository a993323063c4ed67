"""The coverage benchmark at a tiny scale: 3 townships, 12 villages, 500 seniors.

The synthetic province is laid out by formulas on the village number ``j`` (0 … 11, see
``demo/synthetic.py``), so the village figures below are worked out by hand from them:

* regions: province 510000000000, one city, one district (25 townships a district), the 3
  townships, 12 villages (j = 9 is a 社区 counted as a village, none is j = 19), so 18 regions.
* points: every village but j = 7 has one; j = 3's (j % 50 == 3) closed 100 days before the
  day; j = 7 (j % 20 == 7) is served by j = 6's point → 11 of 12 villages served, 10 points.
* volunteer teams where j % 10 < 7 → j = 0…6, 10, 11: 9; elders' associations where
  j % 5 != 4 → all but j = 4, 9: 10; assistants where j % 7 != 3 → all but 3, 10: 10.
* villager groups: 4 + j % 5 each → (4+5+6+7+8) × 2 + 4 + 5 = 69. A mutual-aid group in group
  g where j + g is even, dissolved before the day where (j + g) % 10 == 4; left per village:
  j=0: g2 (g4 dissolved) 1 · j=1: g1, g5 (g3 dissolved) 2 · j=2: g4, g6 (g2 dissolved) 2 ·
  j=3: g3, g5, g7 (g1 dissolved) 3 · j=4: g2, g4, g6, g8 4 · j=5: g1, g3 2 · j=6: g2, g4 2 ·
  j=7: g1, g3, g5 3 · j=8: g2, g4 (g6 dissolved) 2 · j=9: g1, g3, g7 (g5 dissolved) 3 ·
  j=10: g2 (g4 dissolved) 1 · j=11: g1, g5 (g3 dissolved) 2 → 27 of 69.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coverage.models import Run, Snapshot
from demo import synthetic
from regions.models import Region
from seniors.models import Senior
from tests import factories as f

DAY = datetime.date(2025, 6, 30)
TINY = {"townships": 3, "villages": 12, "seniors": 500, "date": DAY.isoformat()}


def bench(**options) -> str:
    out = io.StringIO()
    call_command("bench_coverage", stdout=out, **{**TINY, **options})
    return out.getvalue()


def at_province(code: str) -> Snapshot:
    return Snapshot.objects.get(date=DAY, region_id=synthetic.PROVINCE, indicator__code=code)


@pytest.mark.services
@pytest.mark.django_db
def test_bench_prints_the_figures_and_writes_the_snapshots():
    output = bench()

    for line in (
        "generate: ",
        "analyze: ",
        "rows scanned",
        "engine seconds: ",
        "baseline seconds: ",
        "engine queries: ",
        "baseline queries: ",
        "ratio engine/baseline (warm): ",
        "peak memory: tracemalloc ",
        "ru_maxrss ",
    ):
        assert line in output, line
    assert "snapshot rows written: " in output and "for 18 regions" in output
    assert f"{'seniors_senior':<36} {500:>12,}" in output  # every senior read
    assert Senior.objects.count() == 500

    counts = {
        level: Region.objects.filter(code__startswith="51", level=level).count()
        for level in ("province", "city", "district", "township", "village", "group")
    }
    assert counts == {
        "province": 1, "city": 1, "district": 1, "township": 3, "village": 12, "group": 69,
    }  # fmt: skip

    snapshots = Snapshot.objects.filter(date=DAY)
    regions = {
        level: snapshots.filter(region__level=level).values("region").distinct().count()
        for level in ("province", "city", "district", "township", "village")
    }
    assert regions == {"province": 1, "city": 1, "district": 1, "township": 3, "village": 12}
    # every indicator at the province, the city, the district and each township
    assert snapshots.filter(region__level="province").count() == 36
    assert snapshots.filter(region__level="township").count() == 3 * 36

    expected = {
        "villages_with_point": (11, 12),
        "villages_with_volunteer_team": (9, 12),
        "villages_with_elders_association": (10, 12),
        "villages_with_assistant": (10, 12),
        "groups_with_mutual_aid_group": (27, 69),
    }
    for code, (numerator, denominator) in expected.items():
        row = at_province(code)
        assert (row.numerator, row.denominator) == (Decimal(numerator), Decimal(denominator)), code
    assert at_province("mutual_aid_points").numerator == 10
    assert at_province("service_centres").numerator == 3
    assert at_province("care_centres").numerator == 1


@pytest.mark.services
@pytest.mark.django_db
def test_bench_reuses_replaces_and_refuses():
    bench(no_trace=True)
    # a second province on top of the first: refused
    with pytest.raises(CommandError, match="already there"):
        bench(no_trace=True)
    # reuse it, then replace it (the snapshots under the prefix go with it)
    assert "generate: skipped" in bench(skip_generate=True, no_trace=True)
    bench(drop=True, no_trace=True)
    assert Senior.objects.count() == 500
    assert Region.objects.filter(code__startswith="51", level="village").count() == 12
    # a database with people of its own is refused unless --force
    synthetic.drop()
    assert not Region.objects.filter(code__startswith="51").exists()
    f.RegionFactory(code="500156000000", name="武隆区", short_name="武隆区",
                          level="district", kind="区")  # fmt: skip
    f.RegionFactory(code="500156101000", name="镇", short_name="镇", level="township",
                          kind="镇", parent_id="500156000000")  # fmt: skip
    f.RegionFactory(code="500156101200", name="村", short_name="村", level="village",
                          kind="村", parent_id="500156101000")  # fmt: skip
    f.SeniorFactory(
        id_number="500156194001010011", name="张", sex="M",
        birth_date=datetime.date(1940, 1, 1), village_id="500156101200",
    )  # fmt: skip
    with pytest.raises(CommandError, match="already holds seniors"):
        bench(no_trace=True)
    bench(force=True, no_trace=True)
    assert Senior.objects.count() == 501


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal on other databases")
def test_bench_needs_postgresql():
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        bench()
    with pytest.raises(synthetic.SyntheticError, match="PostgreSQL"):
        synthetic.generate(DAY, townships=1, villages=1, seniors=1)


@pytest.fixture
def _drops_the_baseline_table(transactional_db):
    """The baseline's table outlives the command; in a transactional test it would stop the
    flush of the indicators it refers to."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_baseline_snapshot")


@pytest.mark.services
@pytest.mark.usefixtures("_drops_the_baseline_table")
def test_bench_times_a_run_fanned_out_over_real_workers(plan_rows):
    output = bench(no_trace=True, fanout_workers="1,2", fanout_repeat=1)
    assert "ratio engine/baseline (warm): " in output
    assert "one task (compute in this process): " in output
    # by district: the province's, the city's and the district's own prefixes (510000,
    # 510100, 510101), the last holding the 3 townships
    assert "parts staged one after the other here: " in output and "for 3 parts" in output
    assert "fan-out with 1 worker(s): " in output and "(parts 3)" in output
    assert "fan-out with 2 worker(s): " in output
    assert "speed-up 1 → 2 workers: " in output
    assert list(Run.objects.values_list("status", flat=True)) == ["done", "done"]
