"""Barthel index: the server adds up the ten items and names the level; other values refused."""

import pytest
from django.db import IntegrityError, transaction

from seniors.models import Assessment

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/"
FULL = {
    "feeding": 10, "bathing": 5, "grooming": 5, "dressing": 10, "bowels": 10,
    "bladder": 10, "toilet_use": 10, "transfers": 15, "mobility": 15, "stairs": 10,
}  # fmt: skip


def assess(client, senior, **items):
    return client.post(
        URL,
        {"senior": senior.pk, "assessed_on": "2026-11-20", "assessor": "评估员", **FULL, **items},
    )


@pytest.mark.parametrize(
    ("items", "total", "level"),
    [
        ({}, 100, "independent"),
        ({"stairs": 5, "bathing": 0}, 90, "mild"),
        # 100 - 10 (feeding) - 10 (dressing) - 10 (stairs) - 5 (bathing) - 5 (grooming) = 60
        ({"feeding": 0, "dressing": 0, "stairs": 0, "bathing": 0, "grooming": 0}, 60, "moderate"),
        ({"feeding": 5, "dressing": 0, "stairs": 0, "bathing": 0, "grooming": 0}, 65, "mild"),
        # 60 - 15 (transfers) - 5 (mobility from 15 to 10) = 40
        (
            {"feeding": 0, "dressing": 0, "stairs": 0, "bathing": 0, "grooming": 0,
             "transfers": 0, "mobility": 10},
            40,
            "severe",
        ),
        ({"transfers": 0, "mobility": 0, "stairs": 0, "bathing": 0, "feeding": 0}, 45, "moderate"),
        (dict.fromkeys(FULL, 0), 0, "severe"),
    ],
)  # fmt: skip
def test_the_server_computes_total_and_level(api_as, staff_baima, zhang, items, total, level):
    response = assess(api_as(staff_baima), zhang, **items)

    assert response.status_code == 201
    assert (response.json()["total"], response.json()["level"]) == (total, level)


@pytest.mark.parametrize(
    ("item", "value"),
    [("feeding", 7), ("bathing", 10), ("transfers", 20), ("stairs", -5), ("mobility", "ten")],
)
def test_a_score_an_item_cannot_take_is_refused(api_as, staff_baima, zhang, item, value):
    response = assess(api_as(staff_baima), zhang, **{item: value})

    assert response.status_code == 400
    assert item in response.json()
    assert Assessment.objects.count() == 0


def test_a_total_sent_by_the_client_is_ignored(api_as, staff_baima, zhang):
    response = assess(api_as(staff_baima), zhang, total=10, level="severe")
    assert (response.json()["total"], response.json()["level"]) == (100, "independent")


def test_a_missing_item_is_named(api_as, staff_baima, zhang):
    body = {k: v for k, v in FULL.items() if k != "toilet_use"}
    response = api_as(staff_baima).post(
        URL, {"senior": zhang.pk, "assessed_on": "2026-11-20", **body}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["toilet_use"]


def test_the_latest_assessment_decides_whether_a_person_counts_as_disabled(
    api_as, staff_baima, zhang
):
    client = api_as(staff_baima)
    client.post(URL, {"senior": zhang.pk, "assessed_on": "2025-05-01", **dict.fromkeys(FULL, 0)})
    assert client.get(f"/api/v1/seniors/{zhang.pk}/").json()["disabled"] is True
    assert [
        s["name"] for s in client.get("/api/v1/seniors/", {"disabled": "true"}).json()["results"]
    ] == ["张大爷"]

    client.post(URL, {"senior": zhang.pk, "assessed_on": "2026-11-01", **FULL})
    detail = client.get(f"/api/v1/seniors/{zhang.pk}/").json()
    assert detail["disabled"] is False
    assert detail["latest_assessment"] == {
        "assessed_on": "2026-11-01",
        "total": 100,
        "level": "independent",
    }
    assert client.get("/api/v1/seniors/", {"disabled": "true"}).json()["count"] == 0


def test_a_future_assessment_is_refused(api_as, staff_baima, zhang):
    response = api_as(staff_baima).post(
        URL, {"senior": zhang.pk, "assessed_on": "2027-01-01", **FULL}
    )
    assert response.status_code == 400
    assert "assessed_on" in response.json()


def test_assessing_someone_of_another_township_is_refused(api_as, staff_baima, liu):
    response = assess(api_as(staff_baima), liu)
    assert response.status_code == 400
    assert "senior" in response.json()


def test_the_database_refuses_an_inconsistent_total(zhang):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            senior=zhang, assessed_on="2026-01-01", total=99, level="mild", **FULL
        )
