"""Spending under real parallel transactions (PostgreSQL): stock and balances never below
zero, and hours move only for the redemptions that got an item."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests import factories as f
from tests.concurrency import CLIENTS, run_together
from volunteers import ledger, spending
from volunteers.models import Entry, Movement, Redemption, Transfer

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migration_rows", "migration_rows_after_module"),
]


def rich_account(regions, hours="100"):
    account = ledger.account_for(f.VolunteerFactory(village=regions["banqiao"]))
    ledger.post_movement(
        kind="earn", source=ledger.system_account("earning"), target=account,
        hours=Decimal(hours), by=None,
    )  # fmt: skip
    return account


def test_racing_for_the_last_items_hands_out_only_the_stock(regions):
    account = rich_account(regions)
    item = f.CatalogueItemFactory(
        region=regions["banqiao"], name="大米", hours_price=Decimal("2"), stock=3
    )

    results = run_together(
        lambda i: spending.timebank_redeem(by=None, account=account, item=item, quantity=1)
    )

    done = [r for r in results if r[0] == "ok"]
    refused = [r for r in results if r[0] == "error"]
    assert len(done) == 3
    assert len(refused) == CLIENTS - 3
    assert all(isinstance(exc, ValidationError) for _, exc in refused)
    item.refresh_from_db()
    account.refresh_from_db()
    assert item.stock == 0
    assert account.balance == Decimal("94")  # 100 - 3 × 2
    assert Movement.objects.filter(kind="redeem").count() == 3
    assert ledger.books_balance() == {}


def test_redemptions_against_a_short_balance_never_overdraw(regions):
    account = rich_account(regions, hours="8")  # covers 4 of the 8 at 2 h each
    item = f.CatalogueItemFactory(
        region=regions["banqiao"], name="香油", hours_price=Decimal("2"), stock=100
    )

    results = run_together(
        lambda i: spending.timebank_redeem(by=None, account=account, item=item, quantity=1)
    )

    assert sum(1 for r in results if r[0] == "ok") == 4
    assert all(isinstance(r[1], ledger.InsufficientHours) for r in results if r[0] == "error")
    account.refresh_from_db()
    item.refresh_from_db()
    assert account.balance == 0
    assert item.stock == 96
    assert min(Entry.objects.filter(account=account).values_list("balance_after", flat=True)) == 0
    assert ledger.books_balance() == {}


def test_the_same_uuid_sent_at_once_redeems_once(regions):
    account = rich_account(regions)
    item = f.CatalogueItemFactory(
        region=regions["banqiao"], name="大米", hours_price=Decimal("2"), stock=50
    )
    key = uuid.uuid4()

    results = run_together(
        lambda i: (
            spending.timebank_redeem(
                by=None, account=account, item=item, quantity=1, client_uuid=key
            )[0].pk
        )
    )

    assert set(results) == {("ok", Redemption.objects.get().pk)}
    account.refresh_from_db()
    assert account.balance == Decimal("98")
    assert ledger.books_balance() == {}


def test_transfers_and_redemptions_at_once_never_take_more_than_the_balance(regions):
    account = rich_account(regions, hours="8")
    family = ledger.account_for(f.VolunteerFactory(village=regions["wenfeng"]))
    item = f.CatalogueItemFactory(
        region=regions["banqiao"], name="香油", hours_price=Decimal("2"), stock=100
    )

    def spend(i):
        if i % 2:
            return spending.timebank_redeem(by=None, account=account, item=item, quantity=1)
        return spending.timebank_transfer(
            by=None, from_account=account, to_account=family, hours=Decimal("2")
        )

    results = run_together(spend)

    assert sum(1 for r in results if r[0] == "ok") == 4
    account.refresh_from_db()
    assert account.balance == 0
    item.refresh_from_db()
    assert item.stock == 100 - Redemption.objects.count()
    assert Transfer.objects.count() + Redemption.objects.count() == 4
    assert ledger.books_balance() == {}
