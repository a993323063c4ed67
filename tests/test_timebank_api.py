"""The time bank over HTTP: balances, statements, spending, transfers, the catalogue."""

import uuid
from decimal import Decimal

import pytest

from tests import factories as f
from tests.helpers import account_of, balance, earn
from volunteers import ledger
from volunteers.models import Movement, Redemption, Transfer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("books_stay_balanced")]

ACCOUNTS = "/api/v1/timebank/accounts/"
REDEMPTIONS = "/api/v1/timebank/redemptions/"
TRANSFERS = "/api/v1/timebank/transfers/"
CATALOGUE = "/api/v1/timebank/catalogue/"
SUMMARY = "/api/v1/timebank/summary/"


@pytest.fixture
def mine(helper_account):
    return helper_account


@pytest.fixture
def neighbour(regions):
    return account_of(regions["banqiao"], "王邻居")


@pytest.fixture
def far(regions):
    return account_of(regions["wenfeng"], "刘远方")


def test_a_volunteer_sees_only_their_own_account(api_as, volunteer, mine, neighbour):
    response = api_as(volunteer).get(ACCOUNTS)

    assert response.status_code == 200
    assert [a["id"] for a in response.json()["results"]] == [mine.pk]
    assert response.json()["results"][0]["balance"] == "5.0"
    assert api_as(volunteer).get(f"{ACCOUNTS}{neighbour.pk}/").status_code == 404


def test_staff_see_their_townships_volunteer_accounts_and_no_system_account(
    api_as, staff_baima, mine, neighbour, far
):
    response = api_as(staff_baima).get(ACCOUNTS)
    assert sorted(a["id"] for a in response.json()["results"]) == sorted([mine.pk, neighbour.pk])
    assert api_as(staff_baima).get(f"{ACCOUNTS}{far.pk}/").status_code == 404


def test_the_account_list_takes_a_fixed_number_of_queries(
    api_as, staff_baima, mine, neighbour, django_assert_max_num_queries
):
    client = api_as(staff_baima)
    with django_assert_max_num_queries(4):
        client.get(ACCOUNTS)


def test_the_statement_lists_entries_with_running_balance(api_as, volunteer, mine, rice):
    api_as(volunteer).post(REDEMPTIONS, {"item": rice.pk, "quantity": 1})

    response = api_as(volunteer).get(f"{ACCOUNTS}{mine.pk}/statement/")
    rows = [(r["kind"], r["amount"], r["balance_after"]) for r in response.json()["results"]]
    assert rows == [("earn", "5.0", "5.0"), ("redeem", "-2.0", "3.0")]


def test_affordable_lists_what_the_hours_buy_now(api_as, volunteer, mine, rice, regions):
    f.CatalogueItemFactory(region=regions["baima"], name="电饭煲", hours_price=30, stock=1)
    response = api_as(volunteer).get(f"{ACCOUNTS}{mine.pk}/affordable/")
    assert [i["name"] for i in response.json()["results"]] == ["大米"]


def test_a_volunteer_redeems_from_their_own_account(api_as, volunteer, mine, rice):
    response = api_as(volunteer).post(REDEMPTIONS, {"item": rice.pk, "quantity": 2})

    assert response.status_code == 201, response.json()
    assert response.json()["hours"] == "4.0"
    assert balance(mine) == Decimal("1")
    rice.refresh_from_db()
    assert rice.stock == 1


def test_a_short_balance_answers_400_and_writes_nothing(api_as, volunteer, mine, rice):
    rice.stock = 10
    rice.save()
    response = api_as(volunteer).post(REDEMPTIONS, {"item": rice.pk, "quantity": 3})

    assert response.status_code == 400
    assert "hours" in response.json()
    assert Redemption.objects.count() == 0
    rice.refresh_from_db()
    assert rice.stock == 10


def test_a_short_stock_answers_400_and_writes_nothing(api_as, volunteer, mine, rice):
    response = api_as(volunteer).post(REDEMPTIONS, {"item": rice.pk, "quantity": 4})

    assert response.status_code == 400
    assert "quantity" in response.json()
    assert balance(mine) == Decimal("5")


def test_the_same_uuid_twice_redeems_once_and_answers_the_first(api_as, volunteer, mine, rice):
    body = {"item": rice.pk, "quantity": 1, "client_uuid": str(uuid.uuid4())}
    first = api_as(volunteer).post(REDEMPTIONS, body)
    second = api_as(volunteer).post(REDEMPTIONS, body)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert balance(mine) == Decimal("3")


def test_a_volunteer_cannot_spend_from_someone_elses_account(api_as, volunteer, mine, neighbour,
                                                             rice):  # fmt: skip
    earn(neighbour, "5")
    response = api_as(volunteer).post(
        REDEMPTIONS, {"account": neighbour.pk, "item": rice.pk, "quantity": 1}
    )
    assert response.status_code == 400
    assert "account" in response.json()
    assert balance(neighbour) == Decimal("5")


def test_an_assistant_redeems_for_a_volunteer_of_their_village_at_the_counter(
    api_as, assistant_baima, mine, rice
):
    response = api_as(assistant_baima).post(
        REDEMPTIONS, {"account": mine.pk, "item": rice.pk, "quantity": 1}
    )
    assert response.status_code == 201
    assert balance(mine) == Decimal("3")


