"""Spending hours: the supermarket, family transfers, the fund, the storage cap and expiry."""

import datetime
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories as f
from tests.helpers import account_of, balance, earn
from volunteers import ledger, selectors, spending
from volunteers.models import Movement, Redemption, Transfer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("books_stay_balanced")]


@pytest.fixture
def account(regions):
    return account_of(regions["banqiao"], "李志愿")


@pytest.fixture
def daughter(regions):
    return account_of(regions["banqiao"], "李女儿")


@pytest.fixture
def rice(regions):
    return f.CatalogueItemFactory(
        region=regions["banqiao"], name="大米 5 kg", hours_price=Decimal("2"), stock=3
    )


def test_redeeming_moves_price_times_quantity_and_takes_the_stock(account, rice):
    earn(account, "5")
    redemption, _ = spending.timebank_redeem(by=None, account=account, item=rice, quantity=2)

    assert balance(account) == Decimal("1")  # 5 - 2 × 2
    rice.refresh_from_db()
    assert rice.stock == 1
    assert redemption.movement.kind == "redeem"
    assert balance(ledger.system_account("redemption")) == Decimal("4")


def test_a_short_stock_is_refused_and_writes_nothing(account, rice):
    earn(account, "10")
    with pytest.raises(ValidationError):
        spending.timebank_redeem(by=None, account=account, item=rice, quantity=4)

    assert balance(account) == Decimal("10")
    rice.refresh_from_db()
    assert rice.stock == 3
    assert Redemption.objects.count() == 0


def test_a_short_balance_is_refused_and_leaves_the_stock(account, rice):
    earn(account, "3")
    with pytest.raises(ledger.InsufficientHours):
        spending.timebank_redeem(by=None, account=account, item=rice, quantity=2)

    assert balance(account) == Decimal("3")
    rice.refresh_from_db()
    assert rice.stock == 3
    assert Movement.objects.filter(kind="redeem").count() == 0


def test_the_same_uuid_redeems_once(account, rice):
    earn(account, "5")
    key = uuid.uuid4()
    first, _created = spending.timebank_redeem(
        by=None, account=account, item=rice, quantity=1, client_uuid=key
    )
    second, again = spending.timebank_redeem(
        by=None, account=account, item=rice, quantity=1, client_uuid=key
    )

    assert first.pk == second.pk
    assert again is False
    assert balance(account) == Decimal("3")


def test_reversing_a_redemption_restores_the_balance_and_keeps_both_entries(account, rice):
    earn(account, "4")
    redemption, _ = spending.timebank_redeem(by=None, account=account, item=rice, quantity=1)
    ledger.reverse_movement(movement=redemption.movement, by=None, memo="退货")

    assert balance(account) == Decimal("4")
    assert [s.amount for s in selectors.account_statement(account)] == [
        Decimal("4"), Decimal("-2"), Decimal("2"),
    ]  # fmt: skip


def test_a_transfer_to_family_moves_the_hours(account, daughter):
    earn(account, "5")
    transfer, _created = spending.timebank_transfer(
        by=None, from_account=account, to_account=daughter, hours=Decimal("1.5"), relation="女儿"
    )

    assert transfer.movement.kind == "transfer"
    assert balance(account) == Decimal("3.5")
    assert balance(daughter) == Decimal("1.5")


def test_a_short_transfer_is_refused_and_writes_nothing(account, daughter):
    earn(account, "1")
    with pytest.raises(ledger.InsufficientHours):
        spending.timebank_transfer(
            by=None, from_account=account, to_account=daughter, hours=Decimal("2")
        )
    assert Transfer.objects.count() == 0
    assert balance(daughter) == 0


def test_transfers_are_refused_when_the_policy_forbids_them(account, daughter):
    f.PolicyFactory(transfers_allowed=False)
    earn(account, "5")
    with pytest.raises(ValidationError):
        spending.timebank_transfer(
            by=None, from_account=account, to_account=daughter, hours=Decimal("1")
        )
    assert balance(account) == Decimal("5")


def test_a_transfer_to_the_fund_is_a_donation_even_when_transfers_are_off(account):
    f.PolicyFactory(transfers_allowed=False)
    earn(account, "5")
    transfer, _created = spending.timebank_transfer(
        by=None, from_account=account, to_account=ledger.system_account("fund"), hours=Decimal("2")
    )
    assert transfer.movement.kind == "donation"
    assert balance(ledger.system_account("fund")) == Decimal("2")


