"""Who may act on the facility network (on top of the region scope, which says where)."""

from __future__ import annotations

from accounts.models import Role, has_role

# The bureau and township staff supervise the network: they open facilities, inspect them,
# admit residents (特困 admissions are a township decision), run trainings and projects.
SUPERVISORS = frozenset({Role.BUREAU, Role.TOWNSHIP_STAFF})
# Whoever keeps a facility's ledgers current: beds, discharges, staff, certificates, funds.
# An operator's queryset holds only the facilities they run, so that is all they can change.
LEDGER_KEEPERS = SUPERVISORS | {Role.FACILITY_OPERATOR}
# Who sees a staff member's phone in full on their record: the bureau and township staff, and
# the operator who employs them (audit/personal.py says who sees which number where).
STAFF_PHONE_ROLES = LEDGER_KEEPERS
# Who sees the facility network: everyone with a region sees the facilities in it; a facility
# operator sees only the facilities they run (``FacilityQuerySet.operator_lookup``).
FACILITY_ROLES = LEDGER_KEEPERS | {Role.VILLAGE_ASSISTANT}
# The accounts that may run a facility (a facility's ``operators``).
OPERATOR_ACCOUNTS = {"role": Role.FACILITY_OPERATOR}
# What places a facility in the network and in the plan's counts: an operator keeps the rest
# of their facility's record, these stay with the bureau and township staff.
SUPERVISED_FACILITY_FIELDS = (
    "kind",
    "region",
    "served_regions",
    "operators",
    "status",
    "status_on",
    "opened_on",
    "lead_centre",
    "retention",
)
# The checklist of basic indicators is the district's: the bureau edits it.
CHECKLIST_KEEPERS = frozenset({Role.BUREAU})


def can_read_facilities(user) -> bool:
    """The facility network, its pages and its trainings."""
    return has_role(user, FACILITY_ROLES)


def can_supervise(user) -> bool:
    return has_role(user, SUPERVISORS)


def can_keep_ledgers(user) -> bool:
    return has_role(user, LEDGER_KEEPERS)


def can_edit_checklist(user) -> bool:
    return has_role(user, CHECKLIST_KEEPERS)


def may_run_a_facility(user) -> bool:
    """An account that may be named among a facility's operators."""
    return getattr(user, "role", "") == Role.FACILITY_OPERATOR


def operator_accounts(users):
    """The facility-operator accounts among ``users`` (a queryset of users)."""
    return users.filter(**OPERATOR_ACCOUNTS)
