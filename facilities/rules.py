"""Who may act on the facility network (on top of the region scope, which says where)."""

from __future__ import annotations

from accounts.models import has_role

# The bureau and township staff supervise the network: they open facilities, inspect them,
# admit residents (特困 admissions are a township decision), run trainings and projects.
SUPERVISORS = frozenset({"bureau", "township_staff"})
# Whoever keeps a facility's ledgers current: beds, discharges, staff, certificates, funds.
# An operator's queryset holds only the facilities they run, so that is all they can change.
LEDGER_KEEPERS = SUPERVISORS | {"facility_operator"}
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


def can_supervise(user) -> bool:
    return has_role(user, SUPERVISORS)


def can_keep_ledgers(user) -> bool:
    return has_role(user, LEDGER_KEEPERS)
