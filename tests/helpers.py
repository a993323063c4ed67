"""What several test files do alike: the time bank's hours, a volunteer's claim on a day of
November 2026, the text of a page, the small coverage world of the coverage pages' tests."""

import datetime
import re
import zoneinfo
from decimal import Decimal

from django.urls import URLPattern, URLResolver

from tests import factories as f
from volunteers import ledger
from volunteers.claims import claim_submit

WULONG = zoneinfo.ZoneInfo("Asia/Shanghai")


# --- the time bank ---------------------------------------------------------------------------


def earn(account, hours):
    """Credit ``hours`` to the account from the earning account (as a verified claim would)."""
    return ledger.post_movement(
        kind="earn", source=ledger.system_account("earning"), target=account,
        hours=Decimal(hours), by=None,
    )  # fmt: skip


def balance(account):
    account.refresh_from_db()
    return account.balance


def account_of(village, name, *, user=None, hours=None):
    """The time-bank account of a new volunteer of the village, holding ``hours`` if given."""
    account = ledger.account_for(f.VolunteerFactory(village=village, name=name, user=user))
    if hours is not None:
        earn(account, hours)
    return account


def submit_claim(by, helper, senior, day, hour, hours=1, **fields):
    """A claim of ``hours`` of meals, from ``hour`` o'clock of the day of November 2026 in
    Wulong, submitted by ``by`` for the helper."""
    start = datetime.datetime(2026, 11, day, hour, tzinfo=WULONG)
    claim, _ = claim_submit(
        by=by, volunteer=helper, senior=senior, service_type="meals", started_at=start,
        ended_at=start + datetime.timedelta(hours=hours), **fields,
    )  # fmt: skip
    return claim


# --- pages -----------------------------------------------------------------------------------


def page_text(response) -> str:
    """The page's text without tags and runs of white space."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def tile(body: str, code: str) -> str:
    """The text of the coverage tile of an indicator."""
    start = body.index(f'data-indicator="{code}"')
    return body[start : body.index("</article>", start)]


def walk(patterns, prefix=""):
    """(route, pattern) of every URL pattern below these, with its full route."""
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


# --- coverage --------------------------------------------------------------------------------


def coverage_world(regions, *, lonely_80=True):
    """板桥 (白马): a point, an assistant, 4 seniors of whom 2 have a family doctor (a contract
    runs a year) and, with ``lonely_80``, one is 80+ living alone (孤老甲) without a pairing.
    文凤 (后坪): 1 senior, nothing else. No snapshots: the caller computes the days it needs."""
    banqiao = regions["banqiao"]
    f.FacilityFactory(
        kind="mutual_aid_point", region=banqiao, name="板桥互助点", **f.POINT_FUNCTIONS
    )
    f.ElderlyCareAssistantFactory(
        village=banqiao, name="王助理", started_on=datetime.date(2022, 1, 1)
    )
    signed, young = datetime.date(2026, 5, 1), datetime.date(1955, 1, 1)
    f.SeniorFactory(village=banqiao, born=young, family_doctor_contract_on=signed)
    f.SeniorFactory(village=banqiao, born=young, family_doctor_contract_on=signed)
    if lonely_80:
        f.SeniorFactory(village=banqiao, name="孤老甲", born=datetime.date(1940, 1, 1),
                        living_situation="alone")  # fmt: skip
    else:
        f.SeniorFactory(village=banqiao, born=young)
    f.SeniorFactory(village=banqiao, born=young)
    f.SeniorFactory(village=regions["wenfeng"], born=young)
    return regions


def policy_form(**changes) -> dict:
    """The admin's change form of the time-bank policy as the bureau sends it: the plan's
    figures, with ``changes`` made."""
    form = {
        "one_to_one_interval_days": 7, "grid_interval_days": 30, "area_interval_days": 30,
        "max_hours_per_day": "6.0", "max_claim_age_days": 30, "min_unit_hours": "0.5",
        "storage_cap_hours": "1500.0", "expiry_days": "", "transfers_allowed": "on",
        "one_to_one_per_helper": 1,
    }  # fmt: skip
    return {**form, **changes}
