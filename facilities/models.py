"""The three-tier facility network and what runs in it (plan 一(一), 一(三), 二(一)–二(五),
二(十), 三(二), 三(三)).

These models store facts with their dates, so that the coverage engine can compute every
target as of any day since the plan started: when a facility began operating, when a resident
was admitted and discharged, when a staff member started and left, when a certificate expires,
when a project was completed.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from eldercare.validators import BoundedTextField, PhoneField, PlausibleDateField
from facilities.rules import FACILITY_ROLES, OPERATOR_ACCOUNTS
from regions.scoping import ScopedQuerySet


class Kind(models.TextChoices):
    CARE_CENTRE = (
        "care_centre",
        _("Care centre for disabled extreme-poverty people (失能特困人员集中照护中心)"),
    )
    NURSING_HOME = "nursing_home", _("Township nursing home (乡镇敬老院)")
    SERVICE_CENTRE = "service_centre", _("Township elderly service centre (乡镇(街道)养老服务中心)")
    MUTUAL_AID_POINT = "mutual_aid_point", _("Village mutual-aid elderly point (村级互助养老点)")
    SOCIAL = "social", _("Social elderly-care institution (社会养老机构)")


# Kinds that house residents in beds and keep staff ratios (二(一), 二(五)).
RESIDENTIAL_KINDS = (Kind.CARE_CENTRE, Kind.NURSING_HOME, Kind.SERVICE_CENTRE, Kind.SOCIAL)


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")


class Siting(models.TextChoices):
    STANDALONE = "standalone", _("Stands alone")
    VILLAGE_SERVICE_CENTRE = "village_service_centre", _("Shares the village service centre")
    CLINIC = "clinic", _("Shares the village clinic")
    OTHER = "other", _("Shares another building")


class Retention(models.TextChoices):
    RETAINED = "retained", _("Retained (保留)")
    MERGED = "merged", _("Merged into another (撤并)")


class OperationMode(models.TextChoices):
    PUBLIC = "public", _("Run by the government (公办公营)")
    SOCIALISED = "socialised", _("Socialised operation (公建民营/社会化运营)")
    PRIVATE = "private", _("Private (民办)")


class FacilityQuerySet(ScopedQuerySet):
    region_lookup = "region__code"
    subtree_roles = FACILITY_ROLES
    operator_lookup = "operators"

    def operating_on(self, day: datetime.date):
        """In operation on ``day``: opened on or before it, and not stopped by then. The
        engine's twin is ``coverage.compute._operating`` (on its annotated rows); the parity
        test ``tests/test_people_parity.py`` holds the two equal."""
        stopped = Q(status__in=[Status.SUSPENDED, Status.CLOSED, Status.MERGED], status_on__lte=day)
        return self.filter(opened_on__lte=day).exclude(stopped)


class Facility(models.Model):
    """A care centre, nursing home, service centre, village point or social institution."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("located in"),
        on_delete=models.PROTECT,
        related_name="facilities",
        help_text=_("The village a point sits in; the township of a home or centre."),
    )
    served_regions = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("serves"),
        related_name="served_by",
        blank=True,
        help_text=_("Villages or townships this facility serves besides its own."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    status_on = PlausibleDateField(_("status since"), null=True, blank=True, span="history")
    opened_on = PlausibleDateField(
        _("in operation since"), null=True, blank=True,
        help_text=_("The day it first opened to residents or visitors; empty until then."),
        span="history",
    )  # fmt: skip
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    # rooms (二(四))
    has_dining_room = models.BooleanField(_("dining room (配餐室)"), default=False)
    has_rest_room = models.BooleanField(_("rest room (休息室)"), default=False)
    has_activity_room = models.BooleanField(_("activity room (活动室)"), default=False)
    has_rehab_room = models.BooleanField(_("rehabilitation room (康复室)"), default=False)
    has_library = models.BooleanField(_("reading room (图书室)"), default=False)
    # functions (一(二))
    offers_day_care = models.BooleanField(_("day care"), default=False)
    offers_rehabilitation = models.BooleanField(_("rehabilitation"), default=False)
    offers_recreation = models.BooleanField(_("recreation"), default=False)
    offers_emergency_rescue = models.BooleanField(_("emergency rescue"), default=False)
    # village point service models (二(四))
    model_happy_home = models.BooleanField(_("幸福家园 (concentrated living)"), default=False)
    model_happy_canteen = models.BooleanField(_("幸福食堂 (meals)"), default=False)
    model_happy_paradise = models.BooleanField(_("幸福乐园 (recreation)"), default=False)
    siting = models.CharField(_("siting"), max_length=24, choices=Siting.choices, blank=True)
    large_village = models.BooleanField(
        _("in a large village"), default=False,
        help_text=_("The plan asks points of large villages to stand alone with ≥ 100 m²."),
    )  # fmt: skip
    lead_centre = models.ForeignKey(
        "self",
        verbose_name=_("led by centre (中心带点)"),
        on_delete=models.PROTECT,
        related_name="led_points",
        null=True,
        blank=True,
        limit_choices_to={"kind": Kind.SERVICE_CENTRE},
    )
    retention = models.CharField(
        _("retained or merged"), max_length=10, choices=Retention.choices, blank=True
    )
    legal_person_registered_on = PlausibleDateField(
        _("legal-person registration (法人登记)"),
        null=True,
        blank=True,
        span="history",
    )
    filed_on = PlausibleDateField(_("filing (备案)"), null=True, blank=True, span="history")
    operation_mode = models.CharField(
        _("operation mode"), max_length=12, choices=OperationMode.choices, default="public"
    )
    operator_name = models.CharField(_("operator organisation"), max_length=100, blank=True)
    run_by_institution_since = PlausibleDateField(
        _("run by an elderly-care institution since"),
        null=True,
        blank=True,
        span="history",
    )
    operators = models.ManyToManyField(
        "accounts.User",
        verbose_name=_("operator accounts"),
        related_name="operated_facilities",
        blank=True,
        limit_choices_to=OPERATOR_ACCOUNTS,
    )
    notes = BoundedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[served_regions])
    objects = FacilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["region_id", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planned", "under_construction", "operating"])
                | Q(status_on__isnull=False),
                name="facility_stop_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="operating") | Q(opened_on__isnull=False),
                name="facility_operating_has_opening_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FacilityChildQuerySet(ScopedQuerySet):
    """Rows that belong to a facility are seen by whoever sees the facility."""

    region_lookup = "facility__region__code"
    subtree_roles = FACILITY_ROLES
    operator_lookup = "facility__operators"


class QualityCheck(models.Model):
    """A service-quality baseline check (《养老机构服务质量基本规范》 GB/T 35796)."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="quality_checks")
    checked_on = PlausibleDateField(_("checked on"), span="event")
    passed = models.BooleanField(_("meets the baseline"))
    inspector = models.CharField(_("inspector"), max_length=50)
    note = BoundedTextField(_("inspector's note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = FacilityChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("quality check")
        verbose_name_plural = _("quality checks")
        ordering = ["-checked_on", "-id"]

    def __str__(self) -> str:
        return f"{self.facility} {self.checked_on}"


class BedQuerySet(FacilityChildQuerySet):
    def in_use_on(self, day: datetime.date):
        """Beds in use on ``day``: in use from it or earlier, not retired by then. The engine
        counts beds through ``facilities.selectors.with_figures``, which reads this."""
        return self.filter(in_use_from__lte=day).exclude(retired_on__lte=day)


class BedKind(models.TextChoices):
    NURSING = "nursing", _("Nursing-type (护理型)")
    ORDINARY = "ordinary", _("Ordinary")


class Bed(models.Model):
    """A bed of a residential facility, in use from one day, possibly retired on another."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="beds")
    label = models.CharField(_("bed"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=BedKind.choices)
    in_use_from = PlausibleDateField(_("in use from"), span="history")
    retired_on = PlausibleDateField(_("retired on"), null=True, blank=True, span="history")

    history = HistoricalRecords()
    objects = BedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bed")
        verbose_name_plural = _("beds")
        ordering = ["facility", "label"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "label"], name="bed_label_unique"),
            models.CheckConstraint(
                condition=Q(retired_on__isnull=True) | Q(retired_on__gte=models.F("in_use_from")),
                name="bed_retired_after_use",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.label}"


class PlacementQuerySet(FacilityChildQuerySet):
    def open_on(self, day: datetime.date):
        return self.filter(admitted_on__lte=day).filter(
            Q(discharged_on__isnull=True) | Q(discharged_on__gt=day)
        )


class PlacementKind(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential care (入住)")
    CENTRALISED_SUPPORT = (
        "centralised_support",
        _("Centralised support of extreme poverty (集中供养)"),
    )
    DAY_CARE = "day_care", _("Day care (日间照料)")


class Placement(models.Model):
    """A senior's stay in a facility, from admission to discharge (one open stay at a time)."""

    senior = models.ForeignKey(
        "seniors.Senior", on_delete=models.PROTECT, related_name="placements"
    )
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="placements")
    bed = models.ForeignKey(
        Bed, on_delete=models.PROTECT, related_name="placements", null=True, blank=True
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=PlacementKind.choices, default=PlacementKind.RESIDENTIAL
    )
    admitted_on = PlausibleDateField(_("admitted on"), span="history")
    admission_reason = models.CharField(_("reason for admission"), max_length=200, blank=True)
    discharged_on = PlausibleDateField(_("discharged on"), null=True, blank=True, span="history")
    discharge_reason = models.CharField(_("reason for discharge"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-admitted_on", "-id"]
        constraints = [
            # plan 一(一): a senior lives in one place at a time
            models.UniqueConstraint(
                fields=["senior"],
                condition=Q(discharged_on__isnull=True),
                name="one_open_placement_per_senior",
            ),
            models.UniqueConstraint(
                fields=["bed"],
                condition=Q(discharged_on__isnull=True, bed__isnull=False),
                name="one_open_placement_per_bed",
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True)
                | Q(discharged_on__gte=models.F("admitted_on")),
                name="placement_discharge_after_admission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.senior} @ {self.facility}"


class StaffRole(models.TextChoices):
    DIRECTOR = "director", _("Director or supervisor (院长主管)")
    CAREGIVER = "caregiver", _("Caregiver (护理员)")
    MANAGER = "manager", _("Manager")
    NURSE = "nurse", _("Nurse or doctor")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    COOK = "cook", _("Cook")
    OTHER = "other", _("Other service staff")


# 二(五): care centres count service staff; nursing homes count management and service staff.
SERVICE_ROLES = (StaffRole.CAREGIVER, StaffRole.NURSE, StaffRole.SOCIAL_WORKER, StaffRole.COOK,
                 StaffRole.OTHER)  # fmt: skip
MANAGEMENT_AND_SERVICE_ROLES = (*SERVICE_ROLES, StaffRole.DIRECTOR, StaffRole.MANAGER)


class StaffQuerySet(FacilityChildQuerySet):
    def working_on(self, day: datetime.date):
        return self.filter(started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )


class StaffMember(models.Model):
    """A person working at a facility, in one role, from a start to an end date."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    id_number = models.CharField(
        _("ID number"), max_length=18, blank=True,
        help_text=_("Identifies the person across facilities and trainings."),
    )  # fmt: skip
    phone = PhoneField(_("phone"), blank=True)
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    full_time = models.BooleanField(_("full time"), default=True)
    started_on = PlausibleDateField(_("started on"), span="history")
    ended_on = PlausibleDateField(_("left on"), null=True, blank=True, span="history")

    history = HistoricalRecords()
    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["facility", "role", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="staff_left_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class CertificateLevel(models.TextChoices):
    """养老护理员 vocational skill levels."""

    BASIC = "5", _("Level 5 (初级工)")
    INTERMEDIATE = "4", _("Level 4 (中级工)")
    ADVANCED = "3", _("Level 3 (高级工)")
    TECHNICIAN = "2", _("Level 2 (技师)")
    SENIOR_TECHNICIAN = "1", _("Level 1 (高级技师)")


class CertificateQuerySet(ScopedQuerySet):
    region_lookup = "staff__facility__region__code"
    subtree_roles = FACILITY_ROLES
    operator_lookup = "staff__facility__operators"

    def valid_on(self, day: datetime.date):
        return self.filter(issued_on__lte=day).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day)
        )


class Certificate(models.Model):
    """A caregiver's vocational certificate (持证上岗, 二(十)); valid from issue to expiry."""

    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("certificate number"), max_length=40)
    level = models.CharField(_("level"), max_length=2, choices=CertificateLevel.choices)
    issued_on = PlausibleDateField(_("issued on"), span="history")
    expires_on = PlausibleDateField(_("expires on"), null=True, blank=True, span="planned")

    history = HistoricalRecords()
    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="certificate_number_unique"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("issued_on")),
                name="certificate_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class TrainingKind(models.TextChoices):
    DIRECTOR = "director", _("Directors and supervisors (院长主管)")
    CAREGIVER = "caregiver", _("Caregivers (养老护理员)")


class TrainingQuerySet(ScopedQuerySet):
    """Courses held in the user's region, and the courses of the regions above, which are for
    everyone below (their attendance lists stay with the region that held them)."""

    region_lookup = "region__code"
    subtree_roles = FACILITY_ROLES
    regions_above = (2, 4, 6, 9)


class TrainingSession(models.Model):
    """A training course (二(十)): the plan asks 50 directors and 300 caregivers trained."""

    kind = models.CharField(_("for"), max_length=10, choices=TrainingKind.choices)
    title = models.CharField(_("title"), max_length=100)
    held_on = PlausibleDateField(_("held on"), span="event")
    organiser = models.CharField(_("organiser"), max_length=100)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("organised for"), on_delete=models.PROTECT,
        related_name="+", help_text=_("The district for district courses, or a township."),
    )  # fmt: skip

    history = HistoricalRecords()
    objects = TrainingQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class AttendanceQuerySet(ScopedQuerySet):
    """A course's attendance list stays with the region that organised it (the names and ID
    numbers of a district course's attendees are the district's). A township also sees its own
    staff's attendance at courses held above it; an operator sees only the attendance of the
    staff of the facilities they run."""

    region_lookup = "session__region__code"
    receiving_lookup = "staff__facility__region__code"
    subtree_roles = FACILITY_ROLES
    operator_lookup = "staff__facility__operators"


class TrainingAttendance(models.Model):
    """Someone who attended a session. People are told apart by ID number, so a person trained
    twice counts once toward the plan's numbers."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="attendances"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18)
    staff = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="trainings", null=True, blank=True
    )
    passed = models.BooleanField(_("completed"), default=True)

    history = HistoricalRecords()
    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "id_number"], name="attend_session_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.session}"


class ProjectKind(models.TextChoices):
    NEW = "new", _("New build (新建)")
    REBUILD = "rebuild", _("Rebuild (改建)")
    UPGRADE = "upgrade", _("Upgrade (提档升级)")
    SUPPLEMENT = "supplement", _("Supplementary build (补建)")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    APPROVED = "approved", _("Approved")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    COMPLETED = "completed", _("Completed")
    ACCEPTED = "accepted", _("Accepted (验收)")
    CANCELLED = "cancelled", _("Cancelled")


class UpgradeProject(models.Model):
    """A building or upgrade project with its money, milestones and the award paid after
    building (先建后补, 三(二))."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="projects")
    kind = models.CharField(_("kind"), max_length=12, choices=ProjectKind.choices)
    title = models.CharField(_("title"), max_length=150)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices)
    started_on = PlausibleDateField(_("started on"), null=True, blank=True, span="event")
    completed_on = PlausibleDateField(_("completed on"), null=True, blank=True, span="event")
    award_amount = models.DecimalField(
        _("award paid after building (yuan)"), max_digits=12, decimal_places=2, null=True,
        blank=True,
    )  # fmt: skip
    award_paid_on = PlausibleDateField(_("award paid on"), null=True, blank=True, span="event")
    notes = BoundedTextField(_("notes"), blank=True)

    history = HistoricalRecords()
    objects = FacilityChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("upgrade project")
        verbose_name_plural = _("upgrade projects")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["completed", "accepted"]) | Q(completed_on__isnull=False),
                name="project_completed_has_date",
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class FundingSource(models.TextChoices):
    CENTRAL = "central", _("Central budget")
    MUNICIPAL = "municipal", _("Municipal")
    DISTRICT = "district", _("District budget")
    LOTTERY = "lottery", _("Welfare lottery fund (福彩公益金)")
    BONDS = "bonds", _("Government bonds")
    SOCIAL = "social", _("Social capital")


