"""The people indicators count by dated categories and by choices the bureau can see and
edit: a past month keeps the categories then in force after today's change, contracts run a
year, which Barthel grades are 失能, which reading of 重点对象, whether 社区 residents count.
Expected figures are counted by hand in the comments."""

import datetime
import itertools
from collections import defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import translation

from coverage.compute import compute
from coverage.definitions import how_counted
from coverage.models import Indicator, Snapshot
from demo.population import population_generate
from seniors.models import CATEGORY_FIELDS, CategoryPeriod, FamilyDoctorContract, Senior
from seniors.services import senior_update
from tests import factories as f
from volunteers import services as pairing_services
from volunteers.models import Pairing
from volunteers.pairings import gap_counts

pytestmark = pytest.mark.django_db

d = datetime.date
PAST = d(2022, 6, 30)
TODAY = d(2026, 11, 29)
DISTRICT, BANQIAO, TIEFOSI = "500156000000", "500156101201", "500156101006"


def nd(code, region, on):
    row = Snapshot.objects.get(indicator__code=code, region_id=region, date=on)
    den = None if row.denominator is None else float(row.denominator)
    return float(row.numerator), den


def assess(person, on, total):
    """An assessment with the given Barthel total (a multiple of 5, at least 40)."""
    items = {"feeding": 10, "bathing": 5, "grooming": 5, "dressing": 10, "bowels": 10,
             "bladder": 10, "toilet_use": 10, "transfers": 15, "mobility": 15,
             "stairs": 10}  # fmt: skip
    missing = 100 - total
    for item in ("transfers", "mobility", "stairs", "feeding", "dressing", "bowels"):
        cut = min(items[item], missing)
        items[item] -= cut
        missing -= cut
    return f.AssessmentFactory(senior=person, assessed_on=on, **items)


def pair(helper, person, mode):
    return f.PairingFactory(
        helper=helper, senior=person, mode=mode, visit_interval_days=30, started_on=d(2022, 1, 1)
    )


def set_parameters(code, **values):
    indicator = Indicator.objects.get(code=code)
    indicator.parameters = {**indicator.parameters, **values}
    indicator.full_clean()
    indicator.save()


def test_a_past_month_keeps_its_figures_after_todays_category_changes(regions, bureau, today):
    banqiao = regions["banqiao"]
    helper = f.VolunteerFactory(village=banqiao)
    p1 = f.SeniorFactory(village=banqiao, born=d(1950, 1, 1), subsistence_allowance=True)
    p2 = f.SeniorFactory(village=banqiao, born=d(1937, 1, 1))
    f.SeniorFactory(village=banqiao, born=d(1950, 1, 1), extreme_poverty="dispersed")  # p3
    p4 = f.SeniorFactory(village=banqiao, born=d(1950, 1, 1), living_situation="alone")
    pair(helper, p1, "one_to_one")
    pair(helper, p4, "area")
    compute(PAST)
    # key targets on 2022-06-30: p1 (低保, one-to-one), p3 (dispersed 特困, none) → 1 of 2;
    # others: p2 (aged 85), p4 (alone, area pairing) → 1 of 2
    assert nd("key_seniors_paired_one_to_one", DISTRICT, PAST) == (1, 2)
    assert nd("other_seniors_grid_covered", DISTRICT, PAST) == (1, 2)

    # today: p1 leaves 低保, p2 gets it, p4 now lives with family
    senior_update(by=bureau, senior=p1, subsistence_allowance=False)
    senior_update(by=bureau, senior=p2, subsistence_allowance=True)
    senior_update(by=bureau, senior=p4, living_situation="with_family")
    compute(PAST)
    compute(TODAY)
    assert nd("key_seniors_paired_one_to_one", DISTRICT, PAST) == (1, 2)  # as before
    assert nd("other_seniors_grid_covered", DISTRICT, PAST) == (1, 2)
    # today: key targets p2 (低保) and p3, neither with one-to-one; no other target left
    assert nd("key_seniors_paired_one_to_one", DISTRICT, TODAY) == (0, 2)
    assert nd("other_seniors_grid_covered", DISTRICT, TODAY) == (0, 0)
    # p1's history: 低保 until the day before today, then not
    periods = list(
        CategoryPeriod.objects.filter(senior=p1).values_list(
            "valid_from", "valid_to", "subsistence_allowance"
        )
    )
    assert periods == [(None, TODAY, True), (TODAY, None, False)]


