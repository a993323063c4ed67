"""Who may do what on the volunteer side and in the time bank (on top of the region scope,
which says where)."""

from __future__ import annotations

from accounts.models import Role, has_role
from regions.scoping import can_see_region_code

# Who runs the volunteer side of their region: registers volunteers and groups, pairs them
# with seniors, decides claims (and may enter a paper record for a volunteer).
RUN_ROLES = frozenset({Role.BUREAU, Role.TOWNSHIP_STAFF, Role.VILLAGE_ASSISTANT})
# Rows of the region a volunteer reads too (the groups and assistants of their village, the
# supermarket's catalogue); a volunteer's own rows are declared on each model's queryset.
RUN_AND_VOLUNTEER_ROLES = RUN_ROLES | {Role.VOLUNTEER}
# appoint and end a village's elderly-care assistants
APPOINT_ROLES = frozenset({Role.BUREAU, Role.TOWNSHIP_STAFF})
# submit claims: a volunteer their own, the deciders a paper record for one
CLAIM_ROLES = RUN_ROLES | {Role.VOLUNTEER}
# the time bank's counter: redeem hours for items, transfer hours
COUNTER_ROLES = frozenset({Role.VOLUNTEER, Role.VILLAGE_ASSISTANT, Role.TOWNSHIP_STAFF})
# keep the mutual-aid supermarket's catalogue
CATALOGUE_ROLES = frozenset({Role.BUREAU, Role.TOWNSHIP_STAFF})
# the summary of hours earned and redeemed
SUMMARY_ROLES = frozenset({Role.BUREAU, Role.TOWNSHIP_STAFF})
# the district's policy and fund: grant hours, change the time bank's rules
BUREAU_ROLES = frozenset({Role.BUREAU})


def can_run_volunteers(user) -> bool:
    """The volunteer side's pages and writes: volunteers, groups, pairings, gaps."""
    return has_role(user, RUN_ROLES)


def can_appoint_assistants(user) -> bool:
    return has_role(user, APPOINT_ROLES)


def can_decide_claims(user) -> bool:
    """Decide claims (in their region) and enter paper records."""
    return has_role(user, RUN_ROLES)


def can_verify_claim(user, claim) -> bool:
    """An assistant of the senior's village, or staff or the bureau above it — never the
    volunteer who claimed, whatever other role they hold."""
    if not can_decide_claims(user):
        return False
    if not can_see_region_code(user, claim.senior.village_id):
        return False
    return claim.volunteer.user_id != user.pk


def can_submit_claims(user) -> bool:
    return has_role(user, CLAIM_ROLES)


def can_work_counter(user) -> bool:
    return has_role(user, COUNTER_ROLES)


def can_keep_catalogue(user) -> bool:
    return has_role(user, CATALOGUE_ROLES)


def can_read_timebank_summary(user) -> bool:
    return has_role(user, SUMMARY_ROLES)


def can_grant_hours(user) -> bool:
    """The district fund grants hours: the bureau (or an administrator)."""
    return has_role(user, BUREAU_ROLES)


def can_change_policy(user) -> bool:
    return has_role(user, BUREAU_ROLES)


def is_volunteer(user) -> bool:
    """A volunteer's login (their pages are their own record's; see ``Volunteer.user``)."""
    return getattr(user, "role", "") == Role.VOLUNTEER
