"""The volunteer side of the API: scoped like everything else, and the 结对扶老 filters."""

import datetime

import pytest
from django.utils import timezone

from volunteers import services
from volunteers.models import Group, Pairing

from . import factories as f

START = datetime.date(2026, 1, 1)


@pytest.fixture
def cast(regions, volunteer, today):
    banqiao, wenfeng = regions["banqiao"], regions["wenfeng"]
    mine = f.VolunteerFactory(name="我", village=banqiao, user=volunteer)
    other = f.VolunteerFactory(name="别人", village=banqiao)
    far = f.VolunteerFactory(name="后坪人", village=wenfeng)
    poor = f.SeniorFactory(name="低保户", village=banqiao, subsistence_allowance=True)
    old = f.SeniorFactory(name="高龄", village=banqiao, born=datetime.date(1940, 1, 1))
    alone = f.SeniorFactory(name="独居", village=wenfeng, living_situation="alone")
    p1 = services.pairing_start(
        by=None, helper=mine, senior=poor, mode="one_to_one", started_on=START
    )
    p2 = services.pairing_start(by=None, helper=other, senior=old, mode="grid", started_on=START)
    p3 = services.pairing_start(by=None, helper=far, senior=alone, mode="area", started_on=START)
    # poor was visited yesterday: p1 current; old and alone never: p2 and p3 overdue
    f.VisitFactory(senior=poor, visited_at=timezone.now() - datetime.timedelta(days=1))
    return {
        "mine": mine,
        "other": other,
        "far": far,
        "p1": p1,
        "p2": p2,
        "p3": p3,
        "poor": poor,
        "old": old,
        "alone": alone,
    }


def ids(response):
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def test_township_staff_see_their_township_only(api_as, staff_baima, cast):
    client = api_as(staff_baima)
    assert ids(client.get("/api/v1/pairings/")) == sorted([cast["p1"].pk, cast["p2"].pk])
    assert ids(client.get("/api/v1/volunteers/")) == sorted([cast["mine"].pk, cast["other"].pk])
    assert client.get(f"/api/v1/pairings/{cast['p3'].pk}/").status_code == 404
    assert client.get(f"/api/v1/volunteers/{cast['far'].pk}/").status_code == 404
    assert client.get("/api/v1/pairings/999999/").status_code == 404


def test_a_volunteer_sees_only_their_own_record_and_pairings(api_as, volunteer, cast):
    client = api_as(volunteer)
    assert ids(client.get("/api/v1/pairings/")) == [cast["p1"].pk]
    assert ids(client.get("/api/v1/volunteers/")) == [cast["mine"].pk]
    assert client.get(f"/api/v1/pairings/{cast['p2'].pk}/").status_code == 404
    assert ids(client.get("/api/v1/pairing-gaps/")) == []


def test_it_filters_overdue_pairings(api_as, bureau, cast):
    client = api_as(bureau)
    assert ids(client.get("/api/v1/pairings/?overdue=true")) == sorted(
        [cast["p2"].pk, cast["p3"].pk]
    )
    assert ids(client.get("/api/v1/pairings/?overdue=false")) == [cast["p1"].pk]
    row = client.get(f"/api/v1/pairings/{cast['p1'].pk}/").json()
    assert (row["overdue"], row["last_visit"] is not None) == (False, True)


def test_it_filters_by_mode_region_senior_helper_and_open(api_as, bureau, cast, regions):
    client = api_as(bureau)
    assert ids(client.get("/api/v1/pairings/?mode=area")) == [cast["p3"].pk]
    assert ids(client.get("/api/v1/pairings/?region=500156208000")) == [cast["p3"].pk]
    assert ids(client.get(f"/api/v1/pairings/?senior={cast['old'].pk}")) == [cast["p2"].pk]
    assert ids(client.get(f"/api/v1/pairings/?helper={cast['mine'].pk}")) == [cast["p1"].pk]
    services.pairing_end(by=None, pairing=cast["p3"], ended_on=datetime.date(2026, 6, 1))
    assert ids(client.get("/api/v1/pairings/?open=false")) == [cast["p3"].pk]


