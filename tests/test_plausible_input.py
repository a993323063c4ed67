"""Plausible values: every date the system keeps lies in a range that names it, every note has
a length limit — in the model (admin, model serializers), in the forms made from the model's
fields, and at every save (the services, whatever fed them). The walks go over every model of
the project, so a new date or text field without its range or limit fails here."""

import datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

import api.coverage
import api.facilities
import api.regions
import api.seniors
import api.timebank
import api.volunteers
from eldercare.validators import BoundedTextField, PlausibleDate, TextLength, check_on_save
from seniors.idnumber import age_on
from seniors.models import Senior
from seniors.services import senior_check_new
from volunteers.models import Volunteer

from . import factories as f

pytestmark = pytest.mark.django_db

OUR_APPS = {"regions", "accounts", "seniors", "facilities", "volunteers", "coverage", "audit"}
# Stamped by the system's clock, never typed or imported: no range to keep.
SYSTEM_STAMPED = {
    "accounts.User.last_login",
    "accounts.User.date_joined",
    "seniors.SeniorImport.applied_at",
    "seniors.SeniorImport.heartbeat_at",
    "volunteers.ServiceLog.decided_at",
    "coverage.Run.started_at",
    "coverage.Run.finished_at",
    "coverage.Report.queued_at",
    "coverage.Report.built_at",
    "coverage.DirtyTownship.marked_at",
    "accounts.ApiToken.expiry",  # knox sets it at login from API_TOKEN_HOURS
}
# a failed computation's (or report build's) error, written by the worker
SYSTEM_TEXT = {"coverage.Run.error", "coverage.Report.error"}

# The ranges on the suite's today, 2026-11-29 (a year ahead: 2027-11-30), worked out by hand.
RANGES = {
    "birth": ("1900-01-01", "2026-11-29"),
    "history": ("1950-01-01", "2027-11-30"),
    "event": ("2000-01-01", "2027-11-30"),
    "planned": ("2000-01-01", "2040-12-31"),
}
IMPLAUSIBLE = [datetime.date(1, 1, 1), datetime.date(9999, 12, 31)]


def our_fields(kind):
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, kind) and not (
                getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            ):
                yield f"{model._meta.label}.{field.name}", model, field


def date_fields():
    return [
        (name, model, field)
        for name, model, field in our_fields(models.DateField)
        if name not in SYSTEM_STAMPED
    ]


def chinese_message(field, span):
    with translation.override("zh-hans"):
        label = str(field.verbose_name)
    earliest, latest = RANGES[span]
    return f"{label}应在 {earliest} 至 {latest} 之间。"


def as_value(field, day):
    if isinstance(field, models.DateTimeField):
        return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    return day


def test_the_walk_finds_the_dates_the_issue_names():
    names = {name for name, _model, _field in date_fields()}
    for name in (
        "volunteers.Pairing.ended_on",
        "volunteers.Volunteer.joined_on",
        "volunteers.Group.founded_on",
        "facilities.Facility.opened_on",
        "facilities.TrainingSession.held_on",
        "facilities.StaffMember.started_on",
        "seniors.Senior.birth_date",
        "seniors.Visit.visited_at",
    ):
        assert name in names
    assert len(names) >= 45


def test_every_date_field_has_its_plausible_range():
    missing = [
        name
        for name, _model, field in date_fields()
        if not any(isinstance(v, PlausibleDate) for v in field.validators)
        or field.span not in RANGES
    ]
    assert missing == []


@pytest.mark.parametrize("day", IMPLAUSIBLE, ids=str)
def test_no_save_stores_an_implausible_date(day, today):
    """Whatever path a value takes — a service, a page, the Excel import — ``save()`` refuses
    it (the ``pre_save`` check), naming the field and its range."""
    wrong = {}
    for name, model, field in date_fields():
        instance = model()
        setattr(instance, field.attname, as_value(field, day))
        with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
            check_on_save(model, instance)
        expected = {field.name: [chinese_message(field, field.span)]}
        if refused.value.message_dict != expected:
            wrong[name] = refused.value.message_dict
    assert wrong == {}


def test_the_first_and_the_last_day_of_each_range_are_kept(today):
    for _name, model, field in date_fields():
        earliest, latest = (datetime.date.fromisoformat(d) for d in RANGES[field.span])
        for day in (earliest, latest):
            instance = model()
            setattr(instance, field.attname, as_value(field, day))
            check_on_save(model, instance)


@pytest.mark.parametrize("day", IMPLAUSIBLE, ids=str)
def test_forms_made_from_the_model_refuse_it(day, today):
    wrong = {}
    for name, _model, field in date_fields():
        if not field.editable:
            continue
        form_field = field.formfield()
        value = day.isoformat() if not isinstance(field, models.DateTimeField) else f"{day} 12:00"
        with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
            form_field.clean(value)
        if refused.value.messages != [chinese_message(field, field.span)]:
            wrong[name] = refused.value.messages
    assert wrong == {}


def api_model_serializers():
    modules = (api.coverage, api.facilities, api.regions, api.seniors, api.timebank, api.volunteers)
    found = []
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, serializers.ModelSerializer)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def serializer_context(user):
    request = Request(APIRequestFactory().post("/"))
    request.user = user
    # the groups' serializer asks its view which kind of group it keeps
    return {"request": request, "view": SimpleNamespace(kind="volunteer_team")}


