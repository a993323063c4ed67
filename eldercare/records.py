"""Saving a row of reference data (the plan's targets, the policy, the checklist, a region's
names) from fields: what the services that keep such rows share. The caller holds the
transaction (the service is ``@transaction.atomic``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

Row = TypeVar("Row", bound=models.Model)


def editable_fields(model: type[models.Model], *, besides: Iterable[str] = ()) -> frozenset[str]:
    """The fields of ``model`` a caller may set: the concrete, editable ones that the database
    does not number itself, apart from ``besides``."""
    left_out = set(besides)
    return frozenset(
        field.name
        for field in model._meta.concrete_fields
        if field.editable and not isinstance(field, models.AutoField) and field.name not in left_out
    )


def row_save(
    model: type[Row],
    *,
    by,
    row: Row | None,
    fields: dict[str, Any],
    allowed: frozenset[str],
    fixed: Iterable[str] = (),
) -> Row:
    """Create a row of ``model`` (``row=None``) or change ``row`` (read again under a lock)
    from ``fields``, checked by the model's own rules, with ``by`` in its history.

    ``allowed`` names the fields a caller may set (another raises ``TypeError``); ``fixed``
    those that are set once, when the row is made (a change of one is refused). A change checks
    only the fields it sets, so a row kept before a rule was tightened can still be corrected.
    """
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"not fields a caller may set: {sorted(unknown)}")
    if row is None:
        target = model()
        exclude = None
    else:
        target = model._default_manager.select_for_update().get(pk=row.pk)
        moved = [name for name in fixed if name in fields and fields[name] != getattr(target, name)]
        if moved:
            message = _("This is set when the record is made and cannot be changed.")
            raise ValidationError({name: [message] for name in moved})
        exclude = [f.name for f in model._meta.concrete_fields if f.name not in fields]
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean(exclude=exclude)
    target._history_user = by
    target.save()
    return target
