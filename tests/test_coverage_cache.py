"""The coverage pages, the big screen, the Excel file and the snapshots list come from the cache
of answers until a run rewrites the snapshots they were read from or the reference data
changes; the cache never hands one scope's or one language's answer to another.

The world (as in test_coverage_pages): 板桥 (白马镇) has 4 seniors, 2 with a family-doctor
contract; 文凤 (后坪乡) 1 senior without one. Family doctors: district 2 / 5 = 40.0 %, 白马
2 / 4 = 50.0 %, 板桥 2 / 4 = 50.0 %, 后坪 0 / 1 = 0.0 %. One more senior with a contract in
板桥 makes 白马 and 板桥 3 / 5 = 60.0 % and the district 3 / 6 = 50.0 %; 后坪 stays 0 / 1.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coverage import services
from coverage.compute import compute
from coverage.models import DirtyTownship, Target
from tests import factories as f
from tests.helpers import coverage_world, tile

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 29)
DISTRICT, BAIMA, HOUPING, BANQIAO = "500156000000", "500156101000", "500156208000", "500156101201"
# a page from the cache reads the session, the user and the user's region (their scope): the
# region asked for is checked against that scope by its code, and nothing of the snapshots is read
CACHED_QUERIES = 3


@pytest.fixture
def world(regions, today):
    coverage_world(regions)
    compute(datetime.date(2026, 10, 31))
    compute(DAY)
    DirtyTownship.objects.all().delete()  # the snapshots above hold every record
    return regions


def doctors(client, code: str) -> str:
    """The family-doctor tile of a region's overview, as the user sees it."""
    response = client.get(f"/coverage/{code}/")
    assert response.status_code == 200
    return tile(response.content.decode(), "family_doctor_signed")


