"""Token login for phones and the lockout after repeated failures (web form and API alike)."""

import datetime
import zoneinfo

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_it_returns_a_token_that_opens_the_api(api, staff_baima):
    response = api.post(TOKEN_URL, {"username": "staff-baima", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]

    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = phone.get("/api/v1/regions/", {"level": "township"})
    assert listed.status_code == 200
    assert [r["code"] for r in listed.json()["results"]] == ["500156101000"]


def test_each_login_gets_its_own_token_valid_for_ten_hours(api, staff_baima):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI), tick=False):
        first = api.post(TOKEN_URL, {"username": "staff-baima", "password": PASSWORD}).json()
        second = api.post(TOKEN_URL, {"username": "staff-baima", "password": PASSWORD}).json()
    assert first["token"] != second["token"]
    # 08:00 in Chongqing plus ten hours
    assert first["expiry"] == "2026-12-01T18:00:00+08:00"


def test_a_wrong_password_is_a_400_in_chinese(api, staff_baima):
    response = api.post(TOKEN_URL, {"username": "staff-baima", "password": "nope"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["无法使用提供的认证信息登录。"]}


def test_missing_fields_are_named(api, regions):
    response = api.post(TOKEN_URL, {"username": "staff-baima"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_a_bad_token_is_a_401(api, regions):
    api.credentials(HTTP_AUTHORIZATION="Token 0000")
    assert api.get("/api/v1/regions/").status_code == 401


def test_five_failures_lock_the_account_even_against_the_right_password(api, staff_baima):
    for _ in range(4):
        assert api.post(TOKEN_URL, {"username": "staff-baima", "password": "x"}).status_code == 400

    fifth = api.post(TOKEN_URL, {"username": "staff-baima", "password": "x"})
    right = api.post(TOKEN_URL, {"username": "staff-baima", "password": PASSWORD})

    assert fifth.status_code == 429
    assert right.status_code == 429
    assert "登录失败次数过多" in right.json()["detail"]
    assert right["Retry-After"] == "900"


def test_the_lockout_is_per_account(api, staff_baima, staff_houping):
    for _ in range(5):
        api.post(TOKEN_URL, {"username": "staff-baima", "password": "x"})

    response = api.post(TOKEN_URL, {"username": "staff-houping", "password": PASSWORD})
    assert response.status_code == 200


def test_a_success_before_the_limit_resets_the_count(api, staff_baima):
    for _ in range(4):
        api.post(TOKEN_URL, {"username": "staff-baima", "password": "x"})
    assert api.post(TOKEN_URL, {"username": "staff-baima", "password": PASSWORD}).status_code == 200

    for _ in range(4):
        api.post(TOKEN_URL, {"username": "staff-baima", "password": "x"})
    assert api.post(TOKEN_URL, {"username": "staff-baima", "password": PASSWORD}).status_code == 200


def test_the_web_login_form_locks_too(client, staff_baima):
    for _ in range(5):
        client.post("/login/", {"username": "staff-baima", "password": "x"})

    response = client.post("/login/", {"username": "staff-baima", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
