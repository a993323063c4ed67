"""The volunteer side (plan 一(二), 二(七), 二(八)): volunteers and their groups, 结对扶老
pairings of helpers with seniors, service logs, and the time bank (时间银行) — an append-only,
double-entry ledger of hours."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
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
from volunteers.rules import RUN_AND_VOLUNTEER_ROLES, RUN_ROLES


class VolunteerKind(models.TextChoices):
    PARTY_MEMBER = "party_member", _("Party member")
    YOUNGER_SENIOR = "younger_senior", _("Healthy younger senior")
    VILLAGER = "villager", _("Villager")
    VILLAGE_CADRE = "village_cadre", _("Village cadre")
    VILLAGE_DOCTOR = "village_doctor", _("Village doctor")
    OTHER = "other", _("Other")


class VolunteerQuerySet(ScopedQuerySet):
    """Staff and assistants see the volunteers of their region; a volunteer sees their own
    record."""

    region_lookup = "village__code"
    subtree_roles = RUN_ROLES
    own_lookups = ("user",)


class Volunteer(models.Model):
    """A helper: party member, younger senior, villager, cadre, village doctor (志愿者)."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = PhoneField(_("phone"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=VolunteerKind.choices)
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
        related_name="volunteers",
    )  # fmt: skip
    villager_group = models.ForeignKey(
        "regions.Region", verbose_name=_("villager group"), on_delete=models.PROTECT,
        related_name="group_volunteers", null=True, blank=True,
    )  # fmt: skip
    user = models.OneToOneField(
        "accounts.User", verbose_name=_("login"), on_delete=models.PROTECT,
        related_name="volunteer", null=True, blank=True,
    )  # fmt: skip
    joined_on = PlausibleDateField(_("joined on"), span="history")
    left_on = PlausibleDateField(_("left on"), null=True, blank=True, span="history")

    history = HistoricalRecords()
    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["village_id", "name"]

    def __str__(self) -> str:
        return self.name


class GroupQuerySet(ScopedQuerySet):
    region_lookup = "region__code"
    subtree_roles = RUN_AND_VOLUNTEER_ROLES


class GroupKind(models.TextChoices):
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team (志愿服务队)")
    ELDERS_ASSOCIATION = "elders_association", _("Elders' association (老年协会)")
    MUTUAL_AID_GROUP = "mutual_aid_group", _("Mutual-aid service group (互助服务小组)")


class Group(models.Model):
    """A volunteer team or elders' association of a village, or a mutual-aid group of a
    villager group (一(二), 二(八)); founded and possibly dissolved on dates."""

    kind = models.CharField(_("kind"), max_length=20, choices=GroupKind.choices)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("village or villager group"), on_delete=models.PROTECT,
        related_name="volunteer_groups",
    )  # fmt: skip
    founded_on = PlausibleDateField(_("founded on"), span="history")
    dissolved_on = PlausibleDateField(_("dissolved on"), null=True, blank=True, span="history")
    leader = models.CharField(_("leader"), max_length=50, blank=True)
    members = models.ManyToManyField(Volunteer, related_name="groups", blank=True)

    history = HistoricalRecords(m2m_fields=[members])
    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["region_id", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class AssistantQuerySet(ScopedQuerySet):
    region_lookup = "village__code"
    subtree_roles = RUN_AND_VOLUNTEER_ROLES


class ElderlyCareAssistant(models.Model):
    """A village's elderly-care assistant (养老助理/助老人), full or part time (二(八))."""

    village = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
        related_name="care_assistants",
    )  # fmt: skip
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    full_time = models.BooleanField(_("full time"), default=False)
    started_on = PlausibleDateField(_("started on"), span="history")
    ended_on = PlausibleDateField(_("ended on"), null=True, blank=True, span="history")

    history = HistoricalRecords()
    objects = AssistantQuerySet.as_manager()

    class Meta:
        verbose_name = _("elderly-care assistant")
        verbose_name_plural = _("elderly-care assistants")
        ordering = ["village_id", "name"]

    def __str__(self) -> str:
        return self.name


class PairingMode(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("One-to-one (一对一)")
    GRID = "grid", _("Grid (网格化)")
    AREA = "area", _("Area (划片式)")


class PairingQuerySet(ScopedQuerySet):
    region_lookup = "senior__village__code"
    subtree_roles = RUN_ROLES
    own_lookups = ("helper__user",)


class Pairing(models.Model):
    """结对扶老: a helper paired with a senior, visiting at an interval (二(七))."""

    helper = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="pairings")
    senior = models.ForeignKey("seniors.Senior", on_delete=models.PROTECT, related_name="pairings")
    mode = models.CharField(_("mode"), max_length=12, choices=PairingMode.choices)
    visit_interval_days = models.PositiveSmallIntegerField(_("visit every (days)"))
    started_on = PlausibleDateField(_("started on"), span="event")
    ended_on = PlausibleDateField(_("ended on"), null=True, blank=True, span="event")

    history = HistoricalRecords()
    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["helper", "senior"], condition=Q(ended_on__isnull=True),
                name="one_open_pairing_per_helper_and_senior",
            ),
            models.CheckConstraint(
                condition=Q(visit_interval_days__gte=1), name="pairing_interval_positive"
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.helper} → {self.senior}"


