"""Who may do what with people's records (on top of the region scope, which says where)."""

from __future__ import annotations

from accounts.models import has_role

# register and edit seniors, change their status, record ability assessments, import and export
MANAGE_ROLES = frozenset({"bureau", "township_staff"})
# record visits and home services
VISIT_ROLES = frozenset({"bureau", "township_staff", "village_assistant"})
# see the full ID number on a person's record and in the ledger's export (lists always show
# 5001**********123X); what each role sees of which number where: audit/personal.py
FULL_ID_ROLES = frozenset({"bureau", "township_staff"})


def can_manage_seniors(user) -> bool:
    return has_role(user, MANAGE_ROLES)


def can_record_visits(user) -> bool:
    return has_role(user, VISIT_ROLES)


def can_see_full_id(user) -> bool:
    return has_role(user, FULL_ID_ROLES)
