"""Writes on the facility network. API, pages, admin and the demo generator all call these,
so the rules (bed limit, one stay at a time, dates in order) hold whichever way a change
comes in. Each raises ``django.core.exceptions.ValidationError`` with field → messages; the
caller has already checked that ``by`` may see the facility (the region scope)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from eldercare.records import editable_fields, row_save
from facilities import rules
from facilities.models import (
    RESIDENTIAL_KINDS,
    BasicIndicator,
    Bed,
    Certificate,
    Facility,
    FundingSource,
    IndicatorCheck,
    Kind,
    Milestone,
    OperatingFund,
    Placement,
    PlacementKind,
    ProjectFunding,
    ProjectStatus,
    QualityCheck,
    StaffMember,
    Status,
    TrainingAttendance,
    TrainingKind,
    TrainingSession,
    UpgradeProject,
)
from regions.models import Level
from regions.scoping import can_see_region_code
from seniors.idnumber import normalise, parse_id_number
from seniors.models import Senior
from seniors.models import Status as SeniorStatus


def _today() -> datetime.date:
    return timezone.localdate()


def _not_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > _today():
        raise ValidationError({field: [_("This date is in the future.")]})


def _first_shortfall(
    facility: Facility,
    day: datetime.date,
    *,
    more_residents: int = 0,
    without_bed: Bed | None = None,
) -> tuple[datetime.date, int, int] | None:
    """The first day from ``day`` on when the facility would have more residents than beds in
    service — with ``more_residents`` more from ``day`` on, or without ``without_bed`` — as
    ``(day, residents, beds)``; ``None`` if beds in service ≥ residents holds every day.

    A stay needs a bed whether or not it names one, so the count is of residents, not of
    named beds. Residents only arrive on an admission day and beds only leave on a retirement
    day, so those days (and ``day``) are the ones to check. Two queries; the caller holds the
    facility row locked."""
    beds = Bed.objects.filter(facility=facility).exclude(retired_on__lte=day)
    if without_bed is not None:
        beds = beds.exclude(pk=without_bed.pk)
    bed_spans = list(beds.values_list("in_use_from", "retired_on"))
    stays = list(
        Placement.objects.filter(facility=facility)
        .exclude(kind=PlacementKind.DAY_CARE)
        .exclude(discharged_on__lte=day)
        .values_list("admitted_on", "discharged_on")
    )
    days = {day} | {start for start, _end in stays if start > day}
    days |= {end for _start, end in bed_spans if end is not None and end > day}
    for point in sorted(days):
        in_service = sum(
            1 for start, end in bed_spans if start <= point and not (end and end <= point)
        )
        staying = more_residents + sum(
            1 for start, end in stays if start <= point and not (end and end <= point)
        )
        if staying > in_service:
            return point, staying, in_service
    return None


@transaction.atomic
def placement_admit(
    *,
    by: User,
    senior: Senior,
    facility: Facility,
    admitted_on: datetime.date,
    kind: str = PlacementKind.RESIDENTIAL,
    bed: Bed | None = None,
    admission_reason: str = "",
) -> Placement:
    """Admit a senior to a facility.

    A senior has at most one open placement (also enforced by a partial unique index); a
    facility takes no more residents than it has beds in use (checked with the facility row
    locked, so two admissions at the same moment cannot both take the last bed)."""
    _not_future(admitted_on, "admitted_on")
    if kind not in PlacementKind.values:
        raise ValidationError({"kind": [_("Unknown kind of placement.")]})
    # Lock the facility first, then the senior: every admission takes the locks in this order.
    facility = Facility.objects.select_for_update().get(pk=facility.pk)
    senior = Senior.objects.select_for_update().get(pk=senior.pk)
    if facility.kind not in RESIDENTIAL_KINDS:
        raise ValidationError({"facility": [_("A village point takes no residents.")]})
    if (
        facility.status != Status.OPERATING
        or facility.opened_on is None
        or (facility.opened_on > admitted_on)
    ):
        raise ValidationError(
            {"facility": [_("%(name)s is not in operation on that day.") % {"name": facility.name}]}
        )
    if senior.status != SeniorStatus.ACTIVE:
        raise ValidationError(
            {"senior": [_("%(name)s is not active in the ledger.") % {"name": senior.name}]}
        )
    if admitted_on < senior.birth_date:
        raise ValidationError({"admitted_on": [_("This date is before the person's birth.")]})
    current = Placement.objects.filter(senior=senior, discharged_on__isnull=True).first()
    if current is not None:
        raise ValidationError(
            {
                "senior": [
                    _("%(name)s already stays at %(facility)s since %(since)s: discharge first.")
                    % {
                        "name": senior.name,
                        "facility": current.facility.name,
                        "since": current.admitted_on,
                    }
                ]
            }
        )
    if bed is not None:
        if bed.facility_id != facility.pk:
            raise ValidationError({"bed": [_("This bed belongs to another facility.")]})
        if bed.in_use_from > admitted_on or (bed.retired_on and bed.retired_on <= admitted_on):
            raise ValidationError({"bed": [_("This bed is not in use on that day.")]})
        if Placement.objects.filter(bed=bed, discharged_on__isnull=True).exists():
            raise ValidationError({"bed": [_("This bed is taken.")]})
    if kind != PlacementKind.DAY_CARE:
        # with or without a named bed, a resident takes one of the beds in service, on the
        # day of admission and on every day after it (a backdated admission included)
        short = _first_shortfall(facility, admitted_on, more_residents=1)
        if short is not None and short[0] == admitted_on:
            raise ValidationError(
                {
                    "facility": [
                        _("%(name)s is full: %(residents)d residents in %(beds)d beds.")
                        % {"name": facility.name, "residents": short[1] - 1, "beds": short[2]}
                    ]
                }
            )
        if short is not None:
            raise ValidationError(
                {
                    "admitted_on": [
                        _(
                            "%(name)s would have %(residents)d residents in %(beds)d beds on "
                            "%(day)s: add a bed first."
                        )
                        % {
                            "name": facility.name,
                            "residents": short[1],
                            "beds": short[2],
                            "day": short[0],
                        }
                    ]
                }
            )
    placement = Placement(
        senior=senior,
        facility=facility,
        bed=bed,
        kind=kind,
        admitted_on=admitted_on,
        admission_reason=admission_reason.strip(),
    )
    placement._history_user = by
    try:
        with transaction.atomic():
            placement.save()
    except IntegrityError:
        raise ValidationError(
            {"senior": [_("%(name)s was just admitted elsewhere.") % {"name": senior.name}]}
        ) from None
    return placement


@transaction.atomic
def placement_discharge(
    *, by: User, placement: Placement, discharged_on: datetime.date, reason: str = ""
) -> Placement:
    """End a stay. A discharge is a date, never a deletion: reports of earlier days still
    count the stay."""
    _not_future(discharged_on, "discharged_on")
    locked = Placement.objects.select_for_update().get(pk=placement.pk)
    if locked.discharged_on is not None:
        raise ValidationError(
            {
                "discharged_on": [
                    _("This stay ended on %(day)s already.") % {"day": locked.discharged_on}
                ]
            }
        )
    if discharged_on < locked.admitted_on:
        raise ValidationError({"discharged_on": [_("A stay cannot end before it began.")]})
    locked.discharged_on = discharged_on
    locked.discharge_reason = reason.strip()
    locked._history_user = by
    locked.save()
    return locked


@transaction.atomic
def staff_add(*, by: User, facility: Facility, **fields: Any) -> StaffMember:
    """Add a person to a facility's staff; an ID number, when given, must be valid."""
    errors: dict[str, list[str]] = {}
    if fields.get("id_number"):
        try:
            fields["id_number"] = parse_id_number(fields["id_number"]).number
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    if not (fields.get("name") or "").strip():
        errors["name"] = [_("Enter the person's name.")]
    started_on = fields.get("started_on")
    if started_on is None:
        errors["started_on"] = [_("This field is required.")]
    elif started_on > _today():
        errors["started_on"] = [_("This date is in the future.")]
    ended_on = fields.get("ended_on")
    if ended_on is not None and started_on is not None and ended_on < started_on:
        errors["ended_on"] = [_("Cannot leave before starting.")]
    elif ended_on is not None and ended_on > _today():
        errors["ended_on"] = [_("This date is in the future.")]
    if errors:
        raise ValidationError(errors)
    member = StaffMember(facility=facility, **fields)
    member._history_user = by
    member.save()
    return member


