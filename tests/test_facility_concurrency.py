"""Admissions at the same moment on PostgreSQL: the last bed goes once, a senior stays once."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from facilities import services
from facilities.models import Bed, Placement
from tests import factories as f
from tests.concurrency import CLIENTS, run_together

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

DAY = datetime.date(2026, 11, 1)


def test_eight_admissions_for_one_free_bed_admit_one(regions, staff_baima, today):
    home = f.FacilityFactory(name="白马镇敬老院", region=regions["baima"])
    f.beds(home, 1)
    seniors = [f.SeniorFactory(village=regions["banqiao"]) for _ in range(CLIENTS)]

    results = run_together(
        lambda i: (
            services.placement_admit(
                by=staff_baima, senior=seniors[i], facility=home, admitted_on=DAY
            ).pk
        )
    )

    assert Placement.objects.filter(facility=home).count() == 1
    assert sum(1 for r in results if r[0] == "ok") == 1
    assert all(isinstance(r[1], ValidationError) for r in results if r[0] == "error")


def test_one_senior_admitted_to_eight_homes_at_once_stays_in_one(regions, staff_baima, today):
    homes = []
    for i in range(CLIENTS):
        home = f.FacilityFactory(name=f"敬老院{i}", region=regions["baima"])
        f.beds(home, 2)
        homes.append(home)
    senior = f.SeniorFactory(village=regions["banqiao"])

    results = run_together(
        lambda i: (
            services.placement_admit(
                by=staff_baima, senior=senior, facility=homes[i], admitted_on=DAY
            ).pk
        )
    )

    assert Placement.objects.filter(senior=senior, discharged_on__isnull=True).count() == 1
    assert sum(1 for r in results if r[0] == "ok") == 1


def test_retiring_a_bed_and_admitting_at_once_never_overfill(regions, staff_baima, today):
    """Two beds, one resident without a named bed. Four clients retire a bed (each its own
    copy of bed 001 or 002), four admit someone: both kinds fit alone, not together — at the
    end beds in service ≥ residents."""
    home = f.FacilityFactory(name="白马镇敬老院", region=regions["baima"])
    beds = f.beds(home, 2)
    first = f.SeniorFactory(village=regions["banqiao"])
    services.placement_admit(by=staff_baima, senior=first, facility=home, admitted_on=DAY)
    newcomers = [f.SeniorFactory(village=regions["banqiao"]) for _ in range(CLIENTS)]
    retire_on = datetime.date(2026, 11, 20)

    def work(i):
        if i % 2:
            return services.bed_retire(by=staff_baima, bed=beds[i % 4 // 2], retired_on=retire_on)
        return services.placement_admit(
            by=staff_baima, senior=newcomers[i], facility=home, admitted_on=retire_on
        )

    results = run_together(work)

    assert all(isinstance(r[1], ValidationError) for r in results if r[0] == "error")
    in_service = Bed.objects.filter(facility=home).exclude(retired_on__lte=retire_on).count()
    residents = Placement.objects.filter(facility=home, discharged_on__isnull=True).count()
    assert in_service >= residents
    assert sum(1 for r in results if r[0] == "ok") == 1  # 2 beds, 1 resident: one change fits
