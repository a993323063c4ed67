"""Keeping a person's categories and family-doctor contracts as dated records.

``record_categories`` runs after every save of a ``Senior`` (services, admin, factories): when
one of ``CATEGORY_FIELDS`` differs from the period in force, that period ends on the day the
change takes effect and a new one begins. The day is ``senior._categories_from`` when the
caller set it (``senior_update(categories_from=...)``), else today. A second change on the
same day corrects that day's period in place. The first period of a person has no start: it
holds from the day they entered the ledger, whatever ``registered_on`` later becomes.

``record_contract`` writes a ``FamilyDoctorContract`` for each new signing day in
``family_doctor_contract_on`` (a renewal is a new contract; the old ones keep their term).
Bulk writers (the demo population) write both tables themselves.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from seniors.models import (
    CATEGORY_FIELDS,
    CONTRACT_TERM_YEARS,
    CategoryPeriod,
    FamilyDoctorContract,
    Senior,
    years_after,
)


def record_categories(senior: Senior, *, on: datetime.date | None = None, by=None) -> None:
    with transaction.atomic():  # the lock on the open period holds to the end
        _record(senior, on, by)


def _record(senior: Senior, on: datetime.date | None, by) -> None:
    values = {name: getattr(senior, name) for name in CATEGORY_FIELDS}
    current = (
        CategoryPeriod.objects.select_for_update()
        .filter(senior_id=senior.pk, valid_to__isnull=True)
        .first()
    )
    if current is None:
        CategoryPeriod.objects.create(senior_id=senior.pk, recorded_by=by, **values)
        return
    if all(getattr(current, name) == value for name, value in values.items()):
        return
    on = on or timezone.localdate()
    if current.valid_from is not None and on <= current.valid_from:
        for name, value in values.items():
            setattr(current, name, value)
        current.recorded_by = by
        current.save()
        return
    current.valid_to = on
    current.save(update_fields=["valid_to"])
    CategoryPeriod.objects.create(senior_id=senior.pk, valid_from=on, recorded_by=by, **values)


def record_contract(senior: Senior) -> None:
    signed_on = senior.family_doctor_contract_on
    if signed_on is None:
        return
    FamilyDoctorContract.objects.get_or_create(
        senior_id=senior.pk,
        signed_on=signed_on,
        defaults={"ends_on": years_after(signed_on, CONTRACT_TERM_YEARS)},
    )


def _saved(sender, instance: Senior, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: the fixture brings its own periods
        return
    by = getattr(instance, "_history_user", None)
    by = by if getattr(by, "pk", None) else None
    record_categories(instance, on=getattr(instance, "_categories_from", None), by=by)
    record_contract(instance)


def connect() -> None:
    post_save.connect(_saved, sender=Senior, dispatch_uid="seniors.record_categories")
