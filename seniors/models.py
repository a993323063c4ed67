"""The seniors' ledger (台账): people, their ability assessments and the visits they receive.

Plan 二(七): townships keep a ledger of home-living extreme-poverty, high-age, living-alone
and left-behind seniors and visit them regularly; 二(九) family support; 二(十一) family
doctors; 二(十二) safety wristbands; 二(十三) allowances.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from eldercare.validators import (
    BoundedTextField,
    PhoneField,
    PlausibleDateField,
    PlausibleDateTimeField,
)
from regions.scoping import ScopedQuerySet
from seniors.idnumber import age_on
from seniors.rules import MANAGE_ROLES, PEOPLE_ROLES

HIGH_AGE = 80  # 高龄
MIN_AGE = 60  # the ledger is of people aged 60 and over


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class LivingSituation(models.TextChoices):
    ALONE = "alone", _("Living alone (独居)")
    LEFT_BEHIND = "left_behind", _("Left behind (留守)")
    WITH_FAMILY = "with_family", _("With family")


class ExtremePoverty(models.TextChoices):
    NO = "", _("No")
    CENTRALISED = "centralised", _("Extreme poverty, centralised support (特困·集中供养)")
    DISPERSED = "dispersed", _("Extreme poverty, dispersed support at home (特困·分散供养)")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")


class SeniorQuerySet(ScopedQuerySet):
    """The ledger of the user's region; a facility operator sees the people staying in the
    facilities they run (admissions are decided by township staff)."""

    region_lookup = "village__code"
    subtree_roles = PEOPLE_ROLES
    operator_lookup = "placements__facility__operators"
    operator_condition = Q(placements__discharged_on__isnull=True)

    def active(self):
        return self.filter(status=Status.ACTIVE)

    def high_age_on(self, day: datetime.date):
        """Aged 80 or more on ``day`` (高龄)."""
        return self.filter(birth_date__lte=years_before(day, HIGH_AGE))

    def with_latest_assessment(self):
        """Annotate the level, total and date of each senior's latest assessment."""
        latest = Assessment.objects.filter(senior=models.OuterRef("pk")).order_by(
            "-assessed_on", "-id"
        )
        return self.annotate(
            latest_level=models.Subquery(latest.values("level")[:1]),
            latest_total=models.Subquery(latest.values("total")[:1]),
            latest_assessed_on=models.Subquery(latest.values("assessed_on")[:1]),
        )

    def disabled(self):
        """失能: the latest assessment is moderate or severe (needs ``with_latest_assessment``)."""
        return self.filter(latest_level__in=DISABLED_LEVELS)


