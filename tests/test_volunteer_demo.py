"""The demo volunteer side (volunteers/demo.py): deterministic, rerun adds nothing, pairings
in the same village as their helper, gaps left, and the demo account linked in 板桥村."""

import datetime

import pytest
from django.core.management import call_command

from seniors.models import Senior
from volunteers.demo import volunteers_generate
from volunteers.models import ElderlyCareAssistant, Group, Pairing, Volunteer
from volunteers.pairings import seniors_lacking_pairing

from . import factories as f

ON = datetime.date(2026, 11, 29)


@pytest.fixture
def ledger(regions, volunteer):
    for village in (regions["banqiao"], regions["wenfeng"]):
        for n in range(12):
            f.SeniorFactory(
                village=village,
                subsistence_allowance=n % 3 == 0,
                living_situation="alone" if n % 3 == 1 else "with_family",
            )


def snapshot():
    return sorted(Pairing.objects.values_list("helper__name", "senior_id", "mode", "started_on"))


def test_it_generates_pairings_in_the_helpers_village_and_leaves_gaps(ledger, volunteer):
    created = volunteers_generate(seed=7, today=ON)
    assert created["volunteers"] == Volunteer.objects.count() >= 6
    assert created["pairings"] + created["demo_pairings"] == Pairing.objects.count() > 0
    for pairing in Pairing.objects.select_related("helper", "senior"):
        assert pairing.helper.village_id == pairing.senior.village_id
        assert ON >= pairing.started_on >= datetime.date(2021, 6, 1)
    mine = Volunteer.objects.get(user=volunteer)
    assert mine.village_id == "500156101201"
    assert Pairing.objects.filter(helper=mine).exists()
    assert all(g.region.level in ("village", "group") for g in Group.objects.all())
    # 16 seniors need a pairing; with these proportions a few are left out
    assert seniors_lacking_pairing(Senior.objects.all(), ON).count() < 16


def test_a_second_run_adds_nothing_and_a_seed_gives_the_same_demo(ledger):
    call_command("generate_volunteers", "--seed", "7", "--today", "2026-11-29")
    first = snapshot()
    counts = (Volunteer.objects.count(), Group.objects.count(), Pairing.objects.count())
    assert volunteers_generate(seed=7, today=ON) == {}
    assert (Volunteer.objects.count(), Group.objects.count(), Pairing.objects.count()) == counts
    Pairing.objects.all().delete()
    Volunteer.objects.update(user=None)
    Group.objects.all().delete()
    ElderlyCareAssistant.objects.all().delete()
    Volunteer.objects.all().delete()
    volunteers_generate(seed=7, today=ON)
    assert snapshot() == first
