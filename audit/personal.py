"""What a user sees of a person's ID and phone numbers — the one rule for the API, the pages
and the forms — and the note of every full number shown, which the view log is written from.

The rule:

- Anything that shows many people (lists, tables on a facility's page, choices in a form,
  nested rows) shows every number masked, to everyone: ``5002**********1230``, ``138****5678``.
- One person's own record (the record's page or edit form, the API's answer with that one
  person: a read, or the answer to a write) shows a number in full to the roles that may see
  it for that kind of person (``FULL_ON_RECORD``), and to the person themself. Anyone else
  sees it masked there too.
- A file of many people downloaded on purpose (the ledger's export) holds a number in full for
  the roles that see it on the record (``full_in_export``); the file is logged once, with its
  query and count (``audit.log.export_viewed``).
- Rows that are not yet, or no longer, a person's record (an uploaded workbook's cells in the
  import preview) show every number masked (``masked_field``), to everyone.
- Every full number shown to someone other than the person is noted on the request
  (``shown``); ``audit.middleware.PersonalDataMiddleware`` writes one view-log row per person
  per request once the answer is ready, and marks that answer ``Cache-Control: no-store``.

Domain apps keep their own rules of who may *do* what; this module only decides what is shown,
so ``api`` and ``dashboard`` import it and no domain app needs to know about either.
"""

from __future__ import annotations

import enum
from typing import Any

from django.db import models

from facilities.rules import STAFF_PHONE_ROLES
from seniors.idnumber import mask, mask_phone
from seniors.rules import FULL_ID_ROLES, VISIT_ROLES


class Number(enum.StrEnum):
    """The kinds of personal number; the value is the model field that holds it."""

    ID = "id_number"
    PHONE = "phone"


class Context(enum.Enum):
    LIST = "list"  # many people at once, or a person inside another record
    RECORD = "record"  # one person's own record
    # a file of many people downloaded on purpose (the ledger's .xlsx): a number in full for
    # the roles that see it on the person's record, the whole file logged as one export row
    EXPORT = "export"


# Who sees a number in full on the person's own record, by kind of person (app label and
# model) and kind of number. A kind of person or number not listed is masked for everyone
# (training attendances, for example: they are rows of a session, not a person's record).
FULL_ON_RECORD: dict[tuple[str, Number], frozenset[str]] = {
    # the seniors' ledger: ID for the roles that keep it, phone also for the assistant who
    # calls on people (seniors.rules)
    ("seniors.senior", Number.ID): FULL_ID_ROLES,
    ("seniors.senior", Number.PHONE): VISIT_ROLES,
    # facility staff: ID for the bureau and township staff (who check trainings and
    # certificates), phone also for the operator who employs them
    ("facilities.staffmember", Number.ID): FULL_ID_ROLES,
    ("facilities.staffmember", Number.PHONE): STAFF_PHONE_ROLES,
    # volunteers: phone for the bureau, township staff and the assistant who runs them; the ID
    # number is never shown (the API does not carry it)
    ("volunteers.volunteer", Number.PHONE): VISIT_ROLES,
}

_MASKS = {Number.ID: mask, Number.PHONE: mask_phone}
_FIELDS = frozenset(n.value for n in Number)
_NOTE = "_personal_numbers_shown"


def is_self(user, person: models.Model) -> bool:
    """The person is the user (a volunteer looking at their own record)."""
    owner = getattr(person, "user_id", None)
    return owner is not None and getattr(user, "pk", None) == owner


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _role_sees_full(user, label: str, number: Number) -> bool:
    roles = FULL_ON_RECORD.get((label, number))
    if roles is None:
        return False
    return user.is_superuser or getattr(user, "role", "") in roles


def may_see_full(user, person: models.Model, number: Number) -> bool:
    """May ``user`` see ``number`` of ``person`` in full on the person's own record?"""
    if not _active(user):
        return False
    if is_self(user, person):
        return True
    return _role_sees_full(user, person._meta.label_lower, number)


def full_in_export(user, model: type[models.Model]) -> frozenset[str]:
    """The number fields of ``model`` that an export made for ``user`` holds in full
    (``Context.EXPORT``); the export view logs the file once when this is not empty."""
    if not _active(user):
        return frozenset()
    label = model._meta.label_lower
    return frozenset(n.value for n in Number if _role_sees_full(user, label, n))


def masked_field(field: str, value: str) -> str:
    """``value`` of the field named ``field`` as a row that is not a person's record shows it:
    masked when the field is a personal number (an uploaded file's cells, before and after
    they become people), as it is otherwise."""
    if field in _FIELDS:
        return masked(value, Number(field))
    return value


def shown(request, person: models.Model, number: Number, context: Context) -> str:
    """The number of ``person`` as ``request``'s user may see it in ``context``; a full number
    shown to someone else is noted on the request for the view log."""
    value = getattr(person, number.value) or ""
    if not value:
        return value
    user = getattr(request, "user", None)
    if context is Context.RECORD and may_see_full(user, person, number):
        if not is_self(user, person):
            _note(request, person)
        return value
    return _MASKS[number](value)


def masked(value: str, number: Number) -> str:
    """The masked form of a bare number (for rows that are not a person's record)."""
    return _MASKS[number](value) if value else (value or "")


def _note(request, person: models.Model) -> None:
    # DRF wraps Django's request; the note goes on Django's, which the middleware sees
    django_request = getattr(request, "_request", request)
    notes: dict[tuple[str, Any], models.Model] = getattr(django_request, _NOTE, None) or {}
    notes[(person._meta.label_lower, person.pk)] = person
    setattr(django_request, _NOTE, notes)


def people_shown(request) -> list[models.Model]:
    """The people whose full numbers this request showed, each once."""
    return list((getattr(request, _NOTE, None) or {}).values())
