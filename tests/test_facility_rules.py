"""The facility network's rules: beds, one stay at a time, staffing ratios, certificates,
training counted per person."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from facilities import selectors, services
from facilities.models import Bed, Facility, Placement
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 1)


@pytest.fixture
def home(home_with_two_beds):
    return home_with_two_beds


def residents_of(name, regions, count):
    return [f.SeniorFactory(village=regions["banqiao"], name=f"{name}{i}") for i in range(count)]


def figures(facility, on=DAY):
    return selectors.figures_of(
        selectors.with_figures(Facility.objects.filter(pk=facility.pk), on).get()
    )


def test_a_facility_takes_no_more_residents_than_beds(home, regions, staff_baima, today):
    a, b, c = residents_of("住", regions, 3)
    services.placement_admit(by=staff_baima, senior=a, facility=home, admitted_on=DAY)
    services.placement_admit(by=staff_baima, senior=b, facility=home, admitted_on=DAY)

    with pytest.raises(ValidationError) as excinfo:
        services.placement_admit(by=staff_baima, senior=c, facility=home, admitted_on=DAY)
    assert "2 beds" in str(excinfo.value) or "2 张床位" in str(excinfo.value)
    assert Placement.objects.count() == 2


def test_day_care_takes_no_bed(home, regions, staff_baima, today):
    a, b, c = residents_of("日", regions, 3)
    for senior in (a, b):
        services.placement_admit(by=staff_baima, senior=senior, facility=home, admitted_on=DAY)
    services.placement_admit(
        by=staff_baima, senior=c, facility=home, admitted_on=DAY, kind="day_care"
    )
    assert figures(home).residents == 2


def test_a_discharge_frees_the_bed(home, regions, staff_baima, today):
    a, b, c = residents_of("出", regions, 3)
    first = services.placement_admit(by=staff_baima, senior=a, facility=home, admitted_on=DAY)
    services.placement_admit(by=staff_baima, senior=b, facility=home, admitted_on=DAY)
    services.placement_discharge(
        by=staff_baima, placement=first, discharged_on=datetime.date(2026, 11, 10), reason="回家"
    )

    services.placement_admit(
        by=staff_baima, senior=c, facility=home, admitted_on=datetime.date(2026, 11, 10)
    )
    assert figures(home, datetime.date(2026, 11, 10)).residents == 2
    # on the 5th the first resident still counted
    assert figures(home, datetime.date(2026, 11, 5)).residents == 2


def test_a_senior_has_one_open_placement(home, regions, staff_baima, today):
    other = f.FacilityFactory(name="后坪乡敬老院", region=regions["houping"])
    f.beds(other, 5)
    (senior,) = residents_of("一", regions, 1)
    services.placement_admit(by=staff_baima, senior=senior, facility=home, admitted_on=DAY)

    with pytest.raises(ValidationError) as excinfo:
        services.placement_admit(by=staff_baima, senior=senior, facility=other, admitted_on=DAY)
    assert "senior" in excinfo.value.message_dict
    assert Placement.objects.filter(senior=senior).count() == 1


def test_the_database_refuses_a_second_open_placement(home, regions):
    (senior,) = residents_of("库", regions, 1)
    f.PlacementFactory(senior=senior, facility=home, admitted_on=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(senior=senior, facility=home, admitted_on=DAY)


def test_a_facility_not_yet_open_takes_nobody(regions, staff_baima, today):
    planned = f.FacilityFactory(
        region=regions["baima"], status="under_construction", opened_on=None
    )
    f.beds(planned, 3)
    (senior,) = residents_of("未", regions, 1)
    with pytest.raises(ValidationError) as excinfo:
        services.placement_admit(by=staff_baima, senior=senior, facility=planned, admitted_on=DAY)
    assert "facility" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("kind", "staff", "residents", "meets"),
    [
        ("care_centre", 7, 20, True),  # 7 × 3 = 21 ≥ 20
        ("care_centre", 6, 20, False),  # 6 × 3 = 18 < 20
        ("nursing_home", 1, 10, True),  # 1 × 10 = 10 ≥ 10
        ("nursing_home", 1, 11, False),  # 1 × 10 = 10 < 11
    ],
)
def test_staffing_ratios(regions, kind, staff, residents, meets):
    facility = f.FacilityFactory(kind=kind, region=regions["baima"])
    f.beds(facility, residents)
    f.staff(facility, staff)
    for senior in residents_of(kind, regions, residents):
        f.PlacementFactory(senior=senior, facility=facility, admitted_on=DAY)

    result = figures(facility)
    assert (result.residents, result.counted_staff, result.meets_staffing) == (
        residents,
        staff,
        meets,
    )


def test_a_director_counts_for_a_nursing_home_but_not_for_a_care_centre(regions):
    home = f.FacilityFactory(kind="nursing_home", region=regions["baima"])
    centre = f.FacilityFactory(kind="care_centre", region=regions["baima"])
    for facility in (home, centre):
        f.staff(facility, 1, role="director")
    assert figures(home).counted_staff == 1
    assert figures(centre).counted_staff == 0


def test_staff_who_left_no_longer_count(home):
    (member,) = f.staff(home, 1)
    member.ended_on = datetime.date(2026, 10, 31)
    member.save()
    assert figures(home, datetime.date(2026, 10, 30)).caregivers == 1
    assert figures(home, DAY).caregivers == 0


def test_nursing_bed_ratio_of_a_care_centre(regions):
    centre = f.FacilityFactory(kind="care_centre", region=regions["baima"])
    f.beds(centre, 8, kind="nursing")
    f.beds(centre, 2, start=9)
    result = figures(centre)
    assert (result.beds, result.nursing_beds, str(result.nursing_bed_ratio)) == (10, 8, "0.800")
    assert result.meets_nursing_beds is True


def test_retired_beds_do_not_count(home):
    Bed.objects.filter(label="001").update(retired_on=datetime.date(2026, 6, 1))
    assert figures(home, datetime.date(2026, 5, 31)).beds == 2
    assert figures(home, DAY).beds == 1


def test_a_certificate_past_expiry_does_not_count(home):
    a, b, _without_certificate = f.staff(home, 3)
    f.CertificateFactory(staff=a, number="C1", level="4", issued_on=datetime.date(2022, 1, 1))
    f.CertificateFactory(
        staff=b, number="C2", level="5", issued_on=datetime.date(2021, 1, 1),
        expires_on=datetime.date(2026, 10, 31),
    )  # fmt: skip

    result = figures(home)
    assert (result.caregivers, result.certified_caregivers) == (3, 1)
    assert figures(home, datetime.date(2026, 10, 31)).certified_caregivers == 2


def test_a_person_trained_twice_counts_once(regions, bureau):
    first = f.TrainingSessionFactory(
        kind="caregiver", title="护理员培训一期", held_on=datetime.date(2021, 9, 1),
        organiser="区民政局", hours=24, region=regions["district"],
    )  # fmt: skip
    second = f.TrainingSessionFactory(
        kind="caregiver", title="护理员培训二期", held_on=datetime.date(2022, 3, 1),
        organiser="区民政局", hours=24, region=regions["district"],
    )  # fmt: skip
    people = [("张护理", "500232197003050022"), ("李护理", "500232198001010021")]
    for name, number in people:
        services.training_attend(by=bureau, session=first, name=name, id_number=number)
    services.training_attend(by=bureau, session=second, name="张护理", id_number=people[0][1])
    _, created = services.training_attend(
        by=bureau, session=second, name="张护理", id_number=people[0][1]
    )

    assert created is False
    assert selectors.trained_people(kind="caregiver", on=datetime.date(2022, 12, 31)) == 2
    assert selectors.trained_people(kind="caregiver", on=datetime.date(2021, 12, 31)) == 2
    assert selectors.trained_people(kind="director", on=datetime.date(2022, 12, 31)) == 0


def test_a_retired_bed_takes_nobody(home, regions, staff_baima, today):
    bed = Bed.objects.get(facility=home, label="001")
    bed.retired_on = datetime.date(2026, 6, 1)
    bed.save()
    (senior,) = residents_of("退", regions, 1)

    with pytest.raises(ValidationError) as excinfo:
        services.placement_admit(
            by=staff_baima, senior=senior, facility=home, admitted_on=DAY, bed=bed
        )
    assert list(excinfo.value.message_dict) == ["bed"]
