"""Every indicator of targets-2022.md on a small world built by hand, as of 2022-12-31 (the
plan's due day) and earlier days. The expected numerators and denominators are counted in the
comments from the records each test creates, not by calling the engine's rules."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from coverage.compute import compute
from coverage.models import Indicator, Snapshot
from facilities.models import (
    BasicIndicator,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2022, 12, 31)
DISTRICT, BAIMA, HOUPING = "500156000000", "500156101000", "500156208000"
BANQIAO, WENFENG, TIEFOSI, XINHUA = "500156101201", "500156208200", "500156101006", "500156208201"
d = datetime.date


def snap(code, region, on=DAY):
    row = Snapshot.objects.get(indicator__code=code, region_id=region, date=on)
    return row


def nd(code, region, on=DAY):
    """(numerator, denominator) as plain numbers."""
    row = snap(code, region, on)
    den = None if row.denominator is None else float(row.denominator)
    return float(row.numerator), den


def at(on, hour=10):
    return datetime.datetime(
        on.year, on.month, on.day, hour, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")
    )


BORN = datetime.date(1950, 1, 1)


def senior(village, born=BORN, **fields):
    return f.SeniorFactory(village=village, born=born, **fields)


def disabled(person, on, total=40):
    """An assessment on ``on`` with the given Barthel total (40 severe, 50 moderate, 100 none)."""
    items = {
        "feeding": 10,
        "bathing": 5,
        "grooming": 5,
        "dressing": 10,
        "bowels": 10,
        "bladder": 10,
        "toilet_use": 10,
        "transfers": 15,
        "mobility": 15,
        "stairs": 10,
    }
    missing = 100 - total
    for item in ("transfers", "mobility", "feeding", "dressing", "bowels", "bladder", "stairs"):
        cut = min(items[item], missing)
        cut -= cut % 5
        items[item] -= cut
        missing -= cut
    return f.AssessmentFactory(senior=person, assessed_on=on, **items)


# --- the village network --------------------------------------------------------------------


@pytest.fixture
def xinhua(houping):
    return f.village(houping, XINHUA, "新华村村民委员会")


def point(village, opened, **fields):
    """A point offering the four functions the plan names, unless told otherwise."""
    return f.FacilityFactory(
        kind="mutual_aid_point",
        region=village,
        opened_on=opened,
        name=f"{village.short_name}点",
        **{**f.POINT_FUNCTIONS, **fields},
    )


def test_villages_with_a_point_count_merged_and_host_villages(regions, xinhua):
    # 板桥: its own point from 2022-03-01. 文凤: a point that closed on 2022-04-30, then (being
    # merged) served by the township centre opened 2022-06-01 in 新华, which hosts it.
    # 铁佛寺 is a community: a point there counts as a point, not in the villages' share.
    point(regions["banqiao"], d(2022, 3, 1))
    point(regions["wenfeng"], d(2021, 7, 1), status="closed", status_on=d(2022, 4, 30))
    point(regions["tiefosi"], d(2021, 7, 1))
    centre = f.FacilityFactory(kind="service_centre", region=xinhua, opened_on=d(2022, 6, 1))
    centre.served_regions.add(regions["wenfeng"])
    for on in (d(2022, 2, 28), d(2022, 3, 31), d(2022, 5, 31), DAY):
        compute(on)
    # counted villages: 板桥, 文凤, 新华 (3); 铁佛寺 is not one
    assert nd("villages_with_point", DISTRICT, d(2022, 2, 28)) == (1, 3)  # 文凤's old point
    assert nd("villages_with_point", DISTRICT, d(2022, 3, 31)) == (2, 3)  # + 板桥
    assert nd("villages_with_point", DISTRICT, d(2022, 5, 31)) == (1, 3)  # 文凤's point closed
    assert nd("villages_with_point", DISTRICT, DAY) == (3, 3)  # 文凤 served, 新华 hosts
    assert nd("villages_with_point", HOUPING, DAY) == (2, 2)
    assert nd("villages_with_point", WENFENG, DAY) == (1, 1)
    assert nd("villages_with_point", BAIMA, d(2022, 2, 28)) == (0, 1)
    assert snap("villages_with_point", DISTRICT, DAY).met is True
    assert snap("villages_with_point", DISTRICT, d(2022, 5, 31)).met is False
    # points in operation: 板桥, 铁佛寺 (文凤's closed) → 2, against 184 for the district
    assert nd("mutual_aid_points", DISTRICT, DAY) == (2, None)
    assert snap("mutual_aid_points", DISTRICT, DAY).target == Decimal(184)
    assert snap("mutual_aid_points", BAIMA, DAY).target is None  # a district-level target
    assert not Snapshot.objects.filter(indicator__code="villages_with_point", region_id=TIEFOSI)


def test_a_community_counts_as_a_village_when_the_bureau_says_so(regions):
    regions["tiefosi"].counts_as_village = True
    regions["tiefosi"].save()
    point(regions["tiefosi"], d(2021, 7, 1))
    compute(DAY)
    # 板桥, 铁佛寺, 文凤: only 铁佛寺 has a point
    assert nd("villages_with_point", DISTRICT) == (1, 3)
    assert nd("villages_with_point", TIEFOSI) == (1, 1)


def test_assistants_teams_associations_and_mutual_aid_groups(regions):
    banqiao, wenfeng, groups = regions["banqiao"], regions["wenfeng"], regions["groups"]
    f.ElderlyCareAssistantFactory(village=banqiao, name="甲", started_on=d(2022, 5, 1))
    f.ElderlyCareAssistantFactory(
        village=wenfeng, name="乙", started_on=d(2021, 6, 1), ended_on=d(2022, 10, 1)
    )
    f.GroupFactory(kind="volunteer_team", name="板桥队", region=banqiao, founded_on=d(2022, 2, 1))
    f.GroupFactory(
        kind="volunteer_team",
        name="文凤队",
        region=wenfeng,
        founded_on=d(2021, 6, 1),
        dissolved_on=d(2022, 11, 30),
    )
    f.GroupFactory(kind="elders_association", name="文凤老协", region=wenfeng, founded_on=DAY)
    # villager groups 1 and 2 of 板桥 have a mutual-aid group (1 has two), 3 has none
    for number, group in ((1, groups[0]), (1, groups[0]), (2, groups[1])):
        f.GroupFactory(
            kind="mutual_aid_group", name=f"{number}组互助", region=group, founded_on=d(2022, 1, 1)
        )
    compute(DAY)
    compute(d(2022, 6, 30))
    assert nd("villages_with_assistant", DISTRICT) == (1, 2)  # 文凤's left on 10-01
    assert nd("villages_with_assistant", DISTRICT, d(2022, 6, 30)) == (2, 2)
    assert nd("villages_with_volunteer_team", DISTRICT) == (1, 2)  # 文凤's dissolved 11-30
    assert nd("villages_with_elders_association", DISTRICT) == (1, 2)  # founded on the day
    assert nd("villages_with_elders_association", WENFENG) == (1, 1)
    assert nd("groups_with_mutual_aid_group", BANQIAO) == (2, 3)
    assert nd("groups_with_mutual_aid_group", DISTRICT) == (2, 3)  # 文凤 has no groups
    assert snap("villages_with_assistant", BANQIAO).value == Decimal(100)
    assert snap("villages_with_assistant", WENFENG).met is False


# --- people ---------------------------------------------------------------------------------


@pytest.fixture
def people(regions):
    """The seniors of 板桥 (A–H) and 文凤 (I) with categories, assessments, placements,
    pairings and visits; see the test for who counts where."""
    banqiao, wenfeng = regions["banqiao"], regions["wenfeng"]
    centre = f.FacilityFactory(kind="care_centre", region=regions["baima"], opened_on=d(2022, 6, 1))
    home = f.FacilityFactory(kind="nursing_home", region=regions["baima"])
    day_centre = f.FacilityFactory(kind="service_centre", region=regions["baima"])
    helper = f.VolunteerFactory(village=banqiao)
    p = {}
    p["A"] = senior(
        banqiao,
        extreme_poverty="dispersed",
        wants_centralised_care=True,
        family_doctor_contract_on=d(2021, 8, 1),
        wristband_on=d(2022, 5, 1),
    )
    disabled(p["A"], d(2022, 6, 1), 40)
    f.PlacementFactory(senior=p["A"], facility=centre, admitted_on=d(2022, 10, 1))
    f.PairingFactory(
        helper=helper,
        senior=p["A"],
        mode="one_to_one",
        visit_interval_days=7,
        started_on=d(2022, 1, 1),
    )
    f.VisitFactory(senior=p["A"], visited_at=at(d(2022, 12, 28)))
    f.VisitFactory(senior=p["A"], visited_at=at(d(2023, 1, 2)))  # after the day
    p["B"] = senior(banqiao, extreme_poverty="centralised", home_adaptation_on=d(2023, 2, 1))
    f.PlacementFactory(
        senior=p["B"], facility=home, admitted_on=d(2020, 1, 1), discharged_on=d(2022, 11, 30)
    )
    p["C"] = senior(banqiao, subsistence_allowance=True, family_doctor_contract_on=d(2022, 3, 1))
    disabled(p["C"], d(2022, 3, 1), 80)  # mild: not disabled
    f.PairingFactory(
        helper=helper, senior=p["C"], mode="grid", visit_interval_days=30, started_on=d(2022, 2, 1)
    )
    f.VisitFactory(senior=p["C"], visited_at=at(d(2022, 11, 15)))
    p["D"] = senior(banqiao, family_planning_special=True, wants_day_care=True)
    disabled(p["D"], d(2022, 9, 1), 50)
    disabled(p["D"], d(2023, 3, 1), 100)  # recovered later: still disabled on the day
    f.PlacementFactory(
        senior=p["D"], facility=day_centre, kind="day_care", admitted_on=d(2022, 10, 1)
    )
    p["E"] = senior(banqiao, born=d(1937, 5, 1), family_care_bed_on=d(2022, 7, 1))
    f.PairingFactory(
        helper=helper,
        senior=p["E"],
        mode="area",
        visit_interval_days=30,
        started_on=d(2022, 12, 15),
    )
    p["F"] = senior(
        banqiao,
        born=d(1952, 1, 1),
        living_situation="alone",
        wristband_on=d(2023, 1, 5),
        home_adaptation_on=DAY,
    )
    p["G"] = senior(
        banqiao,
        extreme_poverty="dispersed",
        wants_centralised_care=True,
        status="deceased",
        status_on=d(2022, 11, 1),
    )
    p["H"] = senior(banqiao, low_income=True, registered_on=d(2023, 2, 1))
    p["I"] = senior(wenfeng, low_income=True, family_doctor_contract_on=d(2023, 1, 10))
    f.PairingFactory(
        helper=helper,
        senior=p["I"],
        mode="one_to_one",
        visit_interval_days=7,
        started_on=d(2022, 1, 1),
        ended_on=d(2022, 12, 1),
    )
    return p


def test_people_indicators(people):
    compute(DAY)
    # in the ledger on the day: A–F in 板桥 (G died 11-01, H registered 2023), I in 文凤
    # 应护尽护: disabled 特困 wanting centralised care — A, in the care centre
    assert nd("disabled_poor_in_care", DISTRICT) == (1, 1)
    # 应养尽养: centralised B, dispersed-and-wanting A; B was discharged 11-30
    assert nd("poor_in_institution", DISTRICT) == (1, 2)
    # 需托尽托: other disabled wanting care — D (moderate, assessed 09-01), in day care
    assert nd("disabled_seniors_placed", BANQIAO) == (1, 1)
    # key targets: A (dispersed), C (低保), D (计生特殊 + disabled), I (低收入); one-to-one: A
    assert nd("key_seniors_paired_one_to_one", BANQIAO) == (1, 3)
    assert nd("key_seniors_paired_one_to_one", WENFENG) == (0, 1)  # I's pairing ended 12-01
    assert nd("key_seniors_paired_one_to_one", DISTRICT) == (1, 4)
    # other targets: E (85), F (alone); E has an area pairing
    assert nd("other_seniors_grid_covered", DISTRICT) == (1, 2)
    # paired on the day: A, C, E. C's last visit 11-15 is more than 30 days before the day
    assert nd("paired_seniors_visited_on_time", DISTRICT) == (2, 3)
    # family doctor: C of the 7 in the ledger. A's contract of 2021-08-01 ran its year to
    # 2022-07-31 and was not renewed; I signed in 2023
    assert nd("family_doctor_signed", DISTRICT) == (1, 7)
    assert snap("family_doctor_signed", DISTRICT).value == Decimal("14.2857")
    assert nd("family_care_beds", DISTRICT) == (1, 7)  # E, of the 7 in the ledger
    assert nd("home_adaptations", DISTRICT) == (1, 7)  # F on the day; B in 2023
    # wristband: A, C, D, E, F, I are the seniors it is for; A has one (F's came in 2023)
    assert nd("key_seniors_with_wristband", DISTRICT) == (1, 6)
    tracked = snap("key_seniors_with_wristband", DISTRICT)
    assert tracked.target is None and tracked.met is None


def test_a_deceased_senior_leaves_every_denominator_from_the_day_of_death(people):
    compute(d(2022, 10, 31))
    compute(DAY)
    # G (dispersed 特困 wanting centralised care, died 2022-11-01) counts on 10-31 only
    assert nd("family_doctor_signed", DISTRICT, d(2022, 10, 31)) == (1, 8)  # C (A's lapsed)
    assert nd("poor_in_institution", DISTRICT, d(2022, 10, 31)) == (2, 3)  # A, B in; G waits
    assert nd("key_seniors_paired_one_to_one", DISTRICT, d(2022, 10, 31)) == (2, 5)  # I's ran
    assert nd("family_doctor_signed", DISTRICT) == (1, 7)
    assert nd("poor_in_institution", DISTRICT) == (1, 2)


# --- facilities -----------------------------------------------------------------------------


def certified(member, issued, expires=None):
    f.CertificateFactory(
        staff=member, number=f"C{member.pk}", level="5", issued_on=issued, expires_on=expires
    )


ADMITTED = datetime.date(2022, 10, 1)


def residents(facility, count, since=ADMITTED):
    village = facility.region.children.first()
    for _ in range(count):
        person = senior(village)
        f.PlacementFactory(senior=person, facility=facility, admitted_on=since)


@pytest.fixture
def network(regions):
    baima, houping = regions["baima"], regions["houping"]
    cc1 = f.FacilityFactory(
        kind="care_centre",
        region=baima,
        opened_on=d(2022, 6, 1),
        run_by_institution_since=d(2022, 6, 1),
    )
    f.beds(cc1, 8, kind="nursing")
    f.beds(cc1, 2, start=9)
    residents(cc1, 3)
    carers = f.staff(cc1, 2)
    certified(carers[0], d(2022, 1, 1), d(2025, 1, 1))
    certified(carers[1], d(2020, 1, 1), d(2022, 12, 30))  # expired the day before
    f.QualityCheckFactory(facility=cc1, checked_on=d(2022, 8, 1), passed=True, inspector="x")
    f.QualityCheckFactory(facility=cc1, checked_on=d(2022, 12, 1), passed=False, inspector="x")
    f.FacilityFactory(kind="care_centre", region=houping, opened_on=d(2023, 3, 1))  # later
    cc3 = f.FacilityFactory(kind="care_centre", region=houping, opened_on=d(2022, 9, 1))
    f.beds(cc3, 5, kind="nursing")
    f.beds(cc3, 5, start=6)
    residents(cc3, 2)  # and no staff
    f.QualityCheckFactory(facility=cc3, checked_on=d(2022, 10, 1), passed=True, inspector="x")
    nh1 = f.FacilityFactory(
        kind="nursing_home",
        region=baima,
        retention="retained",
        opened_on=d(2010, 1, 1),
        operation_mode="socialised",
        run_by_institution_since=d(2022, 7, 1),
        legal_person_registered_on=d(2015, 1, 1),
        filed_on=d(2016, 1, 1),
    )
    residents(nh1, 3)
    f.staff(nh1, 1, role="manager")
    project = f.UpgradeProjectFactory(
        facility=nh1,
        kind="upgrade",
        title="提档升级",
        budget=1,
        status="accepted",
        started_on=d(2022, 1, 1),
        completed_on=d(2022, 9, 1),
    )
    for indicator in BasicIndicator.objects.filter(active=True):
        f.IndicatorCheckFactory(
            project=project, indicator=indicator, met=True, checked_on=d(2022, 10, 1)
        )
    nh2 = f.FacilityFactory(
        kind="nursing_home",
        region=houping,
        retention="retained",
        legal_person_registered_on=d(2015, 1, 1),
    )  # not filed
    residents(nh2, 1)  # and no staff
    f.UpgradeProjectFactory(
        facility=nh2,
        kind="upgrade",
        title="提档升级",
        budget=1,
        status="completed",
        completed_on=d(2023, 4, 1),
    )
    f.FacilityFactory(
        kind="nursing_home",
        region=houping,
        retention="merged",
        status="merged",
        status_on=d(2022, 3, 1),
    )
    sc1 = f.FacilityFactory(
        kind="service_centre",
        region=baima,
        floor_area=Decimal(900),
        opened_on=d(2022, 5, 1),
        run_by_institution_since=d(2022, 5, 1),
    )
    f.QualityCheckFactory(facility=sc1, checked_on=d(2022, 11, 1), passed=True, inspector="x")
    f.FacilityFactory(
        kind="service_centre", region=houping, status="under_construction", opened_on=None
    )
    p1 = point(
        regions["banqiao"],
        d(2022, 3, 1),
        large_village=True,
        siting="standalone",
        floor_area=Decimal(120),
        has_dining_room=True,
        has_rest_room=True,
        has_activity_room=True,
        has_rehab_room=True,
        has_library=True,
    )
    p2 = point(
        regions["wenfeng"],
        d(2022, 6, 1),
        large_village=True,
        siting="clinic",
        floor_area=Decimal(150),
    )
    for facility, amount, paid in (
        (sc1, 600_000, d(2022, 10, 1)),
        (p1, 400_000, d(2022, 11, 1)),
        (p2, 55_000, d(2023, 1, 15)),
    ):
        f.UpgradeProjectFactory(
            facility=facility,
            kind="new",
            title="建设",
            budget=1,
            status="accepted",
            completed_on=paid,
            award_amount=amount,
            award_paid_on=paid,
        )
    f.OperatingFundFactory(
        facility=nh1, year=2022, operating_funds=15_000, residents_basic_allowance=100_000
    )
    f.OperatingFundFactory(
        facility=nh1, year=2021, operating_funds=90_000, residents_basic_allowance=100_000
    )
    f.OperatingFundFactory(
        facility=cc1, year=2022, operating_funds=1_000, residents_basic_allowance=20_000
    )


def test_facility_counts(network):
    compute(DAY)
    assert nd("care_centres", DISTRICT) == (2, None)  # the third opens in 2023
    assert nd("care_centres", HOUPING) == (1, None)
    assert nd("nursing_homes_upgraded", DISTRICT) == (1, None)  # nh2's finished in 2023
    # retained homes in operation: nh1, nh2; nh1 meets every basic indicator
    assert nd("nursing_homes_meeting_basic_indicators", DISTRICT) == (1, 2)
    assert nd("service_centres", DISTRICT) == (1, None)
    assert nd("mutual_aid_points", DISTRICT) == (2, None)
    assert snap("care_centres", DISTRICT).met is False  # 2 of 3


def test_operation_and_quality(network):
    compute(DAY)
    assert nd("care_centres_run_by_operator", DISTRICT) == (1, 2)
    assert nd("service_centres_run_by_operator", DISTRICT) == (1, 1)
    assert nd("nursing_homes_socialised", DISTRICT) == (1, 2)  # nh1 since 2022-07
    assert nd("care_centres_quality", DISTRICT) == (1, 2)  # cc1's latest check failed
    assert nd("homes_and_centres_quality", DISTRICT) == (1, 3)  # sc1 of nh1, nh2, sc1
    assert nd("nursing_homes_registered", DISTRICT) == (1, 2)  # nh2 not filed
    # caregivers of homes and centres: cc1's two, one certificate expired the day before
    assert nd("caregivers_certified", DISTRICT) == (1, 2)
    # large villages' points: 板桥's stands alone with 120 m² and the rooms; 文凤's shares
    assert nd("large_points_min_area", DISTRICT) == (1, 2)
    assert nd("large_points_min_area", BANQIAO) == (1, 1)


def test_each_care_centre_and_home_is_judged_on_its_own(network):
    compute(DAY)
    beds = snap("care_centre_nursing_bed_ratio", DISTRICT)
    # cc1 8 of 10 nursing (80 %, meets), cc3 5 of 10: together 13 of 20
    assert (beds.numerator, beds.denominator, beds.value) == (13, 20, Decimal("65.0000"))
    assert (beds.facilities, beds.facilities_meeting, beds.met) == (2, 1, False)
    assert snap("care_centre_nursing_bed_ratio", BAIMA).met is True
    staffing = snap("care_centre_staffing", DISTRICT)
    # cc1: 3 residents, 2 caregivers (1.5 per staff member, meets 1:3); cc3: 2 residents, none
    assert (staffing.numerator, staffing.denominator, staffing.value) == (5, 2, Decimal("2.5"))
    assert (staffing.facilities, staffing.facilities_meeting, staffing.met) == (2, 1, False)
    homes = snap("nursing_home_staffing", DISTRICT)
    # nh1: 3 residents, 1 manager (meets 1:10); nh2: 1 resident, nobody
    assert (homes.numerator, homes.denominator, homes.facilities_meeting) == (4, 1, 1)
    assert homes.met is False
    assert snap("nursing_home_staffing", BAIMA).met is True


def test_money(network):
    compute(DAY)
    # 白马: the centre's 600,000 and 板桥 point's 400,000, one centre in operation; both built
    # and accepted before they were paid. The 100万 is the district's average: a township
    # shows its amount, not judged
    award = snap("township_award", BAIMA)
    assert (award.numerator, award.denominator) == (1_000_000, 1)
    assert (award.judgement, award.reason, award.met) == ("not_applicable", "level", None)
    assert (award.facilities, award.facilities_meeting, award.failing) == (2, 2, [])
    assert nd("township_award", DISTRICT) == (1_000_000, 1)  # 文凤's award came in 2023
    assert snap("township_award", DISTRICT).judgement == "met"  # 1,000,000 per township
    funds = snap("operating_funds_ratio", DISTRICT)
    # 2022 rows: nh1 15,000 of 100,000 (15 %, meets) and cc1 1,000 of 20,000 (5 %) → pooled
    # 16,000 / 120,000; nh2 and cc3 filed nothing for 2022: 未填报. 1 of 4 institutions meets
    assert (funds.numerator, funds.denominator) == (16_000, 120_000)
    assert funds.value == Decimal("13.3333") and funds.met is False
    assert (funds.facilities, funds.facilities_meeting) == (4, 1)
    assert sorted(item["why"] for item in funds.failing) == ["below", "no_report", "no_report"]


def test_trained_people_are_counted_once(regions):
    director, again, later, carers = (
        f.TrainingSessionFactory(
            kind=kind, title=title, held_on=held_on, organiser=organiser, hours=hours,
            region=regions[region],
        )
        for kind, title, held_on, organiser, hours, region in (
            ("director", "院长培训", d(2022, 5, 1), "区民政局", 8, "district"),
            ("director", "院长复训", d(2022, 9, 1), "白马镇", 4, "baima"),
            ("director", "2023", d(2023, 2, 1), "区", 4, "district"),
            ("caregiver", "护理员", d(2022, 7, 1), "后坪乡", 8, "houping"),
        )
    )  # fmt: skip
    for session, person, passed in (
        (director, "A", True),
        (director, "B", True),
        (again, "A", True),
        (again, "C", True),
        (later, "D", True),
        (carers, "X", True),
        (carers, "Y", False),
    ):
        f.TrainingAttendanceFactory(
            session=session, name=person, id_number=f"ID-{person}", passed=passed
        )
    compute(DAY)
    assert nd("directors_trained", DISTRICT) == (3, None)  # A, B, C
    assert nd("directors_trained", BAIMA) == (2, None)  # A, C in 白马's session
    assert nd("caregivers_trained", DISTRICT) == (1, None)  # Y did not complete
    assert nd("caregivers_trained", HOUPING) == (1, None)
    assert snap("directors_trained", DISTRICT).met is False  # 3 of 50


def test_every_indicator_of_the_plan_is_computed_for_every_township(regions):
    compute(DAY)

    codes = set(Indicator.objects.values_list("code", flat=True))
    for region in (DISTRICT, BAIMA, HOUPING):
        written = set(
            Snapshot.objects.filter(region_id=region, date=DAY).values_list(
                "indicator__code", flat=True
            )
        )
        assert written == codes, region
