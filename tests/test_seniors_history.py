"""Every change to a person is kept with who made it, and shown on the record's page."""

import pytest

from seniors.models import Senior
from tests.conftest import WANG_ID

pytestmark = pytest.mark.django_db


def test_a_change_through_the_api_records_who_made_it_and_what(api_as, staff_baima, bureau, zhang):
    api_as(staff_baima).patch(f"/api/v1/seniors/{zhang.pk}/", {"phone": "13800001111"})
    api_as(bureau).patch(f"/api/v1/seniors/{zhang.pk}/", {"wristband_device": "WL-0042"})

    records = list(zhang.history.order_by("history_date", "history_id"))
    assert [r.history_user for r in records[-2:]] == [staff_baima, bureau]
    assert [r.history_type for r in records[-2:]] == ["~", "~"]
    assert [
        c.field for c in records[-2].diff_against(records[-3]).changes if c.field != "updated_at"
    ] == ["phone"]
    assert records[-1].wristband_device == "WL-0042"


def test_registering_records_the_registrar(api_as, staff_baima, today):
    response = api_as(staff_baima).post(
        "/api/v1/seniors/", {"id_number": WANG_ID, "name": "王大爷", "village": "500156101201"}
    )

    senior = Senior.objects.get(pk=response.json()["id"])
    assert senior.history.get().history_user == staff_baima
    assert senior.history.get().history_type == "+"


def test_the_record_page_lists_who_changed_which_fields(client, staff_baima, zhang):
    client.force_login(staff_baima)
    client.post(
        f"/seniors/{zhang.pk}/edit/",
        {
            "name": "张大爷",
            "village": "500156101201",
            "living_situation": "left_behind",
            "phone": "13800001111",
            "registered_on": "2021-06-01",
        },
    )
    body = client.get(f"/seniors/{zhang.pk}/").content.decode()

    assert "变更记录" in body
    assert "白马镇民政办" not in body  # the cast's staff has no display name: the username shows
    assert "staff-baima" in body
    assert "电话" in body and "居住情况" in body