def test_staff_may_not_redeem_an_item_not_offered_in_the_volunteers_village(
    api_as, staff_houping, bureau, far, regions, rice
):
    earn(far, "5")
    response = api_as(bureau).post(REDEMPTIONS, {"account": far.pk, "item": rice.pk, "quantity": 1})
    assert response.status_code == 403

    response = api_as(staff_houping).post(
        REDEMPTIONS, {"account": far.pk, "item": rice.pk, "quantity": 1}
    )
    assert response.status_code == 400  # 大米 is 板桥村's and not visible in 后坪乡
    assert balance(far) == Decimal("5")


def test_a_transfer_to_family_moves_the_hours(api_as, volunteer, mine, neighbour):
    response = api_as(volunteer).post(
        TRANSFERS, {"to_account": neighbour.pk, "hours": "1.5", "relation": "女儿"}
    )
    assert response.status_code == 201, response.json()
    assert balance(mine) == Decimal("3.5")
    assert balance(neighbour) == Decimal("1.5")


def test_a_short_transfer_answers_400_and_writes_nothing(api_as, volunteer, mine, neighbour):
    response = api_as(volunteer).post(TRANSFERS, {"to_account": neighbour.pk, "hours": "6"})

    assert response.status_code == 400
    assert "hours" in response.json()
    assert Transfer.objects.count() == 0
    assert Movement.objects.filter(kind="transfer").count() == 0


def test_a_donation_goes_to_the_fund(api_as, volunteer, mine):
    response = api_as(volunteer).post(TRANSFERS, {"donate": True, "hours": "2"})
    assert response.status_code == 201, response.json()
    assert balance(ledger.system_account("fund")) == Decimal("2")


def test_a_transfer_without_a_target_is_400(api_as, volunteer, mine):
    response = api_as(volunteer).post(TRANSFERS, {"hours": "2"})
    assert response.status_code == 400
    assert "to_account" in response.json()


def test_garbage_answers_400_not_500(api_as, volunteer, mine):
    assert api_as(volunteer).post(TRANSFERS, {"to_account": "x", "hours": "y"}).status_code == 400
    assert api_as(volunteer).post(REDEMPTIONS, {"item": "x", "quantity": -1}).status_code == 400
    assert (
        api_as(volunteer).post(TRANSFERS, {"to_account": mine.pk, "hours": "1"}).status_code == 400
    )


def test_the_bureau_grants_from_the_fund_and_staff_may_not(api_as, bureau, staff_baima, mine):
    api_as(mine.volunteer.user).post(TRANSFERS, {"donate": True, "hours": "4"})

    refused = api_as(staff_baima).post(f"{ACCOUNTS}{mine.pk}/grant/", {"hours": "1", "memo": "x"})
    granted = api_as(bureau).post(f"{ACCOUNTS}{mine.pk}/grant/", {"hours": "3", "memo": "重点老人"})

    assert refused.status_code == 403
    assert granted.status_code == 201
    assert balance(mine) == Decimal("4")  # 5 - 4 donated + 3 granted


def test_township_staff_keep_the_catalogue_and_volunteers_may_not(api_as, staff_baima, volunteer):
    body = {"region": "500156101000", "name": "香油", "hours_price": "1.5", "stock": 4}
    assert api_as(volunteer).post(CATALOGUE, body).status_code == 403
    response = api_as(staff_baima).post(CATALOGUE, body)
    assert response.status_code == 201
    assert api_as(volunteer).get(CATALOGUE).json()["results"][0]["name"] == "香油"


def test_staff_may_not_put_an_item_in_another_township(api_as, staff_baima):
    body = {"region": "500156208000", "name": "香油", "hours_price": "1", "stock": 4}
    response = api_as(staff_baima).post(CATALOGUE, body)
    assert response.status_code == 400
    assert "region" in response.json()


def test_the_summary_shows_hours_earned_and_redeemed_per_township(
    api_as, bureau, volunteer, mine, far, rice
):
    api_as(volunteer).post(REDEMPTIONS, {"item": rice.pk, "quantity": 1})
    earn(far, "3")

    response = api_as(bureau).get(SUMMARY)
    assert response.status_code == 200
    assert [(r["township"], r["earned"], r["redeemed"]) for r in response.json()] == [
        ("500156101000", "5.0", "2.0"),
        ("500156208000", "3.0", "0.0"),
    ]


def test_the_summary_is_for_the_bureau_and_staff(api_as, volunteer, staff_houping, mine, far):
    assert api_as(volunteer).get(SUMMARY).status_code == 403
    earn(far, "3")
    response = api_as(staff_houping).get(SUMMARY)
    assert [r["township"] for r in response.json()] == ["500156208000"]
    assert api_as(staff_houping).get(SUMMARY, {"since": "nope"}).status_code == 400


def test_township_staff_may_not_change_the_districts_items(api_as, staff_baima, bureau, regions):
    item = f.CatalogueItemFactory(region=regions["district"], name="棉被", hours_price=10,
                                        stock=2)  # fmt: skip
    refused = api_as(staff_baima).patch(f"{CATALOGUE}{item.pk}/", {"stock": 99})
    allowed = api_as(bureau).patch(f"{CATALOGUE}{item.pk}/", {"stock": 5})

    assert refused.status_code == 403
    assert allowed.status_code == 200
    item.refresh_from_db()
    assert item.stock == 5
