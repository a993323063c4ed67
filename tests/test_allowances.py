"""Allowances derived from the record, so nobody eligible is missed (plan 二(十三))."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def eligible(client, allowance):
    response = client.get("/api/v1/seniors/", {"allowance": allowance})
    return sorted(s["name"] for s in response.json()["results"])


@pytest.fixture
def people(regions, today):
    banqiao = regions["banqiao"]
    born_1940 = f.datetime.date(1940, 3, 1)
    people = {
        # 86, low income, disabled (Barthel 50): both allowances
        "甲": f.SeniorFactory(village=banqiao, name="甲", born=born_1940, low_income=True),
        # 86, on 低保 but independent: the high-age allowance only
        "乙": f.SeniorFactory(
            village=banqiao, name="乙", born=born_1940, subsistence_allowance=True
        ),
        # turns 80 on 2026-11-30, tomorrow: nothing yet
        "丙": f.SeniorFactory(
            village=banqiao, name="丙", born=f.datetime.date(1946, 11, 30), low_income=True
        ),
        # 80 today
        "丁": f.SeniorFactory(village=banqiao, name="丁", born=f.datetime.date(1946, 11, 29)),
        # 86, disabled, low income, but deceased
        "戊": f.SeniorFactory(
            village=banqiao,
            name="戊",
            born=born_1940,
            low_income=True,
            status="deceased",
            status_on=f.datetime.date(2026, 5, 1),
        ),
    }
    severe = dict.fromkeys(("feeding", "bathing", "grooming", "dressing", "bowels", "bladder"), 0)
    for name in ("甲", "戊", "丙"):
        f.AssessmentFactory(senior=people[name], **severe)
    return people


def test_the_high_age_allowance_is_for_everyone_active_aged_80(api_as, staff_baima, people):
    assert eligible(api_as(staff_baima), "high_age") == ["丁", "乙", "甲"]


def test_the_service_subsidy_is_for_low_income_disabled_high_age_seniors(
    api_as, staff_baima, people
):
    assert eligible(api_as(staff_baima), "service_subsidy") == ["甲"]


def test_the_record_lists_what_the_person_qualifies_for(api_as, staff_baima, people):
    client = api_as(staff_baima)
    by_name = {s["name"]: s["allowances"] for s in client.get("/api/v1/seniors/").json()["results"]}
    assert by_name == {
        "甲": ["high_age", "service_subsidy"],
        "乙": ["high_age"],
        "丙": [],
        "丁": ["high_age"],
        "戊": [],
    }


def test_the_page_names_the_allowances(client, staff_baima, people):
    client.force_login(staff_baima)
    body = client.get(f"/seniors/{people['甲'].pk}/").content.decode()
    assert "高龄津贴" in body
    assert "养老服务补贴" in body
