"""Service logs (服务记录): a volunteer claims hours for a service to a senior; the village
assistant or township staff of the senior's village verifies or rejects the claim. Only a
verified claim credits hours, exactly once, and it counts as a visit to the senior.

The rules are the bureau's ``Policy`` (plan 二(八)): no claim in the future or older than
``max_claim_age_days``; hours a positive multiple of ``min_unit_hours`` (a claim that is not is
refused, not rounded: the volunteer sees why and corrects the times, instead of silently losing
minutes); at most ``max_hours_per_day`` a local day; no overlap with the volunteer's other claims
that are not rejected. The volunteer's row is locked before these checks, so two submissions at
the same moment cannot both slip under the daily limit or overlap each other.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from eldercare.idempotency import replayed
from regions.scoping import can_see_region_code
from seniors.models import Senior, ServiceType, Status
from seniors.services import visit_record
from volunteers import ledger, rules
from volunteers.models import ClaimStatus, MovementKind, Policy, ServiceLog, Volunteer
from volunteers.spending import apply_storage_cap

# The visit a verified claim makes is keyed by the claim, so a retry finds the same visit.
VISIT_NAMESPACE = uuid.UUID("6f1d2b7e-2c1a-4e53-9a57-5d0b6f0a3c11")


def claim_visit_uuid(claim: ServiceLog) -> uuid.UUID:
    return uuid.uuid5(VISIT_NAMESPACE, f"servicelog:{claim.pk}")


def _own_volunteer_id(user: User) -> int | None:
    return Volunteer.objects.filter(user=user).values_list("pk", flat=True).first()


def _hours(started_at: datetime.datetime, ended_at: datetime.datetime) -> Decimal:
    return Decimal((ended_at - started_at).total_seconds()) / Decimal(3600)


def _check_rules(
    *,
    policy: Policy,
    volunteer: Volunteer,
    started_at: datetime.datetime,
    ended_at: datetime.datetime,
) -> Decimal:
    """The policy's rules on the times; returns the hours."""
    now = timezone.now()
    if ended_at <= started_at:
        raise ValidationError({"ended_at": [_("The service must end after it starts.")]})
    if ended_at > now:
        raise ValidationError({"ended_at": [_("This time is in the future.")]})
    oldest = timezone.localdate() - datetime.timedelta(days=policy.max_claim_age_days)
    if timezone.localtime(started_at).date() < oldest:
        raise ValidationError(
            {
                "started_at": [
                    _("Claims older than %(days)d days are not accepted.")
                    % {"days": policy.max_claim_age_days}
                ]
            }
        )
    hours = _hours(started_at, ended_at)
    unit = policy.min_unit_hours
    if unit > 0 and hours % unit != 0:
        raise ValidationError(
            {
                "ended_at": [
                    _("Hours are claimed in units of %(unit)s h; this service lasts %(hours)s h.")
                    % {"unit": unit, "hours": round(hours, 2)}
                ]
            }
        )
    others = ServiceLog.objects.filter(volunteer=volunteer).exclude(status=ClaimStatus.REJECTED)
    if others.filter(started_at__lt=ended_at, ended_at__gt=started_at).exists():
        raise ValidationError(
            {"started_at": [_("This time overlaps another of the volunteer's claims.")]}
        )
    day = timezone.localtime(started_at).date()
    day_start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    day_end = day_start + datetime.timedelta(days=1)
    claimed = others.filter(started_at__gte=day_start, started_at__lt=day_end).aggregate(
        s=Sum("hours")
    )["s"] or Decimal("0")
    if claimed + hours > policy.max_hours_per_day:
        raise ValidationError(
            {
                "ended_at": [
                    _(
                        "At most %(max)s hours may be claimed a day; %(claimed)s h are already "
                        "claimed on that day."
                    )
                    % {"max": policy.max_hours_per_day, "claimed": claimed}
                ]
            }
        )
    return hours.quantize(Decimal("0.1"))


def _replayed_claim(existing: ServiceLog, *, by: User, sent: dict) -> ServiceLog:
    return replayed(existing, by=by, sender_id=existing.entered_by_id, sent=sent)