def test_a_change_dated_back_counts_from_its_day(regions, bureau, today):
    person = f.SeniorFactory(village=regions["banqiao"], born=d(1950, 1, 1))
    senior_update(by=bureau, senior=person, low_income=True, categories_from=d(2022, 3, 1))
    compute(d(2022, 2, 28))
    compute(PAST)
    assert nd("key_seniors_paired_one_to_one", DISTRICT, d(2022, 2, 28)) == (0, 0)
    assert nd("key_seniors_paired_one_to_one", DISTRICT, PAST) == (0, 1)
    with pytest.raises(ValidationError) as refused:
        senior_update(by=bureau, senior=person, low_income=False, categories_from=d(2027, 1, 1))
    assert "categories_from" in refused.value.message_dict
    assert CategoryPeriod.objects.filter(senior=person).count() == 2  # nothing written


def test_a_family_doctor_contract_lapses_after_a_year_unless_renewed(regions, bureau, today):
    banqiao = regions["banqiao"]
    renewed = f.SeniorFactory(village=banqiao, family_doctor_contract_on=d(2021, 3, 1))
    senior_update(by=bureau, senior=renewed, family_doctor_contract_on=d(2022, 3, 1))
    f.SeniorFactory(village=banqiao, family_doctor_contract_on=d(2021, 3, 1))  # never renewed
    for on in (d(2022, 2, 28), d(2022, 3, 1), PAST):
        compute(on)
    # 2022-02-28: both 2021 contracts run (a year: to 2022-02-28 inclusive)
    assert nd("family_doctor_signed", DISTRICT, d(2022, 2, 28)) == (2, 2)
    # 2022-03-01: only the renewed one
    assert nd("family_doctor_signed", DISTRICT, d(2022, 3, 1)) == (1, 2)
    assert nd("family_doctor_signed", DISTRICT, PAST) == (1, 2)
    assert list(
        FamilyDoctorContract.objects.filter(senior=renewed).values_list("signed_on", "ends_on")
    ) == [(d(2021, 3, 1), d(2022, 3, 1)), (d(2022, 3, 1), d(2023, 3, 1))]


@pytest.fixture
def poor_wanting_care(regions):
    """Four dispersed 特困 seniors of 板桥 wanting centralised care: severe and in the care
    centre, moderate, mild, independent (none of the last three placed)."""
    banqiao = regions["banqiao"]
    centre = f.FacilityFactory(kind="care_centre", region=regions["baima"], opened_on=d(2021, 6, 1))
    people = [
        f.SeniorFactory(village=banqiao, extreme_poverty="dispersed", wants_centralised_care=True)
        for _ in range(4)
    ]
    for person, total in zip(people, (40, 50, 80, 100), strict=True):
        assess(person, d(2022, 1, 10), total)
    f.PlacementFactory(senior=people[0], facility=centre, admitted_on=d(2022, 2, 1))
    return people


def test_mild_counts_as_disabled_by_default_and_the_bureau_may_narrow_it(poor_wanting_care):
    compute(PAST)
    # the national grades: severe, moderate and mild are 失能 → 1 in care of 3
    assert nd("disabled_poor_in_care", DISTRICT, PAST) == (1, 3)
    set_parameters("disabled_poor_in_care", disabled_levels=["moderate", "severe"])
    compute(PAST)
    assert nd("disabled_poor_in_care", DISTRICT, PAST) == (1, 2)  # the mild one is out
    indicator = Indicator.objects.get(code="disabled_poor_in_care")
    with translation.override("zh-hans"):
        text = how_counted(indicator)
    assert "中度依赖、重度依赖" in text and "轻度" not in text
    # the change is kept in the indicator's history
    assert indicator.history.first().parameters["disabled_levels"] == ["moderate", "severe"]


