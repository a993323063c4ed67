"""Every view that checks a password — the login form, the admin's login, the API's token
login — shares one budget of login attempts per client address (``LOGIN_THROTTLE_RATE``,
30 a minute): guessing many usernames from one address is slowed whichever door it knocks at.
The views are named once (``accounts.throttling.LOGIN_VIEWS``); the walk below finds every route
that tries a password, so a new login view that is not named there fails the suite."""

import json

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import Client
from django.urls import resolve, reverse

from accounts.throttling import LOGIN_VIEWS
from tests.conftest import PASSWORD
from tests.test_unreadable_input import every_route, fill

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.10"
THROTTLED = "来自此地址的登录尝试过多"


def guess(client, url, username, password="wrong", address=ADDRESS):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def said(response) -> str:
    """What the answer says: the API's ``detail``, or the page's text."""
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)["detail"]
    return response.content.decode()


def test_every_route_that_tries_a_password_is_a_login_view(regions):
    tried = []

    def record(sender, credentials, request=None, **kwargs):
        tried.append(current)

    user_login_failed.connect(record)
    try:
        for number, route in enumerate(every_route()):
            current = fill(route, "1")
            # each route from its own address, so that the walk stays within every budget
            guess(Client(), current, "nobody", address=f"10.1.{number // 250}.{number % 250}")
    finally:
        user_login_failed.disconnect(record)

    assert {resolve(path).view_name for path in tried} == LOGIN_VIEWS


@pytest.mark.parametrize("view_name", sorted(LOGIN_VIEWS))
def test_the_31st_failure_from_one_address_is_refused(client, regions, view_name):
    url = reverse(view_name)

    answers = [guess(client, url, f"guess{i}") for i in range(31)]

    codes = [answer.status_code for answer in answers]
    assert 429 not in codes[:30] and len(set(codes[:30])) == 1, codes
    refused = answers[30]
    assert refused.status_code == 429
    assert THROTTLED in said(refused)
    assert 1 <= int(refused["Retry-After"]) <= 60
    # another address has its own budget
    assert guess(client, url, "guess99", address="192.0.2.11").status_code == codes[0]


def test_the_login_views_share_one_budget(client, staff_baima):
    urls = [reverse(name) for name in sorted(LOGIN_VIEWS)]
    for i in range(30):
        guess(client, urls[i % len(urls)], f"guess{i}")

    # over the budget, each refuses before the password is looked at, the right one too
    answers = [guess(client, url, "staff-baima", PASSWORD) for url in urls]

    assert [answer.status_code for answer in answers] == [429] * len(urls)
    assert all(THROTTLED in said(answer) for answer in answers)
    assert "_auth_user_id" not in client.session
