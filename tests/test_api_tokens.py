"""API tokens (django-rest-knox): they end at their expiry, at logout, on a password change and
on deactivation; they are stored as digests; their owner lists and revokes them, and the bureau
those of the users in its region."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role
from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"


def login(username: str) -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def phone(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def opens_the_api(token: str) -> bool:
    status = phone(token).get("/api/v1/regions/").status_code
    assert status in (200, 401), status
    return status == 200


def test_the_token_is_stored_only_as_a_digest(staff_baima):
    token = login("staff-baima")
    stored = ApiToken.objects.get(user=staff_baima)
    assert token not in (stored.digest, stored.token_key)
    assert len(stored.digest) == 128  # SHA-512, hex
    assert token not in str(ApiToken.objects.values_list().get())


def test_a_token_stops_working_after_ten_hours(staff_baima):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = login("staff-baima")
    with time_machine.travel(start + datetime.timedelta(hours=9, minutes=59), tick=False):
        assert opens_the_api(token)
    with time_machine.travel(start + datetime.timedelta(hours=10, minutes=1), tick=False):
        assert not opens_the_api(token)


def test_the_lifetime_comes_from_the_settings(staff_baima, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": datetime.timedelta(hours=40)}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = login("staff-baima")
    with time_machine.travel(start + datetime.timedelta(hours=39), tick=False):
        assert opens_the_api(token)


def test_logout_ends_that_token_only(staff_baima):
    first, second = login("staff-baima"), login("staff-baima")
    assert phone(first).post("/api/v1/auth/logout/").status_code == 204
    assert not opens_the_api(first)
    assert opens_the_api(second)


def test_logout_everywhere_ends_every_token_of_the_user_only(staff_baima, staff_houping):
    first, second = login("staff-baima"), login("staff-baima")
    other = login("staff-houping")
    assert phone(first).post("/api/v1/auth/logoutall/").status_code == 204
    assert not opens_the_api(first) and not opens_the_api(second)
    assert opens_the_api(other)


def test_logout_without_a_token_is_a_401(api, regions):
    assert api.post("/api/v1/auth/logout/").status_code == 401
    assert api.post("/api/v1/auth/logoutall/").status_code == 401


def test_a_password_change_ends_every_token(staff_baima, staff_houping):
    token = login("staff-baima")
    other = login("staff-houping")
    staff_baima.set_password("a-new-password-2026")
    staff_baima.save()
    assert not opens_the_api(token)
    assert opens_the_api(other)


def test_a_password_changed_in_the_admin_ends_every_token(client, admin_user, staff_baima):
    token = login("staff-baima")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/accounts/user/{staff_baima.pk}/password/",
        {"password1": "Another-pw-2026!", "password2": "Another-pw-2026!"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not opens_the_api(token)


def test_other_saves_and_a_login_keep_the_tokens(staff_baima):
    token = login("staff-baima")
    staff_baima.refresh_from_db()
    staff_baima.first_name = "小王"
    staff_baima.save()
    login("staff-baima")  # last_login is written, and the password checked
    assert opens_the_api(token)


def test_deactivation_ends_every_token_and_reactivation_does_not_bring_them_back(staff_baima):
    token = login("staff-baima")
    staff_baima.is_active = False
    staff_baima.save()
    assert ApiToken.objects.filter(user=staff_baima).count() == 0
    staff_baima.is_active = True
    staff_baima.save()
    assert not opens_the_api(token)


# --- listing and revoking -------------------------------------------------------------------


def test_the_owner_lists_their_tokens_without_the_token(staff_baima, staff_houping):
    start = datetime.datetime(2026, 12, 1, 0, 30, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        first = login("staff-baima")
        login("staff-houping")
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        second = login("staff-baima")
        response = phone(second).get(TOKENS_URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    rows = body["results"]
    assert [(r["username"], r["created"], r["expiry"], r["current"]) for r in rows] == [
        ("staff-baima", "2026-12-01T09:30:00+08:00", "2026-12-01T19:30:00+08:00", True),
        ("staff-baima", "2026-12-01T08:30:00+08:00", "2026-12-01T18:30:00+08:00", False),
    ]
    assert all(len(r["id"]) == 16 for r in rows)
    assert first not in response.content.decode() and second not in response.content.decode()
    for token in (first, second):
        for stored in ApiToken.objects.all():
            assert token not in response.content.decode()
            assert stored.digest not in response.content.decode()


def test_expired_tokens_are_not_listed(staff_baima):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login("staff-baima")
    with time_machine.travel(start + datetime.timedelta(hours=11), tick=False):
        fresh = login("staff-baima")
        assert phone(fresh).get(TOKENS_URL).json()["count"] == 1


def test_the_owner_revokes_one_of_their_tokens(staff_baima):
    lost, kept = login("staff-baima"), login("staff-baima")
    rows = phone(kept).get(TOKENS_URL).json()["results"]
    lost_id = next(r["id"] for r in rows if not r["current"])
    assert phone(kept).delete(f"{TOKENS_URL}{lost_id}/").status_code == 204
    assert not opens_the_api(lost)
    assert opens_the_api(kept)
    assert phone(kept).delete(f"{TOKENS_URL}{lost_id}/").status_code == 404


def test_staff_see_and_revoke_only_their_own(staff_baima, assistant_baima):
    mine = login("staff-baima")
    theirs = login("assistant-baima")
    their_id = ApiToken.objects.get(user=assistant_baima).public_id
    assert phone(mine).get(TOKENS_URL).json()["count"] == 1
    assert phone(mine).get(f"{TOKENS_URL}{their_id}/").status_code == 404
    assert phone(mine).delete(f"{TOKENS_URL}{their_id}/").status_code == 404
    assert opens_the_api(theirs)


def test_the_bureau_sees_and_revokes_the_tokens_of_its_region(bureau, staff_baima, staff_houping):
    bureaus = login("bureau")
    baima = login("staff-baima")
    login("staff-houping")
    listed = phone(bureaus).get(TOKENS_URL).json()["results"]
    assert sorted(r["username"] for r in listed) == ["bureau", "staff-baima", "staff-houping"]
    baima_id = ApiToken.objects.get(user=staff_baima).public_id
    assert phone(bureaus).delete(f"{TOKENS_URL}{baima_id}/").status_code == 204
    assert not opens_the_api(baima)


def test_a_township_bureau_does_not_reach_another_township(regions, staff_houping):
    """The bureau's reach is its region: a bureau account bound elsewhere (a test of the rule,
    not of the real district) sees nothing of 后坪."""
    other_district = f.district(code="500157000000", name="别区")
    elsewhere = f.UserFactory(username="bureau-elsewhere", role=Role.BUREAU, region=other_district)
    token = login(elsewhere.username)
    login("staff-houping")
    listed = phone(token).get(TOKENS_URL).json()["results"]
    assert [r["username"] for r in listed] == ["bureau-elsewhere"]


def test_malformed_ids_are_404(staff_baima):
    token = login("staff-baima")
    for bad in ("x", "0" * 15, "0" * 17, "ABCDEF0123456789", "a.b"):
        assert phone(token).delete(f"{TOKENS_URL}{bad}/").status_code == 404, bad


def test_users_without_a_scope_may_not_list(outsider, api):
    token = login("outsider")
    assert phone(token).get(TOKENS_URL).status_code == 403
    assert api.get(TOKENS_URL).status_code == 401
    assert phone(token).post("/api/v1/auth/logout/").status_code == 204


def test_listing_costs_a_fixed_number_of_queries(staff_baima, django_assert_max_num_queries):
    token = login("staff-baima")
    for _ in range(5):
        login("staff-baima")
    with django_assert_max_num_queries(6):
        assert phone(token).get(TOKENS_URL).json()["count"] == 6


def test_the_migration_drops_drf_s_token_table_and_its_traces(db):
    """Upgrading a database that had DRF's tokens: the table, its migration records and its
    content type (with its permissions) go; every old token stops working."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, "
            "user_id integer)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES ('0123', '2026-01-01', 1)")
    MigrationRecorder(connection).record_applied("authtoken", "0004_alter_tokenproxy_options")
    old = ContentType.objects.create(app_label="authtoken", model="token")
    Permission.objects.create(content_type=old, codename="view_token", name="Can view token")

    class Editor:  # what the migration uses of a schema editor
        def __init__(self):
            self.connection = connection
            self.quote_name = connection.ops.quote_name

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration = importlib.import_module("accounts.migrations.0004_drop_drf_authtoken")
    migration.drop_drf_tokens(apps, Editor())

    assert "authtoken_token" not in connection.introspection.table_names()
    assert not MigrationRecorder(connection).migration_qs.filter(app="authtoken").exists()
    assert not ContentType.objects.filter(app_label="authtoken").exists()
    assert not Permission.objects.filter(codename="view_token").exists()
    # a database that never had them goes through too
    migration.drop_drf_tokens(apps, Editor())


def test_the_admin_lists_and_revokes_tokens_scoped(client, bureau, staff_baima):
    staff_baima.is_staff = True  # township staff who may open the admin
    staff_baima.save()
    login("bureau")
    login("staff-baima")
    client.force_login(staff_baima)
    page = client.get("/admin/accounts/apitoken/")
    assert page.status_code == 200
    body = page.content.decode()
    mine = ApiToken.objects.get(user=staff_baima)
    theirs = ApiToken.objects.get(user=bureau)
    assert mine.public_id in body and theirs.public_id not in body
    assert client.get(f"/admin/accounts/apitoken/{theirs.pk}/change/").status_code == 302
    assert client.get("/admin/knox/authtoken/").status_code == 404
    client.force_login(bureau)
    body = client.get("/admin/accounts/apitoken/").content.decode()
    assert mine.public_id in body and theirs.public_id in body
    # the bureau revokes staff-baima's token (a lost phone) from the admin
    response = client.post(f"/admin/accounts/apitoken/{mine.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert list(ApiToken.objects.values_list("user__username", flat=True)) == ["bureau"]
