"""Filters of the register, as the API and the list page use them."""

import datetime

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(regions, today):
    banqiao, tiefosi = regions["banqiao"], regions["tiefosi"]
    return {
        "老甲": f.SeniorFactory(
            village=banqiao,
            name="老甲",
            born=datetime.date(1940, 1, 1),
            extreme_poverty="dispersed",
            family_doctor_contract_on=datetime.date(2022, 3, 1),
        ),
        "老乙": f.SeniorFactory(
            village=banqiao,
            name="老乙",
            born=datetime.date(1950, 1, 1),
            extreme_poverty="centralised",
        ),
        "老丙": f.SeniorFactory(village=tiefosi, name="老丙", born=datetime.date(1960, 1, 1)),
    }


def names(client, **params):
    response = client.get("/api/v1/seniors/", params)
    assert response.status_code == 200, response.json()
    return sorted(s["name"] for s in response.json()["results"])


def test_high_age_true_and_false(api_as, staff_baima, people):
    client = api_as(staff_baima)
    assert names(client, high_age="true") == ["老甲"]
    assert names(client, high_age="false") == ["老丙", "老乙"]


def test_region_at_any_level(api_as, staff_baima, people):
    client = api_as(staff_baima)
    assert names(client, region="500156101006") == ["老丙"]
    assert names(client, region="500156101000") == ["老丙", "老乙", "老甲"]


def test_any_extreme_poverty_or_one_kind(api_as, staff_baima, people):
    client = api_as(staff_baima)
    assert names(client, extreme_poverty="any") == ["老乙", "老甲"]
    assert names(client, extreme_poverty="dispersed") == ["老甲"]


def test_family_doctor(api_as, staff_baima, people):
    client = api_as(staff_baima)
    assert names(client, family_doctor="true") == ["老甲"]
    assert names(client, family_doctor="false") == ["老丙", "老乙"]


def test_not_visited_in_the_last_days(api_as, staff_baima, people):
    f.VisitFactory(senior=people["老甲"], visited_at="2026-11-25T10:00+08:00")  # 4 days ago
    f.VisitFactory(senior=people["老乙"], visited_at="2026-10-01T10:00+08:00")
    client = api_as(staff_baima)
    assert names(client, not_visited_days=30) == ["老丙", "老乙"]
    assert names(client, not_visited_days=100) == ["老丙"]


def test_a_bad_value_is_a_400_naming_the_filter(api_as, staff_baima, people):
    response = api_as(staff_baima).get("/api/v1/seniors/", {"not_visited_days": "soon"})
    assert response.status_code == 400
    assert "not_visited_days" in response.json()
