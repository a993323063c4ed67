"""Reads on the facility network: figures of each facility on a day, set-based.

``with_figures(queryset, on)`` annotates every facility of a queryset with its beds, residents,
staff and certified caregivers on ``on`` in one query (correlated counts), however many
facilities there are; the ratios the plan asks for are derived from those counts.
"""

from __future__ import annotations

import datetime
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
    Kind,
    OperatingFund,
    Placement,
    PlacementKind,
    QualityCheck,
    StaffMember,
    StaffRole,
    TrainingAttendance,
)

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
