"""Who may read the coverage of the plan's targets and who steers it (on top of the region
scope, which says where)."""

from __future__ import annotations

from accounts.models import Role, has_role

# read snapshots, reports and the coverage pages of their subtree
READ_ROLES = frozenset({Role.BUREAU, Role.TOWNSHIP_STAFF, Role.VILLAGE_ASSISTANT})
# have a region's monthly report built (again) on request, in their subtree: the bureau and
# the township's staff; the village assistants read the built ones
BUILD_REPORT_ROLES = frozenset({Role.BUREAU, Role.TOWNSHIP_STAFF})
# the district's plan: targets, plans and indicators, recomputing, the coverage admin
BUREAU_ROLES = frozenset({Role.BUREAU})


def can_read_coverage(user) -> bool:
    return has_role(user, READ_ROLES)


def can_build_reports(user) -> bool:
    return has_role(user, BUILD_REPORT_ROLES)


def can_set_targets(user) -> bool:
    return has_role(user, BUREAU_ROLES)


def can_recompute(user) -> bool:
    return has_role(user, BUREAU_ROLES)


def can_administer_coverage(user) -> bool:
    """The coverage admin: plans, indicators and targets (the admin's own staff check aside)."""
    return has_role(user, BUREAU_ROLES)


def role_of(user) -> str:
    """The part of a user's role an answer about coverage may depend on (the cache keeps one
    answer per role and subtree): administrators apart, else the role itself."""
    return "superuser" if user.is_superuser else (user.role or "")
