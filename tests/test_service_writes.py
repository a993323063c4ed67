"""Writes go through the services, whichever face they come from: a repeated time-bank request
answers ``(record, False)`` and writes once; the admin's saves and the API's edits of
reference data are the services', with the acting user in the history."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from coverage import services as coverage_services
from coverage.models import Plan, Target
from facilities import services as facility_services
from facilities.models import BasicIndicator
from regions import services as region_services
from regions.models import Region
from tests import factories as f
from tests.helpers import balance, policy_form
from volunteers import ledger, spending
from volunteers import services as volunteer_services
from volunteers.admin import PolicyAdmin
from volunteers.models import Movement, Policy, Redemption, Transfer

pytestmark = pytest.mark.django_db

BANQIAO = "500156101201"


@pytest.fixture
def account(helper_account):
    """李志愿's account, 5 h in it (the cast's), as these tests name it."""
    return helper_account


def test_a_repeated_redemption_answers_the_first_one_not_created(account, rice):
    key = uuid.uuid4()

    first = spending.timebank_redeem(by=None, account=account, item=rice, quantity=1,
                                     client_uuid=key)  # fmt: skip
    again = spending.timebank_redeem(by=None, account=account, item=rice, quantity=1,
                                     client_uuid=key)  # fmt: skip

    assert first[1] is True
    assert again == (first[0], False)
    assert Redemption.objects.count() == 1
    assert Movement.objects.filter(kind="redeem").count() == 1
    assert balance(account) == Decimal("3")
    rice.refresh_from_db()
    assert rice.stock == 2


def test_a_repeated_transfer_answers_the_first_one_not_created(account):
    key = uuid.uuid4()
    fund = ledger.system_account("fund")

    first = spending.timebank_transfer(
        by=None, from_account=account, to_account=fund, hours=Decimal("2"), client_uuid=key
    )
    again = spending.timebank_transfer(
        by=None, from_account=account, to_account=fund, hours=Decimal("2"), client_uuid=key
    )

    assert first[1] is True
    assert again == (first[0], False)
    assert Transfer.objects.count() == 1
    assert Movement.objects.filter(kind="donation").count() == 1
    assert balance(account) == Decimal("3")


def test_the_api_answers_201_then_200_for_the_same_redemption(api_as, staff_baima, account, rice):
    payload = {
        "account": account.pk,
        "item": rice.pk,
        "quantity": 1,
        "client_uuid": str(uuid.uuid4()),
    }

    first = api_as(staff_baima).post("/api/v1/timebank/redemptions/", payload, format="json")
    again = api_as(staff_baima).post("/api/v1/timebank/redemptions/", payload, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Redemption.objects.count() == 1


def test_an_admin_change_of_the_policy_is_the_services_with_the_admin_in_history(
    client, bureau, monkeypatch
):
    f.PolicyFactory()
    policy = Policy.objects.get()
    called = []
    original = volunteer_services.policy_save
    monkeypatch.setattr(
        PolicyAdmin,
        "save_service",
        staticmethod(lambda **kwargs: called.append(kwargs) or original(**kwargs)),
    )
    client.force_login(bureau)
    form = policy_form(grid_interval_days=21)

    response = client.post(f"/admin/volunteers/policy/{policy.pk}/change/", form)

    assert response.status_code == 302
    assert called and called[0]["by"] == bureau and called[0]["policy"].pk == policy.pk
    assert called[0]["grid_interval_days"] == 21
    assert Policy.current().grid_interval_days == 21
    assert Policy.current().history.first().history_user == bureau


def test_the_admin_adds_a_checklist_item_through_its_service(client, bureau):
    client.force_login(bureau)

    response = client.post(
        "/admin/facilities/basicindicator/add/",
        {"code": "fire-doors", "name": "防火门", "active": "on"},
    )

    assert response.status_code == 302
    item = BasicIndicator.objects.get(code="fire-doors")
    assert item.history.get().history_user == bureau


def test_the_admin_cannot_delete_a_checklist_item(client, bureau):
    item = facility_services.basic_indicator_save(by=bureau, code="fire-doors", name="防火门")
    client.force_login(bureau)

    response = client.post(f"/admin/facilities/basicindicator/{item.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert BasicIndicator.objects.filter(pk=item.pk).exists()


def test_a_plans_new_target_in_the_admin_is_saved_by_the_target_service(client, admin_user):
    plan = Plan.objects.order_by("pk").first()
    indicator = Target.objects.filter(plan=plan).first().indicator
    Target.objects.filter(plan=plan, indicator=indicator).delete()
    targets = list(Target.objects.filter(plan=plan).order_by("pk"))
    form = {
        "code": plan.code, "name": plan.name, "document": plan.document,
        "issued_on": plan.issued_on.isoformat(), "due_on": plan.due_on.isoformat(),
        "targets-TOTAL_FORMS": len(targets) + 1, "targets-INITIAL_FORMS": len(targets),
        "targets-MIN_NUM_FORMS": 0, "targets-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for i, target in enumerate(targets):
        form.update({
            f"targets-{i}-id": target.pk, f"targets-{i}-plan": plan.pk,
            f"targets-{i}-indicator": target.indicator_id,
            f"targets-{i}-value": "" if target.value is None else str(target.value),
            f"targets-{i}-comparison": target.comparison, f"targets-{i}-level": target.level,
            f"targets-{i}-note": target.note,
        })  # fmt: skip
    new = len(targets)
    form.update({
        f"targets-{new}-plan": plan.pk, f"targets-{new}-indicator": indicator.pk,
        f"targets-{new}-value": "55", f"targets-{new}-comparison": "gte",
        f"targets-{new}-level": "", f"targets-{new}-note": "",
    })  # fmt: skip
    client.force_login(admin_user)

    response = client.post(f"/admin/coverage/plan/{plan.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    added = Target.objects.get(plan=plan, indicator=indicator)
    assert added.value == Decimal("55")
    assert added.history.get().history_user == admin_user


def test_a_target_changed_through_the_api_keeps_who_changed_it(api_as, bureau):
    target = Target.objects.order_by("pk").first()

    response = api_as(bureau).patch(
        f"/api/v1/coverage/targets/{target.pk}/", {"note": "调整"}, format="json"
    )

    assert response.status_code == 200
    latest = Target.objects.get(pk=target.pk).history.first()
    assert (latest.note, latest.history_user) == ("调整", bureau)


def test_a_target_service_refuses_a_field_no_caller_may_set(bureau):
    target = Target.objects.order_by("pk").first()
    with pytest.raises(TypeError):
        coverage_services.target_save(by=bureau, target=target, id=99)


def test_a_regions_code_level_and_parent_are_set_once(regions, admin_user):
    village = Region.objects.get(code=BANQIAO)
    with pytest.raises(ValidationError) as refused:
        region_services.region_save(by=admin_user, region=village, parent=regions["houping"])
    assert "parent" in refused.value.message_dict
    assert Region.objects.get(code=BANQIAO).parent_id == regions["banqiao"].parent_id

    renamed = region_services.region_save(by=admin_user, region=village, short_name="新板桥村")
    assert renamed.history.first().history_user == admin_user


def test_an_admin_rename_of_a_region_records_the_administrator(client, admin_user, regions):
    village = Region.objects.get(code=BANQIAO)
    client.force_login(admin_user)
    form = {
        "name": village.name, "short_name": "新板桥村", "kind": village.kind,
        "urban_rural_code": village.urban_rural_code,
        "counts_as_village": "on" if village.counts_as_village else "",
    }  # fmt: skip

    response = client.post(f"/admin/regions/region/{BANQIAO}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    latest = Region.objects.get(code=BANQIAO).history.first()
    assert (latest.short_name, latest.history_user) == ("新板桥村", admin_user)
