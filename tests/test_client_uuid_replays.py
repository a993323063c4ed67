"""A ``client_uuid`` names one request of one user: sent again by that user with the same
content (a phone that did not hear back), it answers 200 with the record stored the first time
and writes nothing more; anything else under it — another region's user, or the same user with
other content — is refused naming ``client_uuid`` and writes nothing, so nobody is shown another
user's record and nobody's own request is silently dropped. The walk finds every API route
whose serializer takes a ``client_uuid``: a new one without its case here fails the suite."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import get_resolver, reverse

from accounts.models import Role
from seniors.models import Visit
from tests import factories as f
from tests.helpers import account_of, walk
from volunteers.models import (
    Account,
    CatalogueItem,
    Entry,
    Movement,
    Redemption,
    ServiceLog,
    Transfer,
)

pytestmark = pytest.mark.django_db

REFUSED = {"client_uuid": ["该 client_uuid 已用于另一次提交；请换一个新的 client_uuid 再提交。"]}


def client_uuid_routes() -> list[str]:
    """The URL names of the API's routes that create a record from a serializer with a
    writable ``client_uuid``."""
    names = []
    for route, pattern in walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "cls", None)
        actions = getattr(pattern.callback, "actions", None) or {}
        if view is None or actions.get("post") != "create" or "<drf_format_suffix" in route:
            continue
        if "format" in getattr(pattern.pattern, "regex", None).groupindex:
            continue
        instance = view(**pattern.callback.initkwargs, action="create", format_kwarg=None)
        serializer = instance.get_serializer_class()(context={"view": instance})
        field = serializer.fields.get("client_uuid")
        if field is not None and not field.read_only:
            names.append(f"api:{pattern.name}")
    return sorted(names)


@dataclass
class Case:
    sender: object  # a user of 白马镇
    payload: dict  # the sender's request
    changed: dict  # the sender's request with one thing changed
    other: object  # a user of 后坪乡
    other_payload: dict  # the other user's own request, in their region


@pytest.fixture
def cases(regions, assistant_baima, staff_baima, staff_houping, volunteer, helper_account, rice,
          zhang, liu):  # fmt: skip
    volunteer_houping = f.UserFactory(
        username="volunteer-houping", role=Role.VOLUNTEER, region=regions["wenfeng"]
    )
    account_houping = account_of(regions["wenfeng"], "王志愿", user=volunteer_houping, hours="5")
    oil = f.CatalogueItemFactory(region=regions["wenfeng"], name="菜油", hours_price=1, stock=10)
    visit = {
        "senior": zhang.pk,
        "visited_at": "2026-11-28T15:30:00+08:00",
        "service_type": "inspection",
        "notes": "身体尚好",
    }
    claim = {
        "senior": zhang.pk,
        "service_type": "meals",
        "started_at": "2026-11-28T09:00:00+08:00",
        "ended_at": "2026-11-28T11:00:00+08:00",
        "notes": "送餐",
    }
    redemption = {"account": helper_account.pk, "item": rice.pk, "quantity": 1}
    transfer = {"from_account": helper_account.pk, "donate": True, "hours": "1.0"}
    return {
        "api:visit-list": Case(
            assistant_baima, visit, {**visit, "notes": "屋顶漏雨"},
            staff_houping, {**visit, "senior": liu.pk},
        ),
        "api:timebank-service-log-list": Case(
            volunteer, claim, {**claim, "notes": "陪聊天"},
            volunteer_houping, {**claim, "senior": liu.pk},
        ),
        "api:timebank-redemption-list": Case(
            staff_baima, redemption, {**redemption, "quantity": 2},
            staff_houping, {"account": account_houping.pk, "item": oil.pk, "quantity": 1},
        ),
        "api:timebank-transfer-list": Case(
            staff_baima, transfer, {**transfer, "hours": "2.0"},
            staff_houping, {**transfer, "from_account": account_houping.pk},
        ),
    }  # fmt: skip


def written():
    """What a request could have written: the rows, the balances, the stock."""
    models = (Visit, ServiceLog, Redemption, Transfer, Movement, Entry)
    return {
        **{model.__name__: model.objects.count() for model in models},
        "balances": list(Account.objects.order_by("pk").values_list("balance", flat=True)),
        "stock": list(CatalogueItem.objects.order_by("pk").values_list("stock", flat=True)),
    }


def test_the_walk_finds_the_routes_that_take_a_client_uuid(cases):
    assert client_uuid_routes() == sorted(cases)


@pytest.mark.parametrize("url_name", client_uuid_routes())
def test_a_client_uuid_answers_only_its_own_request(api_as, cases, url_name):
    assert url_name in cases, f"{url_name} takes a client_uuid: give it a case here"
    case, url, key = cases[url_name], reverse(url_name), str(uuid.uuid4())

    first = api_as(case.sender).post(url, {**case.payload, "client_uuid": key}, format="json")
    assert first.status_code == 201, first.json()
    stored = written()

    # another region's user sending their own request under the same uuid
    theirs = api_as(case.other).post(url, {**case.other_payload, "client_uuid": key}, format="json")
    assert (theirs.status_code, theirs.json()) == (400, REFUSED)
    assert written() == stored

    # the same user sending something else under it
    changed = api_as(case.sender).post(url, {**case.changed, "client_uuid": key}, format="json")
    assert (changed.status_code, changed.json()) == (400, REFUSED)
    assert written() == stored

    # the same request again: the first answer, nothing written twice
    again = api_as(case.sender).post(url, {**case.payload, "client_uuid": key}, format="json")
    assert (again.status_code, again.json()) == (200, first.json())
    assert written() == stored

    # the other user's request was refused for its uuid alone: with a new one it is made
    fresh = {**case.other_payload, "client_uuid": str(uuid.uuid4())}
    assert api_as(case.other).post(url, fresh, format="json").status_code == 201


def test_a_colleague_of_the_same_township_gets_no_replay_either(
    api_as, staff_baima, regions, helper_account
):
    colleague = f.UserFactory(
        username="staff-baima-2", role=Role.TOWNSHIP_STAFF, region=regions["baima"]
    )
    url = reverse("api:timebank-transfer-list")
    body = {"from_account": helper_account.pk, "donate": True, "hours": "1.0"}
    body["client_uuid"] = str(uuid.uuid4())
    assert api_as(staff_baima).post(url, body, format="json").status_code == 201

    response = api_as(colleague).post(url, body, format="json")

    # the colleague's donation is not taken for done: they are told to send it anew
    assert (response.status_code, response.json()) == (400, REFUSED)
    assert Transfer.objects.count() == 1
    helper_account.refresh_from_db()
    assert helper_account.balance == Decimal("4.0")