class Senior(models.Model):
    """A person aged 60 or over in the township ledger (老年人台账)."""

    id_number = models.CharField(
        _("ID number"),
        max_length=18,
        unique=True,
        help_text=_("Resident ID number (18 characters). Cannot be changed once registered."),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = PlausibleDateField(_("birth date"), editable=False, span="birth")
    phone = PhoneField(_("phone"), blank=True)
    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="seniors",
    )
    villager_group = models.ForeignKey(
        "regions.Region",
        verbose_name=_("villager group"),
        on_delete=models.PROTECT,
        related_name="group_seniors",
        null=True,
        blank=True,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    living_situation = models.CharField(
        _("living situation"),
        max_length=12,
        choices=LivingSituation.choices,
        default=LivingSituation.WITH_FAMILY,
    )
    # categories the plan counts
    extreme_poverty = models.CharField(
        _("extreme poverty (特困)"), max_length=12, choices=ExtremePoverty.choices, blank=True
    )
    subsistence_allowance = models.BooleanField(_("subsistence allowance (低保)"), default=False)
    low_income = models.BooleanField(_("low income (低收入)"), default=False)
    family_planning_special = models.BooleanField(
        _("family-planning special family (计划生育特殊家庭)"), default=False
    )
    disability_certificate = models.BooleanField(_("disability (残疾)"), default=False)
    # wishes
    wants_centralised_care = models.BooleanField(_("wants centralised care"), default=False)
    wants_day_care = models.BooleanField(_("wants day care"), default=False)
    # health and safety, family support
    family_doctor_contract_on = PlausibleDateField(
        _("family-doctor contract signed on"),
        null=True,
        blank=True,
        span="event",
    )
    wristband_device = models.CharField(_("safety wristband number"), max_length=40, blank=True)
    wristband_on = PlausibleDateField(_("wristband given on"), null=True, blank=True, span="event")
    family_care_bed_on = PlausibleDateField(
        _("family care bed set up on"), null=True, blank=True, span="event"
    )
    home_adaptation_on = PlausibleDateField(
        _("home adaptation completed on"), null=True, blank=True, span="event"
    )
    family_caregiver = models.CharField(_("family caregiver"), max_length=50, blank=True)
    family_caregiver_trained_on = PlausibleDateField(
        _("family caregiver trained on"),
        null=True,
        blank=True,
        span="event",
    )
    # place in the ledger
    registered_on = PlausibleDateField(
        _("registered on"), default=datetime.date.today, span="event"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    status_on = PlausibleDateField(_("status since"), null=True, blank=True, span="event")
    status_note = models.CharField(_("status note"), max_length=200, blank=True)
    notes = BoundedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = SeniorQuerySet.as_manager()

    class Meta:
        verbose_name = _("senior")
        verbose_name_plural = _("seniors")
        ordering = ["village_id", "name", "id"]
        indexes = [
            models.Index(fields=["status", "village"], name="senior_status_village"),
            # the register's order: a page is read in order and stops at its 50 people, instead
            # of sorting the whole township or district first
            models.Index(fields=["village", "name", "id"], name="senior_register_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active") | Q(status_on__isnull=False),
                name="senior_status_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: datetime.date) -> int:

        return age_on(self.birth_date, day)

    def is_high_age_on(self, day: datetime.date) -> bool:
        return self.birth_date <= years_before(day, HIGH_AGE)

    @property
    def low_income_household(self) -> bool:
        """低收入家庭 in the plan's sense: on 低保 or registered as low income."""
        return self.subsistence_allowance or self.low_income


class Level(models.TextChoices):
    INDEPENDENT = "independent", _("Independent")
    MILD = "mild", _("Mildly dependent")
    MODERATE = "moderate", _("Moderately dependent")
    SEVERE = "severe", _("Severely dependent")


DISABLED_LEVELS = (Level.MODERATE, Level.SEVERE)

# Barthel index: the ten activities and the scores each may take.
BARTHEL_ITEMS: dict[str, tuple[int, ...]] = {
    "feeding": (0, 5, 10),
    "bathing": (0, 5),
    "grooming": (0, 5),
    "dressing": (0, 5, 10),
    "bowels": (0, 5, 10),
    "bladder": (0, 5, 10),
    "toilet_use": (0, 5, 10),
    "transfers": (0, 5, 10, 15),
    "mobility": (0, 5, 10, 15),
    "stairs": (0, 5, 10),
}


def barthel_level(total: int) -> str:
    """100 independent, 61–99 mild, 41–60 moderate, 40 and below severe."""
    if total >= 100:
        return Level.INDEPENDENT
    if total > 60:
        return Level.MILD
    if total > 40:
        return Level.MODERATE
    return Level.SEVERE


class PersonRecordQuerySet(ScopedQuerySet):
    """Rows about a person (assessments, visits, categories, contracts) are seen by whoever
    sees the person's village."""

    region_lookup = "senior__village__code"
    subtree_roles = PEOPLE_ROLES


class Assessment(models.Model):
    """An ability assessment (能力评估) with the Barthel index; the latest decides 失能."""

    senior = models.ForeignKey(
        Senior, verbose_name=_("senior"), on_delete=models.PROTECT, related_name="assessments"
    )
    assessed_on = PlausibleDateField(_("assessed on"), span="event")
    assessor = models.CharField(_("assessor"), max_length=50, blank=True)
    feeding = models.PositiveSmallIntegerField(_("feeding"))
    bathing = models.PositiveSmallIntegerField(_("bathing"))
    grooming = models.PositiveSmallIntegerField(_("grooming"))
    dressing = models.PositiveSmallIntegerField(_("dressing"))
    bowels = models.PositiveSmallIntegerField(_("bowels"))
    bladder = models.PositiveSmallIntegerField(_("bladder"))
    toilet_use = models.PositiveSmallIntegerField(_("toilet use"))
    transfers = models.PositiveSmallIntegerField(_("transfers (bed to chair)"))
    mobility = models.PositiveSmallIntegerField(_("mobility (on level surfaces)"))
    stairs = models.PositiveSmallIntegerField(_("stairs"))
    total = models.PositiveSmallIntegerField(_("total"), editable=False)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, editable=False)
    notes = BoundedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("ability assessment")
        verbose_name_plural = _("ability assessments")
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["senior", "-assessed_on", "-id"], name="assessment_latest"),
        ]
        constraints = [
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{item}__in": allowed}), name=f"barthel_{item}"
                )
                for item, allowed in BARTHEL_ITEMS.items()
            ),
            models.CheckConstraint(
                condition=Q(
                    total=F("feeding")
                    + F("bathing")
                    + F("grooming")
                    + F("dressing")
                    + F("bowels")
                    + F("bladder")
                    + F("toilet_use")
                    + F("transfers")
                    + F("mobility")
                    + F("stairs")
                ),
                name="barthel_total_is_sum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.senior} {self.assessed_on} {self.total}"

    @property
    def is_disabled(self) -> bool:
        return self.level in DISABLED_LEVELS


class ServiceType(models.TextChoices):
    INSPECTION = "inspection", _("Visit (巡访)")
    MEALS = "meals", _("Meal help (助餐)")
    BATHING = "bathing", _("Bathing help (助浴)")
    MEDICAL = "medical", _("Medical help (助医)")
    HOUSEKEEPING = "housekeeping", _("Housekeeping (家政)")
    ERRANDS = "errands", _("Shopping and bill payment (代买代缴)")
    COMPANIONSHIP = "companionship", _("Companionship (精神慰藉)")
    EMERGENCY = "emergency", _("Emergency rescue (紧急救援)")
    FARMING = "farming", _("Farm work help (春种秋收)")


class Visit(models.Model):
    """A visit or home service (巡访/上门服务) to a senior."""

    senior = models.ForeignKey(
        Senior, verbose_name=_("senior"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_at = PlausibleDateTimeField(_("visited at"), span="event")
    service_type = models.CharField(
        _("service"), max_length=16, choices=ServiceType.choices, default=ServiceType.INSPECTION
    )
    visitor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("visitor"),
        on_delete=models.PROTECT,
        related_name="visits_made",
        null=True,
        blank=True,
    )
    visitor_name = models.CharField(_("visitor's name"), max_length=50, blank=True)
    notes = BoundedTextField(_("notes"), blank=True)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    client_uuid = models.UUIDField(
        _("client UUID"),
        unique=True,
        null=True,
        blank=True,
        help_text=_("Sent by the phone that recorded the visit: the same visit is stored once."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["senior", "-visited_at"], name="visit_latest")]

    def __str__(self) -> str:
        return f"{self.senior} {self.visited_at:%Y-%m-%d} {self.get_service_type_display()}"


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Being checked")
    PREVIEWED = "previewed", _("Checked, waiting for confirmation")
    IMPORTING = "importing", _("Being imported")
    APPLIED = "applied", _("Imported")
    REFUSED = "refused", _("Refused")


# a Celery task is at work on an import in these
IMPORT_WORKING = (ImportStatus.CHECKING, ImportStatus.IMPORTING)


class SeniorImportQuerySet(ScopedQuerySet):
    region_lookup = "region__code"
    subtree_roles = MANAGE_ROLES


class SeniorImport(models.Model):
    """An uploaded .xlsx of seniors, checked row by row and shown as a preview; nothing is
    written to the ledger until every row is valid and the user confirms."""

    id = models.UUIDField(primary_key=True, editable=False)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="senior_imports"
    )
    # the uploader's region when uploading: the import is seen by that region's staff only
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    rows = models.JSONField(_("rows"), default=list)
    errors = models.JSONField(_("errors"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED
    )
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    # how far the check or the import of a long file has come, in per cent
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    # a file as uploaded, until a task has read and checked it (then ``rows``); kept when the
    # check stopped, to check it again
    content = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # when the work on the import last moved (created, a task started, a per cent more done):
    # a check or an import that has not moved for ``IMPORT_STALE_MINUTES`` is taken for stopped
    heartbeat_at = models.DateTimeField(default=timezone.now, editable=False)
    # the status in which its task stopped (a worker died, a task failed for good): the import
    # is refused, nothing imported, and that step may be retried
    stopped_in = models.CharField(
        max_length=10,
        blank=True,
        default="",
        editable=False,
        choices=[(status.value, status.label) for status in IMPORT_WORKING],
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = SeniorImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("senior import")
        verbose_name_plural = _("senior imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


# The categories an indicator reads about a person, each known as of a date (see
# ``CategoryPeriod``). Changing one of these on a ``Senior`` closes the period in force and
# opens a new one (``seniors.categories.record_categories``, run on every save).
CATEGORY_FIELDS = (
    "extreme_poverty",
    "subsistence_allowance",
    "low_income",
    "family_planning_special",
    "living_situation",
    "wants_centralised_care",
    "wants_day_care",
)


def _as_on_senior(name: str) -> models.Field:
    """A new field declared as ``Senior``'s field ``name`` is (label, choices, default)."""
    return Senior._meta.get_field(name).clone()


class CategoryPeriod(models.Model):
    """The categories of a person over a period: 特困 mode, 低保, 低收入, 计生特殊家庭, living
    alone / left behind and the wishes for care, valid from ``valid_from`` (empty: since the
    person has been in the ledger) until the day before ``valid_to`` (empty: still in force).

    Why a period table and not django-simple-history's rows: a history row is dated when it
    was *recorded* (an import of a 2021 ledger, or a 低保 decision entered a month late, would
    be dated wrongly), the demo's bulk paths write the whole record once with today's
    categories, and "as of a day" over the history table means a window over every edit of
    every field. Here a row is written only when a category changes, with the day the change
    takes effect, the periods of a person are contiguous and never overlap (one open period,
    the database says so), and the coverage engine joins the period in force on its day with
    one portable range condition (``coverage.compute._senior_sql``; the ORM side is
    ``seniors.selectors.categories_on``).
    """

    senior = models.ForeignKey(
        Senior, on_delete=models.PROTECT, related_name="category_periods", verbose_name=_("senior")
    )
    valid_from = PlausibleDateField(_("valid from"), null=True, blank=True, span="history")
    valid_to = PlausibleDateField(
        _("valid until (exclusive)"), null=True, blank=True, span="history"
    )
    # the categories (``CATEGORY_FIELDS``), each declared as the person's own field is
    extreme_poverty = _as_on_senior("extreme_poverty")
    subsistence_allowance = _as_on_senior("subsistence_allowance")
    low_income = _as_on_senior("low_income")
    family_planning_special = _as_on_senior("family_planning_special")
    living_situation = _as_on_senior("living_situation")
    wants_centralised_care = _as_on_senior("wants_centralised_care")
    wants_day_care = _as_on_senior("wants_day_care")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("categories over a period")
        verbose_name_plural = _("categories over periods")
        ordering = ["senior_id", F("valid_from").asc(nulls_first=True)]
        indexes = [models.Index(fields=["senior", "valid_from"], name="category_period_from")]
        constraints = [
            models.UniqueConstraint(
                fields=["senior"],
                condition=Q(valid_to__isnull=True),
                name="one_open_category_period",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gt=F("valid_from")),
                name="category_period_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.senior_id} {self.valid_from or '…'}–{self.valid_to or '…'}"


CONTRACT_TERM_YEARS = 1  # family-doctor contracts are signed for a year and renewed


def years_after(day: datetime.date, years: int) -> datetime.date:
    return years_before(day, -years)


class FamilyDoctorContract(models.Model):
    """A family-doctor contract (家庭医生签约) of a person: in force from ``signed_on`` until the
    day before ``ends_on`` (a year by default). It lapses unless renewed: a renewal is a new
    contract. ``Senior.family_doctor_contract_on`` is the signing day of the latest one."""

    senior = models.ForeignKey(
        Senior, on_delete=models.PROTECT, related_name="doctor_contracts", verbose_name=_("senior")
    )
    signed_on = PlausibleDateField(_("signed on"), span="history")
    ends_on = PlausibleDateField(_("ends on (exclusive)"), span="planned")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("family-doctor contract")
        verbose_name_plural = _("family-doctor contracts")
        ordering = ["senior_id", "signed_on"]
        constraints = [
            models.UniqueConstraint(fields=["senior", "signed_on"], name="one_contract_a_day"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("signed_on")), name="contract_has_a_term"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.senior_id} {self.signed_on}–{self.ends_on}"
