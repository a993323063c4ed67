"""The roles the scoping rule knows (``regions/`` imports no other app, so it names the roles by
the values ``accounts.models.Role`` stores; a test holds the two equal)."""

from __future__ import annotations

# Every role: each sees records of its region's subtree as a model's queryset declares. A role
# not listed here sees nothing (fail closed).
SCOPED_ROLES = frozenset(
    {"bureau", "township_staff", "village_assistant", "volunteer", "facility_operator"}
)
# The role whose narrower view is their own rows (a volunteer: their pairings, their claims),
# where a model declares the lookup that leads from a row to its user (``own_lookups``).
OWN_ROWS_ROLES = frozenset({"volunteer"})
# The role whose view is the facilities they run, where a model declares the lookup that leads
# from a row to its facility's operators (``operator_lookup``).
OPERATOR_ROLES = frozenset({"facility_operator"})


def role_in(user, roles) -> bool:
    """Whether ``user``'s role is one of ``roles``: the scoping rule's one look at a role."""
    return getattr(user, "role", "") in roles
