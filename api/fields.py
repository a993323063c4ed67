"""Related fields that only reach the records the requesting user may see.

A write names other records (a senior, a facility, a region, an account); a record outside the
user's scope answers the same "does not exist" as one that is not there, by the same rule as
every list (``ScopedQuerySet.visible_to``).
"""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import User
from facilities.rules import operator_accounts
from regions.models import Region
from regions.scoping import require_scoped


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A record by id, among those of ``queryset`` the requesting user may see."""

    def get_queryset(self):
        return require_scoped(super().get_queryset()).visible_to(self.context["request"].user)


class ScopedRegionField(serializers.SlugRelatedField):
    """A region by its code, among those the requesting user may see, of one of ``levels``
    (any level when none is named)."""

    def __init__(self, *levels: str, **kwargs):
        self.levels = levels
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Region.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        regions = Region.objects.all()
        if self.levels:
            regions = regions.filter(level__in=self.levels)
        return regions.visible_to(self.context["request"].user)


class ScopedOperatorField(serializers.SlugRelatedField):
    """Facility-operator accounts by username, among the users the requester may see."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "username")
        kwargs.setdefault("queryset", operator_accounts(User.objects))
        super().__init__(**kwargs)

    def get_queryset(self):
        return operator_accounts(User.objects).visible_to(self.context["request"].user)
