"""Registering a person in the ledger through the API: derived fields, refusals, duplicates."""

import pytest

from seniors.models import Senior
from tests import factories as f
from tests.conftest import ALMOST_60_ID, LI_ID, WANG_ID, ZHANG_ID

pytestmark = pytest.mark.django_db

URL = "/api/v1/seniors/"


def payload(**overrides):
    return {
        "id_number": WANG_ID,
        "name": "王大爷",
        "village": "500156101201",
        "living_situation": "alone",
        "subsistence_allowance": True,
        **overrides,
    }


def test_it_registers_a_person_with_birth_date_and_sex_from_the_id(api_as, staff_baima, today):
    response = api_as(staff_baima).post(URL, payload(villager_group="500156101201002"))

    assert response.status_code == 201
    body = response.json()
    assert body["id_number"] == WANG_ID
    assert (body["birth_date"], body["sex"], body["age"]) == ("1930-01-15", "M", 96)
    assert (body["township"], body["village"], body["village_name"]) == (
        "500156101000",
        "500156101201",
        "板桥村",
    )
    assert body["villager_group"] == "500156101201002"
    assert body["high_age"] is True
    assert body["status"] == "active"
    assert body["registered_on"] == "2026-11-29"
    assert body["allowances"] == ["high_age"]


def test_an_id_with_a_wrong_check_digit_is_refused_and_nothing_written(api_as, staff_baima, today):
    response = api_as(staff_baima).post(URL, payload(id_number=WANG_ID[:-1] + "1"))

    assert response.status_code == 400
    assert "校验码" in response.json()["id_number"][0]
    assert Senior.objects.count() == 0


def test_a_person_under_60_is_refused(api_as, staff_baima, today):
    response = api_as(staff_baima).post(URL, payload(id_number=ALMOST_60_ID))

    assert response.status_code == 400
    assert response.json()["id_number"] == [
        "此人 59 岁（1966-12-01 出生）：台账登记 60 岁及以上老年人。"
    ]


def test_a_duplicate_names_where_the_person_is_registered(api_as, staff_houping, zhang, today):
    # 张大爷 is registered in 白马镇; 后坪乡 tries to register him again
    response = api_as(staff_houping).post(URL, payload(id_number=ZHANG_ID, village="500156208200"))

    assert response.status_code == 400
    assert response.json()["id_number"] == ["此人已在白马镇板桥村登记，未重复建档。"]
    assert Senior.objects.count() == 1


def test_a_village_of_another_township_is_refused(api_as, staff_baima, today):
    response = api_as(staff_baima).post(URL, payload(village="500156208200"))

    assert response.status_code == 400
    assert "village" in response.json()
    assert Senior.objects.count() == 0


def test_a_group_of_another_village_is_refused(api_as, staff_baima, regions, today):
    f.villager_group(regions["tiefosi"], 1)
    response = api_as(staff_baima).post(
        URL, payload(village="500156101201", villager_group="500156101006001")
    )
    assert response.status_code == 400
    assert "villager_group" in response.json()


def test_a_future_date_is_refused(api_as, staff_baima, today):
    response = api_as(staff_baima).post(URL, payload(family_doctor_contract_on="2027-01-01"))
    assert response.status_code == 400
    assert response.json()["family_doctor_contract_on"] == ["该日期在将来。"]


def test_missing_name_and_village_are_named(api_as, staff_baima, today):
    response = api_as(staff_baima).post(URL, {"id_number": WANG_ID})
    assert response.status_code == 400
    assert set(response.json()) >= {"name", "village"}


def test_the_id_number_cannot_be_changed(api_as, staff_baima, zhang):
    response = api_as(staff_baima).patch(f"{URL}{zhang.pk}/", {"id_number": LI_ID})

    assert response.status_code == 400
    assert response.json()["id_number"] == ["身份证号登记后不能修改。"]
    zhang.refresh_from_db()
    assert zhang.id_number == ZHANG_ID


def test_assistants_and_volunteers_may_not_register(api_as, assistant_baima, volunteer, today):
    assert api_as(assistant_baima).post(URL, payload()).status_code == 403
    assert api_as(volunteer).post(URL, payload()).status_code == 403


def test_nobody_is_deleted(api_as, bureau, zhang):
    assert api_as(bureau).delete(f"{URL}{zhang.pk}/").status_code == 405
    assert Senior.objects.filter(pk=zhang.pk).exists()
