"""Writes on the seniors' ledger. Every face (API, pages, Excel import, admin, the demo
generator) goes through these functions, so the rules hold whichever way a change comes in.

Each raises ``django.core.exceptions.ValidationError`` with a dict of field → messages; the
caller has already checked that ``by`` may see the senior (the region scope).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from eldercare.idempotency import replayed
from regions.models import Level, Region
from regions.scoping import can_see_region_code
from seniors.idnumber import IdNumber, age_on, parse_id_number
from seniors.models import (
    BARTHEL_ITEMS,
    MIN_AGE,
    Assessment,
    Senior,
    ServiceType,
    Status,
    Visit,
    barthel_level,
)

# The categories the indicators count (dated: ``seniors.categories``).
CATEGORY_FIELDS = (
    "living_situation",
    "extreme_poverty",
    "subsistence_allowance",
    "low_income",
    "family_planning_special",
    "disability_certificate",
)
# The person's wishes for care and the care provided at home.
CARE_FIELDS = (
    "wants_centralised_care",
    "wants_day_care",
    "family_doctor_contract_on",
    "wristband_device",
    "wristband_on",
    "family_care_bed_on",
    "home_adaptation_on",
    "family_caregiver",
    "family_caregiver_trained_on",
)
# Fields a caller may set on a senior (besides id_number, which is set once).
SENIOR_FIELDS = (
    "name",
    "phone",
    "village",
    "villager_group",
    "address",
    *CATEGORY_FIELDS,
    *CARE_FIELDS,
    "registered_on",
    "notes",
)
DATE_FIELDS = (
    "family_doctor_contract_on",
    "wristband_on",
    "family_care_bed_on",
    "home_adaptation_on",
    "family_caregiver_trained_on",
    "registered_on",
)
# Allowed status moves: a person who moved out may come back; death is final.
STATUS_MOVES = {
    Status.ACTIVE: {Status.MOVED_OUT, Status.DECEASED},
    Status.MOVED_OUT: {Status.ACTIVE, Status.DECEASED},
    Status.DECEASED: set(),
}


class DuplicateSenior(ValidationError):
    """The ID number is already in the ledger; ``existing`` is that record."""

    def __init__(self, existing: Senior):
        self.existing = existing
        village = existing.village
        township = village.parent
        super().__init__(
            {
                "id_number": [
                    _(
                        "This person is already registered in %(township)s %(village)s; "
                        "no second record was created."
                    )
                    % {
                        "township": township.short_name if township else "",
                        "village": village.short_name,
                    }
                ]
            },
            code="duplicate",
        )


def _today() -> datetime.date:
    return timezone.localdate()


def _check_fields(
    *, by: User, fields: dict[str, Any], birth_date: datetime.date | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = _today()
    if "name" in fields and not (fields["name"] or "").strip():
        errors["name"] = [_("Enter the person's name.")]
    village: Region | None = fields.get("village")
    if "village" in fields:
        if village is None:
            errors["village"] = [_("Choose the village the person lives in.")]
        elif village.level != Level.VILLAGE or not can_see_region_code(by, village.code):
            errors["village"] = [_("No such village in your region.")]
    group: Region | None = fields.get("villager_group")
    if group is not None and village is not None and group.parent_id != village.code:
        errors["villager_group"] = [
            _("%(group)s is not a villager group of %(village)s.")
            % {"group": group.name, "village": village.short_name}
        ]
    for name, value in fields.items():
        # the model's ranges and lengths (eldercare.validators), here too so that the Excel
        # import's preview names them per row before anything is written
        if name in DATE_FIELDS and value is not None and value > today:
            continue  # "in the future" below says it more precisely
        if name in SENIOR_FIELDS and value not in (None, ""):
            try:
                Senior._meta.get_field(name).run_validators(value)
            except ValidationError as exc:
                errors[name] = exc.messages
    for name in DATE_FIELDS:
        day = fields.get(name)
        if day is None or name in errors:
            continue
        if day > today:
            errors[name] = [_("This date is in the future.")]
        elif birth_date is not None and day < birth_date:
            errors[name] = [_("This date is before the person's birth.")]
    return errors


def _apply(senior: Senior, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in SENIOR_FIELDS:
            raise TypeError(f"{name} is not a field a caller may set")
        if isinstance(value, str):
            value = value.strip()
        setattr(senior, name, value)


def senior_check_new(*, by: User, id_number: str, **fields: Any) -> IdNumber:
    """Every check ``senior_register`` makes, without writing: the Excel import previews a
    whole file with it. Returns the parsed ID number; raises ``ValidationError`` (a
    ``DuplicateSenior`` when the person is already in the ledger)."""
    try:
        parsed = parse_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    errors = _check_fields(by=by, fields=fields, birth_date=parsed.birth_date)
    registered_on = fields.get("registered_on") or _today()
    age = age_on(parsed.birth_date, registered_on)
    if age < MIN_AGE:
        errors.setdefault("id_number", []).append(
            _("This person is %(age)d (born %(birth)s): the ledger is for people aged 60 and over.")
            % {"age": age, "birth": parsed.birth_date}
        )
    for required in ("name", "village"):
        if required not in fields:
            errors.setdefault(required, [_("This field is required.")])
    if errors:
        raise ValidationError(errors)
    # the unique index answers this; no ordering needed (an Excel preview asks it per row)
    existing = (
        Senior.objects.select_related("village__parent")
        .filter(id_number=parsed.number)
        .order_by()
        .first()
    )
    if existing is not None:
        raise DuplicateSenior(existing)
    return parsed


@transaction.atomic
def senior_register(*, by: User, id_number: str, **fields: Any) -> Senior:
    """Add a person to the ledger.

    The ID number must be valid (GB 11643 check digit, a real birth date) and belong to
    someone aged 60 or more; it is unique in the whole district. A duplicate, even one
    submitted by someone else at the same moment, raises ``DuplicateSenior`` naming the
    existing record's township and village.
    """
    parsed = senior_check_new(by=by, id_number=id_number, **fields)
    senior = Senior(id_number=parsed.number, birth_date=parsed.birth_date, sex=parsed.sex)
    _apply(senior, fields)
    senior._history_user = by
    try:
        with transaction.atomic():
            senior.save()
    except IntegrityError:
        # Someone registered the same person between our check and our insert.
        existing = (
            Senior.objects.select_related("village__parent").filter(id_number=parsed.number).first()
        )
        if existing is None:
            raise
        raise DuplicateSenior(existing) from None
    return senior


def senior_update(
    *, by: User, senior: Senior, categories_from: datetime.date | None = None, **fields: Any
) -> Senior:
    """Change a person's record. The ID number cannot change (register the right one and mark
    the wrong record moved out instead); the new village must lie in ``by``'s region.

    A change of a category the indicators read (特困, 低保, 低收入, 计生特殊家庭, living
    situation, wishes for care) takes effect on ``categories_from`` (default today): the
    figures of earlier days keep the categories then in force (``seniors.categories``)."""
    new_id = fields.pop("id_number", None)
    if new_id is not None and new_id.strip().upper() != senior.id_number:
        raise ValidationError(
            {"id_number": [_("The ID number cannot be changed once registered.")]}
        )
    errors = _check_fields(by=by, fields=fields, birth_date=senior.birth_date)
    registered_on = fields.get("registered_on")
    if registered_on is not None and age_on(senior.birth_date, registered_on) < MIN_AGE:
        errors.setdefault("registered_on", []).append(
            _("On that day the person was under 60: the ledger is for people aged 60 and over.")
        )
    if "villager_group" in fields and "village" not in fields:
        group = fields["villager_group"]
        if group is not None and group.parent_id != senior.village_id:
            errors["villager_group"] = [
                _("%(group)s is not a villager group of %(village)s.")
                % {"group": group.name, "village": senior.village.short_name}
            ]
    if categories_from is not None:
        if categories_from > _today():
            errors["categories_from"] = [_("This date is in the future.")]
        elif categories_from < senior.registered_on:
            errors["categories_from"] = [
                _("This date is before the person was registered (%(day)s).")
                % {"day": senior.registered_on}
            ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Senior.objects.select_for_update().get(pk=senior.pk)
        _apply(locked, fields)
        locked._categories_from = categories_from
        moved_village = "village" in fields and "villager_group" not in fields
        # the old village's group does not follow the person to a new village
        if (
            moved_village
            and locked.villager_group_id
            and locked.villager_group.parent_id != locked.village_id
        ):
            locked.villager_group = None
        locked._history_user = by
        locked.save()
    return locked


def senior_set_status(
    *, by: User, senior: Senior, status: str, on: datetime.date, note: str = ""
) -> Senior:
    """Move a person out of (or back into) the active ledger. Nobody is deleted: a report
    that counted them on an earlier date still counts them."""
    if status not in Status.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    if on > _today():
        raise ValidationError({"status_on": [_("This date is in the future.")]})
    if on < senior.registered_on:
        raise ValidationError(
            {
                "status_on": [
                    _("This date is before the person was registered (%(day)s).")
                    % {"day": senior.registered_on}
                ]
            }
        )
    with transaction.atomic():
        locked = Senior.objects.select_for_update().get(pk=senior.pk)
        if locked.status_on and on < locked.status_on:
            raise ValidationError(
                {
                    "status_on": [
                        _("This date is before the current status began (%(day)s).")
                        % {"day": locked.status_on}
                    ]
                }
            )
        if Status(status) not in STATUS_MOVES[Status(locked.status)]:
            raise ValidationError(
                {
                    "status": [
                        _("A record that is “%(current)s” cannot become “%(new)s”.")
                        % {"current": locked.get_status_display(), "new": Status(status).label}
                    ]
                }
            )
        locked.status = status
        # for a return to the ledger this is the day of the return
        locked.status_on = on
        locked.status_note = note.strip()
        locked._history_user = by
        locked.save()
    return locked


@dataclass(frozen=True)
class BarthelScore:
    total: int
    level: str


def barthel_score(items: dict[str, Any]) -> BarthelScore:
    """Check the ten item scores and add them up; any missing or other value is refused."""
    errors: dict[str, list[str]] = {}
    for item, allowed in BARTHEL_ITEMS.items():
        value = items.get(item)
        if value is None or value == "":
            errors[item] = [_("Score this item.")]
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or number not in allowed or str(value).strip() != str(number):
            errors[item] = [
                _("%(value)s is not a score of this item; allowed: %(allowed)s.")
                % {"value": value, "allowed": " / ".join(str(a) for a in allowed)}
            ]
    if errors:
        raise ValidationError(errors)
    total = sum(int(items[item]) for item in BARTHEL_ITEMS)
    return BarthelScore(total=total, level=barthel_level(total))


def _check_alive_on(senior: Senior, day: datetime.date, field: str) -> None:
    if day > _today():
        raise ValidationError({field: [_("This date is in the future.")]})
    if day < senior.birth_date:
        raise ValidationError({field: [_("This date is before the person's birth.")]})
    if senior.status != Status.ACTIVE and senior.status_on and day > senior.status_on:
        raise ValidationError(
            {
                field: [
                    _("%(name)s is “%(status)s” since %(since)s.")
                    % {
                        "name": senior.name,
                        "status": senior.get_status_display(),
                        "since": senior.status_on,
                    }
                ]
            }
        )


@transaction.atomic
def assessment_record(
    *,
    by: User,
    senior: Senior,
    assessed_on: datetime.date,
    items: dict[str, Any],
    assessor: str = "",
    notes: str = "",
) -> Assessment:
    """Record a Barthel assessment; the total and level are computed here, never taken from
    the caller. The latest assessment decides whether the person counts as 失能."""
    score = barthel_score(items)
    _check_alive_on(senior, assessed_on, "assessed_on")
    assessment = Assessment(
        senior=senior,
        assessed_on=assessed_on,
        assessor=assessor.strip(),
        notes=notes.strip(),
        total=score.total,
        level=score.level,
        **{item: int(items[item]) for item in BARTHEL_ITEMS},
    )
    assessment._history_user = by
    assessment.save()
    return assessment


# A phone's clock may run a little fast.
CLOCK_SKEW = datetime.timedelta(minutes=10)


@transaction.atomic
def visit_record(
    *,
    by: User,
    senior: Senior,
    visited_at: datetime.datetime,
    service_type: str = ServiceType.INSPECTION,
    client_uuid=None,
    visitor: User | None = None,
    visitor_name: str = "",
    notes: str = "",
    follow_up_needed: bool = False,
) -> tuple[Visit, bool]:
    """Record a visit; returns ``(visit, created)``.

    A phone that retries sends the same ``client_uuid``: the visit is stored once and the
    first one is returned, however many times and however concurrently it arrives, to the user
    who sent it with the same content (``eldercare.idempotency``; anything else is refused).
    """
    if timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    who = visitor or by
    fields = {
        "senior": senior,
        "visited_at": visited_at,
        "service_type": service_type,
        "visitor": who,
        "visitor_name": visitor_name.strip() or who.get_full_name() or who.username,
        "notes": notes.strip(),
        "follow_up_needed": follow_up_needed,
    }
    if client_uuid is not None:
        existing = Visit.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return _replayed_visit(existing, by=by, fields=fields), False
    if service_type not in ServiceType.values:
        raise ValidationError({"service_type": [_("Unknown service.")]})
    if visited_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"visited_at": [_("This time is in the future.")]})
    # within the allowed clock skew a phone may already be past midnight
    _check_alive_on(senior, min(timezone.localtime(visited_at).date(), _today()), "visited_at")
    visit = Visit(client_uuid=client_uuid, **fields)
    visit._history_user = by
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        existing = Visit.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if existing is None:
            raise
        return _replayed_visit(existing, by=by, fields=fields), False
    return visit, True


def _replayed_visit(existing: Visit, *, by: User, fields: dict) -> Visit:
    # who sent a visit is in its history: the visitor may be another (a verified claim's)
    sender_id = (
        existing.history.filter(history_type="+").values_list("history_user_id", flat=True).first()
    )
    sent = {name: value for name, value in fields.items() if name not in ("senior", "visitor")}
    sent.update(senior_id=fields["senior"].pk, visitor_id=fields["visitor"].pk)
    return replayed(existing, by=by, sender_id=sender_id, sent=sent)
