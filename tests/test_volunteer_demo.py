"""The demo volunteer side (demo/volunteers.py): deterministic, rerun adds nothing, pairings
in the same village as their helper, gaps left, dated with the plan's ramp-up, the demo account
linked in 板桥村, and a time bank seeded through the claim and ledger services."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.volunteers import volunteers_generate
from seniors.models import Senior
from volunteers.ledger import books_balance
from volunteers.models import (
    Account,
    ElderlyCareAssistant,
    Group,
    Pairing,
    Redemption,
    ServiceLog,
    Volunteer,
)
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


def test_the_time_bank_is_seeded_through_the_services_and_the_books_balance(
    ledger, volunteer, bureau, assistant_baima, today
):
    created = volunteers_generate(seed=7, today=ON)
    assert created["claims_verified"] > 0 and created["claims_pending"] > 0
    assert books_balance() == {}
    # volunteer-demo logs in to a history: claims verified over months, one waiting, hours
    # spent at the supermarket and given to the fund, and hours left
    mine = Volunteer.objects.get(user=volunteer)
    claims = ServiceLog.objects.filter(volunteer=mine)
    verified = claims.filter(status="verified")
    assert verified.count() >= 6
    months = {(c.started_at.year, c.started_at.month) for c in verified}
    assert len(months) >= 6
    assert claims.filter(status="submitted").exists()
    account = Account.objects.get(volunteer=mine)
    assert account.balance > 0
    kinds = set(account.entries.values_list("movement__kind", flat=True))
    assert {"earn", "redeem", "donation"} <= kinds
    earned = sum(c.hours for c in verified)
    spent = -sum(e.amount for e in account.entries.filter(amount__lt=0))
    assert account.balance == earned - spent
    # the services' traces: every verified claim is a visit to its senior and one credit,
    # decided by someone of the senior's village, dated on its day
    for claim in ServiceLog.objects.filter(status="verified").select_related("visit", "movement"):
        assert claim.visit.senior_id == claim.senior_id
        assert claim.visit.visited_at == claim.started_at
        assert claim.movement.hours == claim.hours
        assert claim.decided_by is not None
        assert claim.started_at < claim.decided_at <= timezone.now()
        assert claim.movement.created_at == claim.decided_at
        assert datetime.date(2022, 7, 1) <= claim.started_at.date() < ON
    assert Redemption.objects.filter(account=account).exists()


def test_pairings_and_the_village_network_ramp_up_with_the_plan(ledger):
    volunteers_generate(seed=7, today=ON)
    starts = sorted(Pairing.objects.values_list("started_on", flat=True))
    assert starts[0] < datetime.date(2023, 7, 1)
    # few pairings in 2021, most started by the end of 2022 or soon after
    by_2021 = sum(s <= datetime.date(2021, 12, 31) for s in starts)
    by_mid_2023 = sum(s <= datetime.date(2023, 6, 30) for s in starts)
    assert by_2021 < len(starts) / 2 < by_mid_2023
    for assistant in ElderlyCareAssistant.objects.all():
        assert datetime.date(2021, 6, 1) <= assistant.started_on <= ON
