"""Who may do what with people's records (on top of the region scope, which says where)."""

from __future__ import annotations

# register and edit seniors, change their status, record ability assessments, import and export
MANAGE_ROLES = frozenset({"bureau", "township_staff"})
# record visits and home services
VISIT_ROLES = frozenset({"bureau", "township_staff", "village_assistant"})
# see the full ID number (everyone else sees 5001**********123X)
FULL_ID_ROLES = frozenset({"bureau", "township_staff"})


def _has(user, roles: frozenset[str]) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or getattr(user, "role", "") in roles)


def can_manage_seniors(user) -> bool:
    return _has(user, MANAGE_ROLES)


def can_record_visits(user) -> bool:
    return _has(user, VISIT_ROLES)


def can_see_full_id(user) -> bool:
    return _has(user, FULL_ID_ROLES)
