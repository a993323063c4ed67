"""Phone numbers stored before the system checked them (``eldercare.validators.PhoneField``):
which rows hold one that is not a Chinese mobile or landline number, for someone to correct.
Every model with a ``PhoneField`` is read, so a new one is listed without being named here."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError

from eldercare.validators import PhoneField, PhoneNumber
from seniors.idnumber import mask_phone


@dataclass(frozen=True)
class BadPhone:
    model: str  # "seniors.Senior"
    pk: int
    region: str  # the row's region code, "" when it has none
    masked: str  # 138****5678, invisible characters spelt out (\u202e)
    reason: str


def phone_fields() -> list[tuple[type, PhoneField]]:
    return [
        (model, field)
        for model in apps.get_models()
        if not model._meta.label.split(".")[1].startswith("Historical")
        for field in model._meta.concrete_fields
        if isinstance(field, PhoneField)
    ]


def _shown(value: str) -> str:
    masked = mask_phone(value)
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in masked
    )


def bad_phones() -> Iterator[BadPhone]:
    """The rows whose phone the validator refuses now, model by model, in id order."""
    for model, field in phone_fields():
        lookup = getattr(model._default_manager.get_queryset(), "region_lookup", "")
        columns = ["pk", field.attname, *([lookup] if lookup else [])]
        rows = model._default_manager.exclude(**{field.attname: ""}).order_by("pk")
        for pk, value, *region in rows.values_list(*columns).iterator():
            try:
                PhoneNumber(field)(value)
            except ValidationError as exc:
                yield BadPhone(
                    model=model._meta.label,
                    pk=pk,
                    region=(region[0] or "") if region else "",
                    masked=_shown(value),
                    reason=" ".join(exc.messages),
                )
