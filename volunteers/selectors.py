"""Reads on volunteers, their groups and the time bank, shared by the API, the pages and the
reports: querysets and rows, never a write. Scoping is the caller's: pass a queryset that is
already limited to what the user may see."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Substr

from accounts.models import User
from regions.models import Region, prefix_of_code
from volunteers.models import (
    Account,
    AccountKind,
    CatalogueItem,
    Entry,
    MovementKind,
)
from volunteers.pairings import pairings_with_status


def groups_active_in(groups: QuerySet, *, region_prefix: str, on: datetime.date) -> QuerySet:
    """The teams, associations and mutual-aid groups under ``region_prefix`` founded by ``on``
    and not dissolved, by kind, place and name."""
    return (
        groups.filter(region__code__startswith=region_prefix, founded_on__lte=on)
        .exclude(dissolved_on__lte=on)
        .order_by("kind", "region_id", "name")
    )


def assistants_serving(assistants: QuerySet, *, village_code: str, on: datetime.date) -> QuerySet:
    """The elderly-care assistants of a village who serve on ``on``."""
    return assistants.filter(village_id=village_code, started_on__lte=on).exclude(ended_on__lte=on)


def overdue_pairings(pairings: QuerySet, on: datetime.date, cap: int | None = None) -> QuerySet:
    """Open pairings whose senior has not been visited within the interval on ``on``, with
    their status annotations (``pairings_with_status``)."""
    return pairings_with_status(pairings, on, cap).filter(overdue=True)


def account_statement(account: Account) -> QuerySet[Entry]:
    """Every entry of the account, oldest first, with its movement (kind, memo, date) and the
    running balance stored when it was posted (a statement per account)."""
    return Entry.objects.filter(account=account).select_related("movement").order_by("id")


def items_offered_to(account: Account) -> QuerySet[CatalogueItem]:
    """Items of the volunteer's village (and its groups), its township and the district: the
    same rule as ``CatalogueItem.objects.visible_to`` for a volunteer of that village, read
    from the account so an assistant at the counter gets the volunteer's view, not their own."""
    if account.kind != AccountKind.VOLUNTEER:
        return CatalogueItem.objects.none()
    village = account.volunteer.village_id
    above = [village[:6] + "000000", village[:9] + "000"]
    return CatalogueItem.objects.filter(
        Q(region__code__startswith=prefix_of_code(village)) | Q(region__code__in=above)
    )


def affordable_items(account: Account) -> QuerySet[CatalogueItem]:
    """What the account's hours can buy now (易存难兑: shown on the volunteer's page): items
    offered to the volunteer, active, in stock and priced at most the balance."""
    balance = Account.objects.values_list("balance", flat=True).get(pk=account.pk)
    return items_offered_to(account).filter(active=True, stock__gt=0, hours_price__lte=balance)


def hours_by_township(*, user: User, since: datetime.date | None = None) -> list[dict]:
    """Hours earned versus hours redeemed per township, over the volunteer accounts the user
    may see (the bureau watches 易存难兑). A reversal counts against the kind it
    reverses. One grouped query, plus one for the townships' names."""
    entries = Entry.objects.filter(account__in=Account.objects.visible_to(user))
    if since is not None:
        entries = entries.filter(movement__created_at__date__gte=since)

    def of_kind(kind: str) -> Q:
        return Q(movement__kind=kind) | Q(
            movement__kind=MovementKind.REVERSAL, movement__reverses__kind=kind
        )

    rows = list(
        entries.annotate(township=Substr("account__volunteer__village_id", 1, 9))
        .values("township")
        .annotate(
            earned=Sum("amount", filter=of_kind(MovementKind.EARN)),
            redeemed=Sum("amount", filter=of_kind(MovementKind.REDEEM)),
        )
        .order_by("township")
    )
    codes = [row["township"] + "000" for row in rows]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        {
            "township": row["township"] + "000",
            "name": names.get(row["township"] + "000", ""),
            "earned": row["earned"] or Decimal("0"),
            "redeemed": -(row["redeemed"] or Decimal("0")),
        }
        for row in rows
    ]
