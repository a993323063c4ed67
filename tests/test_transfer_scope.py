"""Family transfers of time-bank hours stay within a township, and a transfer is seen on both
sides: by every role that sees the giving account and by every role that sees the receiving
one, in the list and on the record."""

from decimal import Decimal

import pytest

from accounts.models import Role
from tests import factories as f
from tests.helpers import account_of, balance
from volunteers import ledger
from volunteers.models import Movement, Transfer

pytestmark = pytest.mark.django_db

TRANSFERS = "/api/v1/timebank/transfers/"


@pytest.fixture
def giver(helper_account):
    return helper_account


@pytest.fixture
def daughter_tiefosi(regions):
    """A daughter with a login, in 铁佛寺村: another village of the same township."""
    user = f.UserFactory(username="daughter", role=Role.VOLUNTEER, region=regions["tiefosi"])
    return account_of(regions["tiefosi"], "李女儿", user=user)


@pytest.fixture
def son_wenfeng(regions):
    """A son in 文凤村, in another township (后坪乡)."""
    return account_of(regions["wenfeng"], "李儿子")


def test_a_transfer_to_another_township_is_refused_and_writes_nothing(
    api_as, volunteer, giver, son_wenfeng
):
    response = api_as(volunteer).post(
        TRANSFERS, {"to_account": son_wenfeng.pk, "hours": "2", "relation": "儿子"}
    )

    assert response.status_code == 400
    assert response.json() == {"to_account": ["时长只能转给本乡镇的账户。"]}
    assert (balance(giver), balance(son_wenfeng)) == (Decimal("5"), Decimal("0"))
    assert not Transfer.objects.exists()
    assert not Movement.objects.filter(kind="transfer").exists()


def test_staff_at_the_counter_cannot_send_hours_to_another_township_either(
    api_as, staff_baima, giver, son_wenfeng
):
    response = api_as(staff_baima).post(
        TRANSFERS, {"from_account": giver.pk, "to_account": son_wenfeng.pk, "hours": "1"}
    )

    assert response.status_code == 400
    assert "to_account" in response.json()
    assert not Transfer.objects.exists()


def test_a_donation_to_the_district_fund_is_still_allowed(api_as, volunteer, giver):
    response = api_as(volunteer).post(TRANSFERS, {"donate": True, "hours": "1"})

    assert response.status_code == 201, response.json()
    assert balance(giver) == Decimal("4")


@pytest.fixture
def users(regions, bureau, staff_baima, staff_houping, assistant_baima, volunteer, outsider):
    """Every role, on the giving side (白马镇板桥村), the receiving side and elsewhere."""
    return {
        "bureau": bureau,
        "staff of 白马": staff_baima,
        "staff of 后坪": staff_houping,
        "assistant of 板桥 (giver's village)": assistant_baima,
        "assistant of 铁佛寺": f.UserFactory(
            username="assistant-tiefosi", role=Role.VILLAGE_ASSISTANT, region=regions["tiefosi"]
        ),
        "assistant of 文凤": f.UserFactory(
            username="assistant-wenfeng", role=Role.VILLAGE_ASSISTANT, region=regions["wenfeng"]
        ),
        "the giving volunteer": volunteer,
        "operator of 后坪": f.UserFactory(
            username="operator-x", role=Role.FACILITY_OPERATOR, region=regions["houping"]
        ),
        "no role": outsider,
    }


def _sees(client, transfer) -> tuple[bool, bool]:
    listed = client.get(TRANSFERS)
    ids = (
        [row["id"] for row in listed.json().get("results", [])] if listed.status_code == 200 else []
    )
    return transfer.pk in ids, client.get(f"{TRANSFERS}{transfer.pk}/").status_code == 200


def test_a_transfer_within_the_township_is_seen_by_both_villages(
    api_as, users, volunteer, giver, daughter_tiefosi
):
    response = api_as(volunteer).post(
        TRANSFERS, {"to_account": daughter_tiefosi.pk, "hours": "2", "relation": "女儿"}
    )
    assert response.status_code == 201, response.json()
    transfer = Transfer.objects.get()
    users["the receiving volunteer"] = daughter_tiefosi.volunteer.user

    seen = {name: _sees(api_as(user), transfer) for name, user in users.items()}

    both = (True, True)
    assert seen == {
        "bureau": both,
        "staff of 白马": both,
        "staff of 后坪": (False, False),
        "assistant of 板桥 (giver's village)": both,
        "assistant of 铁佛寺": both,  # the receiving village: not seen before
        "assistant of 文凤": (False, False),
        "the giving volunteer": both,
        "the receiving volunteer": both,
        "operator of 后坪": (False, False),
        "no role": (False, False),
    }


def test_a_transfer_made_across_townships_before_the_rule_is_seen_by_the_receiving_side(
    api_as, users, bureau, giver, son_wenfeng
):
    # written as the old rule allowed: straight through the ledger, not the refused service
    movement = ledger.post_movement(
        kind="transfer", source=giver, target=son_wenfeng, hours=Decimal("1"), by=bureau
    )
    transfer = f.TransferFactory(
        from_account=giver, to_account=son_wenfeng, relation="儿子", movement=movement
    )

    seen = {name: _sees(api_as(user), transfer) for name, user in users.items()}

    both = (True, True)
    assert seen == {
        "bureau": both,
        "staff of 白马": both,
        "staff of 后坪": both,  # the receiving township's staff: not seen before
        "assistant of 板桥 (giver's village)": both,
        "assistant of 铁佛寺": (False, False),
        "assistant of 文凤": both,
        "the giving volunteer": both,
        "operator of 后坪": (False, False),
        "no role": (False, False),
    }
