"""Writes on the hierarchy: the admin and the API go through these. The official divisions
come in whole from ``regions.loader``; here an administrator corrects names or adds a division.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from eldercare.records import editable_fields, row_save
from regions.models import Region

if TYPE_CHECKING:
    from accounts.models import User

REGION_FIELDS = editable_fields(Region)
# the official key: a region's code, level and place in the tree never change
REGION_KEY = ("code", "level", "parent")


@transaction.atomic
def region_save(*, by: User | None, region: Region | None = None, **fields: Any) -> Region:
    """Add a region (``region=None``) or correct one's names and kind; its code, level and
    parent are set once. No region is deleted while records may point at it."""
    return row_save(
        Region, by=by, row=region, fields=fields, allowed=REGION_FIELDS, fixed=REGION_KEY
    )
