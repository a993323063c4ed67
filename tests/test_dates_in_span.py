"""Every date a client can send is checked against its span as written, before it meets a time
zone or the database: ``0001-01-01T00:00:00`` or ``9999-12-31T23:59:59`` is a 400 naming the
field, never an overflow (500). The walks go over every serializer and every filter of the
project and every form of the pages, so a new one is checked without being listed."""

import uuid
from types import SimpleNamespace

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation
from django_filters import filters as filter_kinds
from django_filters.filterset import BaseFilterSet
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

import api.urls
import dashboard.urls  # noqa: F401 (the pages' forms, imported with their views)
from api.fields import PlausibleDateField, PlausibleDateTimeField
from api.volunteers import PairingEndSerializer
from eldercare.validators import SpanCheckedFormField

pytestmark = pytest.mark.django_db

OUR_PACKAGES = (
    "api",
    "dashboard",
    "seniors",
    "facilities",
    "volunteers",
    "coverage",
    "audit",
    "accounts",
    "regions",
    "eldercare",
    "backups",
)
FAR_DAYS = ["0001-01-01", "9999-12-31"]
# the last: an offset no time zone has (Python reads it, PostgreSQL refuses it with an error)
FAR_MOMENTS = [
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "0001-01-01T00:00:00+08:00",
    "2026-10-11T11:31:53-17:02",
]


def ours(cls) -> bool:
    return cls.__module__.split(".")[0] in OUR_PACKAGES


def subclasses(base):
    found, todo = set(), [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted((cls for cls in found if ours(cls)), key=lambda c: c.__qualname__)


SERIALIZERS = [
    cls
    for cls in subclasses(serializers.Serializer)
    if not issubclass(cls, serializers.ListSerializer)
    and (not issubclass(cls, serializers.ModelSerializer) or hasattr(cls, "Meta"))
]
FILTERSETS = subclasses(BaseFilterSet)
FORMS = [cls for cls in subclasses(forms.BaseForm) if cls.__module__.startswith("dashboard")]


def context(user):
    request = Request(APIRequestFactory().post("/"))
    request.user = user
    # the groups' serializer asks its view which kind of group it keeps
    return {"request": request, "view": SimpleNamespace(kind="volunteer_team")}


def writable_dates(serializer):
    for name, field in serializer.fields.items():
        if not field.read_only and isinstance(
            field, serializers.DateField | serializers.DateTimeField
        ):
            yield name, field


def test_the_walks_find_what_the_issue_names():
    names = {cls.__name__ for cls in SERIALIZERS}
    assert {"VisitSerializer", "ServiceLogSerializer", "PairingEndSerializer"} <= names
    assert {"VisitFilter", "ClaimFilter"} & {cls.__name__ for cls in FILTERSETS}
    assert {"VisitForm", "PaperClaimForm", "MeClaimForm"} <= {cls.__name__ for cls in FORMS}


def test_every_date_of_every_serializer_is_read_in_its_span(bureau):
    wrong = []
    for serializer_class in SERIALIZERS:
        for name, field in writable_dates(serializer_class(context=context(bureau))):
            if not isinstance(field, PlausibleDateField | PlausibleDateTimeField):
                wrong.append(f"{serializer_class.__name__}.{name}: {type(field).__name__}")
    assert wrong == []


def test_every_serializer_refuses_far_dates_naming_the_field(bureau, today):
    checked, wrong = 0, {}
    for serializer_class in SERIALIZERS:
        for name, field in writable_dates(serializer_class(context=context(bureau))):
            far = FAR_MOMENTS if isinstance(field, serializers.DateTimeField) else FAR_DAYS
            for value in far:
                serializer = serializer_class(
                    data={name: value}, partial=True, context=context(bureau)
                )
                with translation.override("zh-hans"):
                    serializer.is_valid()
                    errors = [str(e) for e in serializer.errors.get(name, [])]
                checked += 1
                if len(errors) != 1 or "应在" not in errors[0]:
                    wrong[f"{serializer_class.__name__}.{name}={value}"] = errors
    assert checked >= 60
    assert wrong == {}


def test_a_date_with_its_own_name_gets_a_message_with_it(bureau, today):
    serializer = PairingEndSerializer(data={"ended_on": "0001-01-01"})
    with translation.override("zh-hans"):
        serializer.is_valid()
        assert serializer.errors == {"ended_on": ["结束日期应在 2000-01-01 至 2027-11-30 之间。"]}


# --- the routes the issue names ----------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:59:59"])
def test_a_visit_at_a_far_moment_is_a_400_naming_it(api_as, assistant_baima, zhang, value, today):
    client = api_as(assistant_baima)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "senior": zhang.pk,
        "visited_at": value,
        "service_type": "inspection",
    }
    answer = client.post("/api/v1/visits/", body, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"visited_at": ["走访时间应在 2000-01-01 至 2027-11-30 之间。"]}
    assert not zhang.visits.exists()