def test_the_tile_says_the_national_grades_by_default(regions):
    indicator = Indicator.objects.get(code="disabled_poor_in_care")
    with translation.override("zh-hans"):
        text = how_counted(indicator)
    assert "轻度依赖、中度依赖、重度依赖" in text
    assert "国家标准" in text
    assert how_counted(Indicator.objects.get(code="care_centres")) == ""


def test_the_two_readings_of_key_targets(regions):
    banqiao = regions["banqiao"]
    low = f.SeniorFactory(village=banqiao, born=d(1950, 1, 1), low_income=True)
    assess(low, d(2022, 1, 10), 100)  # independent
    sick = f.SeniorFactory(village=banqiao, born=d(1950, 1, 1), subsistence_allowance=True)
    assess(sick, d(2022, 1, 10), 80)  # mild
    compute(PAST)
    # listed: every 低保/低收入 senior is a key target → both
    assert nd("key_seniors_paired_one_to_one", DISTRICT, PAST) == (0, 2)
    set_parameters("key_seniors_paired_one_to_one", key_targets="disabled_of_households")
    compute(PAST)
    # only the disabled of those households → the mild 低保 one
    assert nd("key_seniors_paired_one_to_one", DISTRICT, PAST) == (0, 1)
    with translation.override("zh-hans"):
        text = how_counted(Indicator.objects.get(code="key_seniors_paired_one_to_one"))
    assert "低保/低收入家庭或计划生育特殊家庭的失能老年人" in text


def test_community_residents_count_only_where_the_community_counts_as_a_village(regions):
    f.SeniorFactory(village=regions["banqiao"], family_doctor_contract_on=d(2022, 1, 5))
    f.SeniorFactory(village=regions["tiefosi"], family_doctor_contract_on=d(2022, 1, 5))
    compute(PAST)
    assert nd("family_doctor_signed", DISTRICT, PAST) == (1, 1)  # 铁佛寺 is a 社区
    assert not Snapshot.objects.filter(indicator__code="family_doctor_signed", region=TIEFOSI)
    regions["tiefosi"].counts_as_village = True
    regions["tiefosi"].save()
    compute(PAST)
    assert nd("family_doctor_signed", DISTRICT, PAST) == (2, 2)
    regions["tiefosi"].counts_as_village = False
    regions["tiefosi"].save()
    set_parameters("family_doctor_signed", count_communities=True)
    compute(PAST)
    assert nd("family_doctor_signed", DISTRICT, PAST) == (2, 2)


@pytest.mark.parametrize(
    "parameters",
    [
        {"disabled_levels": ["independent"]},
        {"disabled_levels": []},
        {"key_targets": "all"},
        {"count_communities": "no"},
        {"colour": "red"},
        ["mild"],
    ],
)
def test_the_admin_refuses_parameters_it_cannot_count_with(regions, parameters):
    indicator = Indicator.objects.get(code="key_seniors_paired_one_to_one")
    indicator.parameters = parameters
    with pytest.raises(ValidationError) as refused:
        indicator.full_clean()
    assert "parameters" in refused.value.message_dict