@transaction.atomic
def training_session_create(
    *,
    by: User,
    kind: str,
    title: str,
    held_on: datetime.date,
    organiser: str,
    hours,
    region,
) -> TrainingSession:
    """A training course for directors or caregivers (二(十)), held for the district or a
    township the user works in."""
    errors: dict[str, list[str]] = {}
    if kind not in TrainingKind.values:
        errors["kind"] = [_("Unknown kind of training.")]
    if not title.strip():
        errors["title"] = [_("Enter a name.")]
    _maybe_future(errors, held_on, "held_on")
    if hours is None or hours <= 0:
        errors["hours"] = [_("Give the hours of the course.")]
    if (
        region is None
        or region.level not in (Level.DISTRICT, Level.TOWNSHIP)
        or not (can_see_region_code(by, region.code))
    ):
        errors["region"] = [_("Choose the district or a township in your area.")]
    if errors:
        raise ValidationError(errors)
    session = TrainingSession(
        kind=kind, title=title.strip(), held_on=held_on, organiser=organiser.strip(),
        hours=hours, region=region,
    )  # fmt: skip
    session._history_user = by
    session.save()
    return session


@transaction.atomic
def training_attend(
    *,
    by: User,
    session: TrainingSession,
    name: str,
    id_number: str,
    staff: StaffMember | None = None,
) -> tuple[TrainingAttendance, bool]:
    """Record that a person attended a session; returns ``(attendance, created)``. The same
    person entered twice for one session is stored once; across sessions the counts use
    distinct ID numbers, so a person trained twice counts once toward the plan's numbers."""
    try:
        number = parse_id_number(id_number).number
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    existing = TrainingAttendance.objects.filter(session=session, id_number=number).first()
    if existing is not None:
        return existing, False
    attendance = TrainingAttendance(
        session=session, name=name.strip(), id_number=number, staff=staff
    )
    attendance._history_user = by
    try:
        with transaction.atomic():
            attendance.save()
    except IntegrityError:
        return TrainingAttendance.objects.get(session=session, id_number=normalise(number)), False
    return attendance, True