@pytest.mark.parametrize("day", IMPLAUSIBLE, ids=str)
def test_every_api_serializer_refuses_it_naming_the_field(day, bureau, today):
    checked, wrong = 0, {}
    for serializer_class in api_model_serializers():
        model = serializer_class.Meta.model
        fields = serializer_class(context=serializer_context(bureau)).fields
        for name, serializer_field in fields.items():
            if serializer_field.read_only or not isinstance(
                serializer_field, serializers.DateField | serializers.DateTimeField
            ):
                continue
            try:
                model_field = model._meta.get_field(serializer_field.source)
            except Exception:  # not a model field: a plain date handed to a service
                continue
            value = day.isoformat()
            if isinstance(serializer_field, serializers.DateTimeField):
                value = f"{day}T12:00:00+08:00"
            serializer = serializer_class(
                data={name: value}, partial=True, context=serializer_context(bureau)
            )
            with translation.override("zh-hans"):
                serializer.is_valid()
                errors = [str(e) for e in serializer.errors.get(name, [])]
            checked += 1
            if errors != [chinese_message(model_field, model_field.span)]:
                wrong[f"{serializer_class.__name__}.{name}"] = errors
    assert checked >= 15
    assert wrong == {}


# --- the paths the issue names, through the API --------------------------------------------


def test_a_pairing_cannot_end_on_9999_12_31(api_as, staff_baima, zhang, regions, today):
    helper = f.VolunteerFactory(village=regions["banqiao"])
    pairing = f.PairingFactory(
        helper=helper,
        senior=zhang,
        mode="one_to_one",
        visit_interval_days=7,
        started_on=datetime.date(2025, 3, 1),
    )
    api = api_as(staff_baima)
    answer = api.post(f"/api/v1/pairings/{pairing.pk}/end/", {"ended_on": "9999-12-31"})
    assert answer.status_code == 400
    assert answer.json() == {"ended_on": ["结束日期应在 2000-01-01 至 2027-11-30 之间。"]}
    pairing.refresh_from_db()
    assert pairing.ended_on is None
    # and it can still be ended on a real day
    answer = api.post(f"/api/v1/pairings/{pairing.pk}/end/", {"ended_on": "2026-11-20"})
    assert answer.status_code == 200


def test_a_volunteer_cannot_join_on_0001_01_01(api_as, staff_baima, regions, today):
    answer = api_as(staff_baima).post(
        "/api/v1/volunteers/",
        {"name": "王小红", "village": regions["banqiao"].code, "joined_on": "0001-01-01"},
    )
    assert answer.status_code == 400
    assert answer.json()["joined_on"] == ["加入日期应在 1950-01-01 至 2027-11-30 之间。"]
    assert not Volunteer.objects.filter(name="王小红").exists()


# --- notes ----------------------------------------------------------------------------------


def test_every_text_field_has_a_length_limit():
    unbounded = [
        name
        for name, _model, field in our_fields(models.TextField)
        if name not in SYSTEM_TEXT
        and not (
            isinstance(field, BoundedTextField)
            and field.max_length == 2000
            and any(isinstance(v, TextLength) for v in field.validators)
        )
    ]
    assert unbounded == []


def test_a_note_of_2001_characters_is_refused_at_any_save():
    wrong = {}
    for name, model, field in our_fields(BoundedTextField):
        instance = model()
        setattr(instance, field.attname, "字" * 2000)
        check_on_save(model, instance)
        setattr(instance, field.attname, "字" * 2001)
        with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
            check_on_save(model, instance)
        with translation.override("zh-hans"):
            label = str(field.verbose_name)
        expected = {field.name: [f"{label}过长：最多 2000 个字符（现有 2001 个）。"]}
        if refused.value.message_dict != expected:
            wrong[name] = refused.value.message_dict
    assert wrong == {}


def test_the_api_refuses_a_long_note(api_as, staff_baima, zhang):
    answer = api_as(staff_baima).patch(f"/api/v1/seniors/{zhang.pk}/", {"notes": "字" * 2001})
    assert answer.status_code == 400
    assert "notes" in answer.json()
    zhang.refresh_from_db()
    assert zhang.notes == ""


# --- ages -----------------------------------------------------------------------------------


def test_an_age_is_never_negative():
    assert age_on(datetime.date(1940, 3, 1), datetime.date(2026, 2, 28)) == 85
    assert age_on(datetime.date(1940, 3, 1), datetime.date(2026, 3, 1)) == 86
    assert age_on(datetime.date(2026, 3, 1), datetime.date(2026, 2, 28)) == 0


def test_a_senior_born_tomorrow_cannot_be_registered(api_as, staff_baima, regions, today):
    answer = api_as(staff_baima).post(
        "/api/v1/seniors/",
        {"id_number": "500232202611300017", "name": "未来", "village": regions["banqiao"].code},
    )
    assert answer.status_code == 400
    assert answer.json()["id_number"] == ["身份证号中的出生日期（2026-11-30）晚于今天。"]
    assert not Senior.objects.filter(name="未来").exists()


def test_the_ledgers_checks_name_the_range_before_anything_is_written(staff_baima, regions, today):
    """``senior_check_new`` is also the Excel import's preview of a row."""
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        senior_check_new(
            by=staff_baima,
            id_number="50023219300115011X",  # born 1930-01-15: 69 on 1999-12-31
            name="王大爷",
            village=regions["banqiao"],
            registered_on=datetime.date(1999, 12, 31),
            notes="字" * 2001,
        )
    assert refused.value.message_dict == {
        "registered_on": ["登记日期应在 2000-01-01 至 2027-11-30 之间。"],
        "notes": ["备注过长：最多 2000 个字符（现有 2001 个）。"],
    }
