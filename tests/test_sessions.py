"""How long a login lasts: SESSION_IDLE_MINUTES (30) without a request ends it, and
SESSION_HOURS (10) after login end it whatever happens; every page and every API route then
treats the browser as logged out."""

import datetime

import pytest
from django.conf import settings

from tests.test_authz_matrix import list_routes
from tests.test_settings import run_python

pytestmark = pytest.mark.django_db

MORNING = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=datetime.UTC)


def logged_in(client) -> bool:
    response = client.get("/seniors/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


@pytest.fixture
def at(time_machine):
    def move(minutes: float):
        time_machine.move_to(MORNING + datetime.timedelta(minutes=minutes), tick=False)

    move(0)
    return move


def test_the_defaults_are_a_working_day_and_half_an_hour():
    assert settings.SESSION_COOKIE_AGE == 10 * 3600
    assert settings.SESSION_IDLE_MINUTES == 30


def test_both_limits_come_from_the_environment():
    result = run_python(
        "from django.conf import settings as s\n"
        "print(s.SESSION_COOKIE_AGE, s.SESSION_IDLE_MINUTES)",
        SESSION_HOURS="8",
        SESSION_IDLE_MINUTES="15",
    )
    assert result.stdout.split() == ["28800", "15"], result.stderr


def test_half_an_hour_without_a_request_ends_the_login(client, staff_baima, at):
    client.force_login(staff_baima)
    assert logged_in(client)
    at(29)
    assert logged_in(client)  # 29 minutes idle: still in, and the clock starts again
    at(29 + 31)
    assert not logged_in(client)
    at(29 + 32)
    assert not logged_in(client)  # ended, not suspended


def test_working_steadily_keeps_the_login_until_the_end_of_the_day(client, staff_baima, at):
    client.force_login(staff_baima)
    for minutes in range(0, 10 * 60, 20):
        at(minutes)
        assert logged_in(client), f"logged out after {minutes} minutes of work"
    at(10 * 60 + 1)
    assert not logged_in(client)


def test_every_page_and_api_route_treats_an_idle_browser_as_logged_out(client, staff_baima, at):
    client.force_login(staff_baima)
    assert logged_in(client)
    at(31)
    checked = 0
    for namespace, path in list_routes():
        response = client.get(path)
        if namespace == "api":
            assert response.status_code in (401, 403), path
        else:
            assert response.status_code == 302, path
            assert response["Location"].startswith("/login/"), path
        checked += 1
    assert checked > 30
