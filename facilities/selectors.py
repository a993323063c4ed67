"""Reads on the facility network: figures of each facility on a day, set-based.

``with_figures(queryset, on)`` annotates every facility of a queryset with its beds, residents,
staff and certified caregivers on ``on`` in one query (correlated counts), however many
facilities there are; the ratios the plan asks for are derived from those counts.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from facilities.models import (
    MANAGEMENT_AND_SERVICE_ROLES,
    SERVICE_ROLES,
    Bed,
    BedKind,
    Certificate,
    Facility,
    Kind,
    OperatingFund,
    Placement,
    PlacementKind,
    QualityCheck,
    StaffMember,
    StaffRole,
    TrainingAttendance,
    UpgradeProject,
)
from seniors.models import Senior

# plan 二(五): care centres at least 1 service staff per 3 residents; nursing homes at least
# 1 management or service staff per 10 residents. 二(一): nursing-type beds ≥ 80 % in care centres.
STAFF_RATIO = {Kind.CARE_CENTRE: 3, Kind.NURSING_HOME: 10}
NURSING_BED_SHARE = Decimal("0.8")
# 三(三): operating funds at least 15 % of the residents' annual basic living allowance.
OPERATING_FUNDS_SHARE = Decimal("0.15")


def funds_share(fund) -> Decimal | None:
    """Operating funds as a share of the residents' annual basic living allowance."""
    return _share_decimal(fund.operating_funds, fund.residents_basic_allowance)


def meets_funds_rule(fund) -> bool | None:
    share = funds_share(fund)
    return None if share is None else share >= OPERATING_FUNDS_SHARE


