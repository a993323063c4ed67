"""Personal numbers: masked in lists, the API's lists and for roles that do not need them;
in full only on a person's record for the roles that may, and every such view logged; the
bureau's audit page lists who viewed or changed whose record."""

import datetime

import pytest

from audit.models import PersonView
from tests import factories as f
from tests.conftest import ZHANG_ID

pytestmark = pytest.mark.django_db

MASKED = "5002**********1230"


@pytest.fixture
def phoned(zhang):
    zhang.phone = "13812345678"
    zhang.save()
    PersonView.objects.all().delete()
    return zhang


def test_lists_mask_every_number_and_log_nothing(client, api_as, staff_baima, phoned):
    row = api_as(staff_baima).get("/api/v1/seniors/").json()["results"][0]
    assert (row["id_number"], row["phone"]) == (MASKED, "138****5678")
    client.force_login(staff_baima)
    body = client.get("/seniors/").content.decode()
    assert ZHANG_ID not in body and MASKED in body
    assert not PersonView.objects.exists()


def test_the_record_shows_them_in_full_to_staff_and_logs_the_view(
    client, api_as, staff_baima, phoned
):
    record = api_as(staff_baima).get(f"/api/v1/seniors/{phoned.pk}/").json()
    assert (record["id_number"], record["phone"]) == (ZHANG_ID, "13812345678")
    client.force_login(staff_baima)
    body = client.get(f"/seniors/{phoned.pk}/").content.decode()
    assert ZHANG_ID in body and "13812345678" in body
    logged = list(
        PersonView.objects.order_by("id").values_list("user__username", "senior", "channel")
    )
    assert logged == [("staff-baima", phoned.pk, "api"), ("staff-baima", phoned.pk, "page")]


def test_an_assistant_gets_the_phone_but_never_the_id_number(client, assistant_baima, phoned):
    client.force_login(assistant_baima)
    body = client.get(f"/seniors/{phoned.pk}/").content.decode()
    assert ZHANG_ID not in body and MASKED in body
    assert "13812345678" in body  # the assistant calls on them
    assert PersonView.objects.get().channel == "page"


def test_an_export_with_full_numbers_is_logged_once(client, staff_baima, phoned):
    client.force_login(staff_baima)
    assert client.get("/seniors/export.xlsx").status_code == 200
    export = PersonView.objects.get()
    assert (export.channel, export.count, export.senior_id) == ("export", 1, None)


def test_the_bureau_reads_who_viewed_and_changed_a_record(client, bureau, staff_baima, phoned):
    client.force_login(staff_baima)
    client.get(f"/seniors/{phoned.pk}/")
    assert client.get("/audit/").status_code == 403
    client.force_login(bureau)
    body = client.get("/audit/", {"person": "张大爷"}).content.decode()
    assert "staff-baima" in body  # the view
    assert "张大爷" in body
    assert body.count('<tr class="change">') >= 2  # registered, then the phone added
    none = client.get("/audit/", {"user": "nobody"}).content.decode()
    assert "staff-baima" not in none


def test_views_of_staff_and_volunteers_are_logged_and_named_on_the_audit_page(
    client, api_as, bureau, staff_baima, regions
):
    home = f.FacilityFactory(kind="nursing_home", region=regions["baima"], name="白马敬老院")
    member = f.StaffMemberFactory(
        facility=home, name="周护理", id_number="500232197003050022", phone="13900001111",
        role="caregiver", started_on=datetime.date(2020, 1, 1),
    )  # fmt: skip
    helper = f.VolunteerFactory(village=regions["banqiao"], name="吴志愿", phone="13700002222")
    staff = api_as(staff_baima)

    assert staff.get(f"/api/v1/staff/{member.pk}/").json()["phone"] == "13900001111"
    assert staff.get(f"/api/v1/volunteers/{helper.pk}/").json()["phone"] == "13700002222"
    assert staff.get("/api/v1/volunteers/").json()["results"][0]["phone"] == "137****2222"

    logged = PersonView.objects.order_by("id")
    assert [(v.staff_member_id, v.volunteer_id, v.region_id) for v in logged] == [
        (member.pk, None, "500156101000"),
        (None, helper.pk, "500156101201"),
    ]
    client.force_login(bureau)
    body = client.get("/audit/", {"person": "周护理"}).content.decode()
    assert "周护理" in body and "吴志愿" not in body
