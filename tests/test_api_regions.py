"""``/api/v1/regions/``: scoped lists, filters, 404 across townships, admin-only changes."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/regions/"


def codes(response):
    return [r["code"] for r in response.json()["results"]]


def test_the_bureau_lists_the_townships_with_their_real_codes(api_as, bureau):
    response = api_as(bureau).get(URL, {"level": "township"})

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert response.json()["results"] == [
        {
            "code": "500156101000",
            "name": "白马镇",
            "short_name": "白马镇",
            "level": "township",
            "kind": "镇",
            "urban_rural_code": "",
            "parent": "500156000000",
            "children_count": 2,
        },
        {
            "code": "500156208000",
            "name": "后坪苗族土家族乡",
            "short_name": "后坪苗族土家族乡",
            "level": "township",
            "kind": "乡",
            "urban_rural_code": "",
            "parent": "500156000000",
            "children_count": 1,
        },
    ]


def test_township_staff_list_only_their_own_subtree(api_as, staff_baima):
    response = api_as(staff_baima).get(URL)

    assert codes(response) == [
        "500156101000",
        "500156101006",
        "500156101201",
        "500156101201001",
        "500156101201002",
        "500156101201003",
    ]


def test_filter_by_parent_and_code(api_as, bureau):
    client = api_as(bureau)
    assert codes(client.get(URL, {"parent": "500156101000"})) == ["500156101006", "500156101201"]
    assert codes(client.get(URL, {"code": "500156208200"})) == ["500156208200"]
    assert codes(client.get(URL, {"level": "village", "q": "文凤"})) == ["500156208200"]
    assert codes(client.get(URL, {"within": "500156208000"})) == ["500156208000", "500156208200"]


def test_a_filter_cannot_reach_outside_the_scope(api_as, staff_baima):
    response = api_as(staff_baima).get(URL, {"within": "500156208000"})
    assert response.json()["count"] == 0


def test_a_region_of_another_township_answers_404_like_a_missing_one(api_as, staff_baima):
    client = api_as(staff_baima)
    other = client.get(URL + "500156208200/")
    missing = client.get(URL + "500156999999/")

    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json() == {"detail": "未找到，或不在您的管辖范围内。"}


def test_own_region_detail(api_as, assistant_baima):
    response = api_as(assistant_baima).get(URL + "500156101201/")
    assert response.status_code == 200
    assert response.json()["short_name"] == "板桥村"
    assert response.json()["children_count"] == 3


def test_anonymous_gets_401(api, regions):
    assert api.get(URL).status_code == 401


def test_a_user_without_role_gets_403_with_the_reason(api_as, outsider):
    response = api_as(outsider).get(URL)
    assert response.status_code == 403
    assert "区管理员" in response.json()["detail"]


def test_only_administrators_rename_a_region(api_as, bureau, admin_user):
    refused = api_as(bureau).patch(URL + "500156101201/", {"name": "新板桥村村民委员会"})
    assert refused.status_code == 403

    renamed = api_as(admin_user).patch(
        URL + "500156101201/", {"name": "新板桥村村民委员会", "short_name": "新板桥村"}
    )
    assert renamed.status_code == 200
    assert renamed.json()["short_name"] == "新板桥村"


def test_codes_and_hierarchy_cannot_be_changed_and_nothing_is_deleted(api_as, admin_user):
    client = api_as(admin_user)
    response = client.patch(
        URL + "500156101201/",
        {"code": "500156101299", "parent": "500156208000", "level": "township"},
    )
    assert response.status_code == 200
    assert response.json()["code"] == "500156101201"
    assert response.json()["parent"] == "500156101000"
    assert response.json()["level"] == "village"
    assert client.delete(URL + "500156101201/").status_code == 405
    assert client.post(URL, {"code": "500156101299", "name": "x"}).status_code == 405


def test_a_bad_filter_value_is_a_400_naming_the_field(api_as, bureau):
    response = api_as(bureau).get(URL, {"level": "hamlet"})
    assert response.status_code == 400
    assert "level" in response.json()


def test_the_list_takes_a_fixed_number_of_queries(api_as, bureau, django_assert_max_num_queries):
    client = api_as(bureau)
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"page_size": 500})
    assert response.json()["count"] == 9


def test_the_list_is_paged(api_as, bureau):
    response = api_as(bureau).get(URL, {"page_size": 1, "page": 2})
    assert response.json()["count"] == 9
    assert len(response.json()["results"]) == 1
    assert response.json()["previous"] is not None
