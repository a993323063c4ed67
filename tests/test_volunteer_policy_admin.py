"""The bureau keeps the volunteer and time-bank policy in the admin, with its history."""

from decimal import Decimal

import pytest

from tests import factories as f
from tests.helpers import policy_form
from volunteers.models import Policy

pytestmark = pytest.mark.django_db


def test_the_bureau_changes_the_policy_and_the_change_is_kept(client, bureau):
    f.PolicyFactory()
    client.force_login(bureau)
    form = policy_form(grid_interval_days=14, one_to_one_per_helper=2)
    policy = Policy.objects.get()
    response = client.post(f"/admin/volunteers/policy/{policy.pk}/change/", form)

    assert response.status_code == 302
    current = Policy.current()
    assert (current.grid_interval_days, str(current.max_hours_per_day)) == (14, "6.0")
    assert current.one_to_one_per_helper == 2
    assert current.history.first().history_user == bureau


def test_township_staff_cannot_open_the_policy(client, staff_baima):
    staff_baima.is_staff = True
    staff_baima.save()
    f.PolicyFactory()
    client.force_login(staff_baima)
    assert (
        client.get(f"/admin/volunteers/policy/{Policy.objects.get().pk}/change/").status_code == 403
    )


def test_without_a_saved_policy_the_plans_defaults_apply(db):
    policy = Policy.current()
    assert (policy.one_to_one_interval_days, policy.grid_interval_days) == (7, 30)
    assert (policy.max_hours_per_day, policy.max_claim_age_days) == (Decimal(8), 30)
    assert (policy.min_unit_hours, policy.storage_cap_hours) == (Decimal("0.5"), Decimal(1500))
    assert policy.expiry_days is None and policy.transfers_allowed is True
    assert policy.one_to_one_per_helper == 1  # "一对一": one helper, one key target