def test_pairing_gaps_list_who_lacks_what(api_as, bureau, cast, regions):
    client = api_as(bureau)
    extra = f.SeniorFactory(name="特困", village=regions["banqiao"], extreme_poverty="dispersed")
    lonely = f.SeniorFactory(
        name="留守", village=regions["wenfeng"], living_situation="left_behind"
    )
    rows = client.get("/api/v1/pairing-gaps/").json()["results"]
    assert {(r["name"], r["required_mode"]) for r in rows} == {
        ("特困", "one_to_one"),
        ("留守", "grid_or_area"),
    }
    assert ids(client.get("/api/v1/pairing-gaps/?region=500156101201")) == [extra.pk]
    assert lonely.pk not in ids(client.get("/api/v1/pairing-gaps/?region=500156101000"))


def start_pairing(client, helper, senior, mode="grid"):
    """Pair the helper with the senior from 2026-11-29, through the API."""
    return client.post(
        "/api/v1/pairings/",
        {"helper": helper.pk, "senior": senior.pk, "mode": mode, "started_on": "2026-11-29"},
    )


def test_staff_start_and_end_a_pairing_with_the_policy_interval(api_as, staff_baima, cast):
    client = api_as(staff_baima)
    response = start_pairing(client, cast["other"], cast["poor"], mode="one_to_one")
    assert response.status_code == 201, response.content
    assert response.json()["visit_interval_days"] == 7
    again = start_pairing(client, cast["other"], cast["poor"], mode="grid")
    assert again.status_code == 400
    pk = response.json()["id"]
    ended = client.post(f"/api/v1/pairings/{pk}/end/", {"ended_on": "2026-11-30"})
    assert ended.json()["ended_on"] == "2026-11-30"


def test_staff_cannot_pair_a_senior_of_another_township(api_as, staff_baima, cast):
    response = start_pairing(api_as(staff_baima), cast["mine"], cast["alone"])
    assert response.status_code == 400
    assert "senior" in response.json()


def test_a_volunteer_may_not_start_pairings(api_as, volunteer, cast):
    response = start_pairing(api_as(volunteer), cast["mine"], cast["poor"])
    assert response.status_code == 403


def test_groups_are_listed_by_kind_and_placed_at_the_right_level(api_as, staff_baima, regions):
    client = api_as(staff_baima)
    team = client.post(
        "/api/v1/teams/",
        {
            "name": "板桥志愿服务队",
            "region": "500156101201",
            "founded_on": "2024-01-01",
        },
    )
    assert team.status_code == 201, team.content
    assert team.json()["kind"] == "volunteer_team"
    group_code = regions["groups"][0].code
    wrong = client.post(
        "/api/v1/mutual-aid-groups/",
        {"name": "一组互助组", "region": "500156101201", "founded_on": "2024-01-01"},
    )
    assert wrong.status_code == 400
    right = client.post(
        "/api/v1/mutual-aid-groups/",
        {"name": "一组互助组", "region": group_code, "founded_on": "2024-01-01"},
    )
    assert right.status_code == 201, right.content
    assert ids(client.get("/api/v1/teams/")) == [team.json()["id"]]
    assert ids(client.get("/api/v1/associations/")) == []
    assert Group.objects.count() == 2


def test_houping_staff_do_not_see_baima_groups(api_as, staff_houping, regions):
    group = f.GroupFactory(
        kind="elders_association",
        name="板桥老协",
        region=regions["banqiao"],
        founded_on=datetime.date(2020, 1, 1),
    )
    client = api_as(staff_houping)
    assert ids(client.get("/api/v1/associations/")) == []
    assert client.get(f"/api/v1/associations/{group.pk}/").status_code == 404


def test_list_endpoints_use_a_bounded_number_of_queries(
    api_as, bureau, cast, regions, django_assert_max_num_queries
):
    for n in range(5):
        senior = f.SeniorFactory(village=regions["banqiao"], low_income=True)
        services.pairing_start(
            by=None,
            helper=cast["other"],
            senior=senior,
            mode="area",
            started_on=START,
            visit_interval_days=10 + n,
        )
    client = api_as(bureau)
    for url in (
        "/api/v1/pairings/",
        "/api/v1/pairing-gaps/",
        "/api/v1/volunteers/",
        "/api/v1/teams/",
    ):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
    assert Pairing.objects.count() == 8