# --- facilities ---------------------------------------------------------------------------

FACILITY_FIELDS = {
    f.name
    for f in Facility._meta.get_fields()
    if getattr(f, "concrete", False)
    and not f.auto_created
    and not f.many_to_many
    and f.name not in {"id", "created_at", "updated_at"}
}
STOPPED = {Status.SUSPENDED, Status.CLOSED, Status.MERGED}


def _facility_errors(*, by: User, facility: Facility) -> dict[str, list[str]]:

    errors: dict[str, list[str]] = {}
    region = facility.region if facility.region_id else None
    if region is None or not can_see_region_code(by, region.code):
        errors["region"] = [_("No such region in your area.")]
    elif facility.kind == Kind.MUTUAL_AID_POINT and region.level != Level.VILLAGE:
        errors["region"] = [_("A village point sits in a village.")]
    elif facility.kind != Kind.MUTUAL_AID_POINT and region.level not in (
        Level.TOWNSHIP,
        Level.VILLAGE,
        Level.DISTRICT,
    ):
        errors["region"] = [_("Choose the township or village the facility sits in.")]
    if not (facility.name or "").strip():
        errors["name"] = [_("Enter a name.")]
    for field in ("status_on", "opened_on", "legal_person_registered_on", "filed_on",
                  "run_by_institution_since"):  # fmt: skip
        _maybe_future(errors, getattr(facility, field), field)
    if facility.status == Status.OPERATING and facility.opened_on is None:
        errors.setdefault("opened_on", []).append(
            _("An operating facility needs the day it opened.")
        )
    if facility.status in STOPPED and facility.status_on is None:
        errors.setdefault("status_on", []).append(_("Give the day of this status."))
    if facility.floor_area is not None and facility.floor_area <= 0:
        errors["floor_area"] = [_("The floor area must be positive.")]
    lead = facility.lead_centre
    if lead is not None:
        if facility.kind != Kind.MUTUAL_AID_POINT or lead.kind != Kind.SERVICE_CENTRE:
            errors["lead_centre"] = [_("A township service centre leads village points.")]
        elif region is not None and not region.code.startswith(lead.region.prefix[:9]):
            errors["lead_centre"] = [_("The leading centre is in another township.")]
    return errors


