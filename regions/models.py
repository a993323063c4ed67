"""The administrative hierarchy: district → township → village → villager group.

Regions are keyed by their statistical code. Official codes have 12 digits and are
hierarchical by prefix (``500156`` district, ``500156101`` township, ``500156101200``
village). Villager groups have no official code; ours extend their village's code by three
digits. So the *prefix* of a region (its code cut to the digits its level owns) is a prefix of
the code of every region below it, and of every record that points at one of them: a subtree is
``code LIKE 'prefix%'`` on an indexed column, one query, no join.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from regions.scoping import ScopedQuerySet


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village")
    GROUP = "group", _("Villager group")


# How many digits of the code a region of each level owns: its subtree prefix.
PREFIX_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.DISTRICT: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
    Level.GROUP: 15,
}
LEVEL_ORDER = list(PREFIX_LENGTH)


def prefix_of_code(code: str) -> str:
    """The subtree prefix of a code, read from the code alone (its zero-filled tail): the same
    as ``Region.prefix`` for every official code, and no query needed."""
    if len(code) != 12:
        return code
    for length in (2, 4, 6, 9):
        if code[length:] == "0" * (12 - length):
            return code[:length]
    return code


class Kind(models.TextChoices):
    DISTRICT = "区", _("District (区)")
    SUBDISTRICT = "街道", _("Sub-district (街道)")
    TOWN = "镇", _("Town (镇)")
    TOWNSHIP = "乡", _("Township (乡)")
    VILLAGE = "村", _("Village (村)")
    COMMUNITY = "社区", _("Community (社区)")
    VILLAGER_GROUP = "村民小组", _("Villager group (村民小组)")


class UrbanRural(models.TextChoices):
    MAIN_URBAN = "111", _("Main urban area")
    URBAN_FRINGE = "112", _("Urban–rural fringe")
    TOWN_CENTRE = "121", _("Town centre")
    TOWN_FRINGE = "122", _("Town fringe")
    SPECIAL = "123", _("Special area")
    TOWNSHIP_CENTRE = "210", _("Township centre")
    VILLAGE = "220", _("Village")


class RegionQuerySet(ScopedQuerySet):
    region_lookup = "code"

    def subtree(self, region: Region) -> RegionQuerySet:
        """The region and everything below it, in one indexed prefix query."""
        return self.filter(code__startswith=region.prefix)

    def of_level(self, level: str) -> RegionQuerySet:
        return self.filter(level=level)


class Region(models.Model):
    """An administrative division (行政区划) or a villager group (村民小组)."""

    code = models.CharField(
        _("code"),
        max_length=15,
        primary_key=True,
        help_text=_("12-digit statistical code; villager groups add 3 digits to their village's."),
    )
    name = models.CharField(_("official name"), max_length=64)
    short_name = models.CharField(_("name"), max_length=32)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    urban_rural_code = models.CharField(
        _("urban–rural code"), max_length=3, choices=UrbanRural.choices, blank=True
    )
    counts_as_village = models.BooleanField(
        _("counted as a village"),
        default=False,
        help_text=_(
            "Communities (社区) count in the village indicators only where the bureau says so."
        ),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    history = HistoricalRecords()
    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{12}([0-9]{3})?$"),
                name="region_code_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[Level(self.level)]]

    def contains(self, code: str) -> bool:
        """Whether the region with ``code`` (or a record pointing at it) lies in this subtree."""
        return code.startswith(self.prefix)
