"""The ledger is scoped like everything else: 404 across townships, nothing for other roles."""

import pytest

from seniors.models import Visit
from tests import factories as f

pytestmark = pytest.mark.django_db


def names(response):
    return sorted(s["name"] for s in response.json()["results"])


def test_staff_list_only_their_townships_seniors(api_as, staff_baima, staff_houping, zhang, liu):
    assert names(api_as(staff_baima).get("/api/v1/seniors/")) == ["张大爷"]
    assert names(api_as(staff_houping).get("/api/v1/seniors/")) == ["刘奶奶"]


def test_the_bureau_sees_the_district(api_as, bureau, zhang, liu):
    assert names(api_as(bureau).get("/api/v1/seniors/")) == ["刘奶奶", "张大爷"]


def test_staff_of_baima_cannot_read_or_change_a_houping_senior(api_as, staff_baima, liu):
    client = api_as(staff_baima)
    url = f"/api/v1/seniors/{liu.pk}/"

    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "改名"}).status_code == 404
    assert (
        client.post(url + "status/", {"status": "deceased", "status_on": "2026-01-01"}).status_code
        == 404
    )
    liu.refresh_from_db()
    assert (liu.name, liu.status) == ("刘奶奶", "active")


def test_staff_of_baima_cannot_read_visits_or_assessments_of_houping(
    api_as, staff_baima, bureau, liu
):
    api_as(bureau).post(
        "/api/v1/visits/",
        {"senior": liu.pk, "visited_at": "2026-11-28T10:00:00+08:00", "service_type": "meals"},
    )
    client = api_as(staff_baima)
    assert client.get("/api/v1/visits/").json()["count"] == 0

    assert client.get(f"/api/v1/visits/{Visit.objects.get().pk}/").status_code == 404


def test_an_assistant_sees_only_their_village(api_as, assistant_baima, zhang, regions):
    f.SeniorFactory(village=regions["tiefosi"], name="社区老人")
    assert names(api_as(assistant_baima).get("/api/v1/seniors/")) == ["张大爷"]


def test_volunteers_and_operators_see_no_seniors_yet(
    api_as, volunteer, operator_houping, zhang, liu
):
    assert api_as(volunteer).get("/api/v1/seniors/").json()["count"] == 0
    assert api_as(operator_houping).get("/api/v1/seniors/").json()["count"] == 0
    assert api_as(volunteer).get(f"/api/v1/seniors/{zhang.pk}/").status_code == 404


def test_a_filter_on_another_township_finds_nothing(api_as, staff_baima, liu):
    response = api_as(staff_baima).get("/api/v1/seniors/", {"region": "500156208000"})
    assert response.json()["count"] == 0
