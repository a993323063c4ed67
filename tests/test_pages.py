"""The pages: closed without login, scoped like the API, Chinese first with an English switch."""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_pages_send_anonymous_users_to_the_login_form(client, regions):
    response = client.get("/regions/500156101000/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/regions/500156101000/"


def test_the_login_form_is_in_chinese(client, regions):
    body = client.get("/login/").content.decode()
    assert "登录" in body
    assert 'lang="zh-hans"' in body


def test_logging_in_shows_the_clerk_the_to_do_list_of_their_township(client, staff_baima):
    response = client.post(
        "/login/", {"username": "staff-baima", "password": PASSWORD}, follow=True
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "今日待办" in body and "白马镇" in body
    assert 'href="/regions/500156101000/"' in body


def test_the_clerks_own_township_lists_its_villages(client, staff_baima):
    client.force_login(staff_baima)
    body = client.get("/regions/500156101000/").content.decode()
    assert "<h1>白马镇" in body
    assert "板桥村" in body and "铁佛寺社区" in body
    assert "文凤村" not in body


def test_a_page_of_another_township_is_404(client, staff_baima):
    client.force_login(staff_baima)
    assert client.get("/regions/500156208000/").status_code == 404
    assert client.get("/regions/500156999999/").status_code == 404


def test_the_bureau_drills_down_from_district_to_village(client, bureau):
    client.force_login(bureau)
    district = client.get("/").content.decode()
    assert "白马镇" in district and "后坪苗族土家族乡" in district

    village = client.get("/regions/500156101201/").content.decode()
    assert "板桥村" in village
    assert 'href="/regions/500156101000/"' in village  # the way back up


def test_a_user_without_role_is_told_why_they_see_nothing(client, outsider):
    client.force_login(outsider)
    response = client.get("/")
    assert response.status_code == 403
    assert "区管理员" in response.content.decode()


def test_switching_to_english(client, staff_baima):
    client.force_login(staff_baima)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert "Log out" in body
    assert 'lang="en"' in body


def test_the_language_can_be_switched_before_login(client, regions):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "Log in" in client.get("/login/").content.decode()


def test_logout(client, staff_baima):
    client.force_login(staff_baima)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