class ProjectFunding(models.Model):
    project = models.ForeignKey(UpgradeProject, on_delete=models.PROTECT, related_name="funding")
    source = models.CharField(_("source"), max_length=10, choices=FundingSource.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="one_row_per_source"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.get_source_display()}"


class Milestone(models.Model):
    project = models.ForeignKey(UpgradeProject, on_delete=models.PROTECT, related_name="milestones")
    name = models.CharField(_("milestone"), max_length=100)
    planned_on = PlausibleDateField(_("planned for"), null=True, blank=True, span="planned")
    done_on = PlausibleDateField(_("done on"), null=True, blank=True, span="event")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["planned_on", "id"]

    def __str__(self) -> str:
        return self.name


class BasicIndicator(models.Model):
    """An item of the nursing-home upgrade basic indicators (改造提升基础指标, 二(二)). The
    plan's annex is not published, so the bureau keeps the checklist here."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("indicator"), max_length=200)
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("basic indicator")
        verbose_name_plural = _("basic indicators")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class IndicatorCheck(models.Model):
    """Whether a project's finished facility meets one basic indicator."""

    project = models.ForeignKey(
        UpgradeProject, on_delete=models.PROTECT, related_name="indicator_checks"
    )
    indicator = models.ForeignKey(BasicIndicator, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(_("met"))
    checked_on = PlausibleDateField(_("checked on"), span="event")
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator check")
        verbose_name_plural = _("indicator checks")
        constraints = [
            models.UniqueConstraint(fields=["project", "indicator"], name="check_indicator_once"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.indicator}"


class OperatingFund(models.Model):
    """A year's operating funds of a nursing home or care centre, beside its residents' annual
    basic living allowance: 三(三) asks for at least 15 % of the latter."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="operating_funds")
    year = models.PositiveSmallIntegerField(_("year"))
    operating_funds = models.DecimalField(
        _("operating funds (yuan)"), max_digits=12, decimal_places=2
    )
    residents_basic_allowance = models.DecimalField(
        _("residents' annual basic living allowance (yuan)"), max_digits=12, decimal_places=2
    )

    history = HistoricalRecords()
    objects = FacilityChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("operating funds")
        verbose_name_plural = _("operating funds")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "year"], name="one_fund_row_per_year"),
            models.CheckConstraint(
                condition=Q(operating_funds__gte=0, residents_basic_allowance__gte=0),
                name="funds_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.year}"
