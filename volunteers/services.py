"""Writes on volunteers, their groups and 结对扶老 pairings (plan 一(二), 二(七), 二(八)).

Every write records the acting user in the history (``_history_user``), so the API, the pages,
the admin and the demo generator all leave the same trail.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from eldercare.records import editable_fields, row_save
from regions.models import Level
from volunteers.models import ElderlyCareAssistant, Group, GroupKind, Pairing, Policy, Volunteer

# Fields a caller may set on each record (the rest are set by the services or elsewhere).
VOLUNTEER_FIELDS = (
    "name",
    "id_number",
    "phone",
    "kind",
    "village",
    "villager_group",
    "user",
    "joined_on",
    "left_on",
)
GROUP_FIELDS = ("name", "region", "founded_on", "dissolved_on", "leader")
ASSISTANT_FIELDS = ("village", "name", "volunteer", "user", "full_time", "started_on", "ended_on")


def _apply(obj, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"{name} is not a field a caller may set")
        setattr(obj, name, value)


def _save(obj, *, by):
    obj.full_clean()
    obj._history_user = by
    obj.save()
    return obj


def _write(obj, fields: dict[str, Any], allowed: tuple[str, ...], *, check, by):
    """Set ``fields`` on ``obj`` (only the ``allowed`` ones), hold it to ``check`` (the rule
    across its fields) and save it, ``by`` in its history."""
    _apply(obj, fields, allowed)
    check(obj)
    return _save(obj, by=by)


def _check_volunteer(volunteer: Volunteer) -> None:
    group = volunteer.villager_group
    if group is not None and not group.code.startswith(volunteer.village.prefix):
        raise ValidationError(
            {"villager_group": _("The villager group must lie in the volunteer's village.")}
        )


@transaction.atomic
def volunteer_register(*, by, **fields: Any) -> Volunteer:
    """Register a volunteer; a villager group, if given, lies in their village."""
    return _write(Volunteer(), fields, VOLUNTEER_FIELDS, check=_check_volunteer, by=by)


@transaction.atomic
def volunteer_update(*, by, volunteer: Volunteer, **fields: Any) -> Volunteer:
    """Change a volunteer's record; a villager group, if given, lies in their village."""
    return _write(volunteer, fields, VOLUNTEER_FIELDS, check=_check_volunteer, by=by)


def _check_group(group: Group) -> None:
    """A mutual-aid group belongs to a villager group; a volunteer team and an elders'
    association to a village (一(二): teams and associations per village, 二(八): mutual-aid
    groups per villager group)."""
    wanted = Level.GROUP if group.kind == GroupKind.MUTUAL_AID_GROUP else Level.VILLAGE
    if group.region.level != wanted:
        message = (
            _("A mutual-aid group belongs to a villager group.")
            if wanted == Level.GROUP
            else _("A volunteer team or elders' association belongs to a village.")
        )
        raise ValidationError({"region": message})


def _save_group(
    group: Group, fields: dict[str, Any], *, by, members: Iterable[Volunteer] | None
) -> Group:
    _write(group, fields, GROUP_FIELDS, check=_check_group, by=by)
    if members is not None:
        group.members.set(members)
    return group


@transaction.atomic
def group_create(
    *, by, kind: str, members: Iterable[Volunteer] | None = None, **fields: Any
) -> Group:
    """Found a team, an elders' association or a mutual-aid group (``kind``) with its
    members; see ``_check_group`` for where each belongs."""
    return _save_group(Group(kind=kind), fields, by=by, members=members)


@transaction.atomic
def group_update(
    *, by, group: Group, members: Iterable[Volunteer] | None = None, **fields: Any
) -> Group:
    """Change a group; ``members``, when given, replace its members."""
    return _save_group(group, fields, by=by, members=members)


def _check_assistant(assistant: ElderlyCareAssistant) -> None:
    if assistant.volunteer is not None and assistant.volunteer.village_id != assistant.village_id:
        raise ValidationError(
            {"volunteer": _("The volunteer must belong to the assistant's village.")}
        )


@transaction.atomic
def assistant_appoint(*, by, **fields: Any) -> ElderlyCareAssistant:
    """Appoint an elderly-care assistant of a village; the volunteer record, if linked, is of
    that village."""
    return _write(ElderlyCareAssistant(), fields, ASSISTANT_FIELDS, check=_check_assistant, by=by)


@transaction.atomic
def assistant_update(*, by, assistant: ElderlyCareAssistant, **fields: Any) -> ElderlyCareAssistant:
    """Change an assistant's record; the volunteer record, if linked, is of their village."""
    return _write(assistant, fields, ASSISTANT_FIELDS, check=_check_assistant, by=by)


@transaction.atomic
def pairing_start(
    *,
    by,
    helper: Volunteer,
    senior,
    mode: str,
    started_on: datetime.date,
    visit_interval_days: int | None = None,
) -> Pairing:
    """Pair a helper with a senior (结对扶老, 二(七)). The interval defaults to the bureau's
    policy for the mode; helper and senior live in the same township; a helper has at most one
    open pairing with a senior (the database refuses a second one, even under concurrency)."""
    if helper.village_id[:9] != senior.village_id[:9]:
        raise ValidationError(
            {"senior": _("The helper and the senior must live in the same township.")}
        )
    if visit_interval_days is None:
        visit_interval_days = Policy.current().interval_for(mode)
    if visit_interval_days < 1:
        raise ValidationError(
            {"visit_interval_days": _("The visit interval must be at least one day.")}
        )
    pairing = Pairing(
        helper=helper,
        senior=senior,
        mode=mode,
        started_on=started_on,
        visit_interval_days=visit_interval_days,
    )
    pairing.full_clean(validate_constraints=False)
    pairing._history_user = by
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError:
        raise ValidationError(
            {"senior": _("This helper is already paired with this senior.")}
        ) from None
    return pairing


@transaction.atomic
def pairing_end(*, by, pairing: Pairing, ended_on: datetime.date) -> Pairing:
    """End an open pairing; it is kept (statuses, not deletes)."""
    if pairing.ended_on is not None:
        raise ValidationError({"ended_on": _("This pairing has already ended.")})
    if ended_on < pairing.started_on:
        raise ValidationError({"ended_on": _("A pairing cannot end before it started.")})
    pairing.ended_on = ended_on
    pairing._history_user = by
    pairing.save(update_fields=["ended_on"])
    return pairing


POLICY_FIELDS = editable_fields(Policy)


@transaction.atomic
def policy_save(*, by, policy: Policy | None = None, **fields: Any) -> Policy:
    """Set the bureau's rules of pairings, claims and the time bank (the first time, or a
    change); the row in force is the latest, every change kept with who made it."""
    return row_save(Policy, by=by, row=policy, fields=fields, allowed=POLICY_FIELDS)