@transaction.atomic
def claim_submit(
    *,
    by: User,
    volunteer: Volunteer,
    senior: Senior,
    service_type: str,
    started_at: datetime.datetime,
    ended_at: datetime.datetime,
    notes: str = "",
    client_uuid: uuid.UUID | None = None,
    from_paper: bool = False,
) -> tuple[ServiceLog, bool]:
    """Submit a claim; returns ``(claim, created)``.

    A volunteer claims for themselves; an assistant, township staff or the bureau may enter a
    claim from a volunteer's paper passbook (``from_paper``) for a volunteer of their region.
    The same ``client_uuid`` sent again (a phone retrying) returns the first claim, to the user
    who sent it with the same content (``eldercare.idempotency``; anything else is refused).
    """
    if timezone.is_naive(started_at):
        started_at = timezone.make_aware(started_at)
    if timezone.is_naive(ended_at):
        ended_at = timezone.make_aware(ended_at)
    sent = {
        "volunteer_id": volunteer.pk,
        "senior_id": senior.pk,
        "service_type": service_type,
        "started_at": started_at,
        "ended_at": ended_at,
        "notes": notes.strip(),
        "from_paper": from_paper,
    }
    if client_uuid is not None:
        existing = ServiceLog.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return _replayed_claim(existing, by=by, sent=sent), False
    if from_paper:
        if not rules.can_decide_claims(by) or not can_see_region_code(by, volunteer.village_id):
            raise PermissionDenied(
                _("Only an assistant or staff of the volunteer's village enters paper records.")
            )
    elif _own_volunteer_id(by) != volunteer.pk:
        raise PermissionDenied(_("A volunteer may only claim their own services."))
    if service_type not in ServiceType.values:
        raise ValidationError({"service_type": [_("Unknown service.")]})
    if senior.status != Status.ACTIVE or not can_see_region_code(by, senior.village_id):
        raise ValidationError({"senior": [_("No such senior in your region.")]})
    # Lock the volunteer: their concurrent submissions are checked one after the other.
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    today = timezone.localdate()
    if volunteer.left_on is not None and volunteer.left_on <= today:
        raise ValidationError({"volunteer": [_("This volunteer has left.")]})
    if client_uuid is not None:
        existing = ServiceLog.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return _replayed_claim(existing, by=by, sent=sent), False
    hours = _check_rules(
        policy=Policy.current(), volunteer=volunteer, started_at=started_at, ended_at=ended_at
    )
    claim = ServiceLog(
        volunteer=volunteer,
        senior=senior,
        service_type=service_type,
        started_at=started_at,
        ended_at=ended_at,
        hours=hours,
        notes=notes.strip(),
        client_uuid=client_uuid,
        from_paper=from_paper,
        entered_by=by,
    )
    claim._history_user = by
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        existing = (
            ServiceLog.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        )
        if existing is None:
            raise
        return _replayed_claim(existing, by=by, sent=sent), False
    return claim, True


def _lock_for_decision(*, by: User, claim: ServiceLog) -> ServiceLog:
    if not rules.can_verify_claim(by, claim):
        if claim.volunteer.user_id is not None and claim.volunteer.user_id == by.pk:
            raise PermissionDenied(_("A volunteer cannot decide their own claim."))
        raise PermissionDenied(_("Only an assistant or staff of the senior's village decides."))
    return (
        ServiceLog.objects.select_for_update()
        .select_related("volunteer", "senior")
        .get(pk=claim.pk)
    )


def _already_decided(claim: ServiceLog, wanted: str) -> ServiceLog:
    """A second click that asks for the decision already made answers with the claim; asking
    for the other decision is refused."""
    if claim.status == wanted:
        return claim
    raise ValidationError(
        {
            "status": [
                _("This claim was already decided: %(status)s.")
                % {"status": claim.get_status_display()}
            ]
        }
    )


@transaction.atomic
def claim_verify(*, by: User, claim: ServiceLog) -> ServiceLog:
    """Verify a submitted claim: one visit to the senior and one credit of the hours
    (reference ``servicelog:<id>``), however many verifiers click at the same moment. The claim
    row is locked, so the second verifier waits and then finds the claim verified."""
    claim = _lock_for_decision(by=by, claim=claim)
    if claim.status != ClaimStatus.SUBMITTED:
        return _already_decided(claim, ClaimStatus.VERIFIED)
    volunteer = claim.volunteer
    visit, _created = visit_record(
        by=by,
        senior=claim.senior,
        visited_at=claim.started_at,
        service_type=claim.service_type,
        client_uuid=claim_visit_uuid(claim),
        visitor=volunteer.user,
        visitor_name=volunteer.name,
        notes=claim.notes,
    )
    account = ledger.account_for(volunteer)
    movement = ledger.post_movement(
        kind=MovementKind.EARN,
        source=ledger.system_account("earning"),
        target=account,
        hours=claim.hours,
        by=by,
        memo=_("Service to %(senior)s") % {"senior": claim.senior.name},
        reference=f"servicelog:{claim.pk}",
    )
    apply_storage_cap(by=by, account=account)
    claim.status = ClaimStatus.VERIFIED
    claim.visit = visit
    claim.movement = movement
    claim.decided_by = by
    claim.decided_at = timezone.now()
    claim._history_user = by
    claim.save()
    return claim


@transaction.atomic
def claim_reject(*, by: User, claim: ServiceLog, reason: str) -> ServiceLog:
    """Reject a submitted claim with a reason; nothing is credited and no visit is made."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for rejecting the claim.")]})
    claim = _lock_for_decision(by=by, claim=claim)
    if claim.status != ClaimStatus.SUBMITTED:
        return _already_decided(claim, ClaimStatus.REJECTED)
    claim.status = ClaimStatus.REJECTED
    claim.reject_reason = reason[:200]
    claim.decided_by = by
    claim.decided_at = timezone.now()
    claim._history_user = by
    claim.save()
    return claim
