"""ID numbers are shown in full only to the roles that keep the ledger."""

import pytest

from tests.conftest import ZHANG_ID

pytestmark = pytest.mark.django_db


def test_township_staff_and_the_bureau_see_the_full_number(api_as, staff_baima, bureau, zhang):
    for user in (staff_baima, bureau):
        assert api_as(user).get(f"/api/v1/seniors/{zhang.pk}/").json()["id_number"] == ZHANG_ID


def test_an_assistant_sees_it_masked_in_the_list_and_the_record(api_as, assistant_baima, zhang):
    client = api_as(assistant_baima)
    assert client.get("/api/v1/seniors/").json()["results"][0]["id_number"] == "5002**********1230"
    assert client.get(f"/api/v1/seniors/{zhang.pk}/").json()["id_number"] == "5002**********1230"


def test_searching_by_id_number_works_but_still_shows_it_masked(api_as, assistant_baima, zhang):
    response = api_as(assistant_baima).get("/api/v1/seniors/", {"q": ZHANG_ID})
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["id_number"] == "5002**********1230"


def test_the_page_masks_it_for_an_assistant(client, assistant_baima, zhang):
    client.force_login(assistant_baima)
    body = client.get(f"/seniors/{zhang.pk}/").content.decode()
    assert "5002**********1230" in body
    assert ZHANG_ID not in body
