"""``facilities/`` and ``beds/``: who sees and changes which facility, the figures and ratios
the API shows, and what the actions record."""

import datetime

import pytest

from accounts.models import Role
from facilities.models import Bed, Facility, OperatingFund
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 1)


@pytest.fixture
def centre_baima(regions, today):
    return f.FacilityFactory(name="白马镇照护中心", kind="care_centre", region=regions["baima"])


def url(facility=None, action=""):
    if facility is None:
        return "/api/v1/facilities/"
    return f"/api/v1/facilities/{facility.pk}/" + (f"{action}/" if action else "")


def admit(facility, regions, count, *, name="住"):
    for i in range(count):
        senior = f.SeniorFactory(village=regions["banqiao"], name=f"{name}{i}")
        f.PlacementFactory(senior=senior, facility=facility, admitted_on=DAY)


def names(response):
    return sorted(row["name"] for row in response.json()["results"])


# --- who sees what ---------------------------------------------------------------------------


def test_staff_of_baima_get_404_on_a_facility_of_houping(api_as, staff_baima, home_houping):
    client = api_as(staff_baima)

    assert client.get(url(home_houping)).status_code == 404
    assert client.patch(url(home_houping), {"notes": "x"}).status_code == 404


def test_the_bureau_sees_every_facility(api_as, bureau, home, home_houping, today):
    response = api_as(bureau).get(url())

    assert names(response) == ["后坪乡敬老院", "白马镇敬老院"]


def test_township_staff_see_the_facilities_of_their_township(
    api_as, staff_baima, home, centre_baima, home_houping, today
):
    assert names(api_as(staff_baima).get(url())) == ["白马镇敬老院", "白马镇照护中心"]


def test_an_operator_sees_only_their_own_facility(
    api_as, operator_baima, home, centre_baima, today
):
    client = api_as(operator_baima)

    assert names(client.get(url())) == ["白马镇敬老院"]
    assert client.get(url(home)).status_code == 200
    assert client.get(url(centre_baima)).status_code == 404


def test_an_operator_edits_their_own_facility_but_not_another_in_the_township(
    api_as, operator_baima, home, centre_baima, today
):
    client = api_as(operator_baima)

    own = client.patch(url(home), {"has_library": True, "operator_name": "武隆康养公司"})
    other = client.patch(url(centre_baima), {"has_library": True})

    assert own.status_code == 200
    assert (own.json()["has_library"], own.json()["operator_name"]) == (True, "武隆康养公司")
    assert other.status_code == 404
    centre_baima.refresh_from_db()
    assert centre_baima.has_library is False


def test_an_operator_may_not_create_a_facility(api_as, operator_baima, regions):
    response = api_as(operator_baima).post(
        url(),
        {"kind": "nursing_home", "name": "新敬老院", "region": "500156101000", "status": "planned"},
    )

    assert response.status_code == 403
    assert not Facility.objects.filter(name="新敬老院").exists()


def test_an_operator_may_not_close_or_move_their_facility(api_as, operator_baima, home, today):
    response = api_as(operator_baima).patch(
        url(home), {"status": "closed", "status_on": "2026-11-20"}
    )

    assert response.status_code == 400
    assert set(response.json()) == {"status", "status_on"}
    home.refresh_from_db()
    assert home.status == "operating"


def test_an_assistant_reads_the_points_of_their_village_but_may_not_write(
    api_as, assistant_baima, home, regions, today
):
    point = f.FacilityFactory(kind="mutual_aid_point", name="板桥村点", region=regions["banqiao"])
    client = api_as(assistant_baima)

    assert names(client.get(url())) == ["板桥村点"]  # the township's home is above the village
    assert client.get(url(point)).status_code == 200
    assert client.patch(url(point), {"notes": "x"}).status_code == 403
    new = {"kind": "mutual_aid_point", "name": "新", "region": "500156101201", "status": "planned"}
    assert client.post(url(), new).status_code == 403
    assert client.post(url(point, "operating-funds"), {}).status_code == 403


def test_a_volunteer_sees_no_facility(api_as, volunteer, home):
    response = api_as(volunteer).get(url())

    assert response.json()["count"] == 0


# --- writes ----------------------------------------------------------------------------------