def _maybe_future(errors: dict, day: datetime.date | None, field: str) -> None:
    if day is not None and day > _today():
        errors.setdefault(field, []).append(_("This date is in the future."))


def facility_save(
    *,
    by: User,
    facility: Facility | None = None,
    served_regions=None,
    operators=None,
    **fields: Any,
) -> Facility:
    """Create a facility (``facility=None``) or change one. Facilities are never deleted:
    a closed or merged one keeps its status with the day it happened. ``operators`` are the
    accounts (role facility operator) that keep this facility current."""
    unknown = set(fields) - FACILITY_FIELDS
    if unknown:
        raise TypeError(f"not facility fields: {sorted(unknown)}")
    with transaction.atomic():
        if facility is None:
            target = Facility()
        else:
            target = Facility.objects.select_for_update().get(pk=facility.pk)
        changed = target.pk is None
        for name, value in fields.items():
            value = value.strip() if isinstance(value, str) else value
            changed = changed or getattr(target, name) != value
            setattr(target, name, value)
        errors = _facility_errors(by=by, facility=target)
        if errors:
            raise ValidationError(errors)
        target._history_user = by
        if changed:  # a change of served regions or operators alone is no change of the row
            target.save()
        if served_regions is not None:
            target.served_regions.set(served_regions)
        if operators is not None:
            wrong = [u.username for u in operators if not rules.may_run_a_facility(u)]
            if wrong:
                raise ValidationError(
                    {
                        "operators": [
                            _("Not facility operator accounts: %(names)s.")
                            % {"names": ", ".join(wrong)}
                        ]
                    }
                )
            target.operators.set(operators)
    return target


@transaction.atomic
def bed_add(
    *, by: User, facility: Facility, label: str, kind: str, in_use_from: datetime.date
) -> Bed:
    if facility.kind not in RESIDENTIAL_KINDS:
        raise ValidationError({"facility": [_("A village point has no beds.")]})
    _not_future(in_use_from, "in_use_from")
    taken = ValidationError({"label": [_("This facility has a bed with this label.")]})
    if Bed.objects.filter(facility=facility, label=label.strip()).exists():
        raise taken
    bed = Bed(facility=facility, label=label.strip(), kind=kind, in_use_from=in_use_from)
    bed._history_user = by
    try:
        with transaction.atomic():
            bed.save()
    except IntegrityError:  # the same label added by someone else at the same moment
        raise taken from None
    return bed


@transaction.atomic
def bed_retire(*, by: User, bed: Bed, retired_on: datetime.date) -> Bed:
    """Take a bed out of service from ``retired_on``. Refused while someone sleeps in it, and
    when the facility would be left with more residents than beds in service on any day from
    then on (residents without a named bed need a bed too)."""
    _not_future(retired_on, "retired_on")
    # the facility's row first, as admissions lock it: a retirement and an admission at the
    # same moment cannot both take the last free bed
    facility = Facility.objects.select_for_update().get(pk=bed.facility_id)
    locked = Bed.objects.select_for_update().get(pk=bed.pk)
    if locked.retired_on is not None:
        raise ValidationError({"retired_on": [_("This bed is retired already.")]})
    if retired_on < locked.in_use_from:
        raise ValidationError({"retired_on": [_("A bed cannot retire before it was in use.")]})
    if Placement.objects.filter(bed=locked, discharged_on__isnull=True).exists():
        raise ValidationError({"retired_on": [_("Someone sleeps in this bed: move them first.")]})
    short = _first_shortfall(facility, retired_on, without_bed=locked)
    if short is not None:
        raise ValidationError(
            {
                "retired_on": [
                    _(
                        "Without this bed %(name)s would have %(residents)d residents in "
                        "%(beds)d beds on %(day)s: discharge a resident or add a bed first."
                    )
                    % {
                        "name": facility.name,
                        "residents": short[1],
                        "beds": short[2],
                        "day": short[0],
                    }
                ]
            }
        )
    locked.retired_on = retired_on
    locked._history_user = by
    locked.save()
    return locked


