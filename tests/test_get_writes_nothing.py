"""A GET never writes: every API list and record route, every page (the coverage pages, the
exports and the monthly report among them), the pages outside the dashboard (login, health,
the API's schema) and the admin's index, lists and records, read as every role of the cast and
as nobody logged in, while the database connection refuses to let any INSERT, UPDATE or DELETE
pass unnoticed. A new route is walked without being listed here.

The writes a GET makes by design, each for its reason:

- ``audit_personview``: the log of who was shown a person's full numbers or exported the
  ledger (``audit.middleware``, ``audit.log``): a read of personal data is recorded, and the
  record is the point (``tests/test_personal_data_class.py`` says which answers write it);
- ``django_session``: the idle clock of a login (``accounts.session_limits``) saves the time
  last seen, at most once a minute, so that a computer left logged in is logged out.
"""

import datetime
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from coverage import services
from coverage.models import Report
from tests import factories as f
from tests.test_authz_matrix import key_of, list_routes, path_of, record_routes
from tests.test_authz_matrix import world as matrix_world  # noqa: F401  (a fixture)
from tests.test_personal_data_class import ROLES
from tests.test_personal_data_class import people as people_world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

ALLOWED = {"audit_personview", "django_session"}

WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE|TRUNCATE|CREATE|DROP|ALTER)\b", re.I)
TARGET = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)

# the pages outside the dashboard and the API routes that list nothing (schema, docs, root)
OTHER = ("healthz", "login", "logout", "set_language", "api:schema", "api:docs", "api:api-root")


class Guard:
    """Notes every statement that writes a table not in ``ALLOWED`` while it is installed."""

    def __init__(self):
        self.writes: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if WRITE.match(sql):
            table = TARGET.match(sql)
            if table is None or table[1] not in ALLOWED:
                self.writes.append(" ".join(sql.split())[:160])
        return execute(sql, params, many, context)


class Walk:
    def __init__(self):
        self.problems: list[str] = []
        self.answers: dict[int, int] = {}

    def get(self, who, label: str, client, path: str):
        guard = Guard()
        with connection.execute_wrapper(guard):
            response = client.get(path)
        self.answers[response.status_code] = self.answers.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            self.problems.append(f"{who} GET {path}: {response.status_code}")
        for sql in guard.writes:
            self.problems.append(f"{who} GET {path} ({label}): {sql}")
        return response


def _paths(world):
    """(label, kind, path) of every route and page to GET, with the records of both sides."""
    for namespace, path in list_routes():
        yield "list", namespace, path
    for name in OTHER:
        yield name, "api" if name.startswith("api:") else "page", reverse(name)
    for kind, name, route in record_routes():
        key = key_of(name)
        for side in ("in", "out"):
            value = world[side].get(key, "0") if key else "0"
            yield name, kind, path_of(kind, name, route, value)
    baima, banqiao = world["in"]["township"], world["in"]["region"]
    # the monthly report built (the file), not built yet, a month outside the plan's span
    yield "report built", "page", f"/coverage/{banqiao}/report/2026-10.pdf"
    yield "report not built", "page", f"/coverage/{baima}/report/2026-09.pdf"
    yield "report outside", "page", f"/coverage/{baima}/report/2026-11.pdf"
    yield "report malformed", "page", f"/coverage/{baima}/report/2026-9.pdf"
    yield "report queued", "page", f"/coverage/{baima}/report/2026-08.pdf"
    yield "report failed", "page", f"/coverage/{baima}/report/2026-07.pdf"
    # an uploaded file's preview and its progress
    yield "import", "page", f"/seniors/import/{world['in']['import']}/"
    yield "import", "page", f"/seniors/import/{world['in']['import']}/progress/"
    # a coverage page on an older day and sorted
    yield "coverage day", "page", f"/coverage/{baima}/?date=2026-10-31&sort=met&dir=desc"


def _admin_paths():
    """(label, path) of the admin's index, each app's index, and of every registered model its
    list, its add form, and the record, history and delete pages of its first row."""
    yield "admin:index", reverse("admin:index")
    for model in admin.site._registry:
        meta = model._meta
        base = f"admin:{meta.app_label}_{meta.model_name}"
        yield "admin:app_list", reverse("admin:app_list", args=[meta.app_label])
        yield f"{base}_changelist", reverse(f"{base}_changelist")
        yield f"{base}_add", reverse(f"{base}_add")
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            for page in ("change", "history", "delete"):
                yield f"{base}_{page}", reverse(f"{base}_{page}", args=[row.pk])


@pytest.fixture
def walked(request):
    """The authorisation matrix's world with the personal-data walk's people and numbers
    (every role with the admin open to it); monthly reports of 板桥 built, of 白马 being built
    and failed; a file of seniors uploaded in 白马."""
    people = request.getfixturevalue("people_world")
    matrix = request.getfixturevalue("matrix_world")
    inside = people["in"]
    services.report_build(region_code=inside["region"], month=datetime.date(2026, 10, 1))
    for month, status in ((8, "queued"), (7, "failed")):
        f.ReportFactory(
            region_id=inside["township"], month=datetime.date(2026, month, 1), status=status,
            queued_at=timezone.now(),
        )  # fmt: skip
    upload = f.SeniorImportFactory(created_by=people["users"]["s"])
    return {**people, "in": {**inside, "import": upload.pk}, "out": matrix["out"]}


def test_no_get_of_any_route_or_page_writes_as_any_role(walked, today):
    walk = Walk()
    paths = list(_paths(walked))
    admin_paths = list(dict.fromkeys(_admin_paths()))
    for role in (*ROLES, None):
        user = walked["users"][role] if role else None
        page = Client(raise_request_exception=False)
        api = APIClient(raise_request_exception=False)
        if user is not None:
            page.force_login(user)
            api.force_authenticate(user=user)
        for label, kind, path in paths:
            walk.get(role, label, api if kind == "api" else page, path)
        for label, path in admin_paths:
            walk.get(role, label, page, path)
    assert sum(walk.answers.values()) > 3000
    assert walk.answers.get(200, 0) > 1000
    assert not walk.problems, "\n".join(walk.problems)


def test_no_get_with_an_api_token_writes(walked, today):
    """The API as a phone or a script calls it: with its token in the header."""
    walk = Walk()
    for role in ("b", "s", "v"):
        token = ApiToken.objects.create(user=walked["users"][role])[1]
        api = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
        for namespace, path in list_routes():
            if namespace == "api":
                walk.get(role, "token", api, path)
    assert walk.answers.get(200, 0) > 50
    assert not walk.problems, "\n".join(walk.problems)


def test_the_guard_sees_a_write(db):
    """The walk would notice: a write made while the guard is installed is reported."""
    guard = Guard()
    with connection.execute_wrapper(guard):
        Report.objects.filter(pk=0).update(error="x")
    assert guard.writes and guard.writes[0].startswith("UPDATE")
