"""The admin goes through the same scoping rule."""

import pytest
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_baima_admin(staff_baima):
    staff_baima.is_staff = True
    staff_baima.save()
    return staff_baima


def test_township_staff_see_only_their_township_in_the_admin(client, staff_baima_admin):
    client.force_login(staff_baima_admin)
    body = client.get("/admin/regions/region/").content.decode()

    assert "500156101201" in body
    assert "500156208200" not in body


def test_another_townships_region_is_not_found_in_the_admin(client, staff_baima_admin):
    client.force_login(staff_baima_admin)
    response = client.get("/admin/regions/region/500156208200/change/")
    # Django's admin redirects a missing object to the index with a message
    assert response.status_code == 302


def test_the_bureau_sees_the_whole_district_but_cannot_rename(client, bureau):
    client.force_login(bureau)
    assert "500156208200" in client.get("/admin/regions/region/").content.decode()
    response = client.post(
        "/admin/regions/region/500156208200/change/", {"name": "x", "short_name": "x"}
    )
    assert response.status_code == 403


def test_the_user_list_is_scoped_too(client, staff_baima_admin, staff_houping, assistant_baima):
    client.force_login(staff_baima_admin)
    body = client.get("/admin/accounts/user/").content.decode()

    assert "assistant-baima" in body
    assert "staff-houping" not in body


def test_a_role_at_the_wrong_level_is_refused(bureau, regions):
    bureau.region = regions["banqiao"]
    with pytest.raises(ValidationError) as excinfo:
        bureau.clean()
    assert "region" in excinfo.value.message_dict
