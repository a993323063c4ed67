"""A request sent again under its ``client_uuid`` (a phone that did not hear back, a form
pressed twice): what every service that takes one does with the record already stored under it.

The record answers the request only when it is the same request again: the same user sent it,
with the same content. Anything else under a used ``client_uuid`` is refused, naming the field,
and the service writes nothing: another user's record is not shown to the caller (whatever its
region), and the caller's own request is not silently dropped in favour of a different one.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

Record = TypeVar("Record", bound=models.Model)


def used_elsewhere() -> ValidationError:
    """The refusal of a ``client_uuid`` that names another request."""
    # zh: 该 client_uuid 已用于另一次提交；请换一个新的 client_uuid 再提交。
    message = _("This client_uuid was already used for another request; send it with a new one.")
    return ValidationError({"client_uuid": [message]})


def replayed(existing: Record, *, by, sender_id: int | None, sent: dict[str, Any]) -> Record:
    """``existing`` if the request is the one that stored it, else ``used_elsewhere()``.

    ``sender_id`` is the id of the user who sent ``existing`` (``None`` for the system), ``by``
    the caller; ``sent`` maps each attribute of the record the request sets (``movement.hours``
    for a related record's) to the value this request gives it, as the service would store it.
    """
    if sender_id != (by.pk if by is not None else None):
        raise used_elsewhere()
    if any(attrgetter(name)(existing) != value for name, value in sent.items()):
        raise used_elsewhere()
    return existing
