"""The time bank's books: double entry, never negative, corrections by reversal."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests import factories as f
from volunteers import ledger
from volunteers.models import Account, Entry, Movement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("books_stay_balanced")]


@pytest.fixture
def account(regions):
    return ledger.account_for(f.VolunteerFactory(village=regions["banqiao"], name="李志愿"))


def earn(account, hours, reference=None):
    return ledger.post_movement(
        kind="earn", source=ledger.system_account("earning"), target=account,
        hours=Decimal(hours), by=None, reference=reference,
    )  # fmt: skip


def balance(account):
    account.refresh_from_db()
    return account.balance


def test_earning_moves_hours_from_the_earning_account(account):
    movement = earn(account, "2.5")

    assert balance(account) == Decimal("2.5")
    assert balance(ledger.system_account("earning")) == Decimal("-2.5")
    assert sorted(e.amount for e in movement.entries.all()) == [Decimal("-2.5"), Decimal("2.5")]


def test_the_same_reference_moves_hours_once(account):
    first = earn(account, "2", reference="servicelog:7")
    second = earn(account, "2", reference="servicelog:7")
    assert first.pk == second.pk
    assert balance(account) == Decimal("2")


def test_spending_more_than_the_balance_is_refused_and_writes_nothing(account):
    earn(account, "3")
    with pytest.raises(ledger.InsufficientHours):
        ledger.post_movement(
            kind="redeem", source=account, target=ledger.system_account("redemption"),
            hours=Decimal("3.5"), by=None,
        )  # fmt: skip
    assert balance(account) == Decimal("3")
    assert Movement.objects.count() == 1


def test_a_reversal_restores_the_balance_and_keeps_both_movements(account):
    movement = earn(account, "4")
    reversal = ledger.reverse_movement(movement=movement, by=None, memo="重复登记")

    assert balance(account) == 0
    assert Movement.objects.count() == 2
    assert reversal.reverses == movement
    assert Entry.objects.filter(account=account).count() == 2


def test_a_movement_is_reversed_once(account):
    movement = earn(account, "4")
    ledger.reverse_movement(movement=movement, by=None)
    with pytest.raises(ValidationError):
        ledger.reverse_movement(movement=movement, by=None)


def test_spent_hours_cannot_be_reversed_away(account):
    movement = earn(account, "4")
    ledger.post_movement(
        kind="redeem", source=account, target=ledger.system_account("redemption"),
        hours=Decimal("3"), by=None,
    )  # fmt: skip
    with pytest.raises(ledger.InsufficientHours):
        ledger.reverse_movement(movement=movement, by=None)
    assert balance(account) == Decimal("1")


def test_the_database_refuses_a_negative_balance(account):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=Decimal("-1"))


def test_zero_hours_are_refused(account):
    with pytest.raises(ValidationError):
        earn(account, "0")