class AccountKind(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer's hours")
    EARNING = "earning", _("System: hours earned by service")
    REDEMPTION = "redemption", _("System: hours spent")
    EXPIRY = "expiry", _("System: hours expired")
    FUND = "fund", _("District fund (hours donated and granted)")


class AccountQuerySet(ScopedQuerySet):
    """Volunteers' accounts, by the volunteer's village; the system accounts are nobody's
    through the scope (the services post to them)."""

    region_lookup = "volunteer__village__code"
    subtree_roles = RUN_ROLES
    own_lookups = ("volunteer__user",)
    visible_rows = Q(kind=AccountKind.VOLUNTEER)


class Account(models.Model):
    """A time-bank account: a volunteer's (or a senior's, for granted hours), or one of the
    system accounts the other side of every movement goes to. ``balance`` is a cache of the
    sum of the account's entries, updated in the same transaction under a row lock, and the
    database refuses a negative balance for any account that is not a system account."""

    kind = models.CharField(_("kind"), max_length=12, choices=AccountKind.choices)
    volunteer = models.OneToOneField(
        Volunteer, on_delete=models.PROTECT, null=True, blank=True, related_name="account"
    )
    balance = models.DecimalField(_("balance (hours)"), max_digits=10, decimal_places=1,
                                  default=Decimal("0"))  # fmt: skip
    opened_at = models.DateTimeField(auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("time-bank account")
        verbose_name_plural = _("time-bank accounts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["volunteer", "fund"]) | Q(balance__gte=0),
                name="account_balance_never_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind="volunteer", volunteer__isnull=False)
                | (~Q(kind="volunteer") & Q(volunteer__isnull=True)),
                name="volunteer_account_has_volunteer",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=~Q(kind="volunteer"), name="one_system_account_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.volunteer or ''}".strip()


class MovementKind(models.TextChoices):
    EARN = "earn", _("Earned by a verified service")
    REDEEM = "redeem", _("Redeemed")
    TRANSFER = "transfer", _("Transferred to family")
    GRANT = "grant", _("Granted by the fund")
    DONATION = "donation", _("Donated to the fund (above the storage cap)")
    EXPIRY = "expiry", _("Expired")
    REVERSAL = "reversal", _("Reversal of an earlier movement")


class Movement(models.Model):
    """One movement of hours: exactly two entries that sum to zero. Never changed or deleted;
    a correction is a reversing movement pointing at the one it reverses."""

    kind = models.CharField(_("kind"), max_length=10, choices=MovementKind.choices)
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=1)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # the business record that caused it (one movement per cause): "servicelog:42"
    reference = models.CharField(_("reference"), max_length=60, unique=True, null=True,
                                 blank=True)  # fmt: skip

    class Meta:
        verbose_name = _("movement")
        verbose_name_plural = _("movements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="movement_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.hours}"


class Entry(models.Model):
    """One side of a movement: hours into (positive) or out of (negative) an account."""

    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField(_("hours"), max_digits=8, decimal_places=1)
    balance_after = models.DecimalField(_("balance after"), max_digits=10, decimal_places=1)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="entry_never_zero"),
            models.UniqueConstraint(fields=["movement", "account"], name="entry_once_per_side"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+}"


class Policy(models.Model):
    """The rules the bureau sets for pairings, claims and the time bank; the row in force is
    the latest one (every change is kept in history)."""

    one_to_one_interval_days = models.PositiveSmallIntegerField(
        _("one-to-one: visit every (days)"), default=7
    )
    grid_interval_days = models.PositiveSmallIntegerField(_("grid: visit every (days)"), default=30)
    area_interval_days = models.PositiveSmallIntegerField(_("area: visit every (days)"), default=30)
    # 二(七) "一对一": one helper for one key target; more is shown as a warning, not refused
    one_to_one_per_helper = models.PositiveSmallIntegerField(
        _("one-to-one pairings a helper holds before a warning"),
        default=1,
        validators=[MinValueValidator(1)],
    )
    max_hours_per_day = models.DecimalField(
        _("most hours a volunteer may claim a day"), max_digits=4, decimal_places=1,
        default=Decimal("8"),
    )  # fmt: skip
    max_claim_age_days = models.PositiveSmallIntegerField(
        _("claims older than this many days are refused"), default=30
    )
    min_unit_hours = models.DecimalField(
        _("smallest unit of hours"), max_digits=3, decimal_places=1, default=Decimal("0.5")
    )
    storage_cap_hours = models.DecimalField(
        _("most hours an account keeps (the rest goes to the fund)"), max_digits=7,
        decimal_places=1, default=Decimal("1500"),
    )  # fmt: skip
    expiry_days = models.PositiveIntegerField(
        _("hours expire after this many days (empty: never)"), null=True, blank=True
    )
    transfers_allowed = models.BooleanField(_("transfers to family allowed"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volunteer and time-bank policy")
        verbose_name_plural = _("volunteer and time-bank policy")

    def __str__(self) -> str:
        return str(_("volunteer and time-bank policy"))

    @classmethod
    def current(cls) -> Policy:
        policy = cls.objects.order_by("-id").first()
        return policy if policy is not None else cls()

    def interval_for(self, mode: str) -> int:
        return {
            PairingMode.ONE_TO_ONE: self.one_to_one_interval_days,
            PairingMode.GRID: self.grid_interval_days,
            PairingMode.AREA: self.area_interval_days,
        }[mode]


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class ServiceLogQuerySet(ScopedQuerySet):
    region_lookup = "senior__village__code"
    subtree_roles = RUN_ROLES
    own_lookups = ("volunteer__user",)


class ServiceLog(models.Model):
    """Hours a volunteer claims for a service to a senior; verified by the village assistant
    or township staff, it credits the hours once and counts as a visit to the senior."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="claims")
    senior = models.ForeignKey(
        "seniors.Senior", on_delete=models.PROTECT, related_name="service_logs"
    )
    service_type = models.CharField(_("service"), max_length=16)
    started_at = PlausibleDateTimeField(_("from"), span="event")
    ended_at = PlausibleDateTimeField(_("to"), span="event")
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    notes = BoundedTextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    reject_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    client_uuid = models.UUIDField(unique=True, null=True, blank=True)
    from_paper = models.BooleanField(
        _("entered from a paper passbook"), default=False,
        help_text=_("Entered by an assistant for a volunteer without a smartphone."),
    )  # fmt: skip
    entered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit = models.OneToOneField(
        "seniors.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="claim"
    )
    movement = models.OneToOneField(
        Movement, on_delete=models.PROTECT, null=True, blank=True, related_name="claim"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ServiceLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("service log")
        verbose_name_plural = _("service logs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["volunteer", "started_at"], name="claim_volunteer_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=models.F("started_at")), name="claim_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="claim_hours_positive"),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(movement__isnull=False, visit__isnull=False),
                name="verified_claim_credited_and_visited",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.hours} h"


class CatalogueItemQuerySet(ScopedQuerySet):
    """Items of the user's region, and the district's and township's items above it."""

    region_lookup = "region__code"
    subtree_roles = RUN_AND_VOLUNTEER_ROLES
    regions_above = (6, 9)


class CatalogueItem(models.Model):
    """Goods or services of a mutual-aid supermarket (互助超市), priced in hours."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("offered in"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    hours_price = models.DecimalField(_("price (hours)"), max_digits=6, decimal_places=1)
    stock = models.PositiveIntegerField(_("in stock"))
    active = models.BooleanField(_("offered"), default=True)

    history = HistoricalRecords()
    objects = CatalogueItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["hours_price", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(hours_price__gt=0), name="item_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class SpendingQuerySet(ScopedQuerySet):
    """Redemptions and transfers are seen by whoever sees the paying account."""

    region_lookup = "account__volunteer__village__code"
    subtree_roles = RUN_ROLES
    own_lookups = ("account__volunteer__user",)


class TransferQuerySet(SpendingQuerySet):
    """A transfer is seen on both sides: by whoever sees the giving account and by whoever
    sees the receiving one (the receiving village's assistant, and the staff of its township
    even for a transfer made before transfers stayed within a township)."""

    region_lookup = "from_account__volunteer__village__code"
    receiving_lookup = "to_account__volunteer__village__code"
    own_lookups = ("from_account__volunteer__user", "to_account__volunteer__user")


class Redemption(models.Model):
    """Hours spent on catalogue items: one movement to the redemption account."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="redemptions")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    movement = models.OneToOneField(Movement, on_delete=models.PROTECT, related_name="redemption")
    client_uuid = models.UUIDField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SpendingQuerySet.as_manager()

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="redeem_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class Transfer(models.Model):
    """Hours given to a family member's account (or donated to the fund)."""

    from_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    to_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    relation = models.CharField(_("relation"), max_length=50, blank=True)
    movement = models.OneToOneField(Movement, on_delete=models.PROTECT, related_name="transfer")
    client_uuid = models.UUIDField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_account=models.F("to_account")), name="transfer_between_two"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_account} → {self.to_account}"
