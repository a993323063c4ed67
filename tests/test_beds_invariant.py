"""Beds in service ≥ residents, on every day, whichever write comes in: a retirement or an
admission (with or without a named bed), backdated or not. The numbers are worked out by hand
for 白马镇敬老院 with two ordinary beds in service since 2020-01-01; the suite's today is
2026-11-29."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from facilities import services
from facilities.models import Bed, Placement
from tests import factories as f

pytestmark = pytest.mark.django_db

NOV = {d: datetime.date(2026, 11, d) for d in range(1, 30)}


@pytest.fixture
def home(home_with_two_beds):
    return home_with_two_beds


@pytest.fixture
def two(regions):
    return [f.SeniorFactory(village=regions["banqiao"], name=n) for n in ("甲", "乙")]


def bed(home, label):
    return Bed.objects.get(facility=home, label=label)


def admit(by, senior, home, day, **kwargs):
    return services.placement_admit(by=by, senior=senior, facility=home, admitted_on=day, **kwargs)


def refusal(call) -> dict:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


def test_two_residents_without_named_beds_keep_both_beds(home, two, staff_baima, today):
    """The defect: neither stay names a bed, so no bed looked taken and one could retire,
    leaving 2 residents in 1 bed."""
    for senior in two:
        admit(staff_baima, senior, home, NOV[1])

    errors = refusal(
        lambda: services.bed_retire(by=staff_baima, bed=bed(home, "001"), retired_on=NOV[20])
    )

    assert errors == {
        "retired_on": [
            "停用此床位后，白马镇敬老院在 2026-11-20 将有 2 名入住老人而只有 1 张在用床位："
            "请先办理出院或增加床位。"
        ]
    }
    assert bed(home, "001").retired_on is None


def test_after_a_discharge_the_spare_bed_may_retire(home, two, staff_baima, today):
    first, _second = (admit(staff_baima, s, home, NOV[1]) for s in two)
    services.placement_discharge(by=staff_baima, placement=first, discharged_on=NOV[10])

    # from 11-20: 1 resident, 1 bed
    services.bed_retire(by=staff_baima, bed=bed(home, "001"), retired_on=NOV[20])

    assert bed(home, "001").retired_on == NOV[20]


def test_a_backdated_retirement_is_checked_on_every_day_after_it(home, two, staff_baima, today):
    """11-05: 1 resident in 1 bed would do; but on 11-15 a second resident came: 2 in 1."""
    admit(staff_baima, two[0], home, NOV[1])
    admit(staff_baima, two[1], home, NOV[15])

    errors = refusal(
        lambda: services.bed_retire(by=staff_baima, bed=bed(home, "002"), retired_on=NOV[5])
    )

    assert errors["retired_on"][0].startswith("停用此床位后，白马镇敬老院在 2026-11-15 将有 2 名")


def test_a_backdated_admission_is_checked_on_every_day_after_it(home, two, staff_baima, today):
    """Bed 002 retired on 11-10; 乙 lives there since 11-12 (1 in 1). 甲 admitted back to
    11-01 fits on 11-01 (1 in 2) and on 11-10 (1 in 1), not on 11-12 (2 in 1)."""
    services.bed_retire(by=staff_baima, bed=bed(home, "002"), retired_on=NOV[10])
    admit(staff_baima, two[1], home, NOV[12])

    errors = refusal(lambda: admit(staff_baima, two[0], home, NOV[1]))

    assert errors == {
        "admitted_on": [
            "白马镇敬老院在 2026-11-12 将有 2 名入住老人而只有 1 张在用床位：请先增加床位。"
        ]
    }
    assert Placement.objects.filter(facility=home).count() == 1


def test_an_admission_without_a_named_bed_needs_a_free_bed(home, two, regions, staff_baima, today):
    """Two beds: 甲 in bed 001, 乙 without a named bed; a third person finds it full."""
    admit(staff_baima, two[0], home, NOV[1], bed=bed(home, "001"))
    admit(staff_baima, two[1], home, NOV[2])
    third = f.SeniorFactory(village=regions["banqiao"], name="丙")

    errors = refusal(lambda: admit(staff_baima, third, home, NOV[3]))

    assert errors == {"facility": ["白马镇敬老院 已满：2 张床位已入住 2 人。"]}


def test_day_care_needs_no_bed_to_retire_one(home, two, staff_baima, today):
    admit(staff_baima, two[0], home, NOV[1])
    admit(staff_baima, two[1], home, NOV[1], kind="day_care")

    services.bed_retire(by=staff_baima, bed=bed(home, "002"), retired_on=NOV[20])

    assert bed(home, "002").retired_on == NOV[20]


def test_the_api_answers_the_refusal(api_as, home, two, staff_baima, today):
    for senior in two:
        admit(staff_baima, senior, home, NOV[1])

    answer = api_as(staff_baima).post(
        f"/api/v1/beds/{bed(home, '001').pk}/retire/", {"retired_on": "2026-11-20"}
    )

    assert answer.status_code == 400
    assert answer.json() == {
        "retired_on": [
            "停用此床位后，白马镇敬老院在 2026-11-20 将有 2 名入住老人而只有 1 张在用床位："
            "请先办理出院或增加床位。"
        ]
    }


def test_the_check_takes_a_fixed_number_of_queries(
    home, two, staff_baima, today, django_assert_max_num_queries
):
    for senior in two:
        admit(staff_baima, senior, home, NOV[1])
    f.beds(home, 20, start=3)
    with django_assert_max_num_queries(13):
        services.bed_retire(by=staff_baima, bed=bed(home, "003"), retired_on=NOV[20])
