"""Fuzzing the API against its own OpenAPI schema.

schemathesis generates requests for every operation of ``/api/v1/schema/`` — valid ones and
invalid ones — and sends them as a logged-in township staff member of 白马镇 to a small world
(the shared cast of regions, 张大爷, a nursing home with beds and staff, a volunteer...), so that
the detail routes find records now and then. Every answer must:

- not be a 500 (bad input is a 400 ``{"field": ["message"]}``);
- carry a status code the schema documents, in a documented content type;
- have a body that conforms to the schema documented for that status code.

Generated strings seldom hold a NUL character and generated bodies never nest deeply, so every
operation also gets a NUL in its path, query and body and a body nested 1,000 levels deep, and
must answer the documented 400 for that reason (``eldercare/input.py``).

The examples per operation are few and derandomised, so that CI (SQLite and PostgreSQL) sees
the same requests every run; ``FUZZ_EXAMPLES`` raises the count for a longer local hunt.
Nothing is excluded.

On the embedded default the requests go to the WSGI application in this process; on PostgreSQL
(CI's second pass) over HTTP to gunicorn with production's settings (tests/served.py), so the
answers are the ones production gives, whitenoise, DEBUG off and all.
"""

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken

from . import factories as f
from .served import ON_POSTGRESQL

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _served_schema() -> dict:
    """The document ``/api/v1/schema/`` serves (the same generator and renderer), made here
    because collection runs before the test environment allows the WSGI host."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


schema = schemathesis.openapi.from_dict(_served_schema())
if not ON_POSTGRESQL:
    schema.app = get_wsgi_application()
# gunicorn sees only committed data: the tests are transactional there
pytestmark = pytest.mark.django_db(transaction=ON_POSTGRESQL)


@pytest.fixture
def base_url(request):
    """gunicorn's address on PostgreSQL, with the data migrations' rows (a transactional test
    empties them); else the WSGI application's, over https as in production."""
    if ON_POSTGRESQL:
        request.getfixturevalue("migration_rows")
        return request.getfixturevalue("server").url
    return "https://localhost"


@pytest.fixture
def world(base_url, regions, staff_baima, zhang, liu, settings, today):
    """Records for the detail routes to find, and the staff member's token."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # schemathesis' WSGI host
    home = f.FacilityFactory(name="白马镇敬老院", region=regions["baima"])
    f.beds(home, 2)
    f.staff(home, 1)
    f.VolunteerFactory(village=regions["banqiao"])
    f.AssessmentFactory(senior=zhang)
    # schemathesis calls the WSGI application itself; Django's request signals would close the
    # test's database connection after each request (the test client disconnects them too)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Token {ApiToken.objects.create(user=staff_baima)[1]}"}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the failing input is reported
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_every_generated_request_as_documented(case, base_url, world):
    case.call_and_validate(base_url=base_url, headers=world, checks=CHECKS)


# Generated strings seldom hold a NUL, and generated bodies never nest deeply: every operation
# also gets these, and must answer the documented 400 (``eldercare/input.py``).
DEEP_BODY = b"[" * 1000 + b"]" * 1000


def _operations():
    return [result.ok() for result in schema.get_all_operations()]


def _unreadable_cases(operation):
    """(what, case, extra arguments for the call) for one operation."""
    names = [p.name for p in operation.path_parameters]
    clean, nul = dict.fromkeys(names, "1"), dict.fromkeys(names, "1\x00")
    query = {([p.name for p in operation.query] or ["q"])[0]: "a\x00b"}
    yield "NUL in the query", operation.Case(path_parameters=clean, query=query), {}
    if names:
        yield "NUL in the path", operation.Case(path_parameters=nul), {}
    if operation.body:
        json_body = {"media_type": "application/json", "path_parameters": clean}
        yield "NUL in the body", operation.Case(body={"name": "张\x00"}, **json_body), {}
        yield "1,000 levels", operation.Case(body=[], **json_body), {"data": DEEP_BODY}


def test_a_nul_or_deep_nesting_is_the_documented_400_on_every_operation(base_url, world):
    wrong = {}
    checked = 0
    for operation in _operations():
        for what, case, extra in _unreadable_cases(operation):
            response = case.call_and_validate(
                base_url=base_url, headers=world, checks=CHECKS, **extra
            )
            checked += 1
            # refused for that reason (a 400 of the view's own would hide a gap)
            reason = "嵌套过深" if what == "1,000 levels" else "空字符"
            if response.status_code != 400 or reason not in response.json().get("detail", ""):
                wrong[f"{operation.label}: {what}"] = (response.status_code, response.text[:80])
    assert checked > 150
    assert wrong == {}