@transaction.atomic
def staff_end(*, by: User, member: StaffMember, ended_on: datetime.date) -> StaffMember:
    locked = StaffMember.objects.select_for_update().get(pk=member.pk)
    if locked.ended_on is not None:
        raise ValidationError({"ended_on": [_("This person left already.")]})
    if ended_on < locked.started_on:
        raise ValidationError({"ended_on": [_("Cannot leave before starting.")]})
    _not_future(ended_on, "ended_on")
    locked.ended_on = ended_on
    locked._history_user = by
    locked.save()
    return locked


@transaction.atomic
def certificate_add(
    *,
    by: User,
    member: StaffMember,
    number: str,
    level: str,
    issued_on: datetime.date,
    expires_on: datetime.date | None = None,
) -> Certificate:
    """Record a caregiver's certificate; the number is unique in the system."""
    _not_future(issued_on, "issued_on")
    if expires_on is not None and expires_on <= issued_on:
        raise ValidationError({"expires_on": [_("A certificate expires after it is issued.")]})
    if Certificate.objects.filter(number=number.strip()).exists():
        raise ValidationError({"number": [_("A certificate with this number is recorded.")]})
    certificate = Certificate(
        staff=member, number=number.strip(), level=level, issued_on=issued_on, expires_on=expires_on
    )
    certificate._history_user = by
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        raise ValidationError(
            {"number": [_("A certificate with this number is recorded.")]}
        ) from None
    return certificate


@transaction.atomic
def quality_check_record(
    *, by: User, facility: Facility, checked_on: datetime.date, passed: bool, inspector: str,
    note: str = "",
) -> QualityCheck:  # fmt: skip
    """A GB/T 35796 baseline check; the latest check on or before a day decides."""
    _not_future(checked_on, "checked_on")
    if not inspector.strip():
        raise ValidationError({"inspector": [_("Name the inspector.")]})
    check = QualityCheck(
        facility=facility, checked_on=checked_on, passed=passed, inspector=inspector.strip(),
        note=note.strip(),
    )  # fmt: skip
    check._history_user = by
    check.save()
    return check


def operating_fund_record(
    *, by: User, facility: Facility, year: int, operating_funds, residents_basic_allowance
) -> OperatingFund:
    """Set a year's operating funds (三(三): at least 15 % of the residents' annual basic
    living allowance); a second entry for the same year replaces the first, kept in history."""
    if facility.kind not in (Kind.NURSING_HOME, Kind.CARE_CENTRE):
        raise ValidationError(
            {"facility": [_("Operating funds are kept for nursing homes and care centres.")]}
        )
    if year < 2000 or year > _today().year:
        raise ValidationError({"year": [_("Give a year up to this one.")]})
    if operating_funds < 0 or residents_basic_allowance < 0:
        raise ValidationError({"operating_funds": [_("Amounts cannot be negative.")]})
    with transaction.atomic():
        fund = (
            OperatingFund.objects.select_for_update().filter(facility=facility, year=year).first()
        )
        if fund is None:
            fund = OperatingFund(facility=facility, year=year)
        fund.operating_funds = operating_funds
        fund.residents_basic_allowance = residents_basic_allowance
        fund._history_user = by
        try:
            with transaction.atomic():
                fund.save()
        except IntegrityError:  # the same year entered by someone else at the same moment
            raise ValidationError(
                {"year": [_("Funds for this year were just entered: reload and try again.")]}
            ) from None
    return fund


PROJECT_DONE = {ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED}


