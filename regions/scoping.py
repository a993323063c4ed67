"""The one rule that decides what a user may see and change.

A user sees the records that lie in their region's subtree; the API, the pages, the admin and
the exports all ask this module. It fails closed: an anonymous or inactive user, a user without
a role or a region, or a role this module does not know, sees nothing.

Records point at a region by its code (the region's primary key), so scoping a queryset is a
prefix filter on a column of the record's own table: ``village__code__startswith`` compiles to
``village_id LIKE '500156101%'`` (Django trims the join to the primary key it points at).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User

# Roles that see their whole region's subtree. A role not listed here sees nothing (fail
# closed); a later issue that gives a role a narrower view (a volunteer: only their own logs
# and the seniors paired with them) overrides ``visible_to`` on that model's queryset.
SUBTREE_ROLES = frozenset(
    {"bureau", "township_staff", "village_assistant", "volunteer", "facility_operator"}
)

NO_SCOPE_MESSAGE = _(
    "Your account has no role or region yet, so it can see no records. "
    "Ask the district administrator to assign them."
)

# Superusers are the system's administrators: they see everything. The prefix "" matches all.
EVERYTHING = ""


def scope_prefix(user: User | None) -> str | None:
    """The code prefix of the subtree ``user`` may see, ``""`` for everything, or ``None``
    for nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return EVERYTHING
    if user.role not in SUBTREE_ROLES or user.region_id is None:
        return None
    return user.region.prefix


def can_see_region_code(user: User | None, code: str) -> bool:
    prefix = scope_prefix(user)
    return prefix is not None and code.startswith(prefix)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows where its rows sit in the hierarchy.

    Subclasses name the lookup that yields the code of the region a row belongs to
    (``region_lookup = "village__code"``); ``visible_to`` then keeps the rows a user may see.
    """

    region_lookup: str = ""
    # The roles that see this model's rows in their subtree; any other role sees none of them
    # (a model of people narrows this: a volunteer sees only the seniors paired with them).
    subtree_roles: frozenset[str] = SUBTREE_ROLES

    def visible_to(self, user: User | None):
        if not self.region_lookup:
            raise TypeError(f"{type(self).__name__} must set region_lookup")
        prefix = scope_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == EVERYTHING:
            return self.all()
        if user.role not in self.subtree_roles:
            return self.none()
        return self.filter(**{f"{self.region_lookup}__startswith": prefix})

    def visible_with_regions_above(self, user: User | None, lengths=(2, 4, 6, 9)):
        """What ``visible_to`` gives, plus rows of the regions above the user's (of the code
        lengths named): a district's training courses or supermarket items are for everyone
        below it."""
        prefix = scope_prefix(user)
        if not prefix or user.role not in self.subtree_roles:
            return ScopedQuerySet.visible_to(self, user)
        above = [prefix[:n].ljust(12, "0") for n in lengths if n < len(prefix)]
        return self.filter(
            Q(**{f"{self.region_lookup}__startswith": prefix})
            | Q(**{f"{self.region_lookup}__in": above})
        )

    def writable_by(self, user: User | None):
        """The rows ``user`` may change: those they see that also lie in their own subtree.
        Rows seen from above (a district's training course, the district's supermarket items)
        stay the district's: a township may read them but not add to or change them."""
        visible = self.visible_to(user)
        prefix = scope_prefix(user)
        if not prefix:  # nothing (visible_to gave none()) or everything (a superuser)
            return visible
        return visible.filter(**{f"{self.region_lookup}__startswith": prefix})

    def in_region(self, code_prefix: str):
        """Rows in the subtree of the region with this code prefix (a filter, not a scope)."""
        return self.filter(**{f"{self.region_lookup}__startswith": code_prefix})


def _scoped(queryset: models.QuerySet) -> ScopedQuerySet:
    if not isinstance(queryset, ScopedQuerySet):
        raise TypeError(
            f"{queryset.model.__name__} has no scoping rule: give its manager a ScopedQuerySet"
        )
    return queryset


def visible_to(queryset: models.QuerySet, user: User | None) -> models.QuerySet:
    """Scope any queryset of a scoped model; a model that is not scoped is refused loudly, so
    that nobody serves an unscoped table by mistake."""
    return _scoped(queryset).visible_to(user)


def writable_by(queryset: models.QuerySet, user: User | None) -> models.QuerySet:
    """The rows of a scoped queryset that ``user`` may change (see ``ScopedQuerySet``)."""
    return _scoped(queryset).writable_by(user)
