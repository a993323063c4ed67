"""The time bank's ledger (时间银行): append-only and double-entry.

Every movement of hours is one ``Movement`` with two ``Entry`` rows that sum to zero: hours
out of one account and into another. Nothing is ever changed or deleted: a correction is a
reversing movement. Balances are kept on the accounts, changed only here, in the same
transaction as the entries and under row locks taken in a fixed order (by account id), so two
movements at the same moment can neither lose an hour nor spend one twice; the database's
check constraint refuses a negative balance as the last line of defence.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from volunteers.models import Account, AccountKind, Entry, Movement, MovementKind, Volunteer

# Accounts that may not go below zero: people's hours and the fund. The earning, redemption
# and expiry accounts are the other side of the books and carry the negative sum.
NEVER_NEGATIVE = {AccountKind.VOLUNTEER, AccountKind.FUND}
ONE_DECIMAL = Decimal("0.1")


class InsufficientHours(ValidationError):
    """The paying account does not hold the hours."""


def system_account(kind: str) -> Account:
    """One of the system accounts (a data migration opens them; opened here on first use too,
    once, should a database have been emptied since)."""
    account = Account.objects.filter(kind=kind, volunteer__isnull=True).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(kind=kind, volunteer=None)
    except IntegrityError:
        return Account.objects.get(kind=kind, volunteer__isnull=True)


def account_for(volunteer: Volunteer) -> Account:
    """The volunteer's account, opened on first use (once, even when asked concurrently)."""
    account = Account.objects.filter(volunteer=volunteer).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(kind=AccountKind.VOLUNTEER, volunteer=volunteer)
    except IntegrityError:
        return Account.objects.get(volunteer=volunteer)


@transaction.atomic
def post_movement(
    *,
    by: User | None,
    kind: str,
    source: Account,
    target: Account,
    hours: Decimal,
    memo: str = "",
    reference: str | None = None,
    reverses: Movement | None = None,
) -> Movement:
    """Move ``hours`` from ``source`` to ``target``.

    With a ``reference`` (the business record that causes the movement, e.g. a verified claim)
    the movement happens once: asking again returns the first one.
    """
    hours = Decimal(hours).quantize(ONE_DECIMAL)
    if hours <= 0:
        raise ValidationError({"hours": [_("Hours must be more than zero.")]})
    if source.pk == target.pk:
        raise ValidationError({"account": [_("A movement needs two different accounts.")]})
    if reference is not None:
        existing = Movement.objects.filter(reference=reference).first()
        if existing is not None:
            return existing
    # Lock both accounts in id order: two movements between the same accounts never deadlock.
    locked = {
        a.pk: a
        for a in Account.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    payer, payee = locked[source.pk], locked[target.pk]
    if payer.kind in NEVER_NEGATIVE and payer.balance < hours:
        raise InsufficientHours(
            {
                "hours": [
                    _("Not enough hours: %(balance)s h in the account, %(hours)s h needed.")
                    % {"balance": payer.balance, "hours": hours}
                ]
            }
        )
    try:
        with transaction.atomic():
            movement = Movement.objects.create(
                kind=kind, hours=hours, memo=memo.strip(), reference=reference, reverses=reverses,
                created_by=by,
            )  # fmt: skip
    except IntegrityError:
        # The same reference (or a second reversal of the same movement) at the same moment.
        if reference is not None:
            existing = Movement.objects.filter(reference=reference).first()
            if existing is not None:
                return existing
        raise ValidationError({"movement": [_("This movement was already reversed.")]}) from None
    payer.balance -= hours
    payee.balance += hours
    Entry.objects.bulk_create(
        [
            Entry(movement=movement, account=payer, amount=-hours, balance_after=payer.balance),
            Entry(movement=movement, account=payee, amount=hours, balance_after=payee.balance),
        ]
    )
    Account.objects.filter(pk=payer.pk).update(balance=payer.balance)
    Account.objects.filter(pk=payee.pk).update(balance=payee.balance)
    return movement


@transaction.atomic
def reverse_movement(*, by: User | None, movement: Movement, memo: str = "") -> Movement:
    """Correct a movement with its mirror image; both stay in the books. A movement is
    reversed at most once, and a reversal that would take hours the account no longer holds
    is refused (the hours were spent)."""
    if movement.kind == MovementKind.REVERSAL:
        raise ValidationError({"movement": [_("A reversal is not reversed; post a new movement.")]})
    if Movement.objects.filter(reverses=movement).exists():
        raise ValidationError({"movement": [_("This movement was already reversed.")]})
    entries = {e.amount > 0: e.account for e in movement.entries.select_related("account")}
    return post_movement(
        kind=MovementKind.REVERSAL,
        source=entries[True],
        target=entries[False],
        hours=movement.hours,
        by=by,
        memo=memo or _("Reversal of movement %(id)d") % {"id": movement.pk},
        reverses=movement,
    )


def books_balance() -> dict[str, Decimal]:
    """The ledger's own check: all entries sum to zero, and every cached balance equals the
    sum of its account's entries. Returns the discrepancies (empty when the books are right)."""
    problems: dict[str, Decimal] = {}
    total = Entry.objects.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    if total != 0:
        problems["sum of all entries"] = total
    sums = dict(Entry.objects.values_list("account").annotate(s=Sum("amount")))
    for account_id, balance in Account.objects.values_list("pk", "balance"):
        if sums.get(account_id, Decimal("0")) != balance:
            problems[f"account {account_id}"] = balance - sums.get(account_id, Decimal("0"))
    return problems