def project_save(
    *, by: User, project: UpgradeProject | None = None, funding: dict[str, Any] | None = None,
    **fields: Any,
) -> UpgradeProject:  # fmt: skip
    """Create or change an upgrade project; ``funding`` maps a source to its amount and
    replaces the project's funding rows (each change kept in history)."""
    with transaction.atomic():
        target = (
            UpgradeProject()
            if project is None
            else UpgradeProject.objects.select_for_update().get(pk=project.pk)
        )
        for name, value in fields.items():
            setattr(target, name, value.strip() if isinstance(value, str) else value)
        errors: dict[str, list[str]] = {}
        for field in ("started_on", "completed_on", "award_paid_on"):
            _maybe_future(errors, getattr(target, field), field)
        if target.status in PROJECT_DONE and target.completed_on is None:
            errors.setdefault("completed_on", []).append(_("A completed project needs its date."))
        if target.started_on and target.completed_on and target.completed_on < target.started_on:
            errors.setdefault("completed_on", []).append(_("It cannot end before it started."))
        if target.budget is not None and target.budget < 0:
            errors["budget"] = [_("Amounts cannot be negative.")]
        if target.award_paid_on and target.status not in PROJECT_DONE:
            errors["award_paid_on"] = [_("The award is paid after building (先建后补).")]
        if errors:
            raise ValidationError(errors)
        target._history_user = by
        target.save()
        if funding is not None:
            for source, amount in funding.items():
                if source not in FundingSource.values:
                    raise ValidationError({"funding": [_("Unknown funding source.")]})
                if amount is None or amount <= 0:
                    ProjectFunding.objects.filter(project=target, source=source).delete()
                    continue
                ProjectFunding.objects.update_or_create(
                    project=target, source=source, defaults={"amount": amount}
                )
    return target


@transaction.atomic
def milestone_record(
    *,
    by: User,
    project: UpgradeProject,
    name: str,
    planned_on: datetime.date | None = None,
    done_on: datetime.date | None = None,
    milestone: Milestone | None = None,
) -> Milestone:
    """Add a project milestone, or record when an existing one was planned or done."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Enter a name.")]
    _maybe_future(errors, done_on, "done_on")
    if errors:
        raise ValidationError(errors)
    target = milestone or Milestone(project=project)
    if target.project_id != project.pk:
        raise ValidationError({"milestone": [_("This milestone belongs to another project.")]})
    target.name, target.planned_on, target.done_on = name.strip(), planned_on, done_on
    target._history_user = by
    target.save()
    return target


def indicator_check_record(
    *,
    by: User,
    project: UpgradeProject,
    indicator: BasicIndicator,
    met: bool,
    checked_on: datetime.date,
    note: str = "",
) -> IndicatorCheck:
    """Record whether a finished project meets one of the upgrade basic indicators (二(二));
    checking the same indicator again replaces the result, the earlier one stays in history."""
    errors: dict[str, list[str]] = {}
    _maybe_future(errors, checked_on, "checked_on")
    if not indicator.active:
        errors["indicator"] = [_("This indicator is no longer in use.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        check = (
            IndicatorCheck.objects.select_for_update()
            .filter(project=project, indicator=indicator)
            .first()
        ) or IndicatorCheck(project=project, indicator=indicator)
        check.met, check.checked_on, check.note = met, checked_on, note.strip()
        check._history_user = by
        try:
            with transaction.atomic():
                check.save()
        except IntegrityError:
            raise ValidationError(
                {"indicator": [_("This indicator was just checked: reload and try again.")]}
            ) from None
    return check


BASIC_INDICATOR_FIELDS = editable_fields(BasicIndicator)


@transaction.atomic
def basic_indicator_save(
    *, by: User, indicator: BasicIndicator | None = None, **fields: Any
) -> BasicIndicator:
    """Add an item to the district's checklist of upgrade basic indicators (二(二)) or change
    one; an item no longer used is set inactive, never deleted (projects' checks name it)."""
    return row_save(
        BasicIndicator, by=by, row=indicator, fields=fields, allowed=BASIC_INDICATOR_FIELDS
    )
