"""``placements/``: admission with the bed limit and one open stay per senior, discharge, and
who may see and make a stay."""

import datetime

import pytest

from facilities.models import Placement
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 1)
URL = "/api/v1/placements/"


@pytest.fixture
def home(home_with_two_beds):
    return home_with_two_beds


@pytest.fixture
def home_houping(home_houping):
    """后坪乡敬老院 with 5 ordinary beds."""
    f.beds(home_houping, 5)
    return home_houping


def senior_of(regions, name="老人"):
    return f.SeniorFactory(village=regions["banqiao"], name=name)


def admission(senior, facility, **more):
    return {"senior": senior.pk, "facility": facility.pk, "admitted_on": "2026-11-01", **more}


def test_township_staff_admit_a_senior(api_as, staff_baima, home, zhang):
    response = api_as(staff_baima).post(URL, admission(zhang, home, admission_reason="独居失能"))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["senior_name"], body["facility_name"], body["kind"]) == (
        "张大爷",
        "白马镇敬老院",
        "residential",
    )
    assert body["discharged_on"] is None
    placement = Placement.objects.get(pk=body["id"])
    assert placement.history.first().history_user == staff_baima


def test_a_senior_is_admitted_to_a_chosen_bed(api_as, staff_baima, home, zhang):
    bed = home.beds.get(label="002")

    response = api_as(staff_baima).post(URL, admission(zhang, home, bed=bed.pk))

    assert response.status_code == 201
    assert (response.json()["bed"], response.json()["bed_label"]) == (bed.pk, "002")


def test_a_full_facility_refuses_an_admission_and_writes_nothing(
    api_as, staff_baima, home, regions
):
    for i in range(2):
        f.PlacementFactory(senior=senior_of(regions, f"住{i}"), facility=home, admitted_on=DAY)
    third = senior_of(regions, "第三")

    response = api_as(staff_baima).post(URL, admission(third, home))

    assert response.status_code == 400
    assert list(response.json()) == ["facility"]
    assert "白马镇敬老院" in response.json()["facility"][0]  # the message names the facility
    assert Placement.objects.count() == 2
    assert not third.placements.exists()


def test_day_care_needs_no_free_bed(api_as, staff_baima, home, regions):
    for i in range(2):
        f.PlacementFactory(senior=senior_of(regions, f"住{i}"), facility=home, admitted_on=DAY)
    visitor = senior_of(regions, "日间")

    response = api_as(staff_baima).post(URL, admission(visitor, home, kind="day_care"))

    assert response.status_code == 201


def test_a_second_open_stay_is_refused(api_as, staff_baima, home, regions, zhang):
    other = f.FacilityFactory(name="白马镇照护中心", kind="care_centre", region=regions["baima"])
    f.beds(other, 3)
    client = api_as(staff_baima)
    assert client.post(URL, admission(zhang, home)).status_code == 201

    response = client.post(URL, admission(zhang, other))

    assert response.status_code == 400
    assert list(response.json()) == ["senior"]
    assert Placement.objects.filter(senior=zhang).count() == 1


def test_a_senior_outside_the_region_cannot_be_admitted(api_as, staff_baima, home, liu):
    response = api_as(staff_baima).post(URL, admission(liu, home))

    assert response.status_code == 400
    assert "senior" in response.json()
    assert not Placement.objects.exists()


def test_a_facility_outside_the_region_cannot_be_chosen(api_as, staff_baima, home_houping, zhang):
    response = api_as(staff_baima).post(URL, admission(zhang, home_houping))

    assert response.status_code == 400
    assert "facility" in response.json()


def test_staff_of_baima_get_404_on_a_placement_in_houping(api_as, staff_baima, home_houping, liu):
    stay = f.PlacementFactory(senior=liu, facility=home_houping, admitted_on=DAY)
    client = api_as(staff_baima)

    assert client.get(f"{URL}{stay.pk}/").status_code == 404
    discharge = client.post(f"{URL}{stay.pk}/discharge/", {"discharged_on": "2026-11-20"})
    assert discharge.status_code == 404
    assert client.get(URL).json()["count"] == 0