def test_a_transfer_to_a_system_account_other_than_the_fund_is_refused(account):
    earn(account, "5")
    with pytest.raises(ValidationError):
        spending.timebank_transfer(
            by=None, from_account=account, to_account=ledger.system_account("earning"),
            hours=Decimal("1"),
        )  # fmt: skip


def test_only_the_bureau_grants_from_the_fund(account, bureau, staff_baima):
    spending.timebank_transfer(
        by=None, from_account=earn(account, "10") and account,
        to_account=ledger.system_account("fund"), hours=Decimal("10"),
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        spending.timebank_grant(by=staff_baima, to_account=account, hours=Decimal("3"), memo="x")
    movement = spending.timebank_grant(
        by=bureau, to_account=account, hours=Decimal("3"), memo="重点老人"
    )
    assert movement.kind == "grant"
    assert balance(account) == Decimal("3")
    assert balance(ledger.system_account("fund")) == Decimal("7")


def test_the_fund_cannot_grant_more_than_it_holds(account, bureau):
    with pytest.raises(ledger.InsufficientHours):
        spending.timebank_grant(by=bureau, to_account=account, hours=Decimal("1"), memo="重点")


def test_hours_above_the_storage_cap_are_donated_to_the_fund(account):
    f.PolicyFactory(storage_cap_hours=Decimal("10"))
    earn(account, "12.5")
    donation = spending.apply_storage_cap(by=None, account=account)

    assert donation.kind == "donation"
    assert donation.hours == Decimal("2.5")
    assert balance(account) == Decimal("10")
    assert balance(ledger.system_account("fund")) == Decimal("2.5")


def test_an_account_within_the_cap_donates_nothing(account):
    earn(account, "1500")
    assert spending.apply_storage_cap(by=None, account=account) is None
    assert balance(account) == Decimal("1500")


def test_by_default_nothing_expires(account, today):
    earn(account, "5")
    assert spending.expire_hours(by=None, today=today + datetime.timedelta(days=3650)) == 0
    assert balance(account) == Decimal("5")


def test_old_hours_not_spent_since_expire_oldest_first(account, rice, today):
    f.PolicyFactory(expiry_days=365)
    with time_machine.travel(datetime.datetime(2025, 1, 10, 10, 0), tick=False):
        earn(account, "6")
    earn(account, "4")  # today: fresh
    spending.timebank_redeem(by=None, account=account, item=rice, quantity=1)  # spends 2

    # 6 old hours, 2 spent since (oldest first): 4 expire, the 4 fresh ones stay
    assert spending.expire_hours(by=None, today=today) == 1
    assert balance(account) == Decimal("4")
    assert balance(ledger.system_account("expiry")) == Decimal("4")
    assert spending.expire_hours(by=None, today=today) == 0


def test_the_statement_lists_every_entry_with_its_running_balance(account, daughter):
    earn(account, "5")
    spending.timebank_transfer(
        by=None, from_account=account, to_account=daughter, hours=Decimal("2")
    )
    rows = [
        (e.movement.kind, e.amount, e.balance_after) for e in selectors.account_statement(account)
    ]
    assert rows == [("earn", Decimal("5"), Decimal("5")), ("transfer", Decimal("-2"), Decimal("3"))]


def test_affordable_items_are_active_in_stock_and_within_the_balance(account, regions, rice):
    f.CatalogueItemFactory(region=regions["baima"], name="香油", hours_price=1, stock=5)
    f.CatalogueItemFactory(region=regions["baima"], name="电饭煲", hours_price=30, stock=5)
    f.CatalogueItemFactory(region=regions["baima"], name="毛巾", hours_price=1, stock=0)
    f.CatalogueItemFactory(region=regions["wenfeng"], name="腊肉", hours_price=1, stock=5)
    earn(account, "2")

    assert sorted(i.name for i in selectors.affordable_items(account)) == ["大米 5 kg", "香油"]


def test_the_bureau_sees_hours_earned_and_redeemed_per_township(account, regions, rice, bureau):
    far = ledger.account_for(f.VolunteerFactory(village=regions["wenfeng"]))
    earn(account, "5")
    earn(far, "3")
    spending.timebank_redeem(by=None, account=account, item=rice, quantity=2)

    assert selectors.hours_by_township(user=bureau) == [
        {"township": "500156101000", "name": regions["baima"].name,
         "earned": Decimal("5"), "redeemed": Decimal("4")},
        {"township": "500156208000", "name": regions["houping"].name,
         "earned": Decimal("3"), "redeemed": Decimal("0")},
    ]  # fmt: skip