def without_tokens(body: bytes) -> bytes:
    """The page without its CSRF tokens (masked anew on every answer)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def queries_of(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return len(captured)


def another_doctor_contract_in_banqiao(world) -> None:
    f.SeniorFactory(
        village=world["banqiao"],
        born=datetime.date(1950, 1, 1),
        family_doctor_contract_on=datetime.date(2026, 6, 1),
    )


@pytest.mark.parametrize(
    "url",
    [
        f"/coverage/{DISTRICT}/",
        f"/coverage/{DISTRICT}/?sort=family_doctor_signed&dir=desc",
        f"/coverage/{DISTRICT}/trends/",
        f"/coverage/{DISTRICT}/screen/",
        f"/coverage/{DISTRICT}/export.xlsx",
        f"/coverage/{BAIMA}/",
    ],
)
def test_it_serves_the_second_view_from_the_cache(
    client, bureau, world, url, django_assert_max_num_queries
):
    client.force_login(bureau)
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_max_num_queries(CACHED_QUERIES):
        second = client.get(url)
    assert without_tokens(second.content) == without_tokens(first.content)
    # the cache is the server's: the browser is still told not to keep the page
    assert "no-store" in second["Cache-Control"]


def test_it_shows_a_finished_runs_figures_at_once(client, bureau, world):
    client.force_login(bureau)
    assert "2 / 5" in doctors(client, DISTRICT)
    another_doctor_contract_in_banqiao(world)
    assert "2 / 5" in doctors(client, DISTRICT)  # no run yet: the snapshot's figure
    run, _created = services.run_request(on=DAY)
    services.run_execute(run=run)
    assert "3 / 6" in doctors(client, DISTRICT)
    assert "50.0 %" in doctors(client, DISTRICT)


def test_a_failed_run_leaves_the_cached_figures(client, bureau, world, monkeypatch):
    client.force_login(bureau)
    doctors(client, DISTRICT)
    another_doctor_contract_in_banqiao(world)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "compute", broken)
    run, _created = services.run_request(on=DAY)
    with pytest.raises(RuntimeError):
        services.run_execute(run=run)
    assert queries_of(client, f"/coverage/{DISTRICT}/") <= CACHED_QUERIES
    assert "2 / 5" in doctors(client, DISTRICT)


def test_it_shows_a_target_edit_at_once(client, bureau, world, api_as):
    client.force_login(bureau)
    assert "≥ 100.0 %" in doctors(client, DISTRICT)
    target = Target.objects.get(indicator__code="family_doctor_signed")
    answer = api_as(bureau).patch(
        f"/api/v1/coverage/targets/{target.pk}/", {"comparison": "lte"}, format="json"
    )
    assert answer.status_code == 200
    assert "≤ 100.0 %" in doctors(client, DISTRICT)


def test_a_township_recompute_renews_that_township_its_villages_and_above_only(
    client, bureau, world
):
    client.force_login(bureau)
    for code in (DISTRICT, BAIMA, BANQIAO, HOUPING):
        doctors(client, code)
    another_doctor_contract_in_banqiao(world)  # marks 白马 dirty
    result = services.dirty_recompute(on=DAY)
    assert result.townships == [BAIMA]
    assert "3 / 5" in doctors(client, BAIMA)
    assert "3 / 5" in doctors(client, BANQIAO)
    assert "3 / 6" in doctors(client, DISTRICT)
    # 后坪's snapshots were not rewritten: its page is still the cached one
    assert queries_of(client, f"/coverage/{HOUPING}/") <= CACHED_QUERIES
    assert "0 / 1" in doctors(client, HOUPING)


def test_a_township_never_gets_another_townships_answer(
    client, bureau, staff_baima, staff_houping, world
):
    client.force_login(bureau)
    assert "2 / 4" in doctors(client, BAIMA)
    assert "0 / 1" in doctors(client, HOUPING)
    client.force_login(staff_baima)
    assert "2 / 4" in doctors(client, BAIMA)
    # the permission is checked before the cache is read: 白马's cached page stays 白马's
    client.force_login(staff_houping)
    assert client.get(f"/coverage/{BAIMA}/").status_code == 404
    assert client.get(f"/coverage/{BAIMA}/export.xlsx").status_code == 404
    assert client.get(f"/coverage/{DISTRICT}/screen/").status_code == 404
    assert "0 / 1" in doctors(client, HOUPING)


def test_the_english_page_is_not_the_chinese_one(client, bureau, world):
    client.force_login(bureau)
    chinese = client.get(f"/coverage/{DISTRICT}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client.get(f"/coverage/{DISTRICT}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "家庭医生签约" in tile(chinese.content.decode(), "family_doctor_signed")
    english_tile = tile(english.content.decode(), "family_doctor_signed")
    assert "Seniors with a family-doctor contract" in english_tile
    assert "家庭医生签约" not in english_tile


def test_a_village_page_reads_its_people_on_every_view(client, staff_baima, world):
    client.force_login(staff_baima)
    assert "孤老乙" not in client.get(f"/coverage/{BANQIAO}/").content.decode()
    f.SeniorFactory(village=world["banqiao"], name="孤老乙", born=datetime.date(1941, 1, 1),
                    living_situation="alone")  # fmt: skip
    body = client.get(f"/coverage/{BANQIAO}/").content.decode()
    assert "孤老乙" in body  # who needs a pairing: today's records
    assert "2 / 4" in tile(body, "family_doctor_signed")  # the figures: the snapshot's


SNAPSHOTS = "/api/v1/coverage/snapshots/?indicator=family_doctor_signed"


def figures(answer) -> dict[str, tuple[str, str]]:
    return {row["region"]: (row["numerator"], row["denominator"]) for row in answer["results"]}


def test_the_snapshots_list_is_cached_per_scope_until_a_run(
    api_as, bureau, staff_baima, staff_houping, world, django_assert_max_num_queries
):
    api = api_as(staff_baima)
    first = api.get(SNAPSHOTS)
    assert figures(first.json()) == {BAIMA: ("2.00", "4.00"), BANQIAO: ("2.00", "4.00")}
    with django_assert_max_num_queries(1):  # the user's region (the token is forced here)
        assert api.get(SNAPSHOTS).content == first.content
    api = api_as(staff_houping)
    assert figures(api.get(SNAPSHOTS).json()) == {
        HOUPING: ("0.00", "1.00"),
        "500156208200": ("0.00", "1.00"),
    }
    another_doctor_contract_in_banqiao(world)
    services.dirty_recompute(on=DAY)
    api = api_as(staff_baima)
    assert figures(api.get(SNAPSHOTS).json()) == {
        BAIMA: ("3.00", "5.00"),
        BANQIAO: ("3.00", "5.00"),
    }
    api = api_as(bureau)
    assert figures(api.get(SNAPSHOTS + f"&region={DISTRICT}").json()) == {
        DISTRICT: ("3.00", "6.00")
    }


def test_a_group_or_a_region_not_there_is_not_found_whoever_asked_before(
    client, staff_baima, world
):
    client.force_login(staff_baima)
    group = world["groups"][0].code
    for _ in range(2):  # the second time, after whatever the first kept
        assert client.get(f"/coverage/{group}/").status_code == 404
        assert client.get("/coverage/500156101999/").status_code == 404
    f.village(world["baima"], "500156101999", "新村村民委员会")
    assert client.get("/coverage/500156101999/").status_code == 200