@pytest.mark.parametrize("field", ["started_at", "ended_at"])
def test_a_claim_from_or_to_the_year_1_is_a_400_naming_it(api_as, volunteer, helper, zhang, field):
    body = {
        "client_uuid": str(uuid.uuid4()),
        "senior": zhang.pk,
        "service_type": "meals",
        "started_at": "2026-11-28T09:00:00+08:00",
        "ended_at": "2026-11-28T11:00:00+08:00",
        field: "0001-01-01",
    }
    answer = api_as(volunteer).post(reverse("api:timebank-service-log-list"), body, format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == [field]
    assert "2000-01-01" in answer.json()[field][0]


# --- filters: every date parameter of every route ----------------------------------------


def date_parameters():
    for prefix, viewset, _basename in api.urls.router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        if filterset is None:
            continue
        for name, declared in filterset.base_filters.items():
            if isinstance(declared, filter_kinds.DateFilter | filter_kinds.DateTimeFilter):
                yield prefix, name, declared


def test_every_date_parameter_is_read_in_the_calendar():
    wrong = [
        f"{prefix}?{name}"
        for prefix, name, declared in date_parameters()
        if not issubclass(declared.field_class, SpanCheckedFormField)
    ]
    assert len(list(date_parameters())) >= 8
    assert wrong == []


def test_every_date_parameter_refuses_far_days_naming_it(api_as, bureau):
    client = api_as(bureau)
    client.raise_request_exception = False
    wrong = {}
    for prefix, name, _declared in date_parameters():
        for value in ("0001-01-01", *FAR_MOMENTS):
            answer = client.get(f"/api/v1/{prefix}/", {name: value})
            body = answer.json() if answer.status_code == 400 else None
            if body is None or name not in body:
                wrong[f"{prefix}?{name}={value}"] = answer.status_code
    assert wrong == {}


def test_an_offset_no_time_zone_has_is_a_400_naming_the_parameter(api_as, bureau):
    answer = api_as(bureau).get("/api/v1/visits/", {"since": "2026-10-11T11:31:53-17:02"})
    assert answer.status_code == 400
    assert answer.json() == {
        "since": ["该日期的时区偏移不存在：应在 -12:00 至 +14:00 之间（武隆为 +08:00）。"]
    }


def test_visits_since_the_year_1_is_a_400(api_as, bureau):
    answer = api_as(bureau).get("/api/v1/visits/", {"since": "0001-01-01T00:00:00"})
    assert answer.status_code == 400
    assert answer.json() == {"since": ["该日期应在 1900-01-01 至 2100-12-31 之间。"]}


# --- the pages ------------------------------------------------------------------------------


def test_every_date_of_every_page_form_is_read_in_its_span():
    checked, wrong = 0, {}
    for form_class in FORMS:
        for name, field in form_class.base_fields.items():
            if not isinstance(field, forms.DateField | forms.DateTimeField):
                continue
            checked += 1
            if not isinstance(field, SpanCheckedFormField):
                wrong[f"{form_class.__name__}.{name}"] = type(field).__name__
                continue
            for value in ("0001-01-01", "9999-12-31T23:59", "2026-10-11T11:31:53-17:02"):
                with pytest.raises(forms.ValidationError):
                    field.clean(value)
    assert checked >= 5
    assert wrong == {}


@pytest.mark.parametrize("query", ["since=0001-01-01", "until=9999-12-31"])
def test_the_audit_page_reads_a_far_day_as_none(client, bureau, query):
    client.force_login(bureau)
    client.raise_request_exception = False
    assert client.get(f"/audit/?{query}").status_code == 200
