"""The demo accounts: one table of who logs in to the demo, with which role, where.

``create_demo_accounts`` writes them (``accounts.services.user_upsert``), the generators give
them their records (the operator's care centre, the volunteer's claims, who verifies them), and
the load test and benchmarks log in as them. Their usernames are written here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Role, User
from accounts.services import user_upsert
from regions.models import Region


class RegionsMissing(Exception):
    """A demo account's region is not loaded (``load_regions`` has not run)."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    region: str  # the region's code
    display: str  # the account's display name (first name)
    admin: bool = False  # admin site access


BUREAU = DemoAccount("bureau", Role.BUREAU, "500156000000", "区民政局", admin=True)
STAFF_BAIMA = DemoAccount("staff-baima", Role.TOWNSHIP_STAFF, "500156101000", "白马镇民政办")
STAFF_HOUPING = DemoAccount("staff-houping", Role.TOWNSHIP_STAFF, "500156208000", "后坪乡民政办")
ASSISTANT_BAIMA = DemoAccount(
    "assistant-baima", Role.VILLAGE_ASSISTANT, "500156101201", "板桥村养老助理"
)
VOLUNTEER = DemoAccount("volunteer-demo", Role.VOLUNTEER, "500156101201", "板桥村志愿者")
# runs the 白马 care centre once generate_facilities has built it
OPERATOR_BAIMA = DemoAccount(
    "operator-baima", Role.FACILITY_OPERATOR, "500156101000", "白马片区照护中心运营方"
)

DEMO_ACCOUNTS = (BUREAU, STAFF_BAIMA, STAFF_HOUPING, ASSISTANT_BAIMA, VOLUNTEER, OPERATOR_BAIMA)


def demo_accounts_upsert(*, password: str) -> list[tuple[DemoAccount, User]]:
    """Create every demo account, or bring it back to its role, region and ``password``.

    Raises ``RegionsMissing`` naming the first region that is not loaded, before writing."""
    regions = Region.objects.in_bulk([account.region for account in DEMO_ACCOUNTS])
    for account in DEMO_ACCOUNTS:
        if account.region not in regions:
            raise RegionsMissing(account.region)
    done = []
    for account in DEMO_ACCOUNTS:
        user, _created = user_upsert(
            username=account.username,
            password=password,
            role=account.role,
            region=regions[account.region],
            first_name=account.display,
            is_staff=account.admin,
        )
        done.append((account, user))
    return done
