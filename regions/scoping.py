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

from regions.rules import OPERATOR_ROLES, OWN_ROWS_ROLES, SCOPED_ROLES, role_in

if TYPE_CHECKING:
    from accounts.models import User

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
    if not role_in(user, SCOPED_ROLES) or user.region_id is None:
        return None
    return user.region.prefix


def can_see_region_code(user: User | None, code: str) -> bool:
    prefix = scope_prefix(user)
    return prefix is not None and code.startswith(prefix)


def _crosses_to_many(model: type[models.Model], lookup: str) -> bool:
    """Whether the relations of ``lookup`` before its last step pass a to-many relation (a
    senior's placements), so that a row may match more than once."""
    for name in lookup.split("__")[:-1]:
        field = model._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        model = field.related_model
    return False


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows where its rows sit in the hierarchy and who sees them.

    A model declares its rule; ``visible_to`` is the one implementation, and fails closed the
    same way for every model: an anonymous or inactive user, a user without a role or a region,
    sees nothing; an administrator sees every row (of ``visible_rows``); then

    - a role in ``subtree_roles`` sees the rows whose ``region_lookup`` lies in its region's
      subtree, plus the rows of the regions above it of the code lengths in ``regions_above``,
      plus the rows whose ``receiving_lookup`` lies in its subtree (the other side of a row:
      the receiving account of a transfer, the facility of a course's attendee);
    - a facility operator, where ``operator_lookup`` leads from a row to its facility's
      operators, sees instead the rows of the facilities they run in their region (with
      ``operator_condition``: the senior's placement still open);
    - a role in ``own_roles`` (a volunteer), where ``own_lookups`` lead from a row to a user,
      sees the rows that lead to them (their pairings, their claims);
    - any other role sees nothing.

    ``writable_by`` keeps of those the rows whose ``region_lookup`` lies in the user's own
    subtree: rows seen from above or from the other side stay their region's.
    """

    # the lookup that yields the code of the region a row belongs to ("village__code")
    region_lookup: str = ""
    # the roles that see this model's rows in their subtree
    subtree_roles: frozenset[str] = SCOPED_ROLES
    # code lengths of the regions above the user's whose rows everyone below sees (a
    # district's training courses): 2, 4, 6, 9 for province, city, district, township
    regions_above: tuple[int, ...] = ()
    # a second region lookup a row is also seen from (a transfer's receiving account, the
    # facility of a course's attendee)
    receiving_lookup: str = ""
    # lookups from a row to the user whose own rows they are ("helper__user")
    own_lookups: tuple[str, ...] = ()
    own_roles: frozenset[str] = OWN_ROWS_ROLES
    # the lookup from a row to its facility's operators ("facility__operators"); the facility's
    # region is the same path ending in "region__code"
    operator_lookup: str = ""
    operator_condition: Q = Q()
    # the rows anyone may see at all (time-bank accounts: only volunteers' accounts)
    visible_rows: Q = Q()

    def visible_to(self, user: User | None):
        if not self.region_lookup:
            raise TypeError(f"{type(self).__name__} must set region_lookup")
        prefix = scope_prefix(user)
        if prefix is None:
            return self.none()
        rows = self.filter(self.visible_rows)
        if prefix == EVERYTHING:
            return rows
        if self.operator_lookup and role_in(user, OPERATOR_ROLES):
            return rows._operated_by(user, prefix)
        if role_in(user, self.subtree_roles):
            return rows.filter(self._in_subtree(prefix))
        if self.own_lookups and role_in(user, self.own_roles):
            own = Q()
            for lookup in self.own_lookups:
                own |= Q(**{lookup: user})
            return rows.filter(own)
        return self.none()

    def _in_subtree(self, prefix: str) -> Q:
        seen = Q(**{f"{self.region_lookup}__startswith": prefix})
        above = [prefix[:n].ljust(12, "0") for n in self.regions_above if n < len(prefix)]
        if above:
            seen |= Q(**{f"{self.region_lookup}__in": above})
        if self.receiving_lookup:
            seen |= Q(**{f"{self.receiving_lookup}__startswith": prefix})
        return seen

    def _operated_by(self, user: User, prefix: str):
        facility_region = self.operator_lookup.removesuffix("operators") + "region__code"
        rows = self.filter(
            self.operator_condition,
            **{self.operator_lookup: user, f"{facility_region}__startswith": prefix},
        )
        return rows.distinct() if _crosses_to_many(self.model, self.operator_lookup) else rows

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


def require_scoped(queryset: models.QuerySet) -> ScopedQuerySet:
    """``queryset`` itself if its model has a scoping rule; a model without one is refused
    loudly, so that nobody serves an unscoped table by mistake (the API's and the admin's
    mixins scope through this)."""
    if not isinstance(queryset, ScopedQuerySet):
        raise TypeError(
            f"{queryset.model.__name__} has no scoping rule: give its manager a ScopedQuerySet"
        )
    return queryset
