"""The demo facility network (demo/facilities.py) on ledgers other than the shared one of
test_facility_demo.py: a crowded township, no seniors, an earlier day, the demo operator."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import User
from demo.facilities import ANCHOR, CARE_CENTRES, facilities_generate
from demo.population import population_generate
from facilities.models import (
    Bed,
    Certificate,
    Facility,
    Kind,
    Placement,
    QualityCheck,
    StaffMember,
    Status,
    TrainingSession,
    UpgradeProject,
)
from facilities.selectors import with_figures
from regions.models import Kind as RegionKind
from regions.models import Region
from seniors.idnumber import make_id_number
from seniors.models import ExtremePoverty, Senior

from .conftest import module_data
from .test_facility_demo import BAIMA, HOUPING, TODAY, YAJIANG, _load_regions, month_ends

CROWD = 600  # in one township: the homes of the district have about 1,000 beds, most taken


@pytest.fixture(scope="module")
def _district(django_db_setup, django_db_blocker):
    """The real district's regions, loaded once for the module; each test writes on top in a
    savepoint that is rolled back."""
    yield from module_data(django_db_blocker, _load_regions)


@pytest.fixture
def regions(_district, db):
    pass


@pytest.fixture
def ledger(regions):
    population_generate(size=300, today=TODAY)


def test_crowded_township_leaves_people_waiting(regions):
    """More centralised 特困 than the district's homes have free beds (they are placed
    anywhere in the district when their area is full): nobody gets a bed twice, some wait."""
    village = Region.objects.filter(code__startswith="500156207", kind=RegionKind.VILLAGE).first()
    seniors = [
        Senior(
            id_number=make_id_number(
                "500232", datetime.date(1940, 1, 1) + datetime.timedelta(n), 2 * (n % 400) + 1
            ),
            name=f"老人{n}",
            sex="M",
            birth_date=datetime.date(1940, 1, 1) + datetime.timedelta(n),
            village=village,
            registered_on=datetime.date(2021, 6, 1),
            extreme_poverty=ExtremePoverty.CENTRALISED,
            wants_centralised_care=True,
        )
        for n in range(CROWD)
    ]
    Senior.objects.bulk_create(seniors)
    result = facilities_generate(today=TODAY)
    assert result.waiting.get("extreme_poverty", 0) > 0
    facilities = Facility.objects.exclude(kind=Kind.MUTUAL_AID_POINT)
    for day in month_ends(ANCHOR, TODAY):
        for f in with_figures(facilities, day):
            assert f.residents_count <= f.beds_count, (f.name, day)
    assert Placement.objects.filter(discharged_on=None).count() < CROWD + result.residents_added
    assert (
        not Placement.objects.filter(discharged_on=None)
        .values("senior")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )


def test_without_seniors_the_network_is_there_and_residents_are_skipped(regions):
    result = facilities_generate(today=TODAY)
    assert result.residents_skipped
    assert not Placement.objects.exists()
    assert Facility.objects.filter(kind=Kind.CARE_CENTRE).count() == len(CARE_CENTRES)
    assert Bed.objects.exists() and StaffMember.objects.exists()
    assert Facility.objects.filter(kind=Kind.MUTUAL_AID_POINT).count() == 184


def test_an_earlier_day_shows_the_network_as_it_stood(ledger):
    """Generated as of mid-2022 on a ledger kept until 2025: nothing from after that day."""
    day = datetime.date(2022, 6, 30)
    result = facilities_generate(today=day)
    centres = Facility.objects.filter(kind=Kind.CARE_CENTRE)
    assert dict(centres.values_list("region_id", "status")) == {
        YAJIANG: Status.OPERATING,
        BAIMA: Status.UNDER_CONSTRUCTION,
        HOUPING: Status.UNDER_CONSTRUCTION,
    }
    assert result.villages_with_point["today"] < 171
    for model, name in (
        (Facility, "opened_on"),
        (Facility, "status_on"),
        (Placement, "admitted_on"),
        (Placement, "discharged_on"),
        (StaffMember, "started_on"),
        (StaffMember, "ended_on"),
        (Certificate, "issued_on"),
        (QualityCheck, "checked_on"),
        (UpgradeProject, "completed_on"),
        (TrainingSession, "held_on"),
    ):
        assert not model.objects.filter(**{f"{name}__gt": day}).exists(), (model, name)
    assert not Facility.history.filter(history_date__date__gt=day).exists()
    for when in month_ends(ANCHOR, day):
        for f in with_figures(Facility.objects.exclude(kind=Kind.MUTUAL_AID_POINT), when):
            assert f.residents_count <= f.beds_count


@pytest.mark.django_db
def test_the_demo_operator_runs_the_baima_care_centre():
    call_command("load_regions")
    call_command("create_demo_accounts")
    call_command("generate_facilities")

    operator = User.objects.get(username="operator-baima")
    assert [f.name for f in Facility.objects.visible_to(operator)] == [
        "白马片区失能特困人员集中照护中心（白马镇敬老院改建）"
    ]