def test_township_staff_open_a_village_point_serving_two_villages(api_as, staff_baima, today):
    response = api_as(staff_baima).post(
        url(),
        {
            "kind": "mutual_aid_point",
            "name": "板桥村互助养老点",
            "region": "500156101201",
            "served_regions": ["500156101006"],
            "status": "operating",
            "opened_on": "2022-05-01",
            "model_happy_canteen": True,
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["region"], body["served_regions"]) == ("500156101201", ["500156101006"])
    assert body["figures"]["beds"] == 0
    point = Facility.objects.get(pk=body["id"])
    assert point.history.first().history_user == staff_baima


def test_a_facility_cannot_be_placed_in_another_township(api_as, staff_baima, today):
    response = api_as(staff_baima).post(
        url(),
        {"kind": "nursing_home", "name": "越界", "region": "500156208000", "status": "planned"},
    )

    assert response.status_code == 400
    assert "region" in response.json()
    assert not Facility.objects.filter(name="越界").exists()


def test_an_operating_facility_needs_its_opening_day(api_as, staff_baima, today):
    response = api_as(staff_baima).post(
        url(),
        {"kind": "nursing_home", "name": "无日期", "region": "500156101000", "status": "operating"},
    )

    assert response.status_code == 400
    assert "opened_on" in response.json()


def test_a_facility_closes_through_its_status_and_is_never_deleted(
    api_as, staff_baima, home, today
):
    client = api_as(staff_baima)

    assert client.delete(url(home)).status_code == 405
    closed = client.patch(url(home), {"status": "closed", "status_on": "2026-11-20"})

    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["status_on"]) == ("closed", "2026-11-20")


def test_a_change_through_the_api_is_kept_with_who_made_it(api_as, staff_baima, home, today):
    api_as(staff_baima).patch(url(home), {"floor_area": "850.5"})

    latest = home.history.first()
    assert str(latest.floor_area) == "850.5"
    assert latest.history_user == staff_baima
    assert latest.history_type == "~"


# --- figures ---------------------------------------------------------------------------------


def test_seven_caregivers_for_twenty_residents_meet_a_care_centres_ratio(
    api_as, staff_baima, centre_baima, regions, today
):
    f.beds(centre_baima, 16, kind="nursing")
    f.beds(centre_baima, 4, start=17)
    f.staff(centre_baima, 7)
    admit(centre_baima, regions, 20)

    figures = api_as(staff_baima).get(url(centre_baima)).json()["figures"]

    assert figures["on"] == "2026-11-29"
    assert (figures["beds"], figures["nursing_beds"], figures["residents"]) == (20, 16, 20)
    assert (figures["service_staff"], figures["caregivers"]) == (7, 7)
    assert figures["occupancy"] == "1.000"
    assert figures["residents_per_staff"] == "2.857"  # 20 / 7
    assert figures["meets_staffing"] is True  # 7 × 3 = 21 ≥ 20
    assert figures["nursing_bed_ratio"] == "0.800"  # 16 / 20
    assert figures["meets_nursing_beds"] is True


def test_one_caregiver_for_eleven_residents_misses_a_nursing_homes_ratio(
    api_as, staff_baima, home, regions, today
):
    f.beds(home, 12)
    f.staff(home, 1)
    admit(home, regions, 11)

    figures = api_as(staff_baima).get(url(home)).json()["figures"]

    assert (figures["residents"], figures["management_and_service_staff"]) == (11, 1)
    assert figures["residents_per_staff"] == "11.000"
    assert figures["meets_staffing"] is False  # 1 × 10 = 10 < 11
    assert figures["meets_nursing_beds"] is None  # only care centres have the 80 % rule


def test_day_care_visitors_are_not_residents(api_as, staff_baima, home, regions, today):
    f.beds(home, 2)
    admit(home, regions, 1)
    visitor = f.SeniorFactory(village=regions["banqiao"])
    f.PlacementFactory(senior=visitor, facility=home, admitted_on=DAY, kind="day_care")

    figures = api_as(staff_baima).get(url(home)).json()["figures"]

    assert (figures["residents"], figures["day_care"], figures["occupancy"]) == (1, 1, "0.500")