def test_the_demo_population_keeps_dated_categories_and_yearly_contracts(regions, today):
    population_generate(size=300)
    seniors = {s.pk: s for s in Senior.objects.all()}
    periods = defaultdict(list)
    for period in CategoryPeriod.objects.order_by(
        "senior_id", F("valid_from").asc(nulls_first=True)
    ):
        periods[period.senior_id].append(period)
    assert set(periods) == set(seniors)  # everyone has their categories
    changed = 0
    for pk, rows in periods.items():
        assert rows[0].valid_from is None and rows[-1].valid_to is None
        for before, after in itertools.pairwise(rows):
            assert before.valid_to == after.valid_from  # contiguous, no overlap
        current = {name: getattr(rows[-1], name) for name in CATEGORY_FIELDS}
        assert current == {name: getattr(seniors[pk], name) for name in CATEGORY_FIELDS}
        changed += len(rows) > 1
    assert changed > 0  # some came to 低保 or to living alone after registration
    for contract in FamilyDoctorContract.objects.all():
        assert contract.ends_on == contract.signed_on.replace(year=contract.signed_on.year + 1)
    latest = dict(
        FamilyDoctorContract.objects.order_by("signed_on").values_list("senior_id", "signed_on")
    )
    for pk, senior in seniors.items():
        assert senior.family_doctor_contract_on == latest.get(pk)


def test_the_coverage_tiles_and_the_pairing_page_say_how_people_are_counted(
    client, bureau, regions, today
):
    compute(TODAY)
    set_parameters("disabled_seniors_placed", disabled_levels=["severe"])
    client.force_login(bureau)
    body = client.get(f"/coverage/{DISTRICT}/").content.decode()

    def tile(code):
        start = body.index(f'data-indicator="{code}"')
        return body[start : body.index("</article>", start)]

    assert "轻度依赖、中度依赖、重度依赖（国家标准分级）" in tile("disabled_poor_in_care")
    assert "重度依赖（非国家标准分级）" in tile("disabled_seniors_placed")
    assert "居家特困人员、低保或低收入家庭老年人" in tile("key_seniors_paired_one_to_one")
    assert "未续签即失效" in tile("family_doctor_signed")
    assert "社区居民仅在该社区按村统计时计入" in tile("home_adaptations")
    assert "how-counted" not in tile("care_centres")
    pairings = client.get(reverse("dashboard:pairing_overview")).content.decode()
    assert "居家特困人员、低保或低收入家庭老年人" in pairings


def test_a_helper_beyond_the_one_to_one_cap_is_warned_not_refused(
    api_as, staff_baima, regions, today
):
    banqiao = regions["banqiao"]
    helper = f.VolunteerFactory(village=banqiao)
    first, second, third = (
        f.SeniorFactory(village=banqiao, subsistence_allowance=True) for _ in range(3)
    )
    pairing_services.pairing_start(
        by=None, helper=helper, senior=first, mode="one_to_one", started_on=d(2026, 1, 1)
    )
    pairing_services.pairing_start(
        by=None, helper=helper, senior=third, mode="grid", started_on=d(2026, 1, 1)
    )
    client = api_as(staff_baima)
    response = client.post(
        "/api/v1/pairings/",
        {
            "helper": helper.pk,
            "senior": second.pk,
            "mode": "one_to_one",
            "started_on": "2026-11-29",
        },
    )
    assert response.status_code == 201, response.content  # a warning, not a refusal
    body = response.json()
    assert (body["helper_one_to_one"], body["over_cap"]) == (2, True)
    assert "该帮扶人承担 2 个一对一结对" in body["warning"]
    listed = client.get("/api/v1/pairings/").json()["results"]
    # both one-to-one pairings of the helper are flagged; the grid one is not
    assert sorted((r["mode"], r["over_cap"]) for r in listed) == [
        ("grid", False), ("one_to_one", True), ("one_to_one", True)
    ]  # fmt: skip
    counts = gap_counts(Senior.objects.all(), Pairing.objects.all(), TODAY)
    assert [(row["village"], row["over_cap"]) for row in counts] == [(BANQIAO, 2)]
    f.PolicyFactory(one_to_one_per_helper=2)
    listed = client.get("/api/v1/pairings/").json()["results"]
    assert not any(r["over_cap"] or r["warning"] for r in listed)
