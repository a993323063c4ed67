"""The view log: every time a full ID or phone number of a person (a senior, a facility's staff
member, a volunteer) is shown (their record's page, the API record, an export with full
numbers), who saw it and when. Together with the change history (django-simple-history) it
answers "who looked at or changed this person"."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.rules import AUDIT_ROLES
from regions.scoping import ScopedQuerySet


class Channel(models.TextChoices):
    PAGE = "page", _("Record page")
    API = "api", _("API record")
    EXPORT = "export", _("Excel export")


class PersonViewQuerySet(ScopedQuerySet):
    region_lookup = "region__code"
    subtree_roles = AUDIT_ROLES


class PersonView(models.Model):
    """A person's full numbers shown to a user: a senior, a staff member or a volunteer (their
    record's page or API answer). An export is one row for all its people (no person,
    ``count`` people, ``query`` the filters)."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    senior = models.ForeignKey(
        "seniors.Senior",
        verbose_name=_("senior"),
        on_delete=models.PROTECT,
        related_name="views",
        null=True,
        blank=True,
    )
    # the person is a senior, a member of a facility's staff or a volunteer (one of the three)
    staff_member = models.ForeignKey(
        "facilities.StaffMember",
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    count = models.PositiveIntegerField(_("people"), default=1)
    query = models.CharField(_("filters"), max_length=500, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    objects = PersonViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("view of personal data")
        verbose_name_plural = _("views of personal data")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["senior", "-at"], name="personview_senior")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(staff_member__isnull=True, volunteer__isnull=True)
                | models.Q(senior__isnull=True, volunteer__isnull=True)
                | models.Q(senior__isnull=True, staff_member__isnull=True),
                name="personview_one_person_at_most",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.person or self.count}"

    @property
    @admin.display(description=_("person"))
    def person(self):
        return self.senior or self.staff_member or self.volunteer
