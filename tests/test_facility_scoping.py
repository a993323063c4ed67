"""Who sees which part of the facility network."""

import datetime

import pytest

from accounts.models import Role
from facilities.models import Facility, TrainingSession
from seniors.models import Senior
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(regions):
    baima = f.FacilityFactory(name="白马镇敬老院", region=regions["baima"])
    other = f.FacilityFactory(name="白马镇第二敬老院", region=regions["baima"])
    houping = f.FacilityFactory(name="后坪乡敬老院", region=regions["houping"])
    return baima, other, houping


@pytest.fixture
def operator(regions, homes):
    user = f.UserFactory(
        username="operator-baima", role=Role.FACILITY_OPERATOR, region=regions["baima"]
    )
    homes[0].operators.add(user)
    return user


def test_an_operator_sees_only_the_facilities_they_run(operator, homes):
    assert list(Facility.objects.visible_to(operator)) == [homes[0]]


def test_an_operator_sees_the_people_staying_in_their_facility_and_no_one_else(
    operator, homes, regions
):
    resident = f.SeniorFactory(village=regions["banqiao"], name="住院老人")
    gone = f.SeniorFactory(village=regions["banqiao"], name="已出院老人")
    f.SeniorFactory(village=regions["banqiao"], name="居家老人")
    f.PlacementFactory(senior=resident, facility=homes[0], admitted_on=datetime.date(2025, 1, 1))
    f.PlacementFactory(
        senior=gone, facility=homes[0], admitted_on=datetime.date(2024, 1, 1),
        discharged_on=datetime.date(2025, 1, 1),
    )  # fmt: skip
    assert [s.name for s in Senior.objects.visible_to(operator)] == ["住院老人"]


def test_staff_see_district_courses_but_not_other_townships_courses(regions, staff_baima):
    def course(title, region):
        return f.TrainingSessionFactory(
            kind="caregiver", title=title, held_on=datetime.date(2022, 5, 1), organiser="区民政局",
            hours=16, region=region,
        )  # fmt: skip

    course("区级护理员培训", regions["district"])
    course("白马镇护理员培训", regions["baima"])
    course("后坪乡护理员培训", regions["houping"])

    titles = sorted(s.title for s in TrainingSession.objects.visible_to(staff_baima))
    assert titles == ["区级护理员培训", "白马镇护理员培训"]
