"""How the coverage is judged: met, not met, not applicable (and why); institutions judged one
by one (operating funds per home per year, registration, ratios); the award as the district's
average with 先建后补 checked; the deadline (met by it, met late, not met); service centres of
at least 800 ㎡, village points with the plan's functions, 中心带点. Every expectation is
worked out by hand in the comments from the records the test creates."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from coverage.compute import compute
from coverage.models import Indicator, Snapshot
from tests import factories as f

pytestmark = pytest.mark.django_db

d = datetime.date
DAY = d(2022, 12, 31)
DISTRICT, BAIMA, HOUPING = "500156000000", "500156101000", "500156208000"
BANQIAO, WENFENG = "500156101201", "500156208200"


def snap(code, region, on=DAY):
    return Snapshot.objects.get(indicator__code=code, region_id=region, date=on)


def tile(body: str, code: str) -> str:
    start = body.index(f'data-indicator="{code}"')
    return body[start : body.index("</article>", start)]


def row(body: str, region: str) -> str:
    start = body.index(f'data-region="{region}"')
    return body[start : body.index("</tr>", start)]


def residents(facility, village, count):
    for _ in range(count):
        person = f.SeniorFactory(village=village)
        f.PlacementFactory(senior=person, facility=facility, admitted_on=d(2022, 10, 1))


@pytest.fixture
def care_centre_in_baima(regions):
    """One care centre, in 白马 only: 8 of 10 beds nursing-type, 3 residents, 1 caregiver."""
    centre = f.FacilityFactory(
        kind="care_centre", region=regions["baima"], name="白马照护中心", opened_on=d(2022, 6, 1)
    )
    f.beds(centre, 8, kind="nursing")
    f.beds(centre, 2, start=9)
    residents(centre, regions["tiefosi"], 3)
    f.staff(centre, 1)
    return centre


# --- 1. a region without such a facility is not judged -------------------------------------


def test_a_township_without_a_care_centre_is_not_judged_on_its_ratios(care_centre_in_baima):
    compute(DAY)
    for code in ("care_centre_nursing_bed_ratio", "care_centre_staffing"):
        row_ = snap(code, HOUPING)
        assert (row_.judgement, row_.reason, row_.met) == ("not_applicable", "no_facility", None)
        assert snap(code, BAIMA).judgement == "met"  # 80 %; 3 residents to 1 caregiver
        assert snap(code, DISTRICT).judgement == "met"  # the one centre there is meets it
    # no nursing home anywhere: the 1:10 and registration are not judged either
    assert snap("nursing_home_staffing", DISTRICT).judgement == "not_applicable"
    assert snap("nursing_homes_registered", BAIMA).judgement == "not_applicable"
    # a share of nothing (no care centre to be run by an institution) is not judged
    assert snap("care_centres_run_by_operator", HOUPING).reason == "no_facility"


def test_the_district_page_counts_only_the_targets_that_apply(client, bureau, care_centre_in_baima):
    compute(DAY)
    client.force_login(bureau)
    body = client.get(f"/coverage/{DISTRICT}/").content.decode()
    houping = row(body, HOUPING)
    # 后坪 has 文凤 (one village, no groups) and nothing else: the four village targets apply
    # (point, assistant, volunteer team, elders' association) and none is met; groups, every
    # facility and person indicator have nothing to count, the award is the district's
    assert '<td class="num">0 / 4</td>' in houping
    for code in ("care_centre_nursing_bed_ratio", "care_centre_staffing", "township_award"):
        cell = re.search(rf'<td class="num (\w+)" data-indicator="{code}"', houping).group(1)
        assert cell == "na", code
    assert "behind" not in re.findall(r'class="num (\w+)" data-indicator="care_centre', houping)
    assert "达标 / 适用" in body


def test_a_township_page_shows_no_red_for_what_does_not_apply(client, bureau, care_centre_in_baima):
    compute(DAY)
    client.force_login(bureau)
    body = client.get(f"/coverage/{HOUPING}/").content.decode()
    beds = tile(body, "care_centre_nursing_bed_ratio")
    assert 'data-state="na"' in beds and "不适用（本区域无此类机构）" in beds
    assert "tag bad" not in beds
    award = tile(body, "township_award")
    assert 'data-state="na"' in award and "不适用（区级指标）" in award


def test_a_village_page_says_township_level_not_no_target(client, bureau, regions):
    f.FacilityFactory(
        kind="mutual_aid_point", region=regions["banqiao"], opened_on=d(2022, 1, 1),
        **f.POINT_FUNCTIONS,
    )  # fmt: skip
    compute(DAY)
    client.force_login(bureau)
    body = client.get(f"/coverage/{BANQIAO}/").content.decode()
    centres = tile(body, "care_centres")  # counted for townships and above
    assert "不适用（乡镇级指标）" in centres and "方案未设数值目标" not in centres
    assert 'data-state="na"' in tile(body, "nursing_home_staffing")
    # the village's point count: a row, but the 184 is the district's
    assert "不适用（区级指标）" in tile(body, "mutual_aid_points")
    # tracked stays tracked: the plan sets no number for the wristbands
    wristband = tile(body, "key_seniors_with_wristband")
    assert 'data-state="tracked"' in wristband and "方案未设数值目标" in wristband
    # a village indicator with nobody to count in the village
    assert "不适用（本区域无统计对象）" in tile(body, "family_doctor_signed")
    assert "不适用（乡镇级指标）" not in tile(body, "villages_with_point")


# --- 2. the 15 % operating funds: each home, each year --------------------------------------


@pytest.fixture
def homes(regions):
    """Three homes in 白马: A 14,900 of 100,000 (14.9 %), B 30,000 of 100,000 (30 %), C only a
    2021 row (20 %)."""
    made = {}
    for name in ("A", "B", "C"):
        made[name] = f.FacilityFactory(kind="nursing_home", region=regions["baima"], name=name)
    f.OperatingFundFactory(
        facility=made["A"], year=2022, operating_funds=14_900, residents_basic_allowance=100_000
    )
    f.OperatingFundFactory(
        facility=made["B"], year=2022, operating_funds=30_000, residents_basic_allowance=100_000
    )
    f.OperatingFundFactory(
        facility=made["C"], year=2021, operating_funds=20_000, residents_basic_allowance=100_000
    )
    return made


def test_a_home_at_14_9_percent_fails_though_the_pooled_figure_is_above(homes):
    compute(DAY)
    funds = snap("operating_funds_ratio", DISTRICT)
    # pooled 2022: 44,900 of 200,000 = 22.45 % — above 15 %, yet A is below and C filed
    # nothing for 2022 (its 2021 row does not stand in): 1 of 3 homes meets
    assert (funds.numerator, funds.denominator) == (44_900, 200_000)
    assert funds.value == Decimal("22.4500")
    assert (funds.facilities, funds.facilities_meeting) == (3, 1)
    assert (funds.judgement, funds.met) == ("not_met", False)
    assert funds.failing == [
        {"id": homes["A"].pk, "name": "A", "why": "below", "value": "14.9 %"},
        {"id": homes["C"].pk, "name": "C", "why": "no_report", "value": "2022"},
    ]
    assert snap("operating_funds_ratio", BAIMA).failing == funds.failing


def test_the_tile_names_the_failing_homes(client, bureau, homes):
    compute(DAY)
    client.force_login(bureau)
    funds = tile(client.get(f"/coverage/{BAIMA}/").content.decode(), "operating_funds_ratio")
    assert "3 家设施中 1 家达标" in funds
    assert "A: 低于目标 14.9 %" in funds
    assert "C: 当年未填报 2022" in funds


def test_registration_and_quality_name_the_homes_that_fail(homes):
    homes["B"].legal_person_registered_on = d(2015, 1, 1)
    homes["B"].filed_on = d(2016, 1, 1)
    homes["B"].save()
    f.QualityCheckFactory(facility=homes["A"], checked_on=d(2022, 5, 1), passed=True,
                                inspector="x")  # fmt: skip
    f.QualityCheckFactory(facility=homes["B"], checked_on=d(2022, 5, 1), passed=False,
                                inspector="x")  # fmt: skip
    compute(DAY)
    registered = snap("nursing_homes_registered", DISTRICT)
    # B only is registered and filed: 1 of 3, A and C named
    assert (registered.facilities, registered.facilities_meeting) == (3, 1)
    assert [item["name"] for item in registered.failing] == ["A", "C"]
    quality = snap("homes_and_centres_quality", DISTRICT)
    # judged as a share (1 of 3 = 33.3 % < 65 %); B failed its check, C has none
    assert quality.value == Decimal("33.3333") and quality.judgement == "not_met"
    assert [(i["name"], i["why"]) for i in quality.failing] == [
        ("B", "check_failed"),
        ("C", "no_check"),
    ]


# --- 3. the award: the district's average, built and accepted first -------------------------


def centre_with_award(township, name, amount, *, completed, paid, status="accepted", area=900):
    centre = f.FacilityFactory(
        kind="service_centre", region=township, name=name, opened_on=d(2022, 3, 1),
        floor_area=Decimal(area),
    )  # fmt: skip
    return f.UpgradeProjectFactory(
        facility=centre, kind="new", title=f"{name}建设", budget=1, status=status,
        completed_on=completed, award_amount=amount, award_paid_on=paid,
    )  # fmt: skip


def test_the_award_is_the_districts_average_and_paid_after_building(regions):
    # 白马 800,000, built 2022-02-01, paid 2022-04-01; 后坪 1,300,000 paid 2022-06-01 for a
    # project completed 2022-08-01: paid before it was built
    centre_with_award(regions["baima"], "白马中心", 800_000, completed=d(2022, 2, 1),
                      paid=d(2022, 4, 1))  # fmt: skip
    late = centre_with_award(regions["houping"], "后坪中心", 1_300_000, completed=d(2022, 8, 1),
                             paid=d(2022, 6, 1))  # fmt: skip
    compute(DAY)
    baima = snap("township_award", BAIMA)
    # 白马 below 100万 is not red: the 100万 is an average over the townships
    assert (baima.numerator, baima.judgement, baima.reason) == (800_000, "not_applicable", "level")
    assert (baima.facilities, baima.facilities_meeting, baima.failing) == (1, 1, [])
    houping = snap("township_award", HOUPING)
    assert (houping.facilities, houping.facilities_meeting) == (1, 0)
    assert houping.failing == [
        {"id": late.facility_id, "name": "后坪中心 · 后坪中心建设", "why": "paid_before_built",
         "value": "2022-06-01"},
    ]  # fmt: skip
    district = snap("township_award", DISTRICT)
    # 2,100,000 over the 2 townships with a centre: 1,050,000 ≥ 1,000,000
    assert (district.numerator, district.denominator) == (2_100_000, 2)
    assert district.value == Decimal("1050000.0000")
    assert (district.judgement, district.target) == ("met", Decimal(1_000_000))


def test_an_award_before_acceptance_is_not_built_first(regions):
    # completed before payment, but only accepted after it (the 竣工验收 milestone), and one
    # not accepted at all
    project = centre_with_award(regions["baima"], "白马中心", 1_000_000, completed=d(2022, 2, 1),
                                paid=d(2022, 4, 1))  # fmt: skip
    f.MilestoneFactory(project=project, name="竣工验收", done_on=d(2022, 5, 1))
    centre_with_award(regions["houping"], "后坪中心", 900_000, completed=d(2022, 2, 1),
                      paid=d(2022, 4, 1), status="completed")  # fmt: skip
    compute(DAY)
    assert snap("township_award", BAIMA).facilities_meeting == 0
    assert snap("township_award", HOUPING).facilities_meeting == 0
    district = snap("township_award", DISTRICT)
    assert (district.facilities, district.facilities_meeting) == (2, 0)
    assert district.value == Decimal("950000.0000") and district.judgement == "not_met"


# --- 6. the deadline ------------------------------------------------------------------------


@pytest.fixture
def history(regions):
    """白马's 板桥 gets its assistant on 2023-05-10 (met late); 后坪's 文凤 has had one since
    2022-01-01 (met by the deadline); no village has a volunteer team (not met)."""
    f.ElderlyCareAssistantFactory(village=regions["banqiao"], name="甲",
                                        started_on=d(2023, 5, 10))  # fmt: skip
    f.ElderlyCareAssistantFactory(village=regions["wenfeng"], name="乙",
                                        started_on=d(2022, 1, 1))  # fmt: skip
    for on in (d(2022, 11, 30), DAY, d(2023, 4, 30), d(2023, 5, 31), d(2023, 6, 30)):
        compute(on)


def test_a_target_met_in_2023_05_shows_met_late(client, bureau, history):
    client.force_login(bureau)
    body = client.get(f"/coverage/{BAIMA}/", {"date": "2023-06-30"}).content.decode()
    assistant = tile(body, "villages_with_assistant")
    assert 'data-deadline="late"' in assistant and "逾期达标 2023-05" in assistant
    team = tile(body, "villages_with_volunteer_team")
    assert 'data-deadline="open"' in team and "逾期未达标（期限 2022-12-31）" in team
    body = client.get(f"/coverage/{HOUPING}/", {"date": "2023-06-30"}).content.decode()
    assert "按期达标（2022-12-31）" in tile(body, "villages_with_assistant")
    # before the deadline there is nothing to say yet
    body = client.get(f"/coverage/{BAIMA}/", {"date": "2022-11-30"}).content.decode()
    assert "data-deadline" not in tile(body, "villages_with_assistant")


def test_the_deadline_is_in_the_excel_file_and_the_trends(client, bureau, history):
    client.force_login(bureau)
    response = client.get(f"/coverage/{BAIMA}/export.xlsx", {"date": "2023-06-30"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in sheet[2]]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assistant = rows["配备养老助理的村"]
    assert assistant[header.index("期限达标情况")] == "逾期达标 2023-05"
    assert assistant[header.index("是否达标")] == "达标"
    care = rows["照护中心护理型床位占比"]
    assert care[header.index("是否达标")] == "不适用（本区域无此类机构）"
    body = client.get(f"/coverage/{BAIMA}/trends/").content.decode()
    start = body.index('id="trend-villages_with_assistant"')
    assert "逾期达标 2023-05" in body[start : body.index("</figcaption>", start)]


# --- 7. service centres, village points' functions, 中心带点 ---------------------------------


def test_service_centres_count_from_800_square_metres(regions):
    f.FacilityFactory(kind="service_centre", region=regions["baima"], floor_area=Decimal(900))
    small = f.FacilityFactory(kind="service_centre", region=regions["houping"], name="小中心",
                              floor_area=Decimal(500))  # fmt: skip
    unknown = f.FacilityFactory(kind="service_centre", region=regions["houping"], name="无面积")
    compute(DAY)
    centres = snap("service_centres", DISTRICT)
    # of three in operation only 白马's 900 ㎡ counts
    assert (centres.numerator, centres.facilities, centres.facilities_meeting) == (1, 3, 1)
    assert centres.failing == [
        {"id": small.pk, "name": "小中心", "why": "small_area", "value": "500 ㎡"},
        {"id": unknown.pk, "name": "无面积", "why": "small_area", "value": ""},
    ]


def test_a_village_has_a_point_only_with_the_plans_functions(client, bureau, regions):
    lacking = {**f.POINT_FUNCTIONS, "offers_rehabilitation": False}
    f.FacilityFactory(kind="mutual_aid_point", region=regions["banqiao"], name="板桥点",
                      **lacking)  # fmt: skip
    # 文凤 is served by a full point of 板桥 (a merged village): counted
    full = f.FacilityFactory(kind="mutual_aid_point", region=regions["banqiao"], name="邻点",
                             **f.POINT_FUNCTIONS)  # fmt: skip
    full.served_regions.add(regions["wenfeng"])
    compute(DAY)
    # 板桥 has two points, one full: counted; 文凤 served by the full one
    assert float(snap("villages_with_point", DISTRICT).numerator) == 2
    full.offers_day_care = False
    full.save()
    compute(DAY)
    # now neither point of 板桥 offers all four, and 文凤's serving point lacks day care
    banqiao = snap("villages_with_point", BANQIAO)
    assert (banqiao.numerator, banqiao.judgement) == (0, "not_met")
    assert sorted((i["name"], i["value"]) for i in banqiao.failing) == [
        ("板桥点", "rehabilitation"),
        ("邻点", "day_care"),
    ]
    assert snap("villages_with_point", WENFENG).numerator == 0
    client.force_login(bureau)
    body = client.get(f"/coverage/{BANQIAO}/").content.decode()
    assert "板桥点: 缺少功能 康复理疗" in tile(body, "villages_with_point")
    assert "日间照料、康复理疗、休闲娱乐、紧急救援" in tile(body, "villages_with_point")


def test_points_led_by_their_townships_centre(regions):
    baima_centre = f.FacilityFactory(kind="service_centre", region=regions["baima"],
                                     opened_on=d(2022, 3, 1))  # fmt: skip
    houping_centre = f.FacilityFactory(kind="service_centre", region=regions["houping"],
                                       opened_on=d(2022, 3, 1))  # fmt: skip
    later = f.FacilityFactory(kind="service_centre", region=regions["baima"],
                              opened_on=d(2023, 3, 1))  # fmt: skip
    for lead in (baima_centre, houping_centre, later, None):
        f.FacilityFactory(kind="mutual_aid_point", region=regions["banqiao"], lead_centre=lead)
    compute(DAY)
    led = snap("points_led_by_centre", DISTRICT)
    # four points in 板桥: led by 白马's centre (counted), by 后坪's (another township), by a
    # centre not yet open, by none → 1 of 4; the plan sets no number: tracked
    assert (led.numerator, led.denominator, led.value) == (1, 4, Decimal("25.0000"))
    assert (led.judgement, led.met) == ("tracked", None)
    assert snap("points_led_by_centre", BANQIAO).numerator == 1


# --- the API carries the judgement ----------------------------------------------------------


def test_the_snapshot_api_carries_judgement_reason_and_failing(api_as, bureau, homes):
    compute(DAY)
    rows = (
        api_as(bureau)
        .get("/api/v1/coverage/snapshots/", {"region": DISTRICT, "date": "2022-12-31"})
        .json()
    )
    rows = rows.get("results", rows)
    by_code = {r["indicator"]: r for r in rows}
    funds = by_code["operating_funds_ratio"]
    assert (funds["judgement"], funds["facilities_meeting"]) == ("not_met", 1)
    assert [item["why"] for item in funds["failing"]] == ["below", "no_report"]
    beds = by_code["care_centre_nursing_bed_ratio"]
    assert (beds["judgement"], beds["reason"], beds["met"]) == (
        "not_applicable",
        "no_facility",
        None,
    )


def test_the_indicator_says_how_it_is_counted(api_as, bureau, regions):
    rows = {i["code"]: i for i in api_as(bureau).get("/api/v1/coverage/indicators/").json()}
    assert rows["service_centres"]["min_area"] == "800.0"
    assert rows["villages_with_point"]["required_functions"] == [
        "day_care", "rehabilitation", "recreation", "emergency_rescue",
    ]  # fmt: skip
    assert "平均" in rows["township_award"]["counting_note"]
    assert rows["township_award"]["target"]["level"] == "district"
    point = Indicator.objects.get(code="villages_with_point")
    point.required_functions = ["day_care", "teleport"]
    with pytest.raises(ValidationError) as error:
        point.clean()
    assert "day_care, rehabilitation" in str(error.value.message_dict["required_functions"])
