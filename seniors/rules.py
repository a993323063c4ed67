"""Who may do what with people's records (on top of the region scope, which says where)."""

from __future__ import annotations

from accounts.models import Role, has_role

# Who works with people's records: the bureau, township staff and village assistants see the
# seniors of their subtree (a facility operator sees the residents of the facilities they run:
# ``SeniorQuerySet.operator_lookup``; volunteers see none).
PEOPLE_ROLES = frozenset({Role.BUREAU, Role.TOWNSHIP_STAFF, Role.VILLAGE_ASSISTANT})
# register and edit seniors, change their status, record ability assessments, import and export
MANAGE_ROLES = frozenset({Role.BUREAU, Role.TOWNSHIP_STAFF})
# record visits and home services
VISIT_ROLES = frozenset({Role.BUREAU, Role.TOWNSHIP_STAFF, Role.VILLAGE_ASSISTANT})
# see the full ID number on a person's record and in the ledger's export (lists always show
# 5001**********123X); what each role sees of which number where: audit/personal.py
FULL_ID_ROLES = frozenset({Role.BUREAU, Role.TOWNSHIP_STAFF})
# the roles with a to-do list on their home page (visits due, claims, certificates, imports)
TO_DO_LIST_ROLES = frozenset({Role.VILLAGE_ASSISTANT, Role.TOWNSHIP_STAFF})


def can_read_people(user) -> bool:
    """The seniors' ledger and its pages."""
    return has_role(user, PEOPLE_ROLES)


def can_manage_seniors(user) -> bool:
    return has_role(user, MANAGE_ROLES)


def can_record_visits(user) -> bool:
    return has_role(user, VISIT_ROLES)


def can_see_full_id(user) -> bool:
    return has_role(user, FULL_ID_ROLES)


def has_to_do_list(user) -> bool:
    """A village assistant or township clerk starts from a to-do list (administrators, who
    have no role, from their region)."""
    return getattr(user, "role", "") in TO_DO_LIST_ROLES


def works_in_a_village(user) -> bool:
    """A village assistant: their to-do list leads with the claims to verify."""
    return getattr(user, "role", "") == Role.VILLAGE_ASSISTANT