def _count(queryset: QuerySet) -> Coalesce:
    counted = (
        queryset.filter(facility=OuterRef("pk"))
        .order_by()
        .values("facility")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_figures(queryset: QuerySet, on: datetime.date) -> QuerySet:
    beds = Bed.objects.in_use_on(on)
    residents = Placement.objects.exclude(kind=PlacementKind.DAY_CARE).open_on(on)
    staff = StaffMember.objects.working_on(on)
    caregivers = staff.filter(role=StaffRole.CAREGIVER)
    # 二(十) 持证上岗: a certificate valid on the day (issued, not expired)
    certified = caregivers.filter(
        Exists(Certificate.objects.valid_on(on).filter(staff=OuterRef("pk")))
    )
    return queryset.annotate(
        beds_count=_count(beds),
        nursing_beds_count=_count(beds.filter(kind=BedKind.NURSING)),
        residents_count=_count(residents),
        day_care_count=_count(Placement.objects.filter(kind=PlacementKind.DAY_CARE).open_on(on)),
        service_staff_count=_count(staff.filter(role__in=SERVICE_ROLES)),
        management_and_service_staff_count=_count(
            staff.filter(role__in=MANAGEMENT_AND_SERVICE_ROLES)
        ),
        caregivers_count=_count(caregivers),
        certified_caregivers_count=_count(certified),
    )


@dataclass(frozen=True)
class Figures:
    """A facility's figures on a day, and the plan's ratios derived from them."""

    kind: str
    beds: int
    nursing_beds: int
    residents: int
    service_staff: int
    management_and_service_staff: int
    caregivers: int
    certified_caregivers: int

    @property
    def occupancy(self) -> Decimal | None:
        return _share(self.residents, self.beds)

    @property
    def nursing_bed_ratio(self) -> Decimal | None:
        return _share(self.nursing_beds, self.beds)

    @property
    def counted_staff(self) -> int:
        """The staff the plan's ratio counts for this kind of facility."""
        if self.kind == Kind.CARE_CENTRE:
            return self.service_staff
        return self.management_and_service_staff

    @property
    def residents_per_staff(self) -> Decimal | None:
        return _share(self.residents, self.counted_staff)

    @property
    def meets_staffing(self) -> bool | None:
        """1:3 for care centres, 1:10 for nursing homes; None where the plan sets no ratio or
        nobody stays to be cared for."""
        ratio = STAFF_RATIO.get(self.kind)
        if ratio is None or self.residents == 0:
            return None
        return self.counted_staff * ratio >= self.residents

    @property
    def meets_nursing_beds(self) -> bool | None:
        if self.kind != Kind.CARE_CENTRE:
            return None
        return self.beds > 0 and self.nursing_beds >= NURSING_BED_SHARE * self.beds

    @property
    def caregivers_all_certified(self) -> bool:
        return self.certified_caregivers == self.caregivers


def _share(part: int, whole: int) -> Decimal | None:
    return _share_decimal(Decimal(part), Decimal(whole))


def _share_decimal(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001"))


def figures_of(facility) -> Figures:
    """The figures of a facility fetched through ``with_figures``."""
    return Figures(
        kind=facility.kind,
        beds=facility.beds_count,
        nursing_beds=facility.nursing_beds_count,
        residents=facility.residents_count,
        service_staff=facility.service_staff_count,
        management_and_service_staff=facility.management_and_service_staff_count,
        caregivers=facility.caregivers_count,
        certified_caregivers=facility.certified_caregivers_count,
    )


def trained_people(*, kind: str, on: datetime.date, region_prefix: str = "") -> int:
    """People trained by ``on`` in sessions of ``kind``: distinct ID numbers, so a person
    trained twice counts once (二(十): 50 directors, 300 caregivers)."""
    return (
        TrainingAttendance.objects.filter(
            session__kind=kind,
            session__held_on__lte=on,
            session__region__code__startswith=region_prefix,
            passed=True,
        )
        .values("id_number")
        .distinct()
        .count()
    )


def points_serving(facilities: QuerySet, *, village_code: str) -> list:
    """The mutual-aid points and service centres of a village, then those elsewhere that
    serve it."""
    points = facilities.filter(kind__in=[Kind.MUTUAL_AID_POINT, Kind.SERVICE_CENTRE])
    return list(points.filter(region_id=village_code)) + list(
        points.filter(served_regions=village_code).exclude(region_id=village_code)
    )


def below_ratios(facilities: QuerySet, *, region_prefix: str, on: datetime.date) -> list:
    """Care centres and nursing homes under ``region_prefix`` operating on ``on`` that miss
    the staffing (二(五)) or the nursing-bed ratio (二(一)): ``[(facility, Figures)]``."""
    operating = (
        facilities.operating_on(on)
        .filter(
            region__code__startswith=region_prefix,
            kind__in=[Kind.CARE_CENTRE, Kind.NURSING_HOME],
        )
        .select_related("region")
    )
    rows = [(facility, figures_of(facility)) for facility in with_figures(operating, on)]
    return [
        (facility, figures)
        for facility, figures in rows
        if figures.meets_staffing is False or figures.meets_nursing_beds is False
    ]


# --- what falls due ------------------------------------------------------------------------
# Institutions checked against 《养老机构服务质量基本规范》 (plan 三(三): care centres ≥ 90 %,
# nursing homes and service centres ≥ 65 % meeting it): a check a year keeps each one known.
QUALITY_CHECKED_KINDS = (Kind.CARE_CENTRE, Kind.NURSING_HOME, Kind.SERVICE_CENTRE)
QUALITY_CHECK_EVERY_DAYS = 365
# Institutions whose yearly operating funds the bureau sets (三(三) 15 % rule): one row a year.
FUNDED_KINDS = (Kind.CARE_CENTRE, Kind.NURSING_HOME)


def certificates_expiring(queryset: QuerySet, on: datetime.date, *, within_days: int) -> QuerySet:
    """Certificates of staff still employed on ``on`` that expire within ``within_days`` days
    (or have expired in the last month and not been renewed), soonest first."""
    renewed = Certificate.objects.filter(
        staff=OuterRef("staff"), level=OuterRef("level"), issued_on__gt=OuterRef("issued_on")
    )
    return (
        queryset.filter(
            expires_on__gte=on - datetime.timedelta(days=30),
            expires_on__lte=on + datetime.timedelta(days=within_days),
            staff__ended_on__isnull=True,
        )
        .exclude(Exists(renewed))
        .order_by("expires_on", "id")
    )


def quality_check_due(queryset: QuerySet, on: datetime.date) -> QuerySet:
    """Operating institutions of the checked kinds with no quality check in the last year,
    annotated with ``last_checked_on`` (None: never checked); longest waiting first."""
    latest = QualityCheck.objects.filter(facility=OuterRef("pk"), checked_on__lte=on).order_by(
        "-checked_on"
    )
    since = on - datetime.timedelta(days=QUALITY_CHECK_EVERY_DAYS)
    return (
        queryset.operating_on(on)
        .filter(kind__in=QUALITY_CHECKED_KINDS)
        .annotate(last_checked_on=Subquery(latest.values("checked_on")[:1]))
        .filter(Q(last_checked_on__isnull=True) | Q(last_checked_on__lte=since))
        .order_by(F("last_checked_on").asc(nulls_first=True), "name")
    )


def funds_report_missing(queryset: QuerySet, on: datetime.date) -> QuerySet:
    """Care centres and nursing homes operating on ``on`` without their operating-funds row
    for that year (未填报)."""
    filed = OperatingFund.objects.filter(facility=OuterRef("pk"), year=on.year)
    return (
        queryset.operating_on(on)
        .filter(kind__in=FUNDED_KINDS)
        .exclude(Exists(filed))
        .order_by("name")
    )


# --- the page of one facility --------------------------------------------------------------


def _ended(day: datetime.date | None, on: datetime.date) -> bool:
    return day is not None and day <= on


def facility_beds(facility: Facility, on: datetime.date) -> tuple[list[Bed], list[Bed]]:
    """The facility's beds in use on ``on`` and the others (not yet in use, or retired), each
    with ``occupant``: the name of the senior in it, if any."""
    occupant = Placement.objects.filter(bed=OuterRef("pk"), discharged_on__isnull=True)
    beds = list(facility.beds.annotate(occupant=Subquery(occupant.values("senior__name")[:1])))
    in_use = [b for b in beds if b.in_use_from <= on and not _ended(b.retired_on, on)]
    return in_use, [b for b in beds if b not in in_use]


def facility_residents(facility: Facility, on: datetime.date) -> list[Placement]:
    """The stays open on ``on``, by bed."""
    return list(
        facility.placements.open_on(on)
        .select_related("senior__village", "bed")
        .order_by("bed__label", "admitted_on")
    )


def facility_discharges(facility: Facility, on: datetime.date, *, limit: int) -> list[Placement]:
    """The latest ``limit`` discharges up to ``on``, newest first."""
    return list(
        facility.placements.filter(discharged_on__lte=on)
        .select_related("senior")
        .order_by("-discharged_on", "-id")[:limit]
    )


def certificate_state(certificate: Certificate, on: datetime.date) -> str:
    """``not_yet`` (issued later), ``expired`` or ``valid`` on ``on``."""
    if certificate.issued_on > on:
        return "not_yet"
    if certificate.expires_on is not None and certificate.expires_on < on:
        return "expired"
    return "valid"


def facility_staff(
    facility: Facility, on: datetime.date
) -> tuple[list[StaffMember], list[StaffMember]]:
    """The current and the former staff on ``on``, by role and name, each with ``certs``
    (their certificates, each with its ``state`` on ``on``)."""
    staff = list(facility.staff.prefetch_related("certificates").order_by("role", "name"))
    for member in staff:
        member.certs = list(member.certificates.all())
        for certificate in member.certs:
            certificate.state = certificate_state(certificate, on)
    current = [m for m in staff if not _ended(m.ended_on, on)]
    return current, [m for m in staff if _ended(m.ended_on, on)]


def facility_projects(facility: Facility) -> list[UpgradeProject]:
    """The facility's upgrade projects, each with ``funding_rows``, ``funding_total``,
    ``indicators_met`` and ``indicators_checked``."""
    projects = list(facility.projects.prefetch_related("funding", "milestones", "indicator_checks"))
    for project in projects:
        project.funding_rows = list(project.funding.all())
        project.funding_total = sum((row.amount for row in project.funding_rows), Decimal(0))
        checks = list(project.indicator_checks.all())
        project.indicators_met = sum(1 for check in checks if check.met)
        project.indicators_checked = len(checks)
    return projects


# The records whose history the facility's page shows, and how each finds the facility's rows.
HISTORY_SOURCES = (
    (Facility, "id"),
    (Bed, "facility_id"),
    (Placement, "facility_id"),
    (StaffMember, "facility_id"),
    (Certificate, "staff_id__in"),
    (QualityCheck, "facility_id"),
    (OperatingFund, "facility_id"),
    (UpgradeProject, "facility_id"),
)
HIDDEN_HISTORY_FIELDS = {"updated_at", "created_at"}


def _history_name(model, record, senior_names: dict[int, str]) -> str:
    if model is Facility:
        return ""
    if model is Bed:
        return record.label
    if model is Placement:
        return senior_names.get(record.senior_id, "")
    if model is StaffMember:
        return record.name
    if model is Certificate:
        return record.number
    if model is QualityCheck:
        return record.checked_on.isoformat()
    if model is OperatingFund:
        return str(record.year)
    return record.title


def facility_changes(facility: Facility, *, limit: int) -> list[dict]:
    """Who changed what, newest first, at most ``limit``: the facility's record and its
    ledgers (beds, stays, staff, certificates, checks, funds, projects), from
    django-simple-history. Two queries per kind of record, whatever the history's length."""
    staff_ids = StaffMember.objects.filter(facility=facility).values("pk")
    records = []
    for model, lookup in HISTORY_SOURCES:
        value = staff_ids if lookup == "staff_id__in" else facility.pk
        newest = model.history.filter(**{lookup: value}).select_related("history_user")
        records += [
            (model, record) for record in newest.order_by("-history_date", "-history_id")[:limit]
        ]
    records.sort(key=lambda item: (item[1].history_date, item[1].history_id), reverse=True)
    records = records[:limit]

    # the version before each change, to say which fields it changed
    previous: dict[tuple, object] = {}
    for model, group in itertools.groupby(
        sorted(records, key=lambda item: item[0].__name__), key=lambda item: item[0]
    ):
        changed_ids = {record.id for _model, record in group if record.history_type == "~"}
        if not changed_ids:
            continue
        versions = model.history.filter(id__in=changed_ids).order_by(
            "id", "history_date", "history_id"
        )
        for older, newer in itertools.pairwise(versions):
            if older.id == newer.id:
                previous[(model, newer.history_id)] = older

    senior_ids = {record.senior_id for model, record in records if model is Placement}
    senior_names = dict(Senior.objects.filter(pk__in=senior_ids).values_list("pk", "name"))
    changes = []
    for model, record in records:
        fields = []
        older = previous.get((model, record.history_id))
        if older is not None:
            fields = [
                model._meta.get_field(change.field).verbose_name
                for change in record.diff_against(older).changes
                if change.field not in HIDDEN_HISTORY_FIELDS
            ]
        changes.append(
            {
                "record": record,
                "what": model._meta.verbose_name,
                "name": _history_name(model, record, senior_names),
                "fields": fields,
                "is_facility": model is Facility,
            }
        )
    return changes
