"""One client address for the login throttles, the lockout and the audit log, set by the
number of trusted proxies (``TRUSTED_PROXY_COUNT``): a rotating ``X-Forwarded-For`` gets no
client a fresh budget, and an attacker who locks ``bureau`` out locks it out from their own
address only."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.addresses import client_address
from accounts.throttling import LoginThrottle
from tests.conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
PROXY = "172.18.0.5"  # the reverse proxy, as gunicorn sees it


def address(settings, count, remote="192.0.2.10", forwarded=None):
    settings.TRUSTED_PROXY_COUNT = count
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        # nothing in front: the connection's address; the header is the client's own words
        (0, "192.0.2.10", None, "192.0.2.10"),
        (0, "192.0.2.10", "203.0.113.9", "192.0.2.10"),
        # one proxy: the address it appended, the last one; what the client wrote before it
        # is ignored
        (1, PROXY, "203.0.113.9", "203.0.113.9"),
        (1, PROXY, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (1, PROXY, " 1.2.3.4 ,5.6.7.8,  203.0.113.9 ", "203.0.113.9"),
        # two proxies (a CDN, then nginx): the second from the right
        (2, PROXY, "1.2.3.4, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        # IPv6 written by the proxy, normalised
        (1, PROXY, "2001:DB8::0:1", "2001:db8::1"),
        # not through the proxies as configured: the connection's address
        (1, PROXY, None, PROXY),
        (2, PROXY, "203.0.113.9", PROXY),
        (1, PROXY, "1.2.3.4, not-an-address", PROXY),
    ],
)
def test_the_address_rule(settings, count, remote, forwarded, expected):
    assert address(settings, count, remote, forwarded) == expected


@pytest.fixture
def three_a_minute(monkeypatch):
    """The login budget of an address, made small (the default is LOGIN_THROTTLE_RATE, 30/min)."""
    monkeypatch.setattr(LoginThrottle, "THROTTLE_RATES", {"login": "3/min"})


def token_login(username, password="wrong", **meta):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, **meta)


@pytest.mark.django_db
def test_a_rotating_forwarded_for_does_not_bypass_the_token_throttle(settings, three_a_minute):
    settings.TRUSTED_PROXY_COUNT = 0
    codes = [
        token_login(
            f"guess{i}", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"10.9.{i}.1"
        ).status_code
        for i in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    # another address has its own budget
    assert token_login("guess9", REMOTE_ADDR="192.0.2.11").status_code == 400


@pytest.mark.django_db
def test_behind_one_proxy_the_address_it_saw_is_throttled(settings, three_a_minute):
    settings.TRUSTED_PROXY_COUNT = 1
    codes = [
        token_login(
            f"guess{i}", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"10.9.{i}.1, 203.0.113.7"
        ).status_code
        for i in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    # everyone comes from the proxy's address, but another client is another budget
    other = token_login("guess9", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 400


@pytest.mark.django_db
def test_the_login_form_is_throttled_per_address_in_chinese(client, settings, three_a_minute):
    settings.TRUSTED_PROXY_COUNT = 0
    form = {"username": "nobody", "password": "x"}
    codes = [client.post("/login/", form, REMOTE_ADDR="192.0.2.10").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # the form shown again with its error, then refused
    refused = client.post("/login/", form, REMOTE_ADDR="192.0.2.10")
    assert refused.status_code == 429
    assert "来自此地址的登录尝试过多" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 60
    # the page itself still opens, and another address still logs in
    assert client.get("/login/", REMOTE_ADDR="192.0.2.10").status_code == 200
    assert client.post("/login/", form, REMOTE_ADDR="192.0.2.11").status_code == 200


@pytest.mark.django_db
def test_the_form_and_the_token_endpoint_share_the_budget(client, settings, three_a_minute):
    settings.TRUSTED_PROXY_COUNT = 0
    token_login("a", REMOTE_ADDR="192.0.2.10")
    token_login("b", REMOTE_ADDR="192.0.2.10")
    client.post("/login/", {"username": "c", "password": "x"}, REMOTE_ADDR="192.0.2.10")
    refused = client.post("/login/", {"username": "d", "password": "x"}, REMOTE_ADDR="192.0.2.10")
    assert refused.status_code == 429


@pytest.mark.django_db
def test_an_attacker_locks_bureau_out_only_from_their_own_address(client, settings, bureau):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    bureau_office = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.20"}
    for _ in range(5):
        token_login("bureau", **attacker)
    assert token_login("bureau", PASSWORD, **attacker).status_code == 429
    # the lockout recorded the client's address, not the proxy's
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
        ("bureau", "198.51.100.66")
    ]
    # the bureau, from its office behind the same proxy, logs in with the API and the form
    assert token_login("bureau", PASSWORD, **bureau_office).status_code == 200
    response = client.post("/login/", {"username": "bureau", "password": PASSWORD}, **bureau_office)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bureau.pk)


@pytest.mark.django_db
def test_rotating_the_header_without_a_proxy_does_not_escape_the_lockout(settings, staff_baima):
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(5):
        token_login("staff-baima", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    right = token_login(
        "staff-baima", PASSWORD, REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="10.0.0.99"
    )
    assert right.status_code == 429