def test_an_assistant_may_not_admit(api_as, assistant_baima, home, zhang):
    response = api_as(assistant_baima).post(URL, admission(zhang, home))

    assert response.status_code == 403
    assert not Placement.objects.exists()


def test_an_operator_sees_and_discharges_the_residents_of_their_facility_only(
    api_as, home, operator_baima, home_houping, regions, zhang, liu
):
    other = f.FacilityFactory(name="白马镇照护中心", kind="care_centre", region=regions["baima"])
    own = f.PlacementFactory(senior=zhang, facility=home, admitted_on=DAY)
    elsewhere = f.PlacementFactory(senior=senior_of(regions), facility=other, admitted_on=DAY)
    client = api_as(operator_baima)

    assert [row["id"] for row in client.get(URL).json()["results"]] == [own.pk]
    assert client.get(f"{URL}{elsewhere.pk}/").status_code == 404
    response = client.post(f"{URL}{own.pk}/discharge/", {"discharged_on": "2026-11-20"})
    assert response.status_code == 200


def test_a_discharge_ends_the_stay_once(api_as, staff_baima, home, zhang):
    stay = f.PlacementFactory(senior=zhang, facility=home, admitted_on=DAY)
    client = api_as(staff_baima)

    first = client.post(
        f"{URL}{stay.pk}/discharge/", {"discharged_on": "2026-11-20", "reason": "回家"}
    )
    again = client.post(f"{URL}{stay.pk}/discharge/", {"discharged_on": "2026-11-21"})

    assert first.status_code == 200
    assert (first.json()["discharged_on"], first.json()["discharge_reason"]) == (
        "2026-11-20",
        "回家",
    )
    assert again.status_code == 400
    assert "discharged_on" in again.json()
    stay.refresh_from_db()
    assert stay.discharged_on == datetime.date(2026, 11, 20)


def test_a_stay_cannot_end_before_it_began(api_as, staff_baima, home, zhang):
    stay = f.PlacementFactory(senior=zhang, facility=home, admitted_on=DAY)

    response = api_as(staff_baima).post(
        f"{URL}{stay.pk}/discharge/", {"discharged_on": "2026-10-31"}
    )

    assert response.status_code == 400
    assert "discharged_on" in response.json()


def test_filters_by_facility_senior_open_and_kind(api_as, staff_baima, home, regions, zhang):
    other = f.FacilityFactory(name="白马镇照护中心", kind="care_centre", region=regions["baima"])
    gone = senior_of(regions, "已出院")
    visitor = senior_of(regions, "日间")
    current = f.PlacementFactory(senior=zhang, facility=home, admitted_on=DAY)
    ended = f.PlacementFactory(
        senior=gone, facility=other, admitted_on=DAY, discharged_on=datetime.date(2026, 11, 5)
    )
    day_care = f.PlacementFactory(senior=visitor, facility=home, admitted_on=DAY, kind="day_care")
    client = api_as(staff_baima)

    def ids(**params):
        return sorted(row["id"] for row in client.get(URL, params).json()["results"])

    assert ids(facility=home.pk) == sorted([current.pk, day_care.pk])
    assert ids(senior=gone.pk) == [ended.pk]
    assert ids(open="true") == sorted([current.pk, day_care.pk])
    assert ids(open="false") == [ended.pk]
    assert ids(kind="day_care") == [day_care.pk]


@pytest.mark.parametrize("page_size", [3, 20])
def test_the_list_takes_a_bounded_number_of_queries(
    api_as, staff_baima, home, regions, page_size, django_assert_max_num_queries
):
    f.beds(home, 18, start=3)
    beds = list(home.beds.all())
    for i in range(20):
        f.PlacementFactory(
            senior=senior_of(regions, f"住{i}"), facility=home, bed=beds[i], admitted_on=DAY
        )
    client = api_as(staff_baima)

    with django_assert_max_num_queries(3):
        response = client.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
