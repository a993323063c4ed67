"""Spending hours (时间银行): the mutual-aid supermarket (互助超市), family transfers,
the district fund's grants, the storage cap and expiry. The reads that keep hours from being
saved and never used (易存难兑) are in ``volunteers.selectors``.

Every write here goes through ``volunteers.ledger.post_movement``; this module adds the rules
across rows (stock, policy, who may grant) and never touches a balance itself.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from eldercare.idempotency import replayed, used_elsewhere
from regions.scoping import can_see_region_code
from volunteers import rules
from volunteers.ledger import ONE_DECIMAL, post_movement, system_account
from volunteers.models import (
    Account,
    AccountKind,
    CatalogueItem,
    Entry,
    Movement,
    MovementKind,
    Policy,
    Redemption,
    Transfer,
)
from volunteers.selectors import items_offered_to


def _replayed(existing: Redemption | Transfer, *, by: User | None, sent: dict) -> Any:
    """The record a repeated ``client_uuid`` names, if this is its request again; who sent it
    is the author of its movement."""
    return replayed(existing, by=by, sender_id=existing.movement.created_by_id, sent=sent)


def _volunteer_account(account: Account, field: str) -> None:
    if account.kind != AccountKind.VOLUNTEER:
        raise ValidationError({field: [_("Only a volunteer's account can be used here.")]})


def _township_of(account: Account) -> str:
    """The township a volunteer's account belongs to: the first nine digits of the village's
    code (district 6, township 3)."""
    return account.volunteer.village_id[:9]


@transaction.atomic
def timebank_redeem(
    *,
    by: User | None,
    account: Account,
    item: CatalogueItem,
    quantity: int,
    client_uuid: uuid.UUID | None = None,
) -> tuple[Redemption, bool]:
    """Spend hours on ``quantity`` of a supermarket item; returns ``(redemption, created)``
    (a short balance or stock answers 400 and writes nothing).

    The item row is locked first, then the two accounts (inside ``post_movement``), always in
    that order. Sending the same ``client_uuid`` again returns the first redemption, with
    ``created`` false, to the user who sent it with the same content
    (``eldercare.idempotency``; anything else is refused).
    """
    sent = {"account_id": account.pk, "item_id": item.pk, "quantity": quantity}
    if client_uuid is not None:
        existing = Redemption.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return _replayed(existing, by=by, sent=sent), False
    _volunteer_account(account, "account")
    if quantity < 1:
        raise ValidationError({"quantity": [_("Redeem at least one.")]})
    locked = CatalogueItem.objects.select_for_update().get(pk=item.pk)
    if client_uuid is not None:
        # a retry that waited for the item lock sees the first attempt, now committed
        existing = Redemption.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return _replayed(existing, by=by, sent=sent), False
    if not locked.active or not items_offered_to(account).filter(pk=locked.pk).exists():
        raise ValidationError({"item": [_("This item is not offered to this volunteer.")]})
    if locked.stock < quantity:
        raise ValidationError(
            {
                "quantity": [
                    _("Only %(stock)d left in stock.") % {"stock": locked.stock},
                ]
            }
        )
    movement = post_movement(
        kind=MovementKind.REDEEM,
        source=account,
        target=system_account(AccountKind.REDEMPTION),
        hours=locked.hours_price * quantity,
        by=by,
        memo=f"{locked.name} × {quantity}",
    )
    CatalogueItem.objects.filter(pk=locked.pk).update(stock=F("stock") - quantity)
    try:
        with transaction.atomic():
            redemption = Redemption.objects.create(
                account=account, item=locked, quantity=quantity, movement=movement,
                client_uuid=client_uuid,
            )  # fmt: skip
    except IntegrityError:
        # the same uuid used for another item at the same moment: undo all of this one
        raise used_elsewhere() from None
    return redemption, True


@transaction.atomic
def timebank_transfer(
    *,
    by: User | None,
    from_account: Account,
    to_account: Account,
    hours: Decimal,
    relation: str = "",
    client_uuid: uuid.UUID | None = None,
) -> tuple[Transfer, bool]:
    """Give hours to a family member's account, or donate them to the district fund (as
    Chinese time banks allow gifts to direct relatives and donation to elders in hardship).

    A transfer between volunteers needs ``Policy.transfers_allowed`` and both accounts in the
    same township; a donation to the fund is always allowed. A short balance raises
    ``InsufficientHours`` and writes nothing. Returns ``(transfer, created)``: the same
    ``client_uuid`` again returns the first transfer, with ``created`` false, to the user who
    sent it with the same content (``eldercare.idempotency``; anything else is refused).
    """
    sent = {
        "from_account_id": from_account.pk,
        "to_account_id": to_account.pk,
        "movement.hours": Decimal(hours).quantize(ONE_DECIMAL),
        "relation": relation.strip(),
    }
    if client_uuid is not None:
        existing = Transfer.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return _replayed(existing, by=by, sent=sent), False
    _volunteer_account(from_account, "from_account")
    if to_account.kind == AccountKind.FUND:
        kind = MovementKind.DONATION
    elif to_account.kind == AccountKind.VOLUNTEER:
        if not Policy.current().transfers_allowed:
            raise ValidationError({"to_account": [_("Transfers to family are not allowed.")]})
        if _township_of(to_account) != _township_of(from_account):
            # hours are redeemed at the township's supermarket and watched by its staff: a
            # family transfer stays within the township (a donation to the fund does not)
            raise ValidationError(
                {"to_account": [_("Hours can be given only to an account in the same township.")]}
            )
        kind = MovementKind.TRANSFER
    else:
        raise ValidationError({"to_account": [_("Only a volunteer's account can be used here.")]})
    if from_account.pk == to_account.pk:
        raise ValidationError({"to_account": [_("A movement needs two different accounts.")]})
    movement = post_movement(
        kind=kind,
        source=from_account,
        target=to_account,
        hours=hours,
        by=by,
        memo=relation.strip(),
        reference=f"transfer:{client_uuid}" if client_uuid is not None else None,
    )
    existing = Transfer.objects.filter(movement=movement).first()
    if existing is not None:  # the same uuid raced in and won: its movement came back
        return _replayed(existing, by=by, sent=sent), False
    transfer = Transfer.objects.create(
        from_account=from_account, to_account=to_account, relation=relation.strip(),
        movement=movement, client_uuid=client_uuid,
    )  # fmt: skip
    return transfer, True


@transaction.atomic
def timebank_grant(*, by: User, to_account: Account, hours: Decimal, memo: str) -> Movement:
    """The district fund grants hours to an account (as Nanjing's fund does for key
    seniors). Only the bureau (or an administrator) may grant: checked here, so every way in
    obeys it. The fund may not go below zero."""
    if not rules.can_grant_hours(by):
        raise PermissionDenied(_("Only the civil affairs bureau may grant hours."))
    _volunteer_account(to_account, "to_account")
    if not memo.strip():
        raise ValidationError({"memo": [_("Say why the hours are granted.")]})
    return post_movement(
        kind=MovementKind.GRANT,
        source=system_account(AccountKind.FUND),
        target=to_account,
        hours=hours,
        by=by,
        memo=memo,
    )


@transaction.atomic
def apply_storage_cap(*, by: User | None, account: Account) -> Movement | None:
    """Hours above ``Policy.storage_cap_hours`` (default 1,500 h, as Nanjing's) go to the
    district fund as a donation instead of being lost. Call it right after crediting
    hours; returns the donation, or ``None`` when the account is within the cap."""
    if account.kind != AccountKind.VOLUNTEER:
        return None
    fund = system_account(AccountKind.FUND)
    # lock both in id order (as post_movement does) so the excess read is the one moved
    locked = {
        a.pk: a
        for a in Account.objects.select_for_update()
        .filter(pk__in=[account.pk, fund.pk])
        .order_by("pk")
    }
    excess = locked[account.pk].balance - Policy.current().storage_cap_hours
    if excess <= 0:
        return None
    return post_movement(
        kind=MovementKind.DONATION,
        source=locked[account.pk],
        target=locked[fund.pk],
        hours=excess,
        by=by,
        memo=_("Above the storage cap"),
    )


@transaction.atomic
def expire_hours(*, by: User | None, today: datetime.date) -> int:
    """Move hours older than ``Policy.expiry_days`` to the expiry account (optional,
    default none). Returns how many accounts had hours expire.

    FIFO reading: spending uses the oldest hours first, so of an account's credits received
    before the cutoff, what every debit so far (spending, transfers, earlier expiries) has not
    used up expires — never more than the balance. One expiry per account and day (the
    movement's reference), so a rerun the same day moves nothing twice.
    """
    days = Policy.current().expiry_days
    if not days:
        return 0
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time.min)
    )
    rows = (
        Entry.objects.filter(account__kind=AccountKind.VOLUNTEER, account__balance__gt=0)
        .values("account")
        .annotate(
            old_credits=Sum("amount", filter=Q(amount__gt=0, movement__created_at__lt=cutoff)),
            debits=Sum("amount", filter=Q(amount__lt=0)),
        )
    )
    expiry = system_account(AccountKind.EXPIRY)
    expired = 0
    for row in rows:
        stale = (row["old_credits"] or Decimal("0")) + (row["debits"] or Decimal("0"))
        if stale <= 0:
            continue
        account = Account.objects.get(pk=row["account"])
        reference = f"expiry:{account.pk}:{today.isoformat()}"
        if Movement.objects.filter(reference=reference).exists():
            continue
        post_movement(
            kind=MovementKind.EXPIRY,
            source=account,
            target=expiry,
            hours=min(stale, account.balance).quantize(ONE_DECIMAL),
            by=by,
            memo=_("Hours older than %(days)d days") % {"days": days},
            reference=reference,
        )
        expired += 1
    return expired


# What a caller may set on a supermarket item.
CATALOGUE_FIELDS = ("region", "name", "hours_price", "stock", "active")


def _apply_item(item: CatalogueItem, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in CATALOGUE_FIELDS:
            raise TypeError(f"{name} is not a field a caller may set")
        setattr(item, name, value)


@transaction.atomic
def catalogue_item_add(*, by: User | None, **fields: Any) -> CatalogueItem:
    """Offer an item at the mutual-aid supermarket of a region, priced in hours."""
    item = CatalogueItem()
    _apply_item(item, fields)
    item._history_user = by
    item.save()
    return item


@transaction.atomic
def catalogue_item_update(*, by: User, item: CatalogueItem, **fields: Any) -> CatalogueItem:
    """Change an item (price, stock, offered or not). Township staff see the district's items
    but keep only their own township's: an item of a region above ``by``'s is refused."""
    if not can_see_region_code(by, item.region_id):
        raise PermissionDenied(_("Your role may not make this change."))
    _apply_item(item, fields)
    item._history_user = by
    item.save()
    return item