def test_a_certificate_past_expiry_does_not_count_in_certified_caregivers(
    api_as, staff_baima, home, today
):
    valid, expired, _without = f.staff(home, 3)
    f.CertificateFactory(staff=valid, number="C1", level="4", issued_on=DAY.replace(year=2022))
    f.CertificateFactory(
        staff=expired, number="C2", level="5", issued_on=datetime.date(2021, 1, 1),
        expires_on=datetime.date(2026, 10, 31),
    )  # fmt: skip

    figures = api_as(staff_baima).get(url(home)).json()["figures"]

    assert (figures["caregivers"], figures["certified_caregivers"]) == (3, 1)


def test_the_list_shows_the_figures_too(api_as, staff_baima, home, today):
    f.beds(home, 3)

    (row,) = api_as(staff_baima).get(url()).json()["results"]

    assert (row["figures"]["beds"], row["figures"]["residents"]) == (3, 0)


@pytest.mark.parametrize("page_size", [2, 12])
def test_the_list_takes_a_bounded_number_of_queries(
    api_as, staff_baima, regions, today, page_size, django_assert_max_num_queries
):
    for n in range(12):
        home = f.FacilityFactory(region=regions["baima"], name=f"敬老院{n:02d}")
        home.served_regions.add(regions["banqiao"])
        f.beds(home, 2)
        f.staff(home, 1)
    client = api_as(staff_baima)

    with django_assert_max_num_queries(5):
        response = client.get(url(), {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


# --- filters ---------------------------------------------------------------------------------


def test_filters_by_kind_status_and_region_of_any_level(
    api_as, bureau, home, centre_baima, home_houping, regions, today
):
    point = f.FacilityFactory(kind="mutual_aid_point", name="板桥村点", region=regions["banqiao"])
    Facility.objects.filter(pk=home_houping.pk).update(status="suspended", status_on=DAY)
    client = api_as(bureau)

    assert names(client.get(url(), {"kind": "care_centre"})) == ["白马镇照护中心"]
    assert names(client.get(url(), {"status": "suspended"})) == ["后坪乡敬老院"]
    assert names(client.get(url(), {"region": "500156101000"})) == sorted(
        ["白马镇敬老院", "白马镇照护中心", point.name]
    )
    assert names(client.get(url(), {"region": "500156101201"})) == ["板桥村点"]


# --- nested records and actions --------------------------------------------------------------


def test_a_quality_check_is_recorded_and_shown_in_the_detail(api_as, staff_baima, home, today):
    client = api_as(staff_baima)

    response = client.post(
        url(home, "quality-checks"),
        {"checked_on": "2026-11-20", "passed": True, "inspector": "区民政局王科长"},
    )

    assert response.status_code == 201
    detail = client.get(url(home)).json()
    assert [(c["checked_on"], c["passed"]) for c in detail["quality_checks"]] == [
        ("2026-11-20", True)
    ]
    assert home.quality_checks.get().history.first().history_user == staff_baima


def test_an_operator_may_not_inspect_their_own_facility(api_as, operator_baima, home, today):
    response = api_as(operator_baima).post(
        url(home, "quality-checks"),
        {"checked_on": "2026-11-20", "passed": True, "inspector": "自己"},
    )

    assert response.status_code == 403


def test_a_second_entry_of_operating_funds_replaces_the_year(api_as, operator_baima, home, today):
    client = api_as(operator_baima)
    first = {"year": 2025, "operating_funds": "30000.00", "residents_basic_allowance": "200000.00"}

    created = client.post(url(home, "operating-funds"), first)
    replaced = client.post(url(home, "operating-funds"), {**first, "operating_funds": "36000.00"})

    assert (created.status_code, replaced.status_code) == (201, 200)
    fund = OperatingFund.objects.get(facility=home)
    assert str(fund.operating_funds) == "36000.00"
    detail = client.get(url(home)).json()
    assert [(r["year"], r["operating_funds"]) for r in detail["operating_funds"]] == [
        (2025, "36000.00")
    ]


def test_a_village_point_keeps_no_operating_funds(api_as, staff_baima, regions, today):
    point = f.FacilityFactory(kind="mutual_aid_point", region=regions["banqiao"])

    response = api_as(staff_baima).post(
        url(point, "operating-funds"),
        {"year": 2025, "operating_funds": "1000", "residents_basic_allowance": "1000"},
    )

    assert response.status_code == 400
    assert "facility" in response.json()
    assert not OperatingFund.objects.exists()


# --- beds ------------------------------------------------------------------------------------


def test_an_operator_adds_and_retires_a_bed_of_their_facility(api_as, operator_baima, home, today):
    client = api_as(operator_baima)

    added = client.post(
        "/api/v1/beds/",
        {"facility": home.pk, "label": "101", "kind": "nursing", "in_use_from": "2026-11-01"},
    )
    assert added.status_code == 201, added.json()
    retired = client.post(
        f"/api/v1/beds/{added.json()['id']}/retire/", {"retired_on": "2026-11-29"}
    )

    assert retired.status_code == 200
    assert retired.json()["retired_on"] == "2026-11-29"
    assert client.get(url(home)).json()["figures"]["beds"] == 0


def test_a_bed_label_is_used_once_per_facility(api_as, staff_baima, home, today):
    f.beds(home, 1)  # label 001

    response = api_as(staff_baima).post(
        "/api/v1/beds/",
        {
            "facility": home.pk,
            "label": "001",
            "kind": "ordinary",
            "in_use_from": "2026-11-01",
        },
    )

    assert response.status_code == 400
    assert "label" in response.json()
    assert Bed.objects.filter(facility=home).count() == 1


def test_an_occupied_bed_does_not_retire(api_as, staff_baima, home, regions, today):
    (bed,) = f.beds(home, 1)
    senior = f.SeniorFactory(village=regions["banqiao"])
    f.PlacementFactory(senior=senior, facility=home, bed=bed, admitted_on=DAY)
    client = api_as(staff_baima)

    assert client.get(f"/api/v1/beds/{bed.pk}/").json()["occupied"] is True
    response = client.post(f"/api/v1/beds/{bed.pk}/retire/", {"retired_on": "2026-11-29"})

    assert response.status_code == 400
    assert "retired_on" in response.json()


def test_beds_of_another_township_are_out_of_reach(api_as, staff_baima, home_houping, today):
    (bed,) = f.beds(home_houping, 1)
    client = api_as(staff_baima)

    assert client.get(f"/api/v1/beds/{bed.pk}/").status_code == 404
    response = client.post(
        "/api/v1/beds/",
        {
            "facility": home_houping.pk,
            "label": "9",
            "kind": "ordinary",
            "in_use_from": "2026-11-01",
        },
    )
    assert response.status_code == 400
    assert "facility" in response.json()


def test_the_bed_list_takes_a_bounded_number_of_queries(
    api_as, staff_baima, home, today, django_assert_max_num_queries
):
    f.beds(home, 30)

    with django_assert_max_num_queries(3):
        response = api_as(staff_baima).get("/api/v1/beds/", {"facility": home.pk})

    assert response.json()["count"] == 30


def test_township_staff_assign_an_operator_account_who_then_sees_the_facility(
    api_as, staff_baima, regions
):
    home = f.FacilityFactory(name="白马镇敬老院", region=regions["baima"])
    operator = f.UserFactory(
        username="operator-new", role=Role.FACILITY_OPERATOR, region=regions["baima"]
    )
    response = api_as(staff_baima).patch(
        f"/api/v1/facilities/{home.pk}/", {"operators": ["operator-new"]}
    )

    assert response.status_code == 200
    assert response.json()["operators"] == ["operator-new"]
    assert api_as(operator).get(f"/api/v1/facilities/{home.pk}/").status_code == 200


def test_an_operator_cannot_add_operators(api_as, regions):
    home = f.FacilityFactory(name="白马镇敬老院", region=regions["baima"])
    operator = f.UserFactory(username="op-a", role=Role.FACILITY_OPERATOR, region=regions["baima"])
    f.UserFactory(username="op-b", role=Role.FACILITY_OPERATOR, region=regions["baima"])
    home.operators.add(operator)

    response = api_as(operator).patch(
        f"/api/v1/facilities/{home.pk}/", {"operators": ["op-a", "op-b"]}
    )
    assert response.status_code == 400
    assert "operators" in response.json()
