"""Coverage of the plan's targets, kept as data.

An ``Indicator`` says what is counted (its numerator and denominator in words, the unit, the
plan section); a ``Target`` is what a ``Plan`` asks of it (value, comparison, the level of
region it applies to, due date). ``Snapshot`` rows are what ``coverage.compute`` found for a
region on a day. The bureau edits targets and adds plans (a 2025 plan needs no code); the
dashboard reads snapshots and never recomputes on a page view.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from coverage.definitions import parameter_errors
from coverage.rules import READ_ROLES
from eldercare.validators import BoundedTextField, PlausibleDateField
from regions.scoping import ScopedQuerySet


class Group(models.TextChoices):
    """The groups the plan's targets fall in (and the dashboard shows them in)."""

    FACILITIES = "facilities", _("Facilities")
    VILLAGE_NETWORK = "village_network", _("Village network")
    OPERATION = "operation", _("Operation and quality")
    PEOPLE = "people", _("People")
    MONEY = "money", _("Money")


class Unit(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENT = "percent", _("Percent")
    RATIO = "ratio", _("Ratio")
    YUAN = "yuan", _("Yuan")


class Comparison(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class Judgement(models.TextChoices):
    """How a region stands against a target: met, not met, not applicable (with a reason), or
    tracked (the plan sets no number)."""

    MET = "met", _("met")
    NOT_MET = "not_met", _("not met")
    NOT_APPLICABLE = "not_applicable", _("not applicable")
    TRACKED = "tracked", _("tracked")


class Reason(models.TextChoices):
    """Why a target does not apply to a region."""

    NO_FACILITY = "no_facility", _("no such facility in the region")
    NONE_COUNTED = "none_counted", _("nobody or nothing to count in the region")
    LEVEL = "level", _("the target is set for another level of region")


# what a village point must offer (一(二)): function code → the facility's field
FUNCTION_FIELDS = {
    "day_care": "offers_day_care",
    "rehabilitation": "offers_rehabilitation",
    "recreation": "offers_recreation",
    "emergency_rescue": "offers_emergency_rescue",
}


class Plan(models.Model):
    """A plan that sets targets, such as 武隆府办发〔2021〕31号 with its 2022 targets."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    document = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = PlausibleDateField(_("issued on"), span="event")
    due_on = PlausibleDateField(_("targets due on"), span="planned")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def for_day(cls, day: datetime.date) -> Plan | None:
        """The plan whose targets a day is judged by: the first one still due on that day,
        else the latest one (its targets stay the standard until a new plan is added)."""
        return (
            cls.objects.filter(due_on__gte=day, issued_on__lte=day).order_by("due_on").first()
            or cls.objects.filter(issued_on__lte=day).order_by("-due_on").first()
            or cls.objects.order_by("due_on").first()
        )


class Indicator(models.Model):
    """What is counted, for every region, whatever the target."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    plan_section = models.CharField(_("plan section"), max_length=40)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    numerator = models.CharField(_("numerator"), max_length=300)
    denominator = models.CharField(_("denominator"), max_length=300, blank=True)
    each_facility = models.BooleanField(
        _("judged facility by facility"),
        default=False,
        help_text=_(
            "The target applies to every facility: a region meets it when all its facilities do."
        ),
    )
    min_area = models.DecimalField(
        _("counted from floor area (m²)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Only facilities with at least this floor area are counted; empty: any."),
    )
    required_functions = models.JSONField(
        _("functions required"),
        default=list,
        blank=True,
        help_text=_(
            "Function codes a facility must offer to count (day_care, rehabilitation, "
            "recreation, emergency_rescue); empty: none."
        ),
    )
    counting_note = BoundedTextField(
        _("how counted"),
        blank=True,
        help_text=_("The choices made in counting, shown under the tile."),
    )
    parameters = models.JSONField(
        _("how it is counted"),
        default=dict,
        blank=True,
        help_text=_(
            "The choices the figure is counted with: disabled_levels (Barthel grades counted as "
            "失能: mild, moderate, severe), key_targets (listed or disabled_of_households), "
            "count_communities (true: residents of every 社区 count). Empty: the defaults."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:

        errors = {}
        functions = self.required_functions
        if not isinstance(functions, list) or any(f not in FUNCTION_FIELDS for f in functions):
            errors["required_functions"] = _("List function codes among: %(codes)s.") % {
                "codes": ", ".join(FUNCTION_FIELDS)
            }
        problems = parameter_errors(self.code, self.parameters)
        if problems:
            errors["parameters"] = problems
        if errors:
            raise ValidationError(errors)


class Target(models.Model):
    """What a plan asks of an indicator. No value: the plan gives no number, the indicator is
    tracked without a target."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="targets")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets")
    value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    comparison = models.CharField(
        _("comparison"), max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    level = models.CharField(
        _("applies to"),
        max_length=10,
        blank=True,
        help_text=_("The level of region the target is set for; empty: every level."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "indicator"], name="one_target_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.indicator}"

    def applies_to(self, level: str) -> bool:
        return self.value is not None and (not self.level or self.level == level)

    def is_met(self, value: Decimal | None) -> bool | None:
        if self.value is None or value is None:
            return None
        if self.comparison == Comparison.AT_MOST:
            return value <= self.value
        return value >= self.value


class SnapshotQuerySet(ScopedQuerySet):
    """A user sees the snapshots of their region and the regions below it; the bureau all."""

    region_lookup = "region__code"
    subtree_roles = READ_ROLES


class Snapshot(models.Model):
    """The value of an indicator for a region on a day, as computed from the records."""

    date = PlausibleDateField(_("as of"), span="event")
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="coverage_snapshots",
        db_index=False,
    )
    # no index of its own: (date, region, indicator) and (region, date) cover the reads
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="snapshots", db_index=False
    )
    numerator = models.DecimalField(_("numerator"), max_digits=16, decimal_places=2)
    denominator = models.DecimalField(
        _("denominator"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    met = models.BooleanField(_("met"), null=True, blank=True)
    judgement = models.CharField(
        _("judgement"), max_length=14, choices=Judgement.choices, default=Judgement.TRACKED
    )
    reason = models.CharField(
        _("why not applicable"), max_length=14, choices=Reason.choices, blank=True
    )
    facilities = models.PositiveIntegerField(_("facilities judged"), null=True, blank=True)
    facilities_meeting = models.PositiveIntegerField(
        _("facilities meeting it"), null=True, blank=True
    )
    # the institutions (or awards) that fail, as they stood that day: [{"id", "name", "value",
    # "why"}]; kept with the row (a day's figure and its reasons are read together)
    failing = models.JSONField(_("failing institutions"), default=list, blank=True)
    run = models.ForeignKey(
        "coverage.Run",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["-date", "region_id", "indicator__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "region", "indicator"], name="one_value_per_day"
            ),
        ]
        indexes = [models.Index(fields=["region", "date"], name="snapshot_region_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.region_id} {self.indicator_id}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


RUNNING_STATES = (RunStatus.QUEUED, RunStatus.RUNNING)


class Run(models.Model):
    """One computation of the snapshots of a day (every region, or the dirty townships):
    queued, running, done or failed. At most one run per day is queued or running at a time
    (the database says so)."""

    date = PlausibleDateField(_("as of"), span="event")
    full = models.BooleanField(_("every region"), default=True)
    townships = models.JSONField(
        _("townships"), default=list, blank=True,
        help_text=_("Empty: every region. Otherwise the townships recomputed."),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(_("snapshot rows"), default=0)
    queries = models.PositiveIntegerField(_("queries"), default=0)
    seconds = models.DecimalField(_("seconds"), max_digits=9, decimal_places=3, null=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("computation run")
        verbose_name_plural = _("computation runs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(status__in=["queued", "running"]),
                name="one_run_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.status}"


class Leaf(models.Model):
    """A tally staged by a computation before it is rolled up into snapshots: one village's
    or one institution's numerator and denominator for an indicator (and, at most, one failing
    institution). ``batch`` names the computation; its rows are deleted when the roll-up
    writes the snapshots. The table is unlogged on PostgreSQL (a crash loses only a run in
    progress, which is then run again). ``rolls_up`` is false for a region's own total (trained
    people, counted distinct per region), which is not added into the regions above."""

    batch = models.CharField(max_length=36)
    indicator_id = models.IntegerField()
    code = models.CharField(max_length=15)
    numerator = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    denominator = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    facilities = models.IntegerField(default=0)
    facilities_meeting = models.IntegerField(default=0)
    failing = models.JSONField(null=True, blank=True)
    rolls_up = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("staged tally")
        verbose_name_plural = _("staged tallies")

    def __str__(self) -> str:
        return f"{self.batch} {self.code} {self.indicator_id}"


class DirtyTownship(models.Model):
    """A township whose records changed since its snapshot was computed."""

    township = models.OneToOneField(
        "regions.Region", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        verbose_name = _("township to recompute")
        verbose_name_plural = _("townships to recompute")

    def __str__(self) -> str:
        return self.township_id


class ReportQuerySet(ScopedQuerySet):
    """A user gets the reports of their region and the regions below it; the bureau all."""

    region_lookup = "region__code"
    subtree_roles = READ_ROLES


# a build queued for longer than this was lost: it may be queued again
BUILD_LOST_AFTER = datetime.timedelta(hours=2)


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Report(models.Model):
    """The monthly progress report of a region as a PDF, built from the month-end snapshot.
    One per region and month: building it again replaces the file (the snapshots it is made
    from are kept, so nothing counted is lost)."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="coverage_reports"
    )
    month = PlausibleDateField(_("month"), span="event", help_text=_("The first day of the month."))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    snapshot_date = PlausibleDateField(_("snapshot of"), span="event", null=True, blank=True)
    # a few hundred kilobytes at most: kept in the database with its row (no file storage to
    # back up separately, and the row and its file are replaced in one transaction)
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"")
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    # who asked for the last build (None: beat's monthly build)
    requested_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="one_report_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m}"

    def build_lost(self, now: datetime.datetime) -> bool:
        """Queued longer ago than ``BUILD_LOST_AFTER``: no worker finished it (its worker died
        and the message with it), so it may be queued again."""
        return self.status == ReportStatus.QUEUED and (
            self.queued_at is None or self.queued_at < now - BUILD_LOST_AFTER
        )
