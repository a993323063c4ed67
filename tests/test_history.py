"""Changes to users and regions are kept with who made them."""

import pytest

from regions.models import Region

pytestmark = pytest.mark.django_db


def test_a_rename_through_the_api_records_who_made_it(api_as, admin_user):
    api_as(admin_user).patch("/api/v1/regions/500156101201/", {"short_name": "新板桥村"})

    latest = Region.objects.get(code="500156101201").history.first()
    assert latest.short_name == "新板桥村"
    assert latest.history_user == admin_user
    assert latest.history_type == "~"


def test_a_change_of_role_is_kept(staff_baima, regions):
    staff_baima.region = regions["houping"]
    staff_baima.save()

    regions_over_time = list(
        staff_baima.history.order_by("history_date").values_list("region_id", flat=True)
    )
    assert regions_over_time[-2:] == ["500156101000", "500156208000"]
