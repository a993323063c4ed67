"""Twenty redemptions at once against a balance that covers ten (PostgreSQL, real parallel
transactions): exactly ten go through, the balance ends at zero and never below."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from tests import factories as f
from volunteers import ledger
from volunteers.models import Entry, Movement

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_twenty_spends_against_ten_hours_leave_exactly_ten_done(regions):
    account = ledger.account_for(f.VolunteerFactory(village=regions["banqiao"]))
    ledger.post_movement(
        kind="earn", source=ledger.system_account("earning"), target=account,
        hours=Decimal("10"), by=None,
    )  # fmt: skip
    redemption = ledger.system_account("redemption")
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def spend():
        try:
            barrier.wait(timeout=10)
            ledger.post_movement(
                kind="redeem", source=account, target=redemption, hours=Decimal("1"), by=None
            )
            outcomes.append("done")
        except ledger.InsufficientHours:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=spend) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    account.refresh_from_db()
    assert sorted(outcomes) == ["done"] * 10 + ["refused"] * 10
    assert account.balance == 0
    assert Movement.objects.filter(kind="redeem").count() == 10
    assert min(Entry.objects.filter(account=account).values_list("balance_after", flat=True)) == 0
    assert ledger.books_balance() == {}
