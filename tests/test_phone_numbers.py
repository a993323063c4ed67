"""Phone numbers: a Chinese mobile or landline number, stored in one form, never an invisible
character — on every model that keeps a phone, through every serializer, and in the Excel
import with the row and column; the numbers stored before the check are listed by
``check_phones``. The walks go over every model and serializer of the project."""

import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models
from django.utils import translation
from rest_framework import serializers

from eldercare.validators import PhoneField, check_on_save, normal_phone
from seniors import importing
from seniors.models import Senior
from volunteers.models import Volunteer

from . import factories as f
from .test_dates_in_span import SERIALIZERS, context
from .test_seniors_excel_import import LUO_ID, xlsx

pytestmark = pytest.mark.django_db

OUR_APPS = {"regions", "accounts", "seniors", "facilities", "volunteers", "coverage", "audit"}
# the values the probe stored, and a right-to-left override before a good number
BAD = ["NaN", "9999-12-31", "0x10", "\u202e13800138000", "12345", "+1 212 555 0100"]
NOT_A_NUMBER = "".join(
    [
        "电话不是有效的号码：手机号为 11 位（如 13800138000），",
        "固定电话为区号加号码（如 023-77123456）。",
    ]
)
INVISIBLE = "电话含有不可见的控制字符，请重新输入号码。"


def message_for(value):
    return INVISIBLE if value.startswith("\u202e") else NOT_A_NUMBER


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),  # typed with full-width digits
        ("023-77123456", "023-77123456"),
        ("(023) 7712 3456", "023-77123456"),
        ("77123456", "023-77123456"),  # a local number of Wulong, without the area code
        ("010-12345678", "010-12345678"),
    ],
)
def test_a_chinese_number_is_kept_in_one_form(written, stored):
    assert normal_phone(written) == stored


@pytest.mark.parametrize("value", [*BAD, "7712345", "023-7712345x", "１２３"])
def test_anything_else_is_not_a_number(value):
    assert normal_phone(value) is None


def phone_like_fields():
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField) and any(
                word in field.name for word in ("phone", "mobile", "tel")
            ):
                yield model, field


def test_every_phone_of_every_model_is_a_phone_field():
    found = {
        f"{model._meta.label}.{field.name}": type(field) for model, field in phone_like_fields()
    }
    assert {
        "seniors.Senior.phone",
        "facilities.StaffMember.phone",
        "volunteers.Volunteer.phone",
        "accounts.User.phone",
    } <= set(found)
    assert {name for name, kind in found.items() if kind is not PhoneField} == set()


@pytest.mark.parametrize("value", BAD)
def test_no_save_stores_a_bad_phone(value):
    wrong = {}
    for model, field in phone_like_fields():
        instance = model()
        setattr(instance, field.attname, value)
        with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
            check_on_save(model, instance)
        if refused.value.message_dict.get(field.name) != [message_for(value)]:
            wrong[model._meta.label] = refused.value.message_dict
    assert wrong == {}


@pytest.mark.parametrize("value", BAD)
def test_every_serializer_refuses_a_bad_phone_naming_the_field(bureau, value):
    checked, wrong = 0, {}
    for serializer_class in SERIALIZERS:
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        for name, field in serializer_class(context=context(bureau)).fields.items():
            if field.read_only or not isinstance(field, serializers.CharField) or model is None:
                continue
            try:
                model_field = model._meta.get_field(field.source)
            except Exception:  # not a model field
                continue
            if not isinstance(model_field, PhoneField):
                continue
            serializer = serializer_class(data={name: value}, partial=True, context=context(bureau))
            with translation.override("zh-hans"):
                serializer.is_valid()
                errors = [str(e) for e in serializer.errors.get(name, [])]
            checked += 1
            if errors != [message_for(value)]:
                wrong[f"{serializer_class.__name__}.{name}"] = errors
    assert checked >= 3  # seniors, staff, volunteers
    assert wrong == {}


# --- the paths the probe took, and the form the number is kept in -------------------------


@pytest.mark.parametrize("value", BAD)
def test_a_seniors_phone_is_refused_through_the_api(api_as, staff_baima, zhang, value):
    answer = api_as(staff_baima).patch(
        f"/api/v1/seniors/{zhang.pk}/", {"phone": value}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json() == {"phone": [message_for(value)]}
    zhang.refresh_from_db()
    assert zhang.phone == ""


def test_a_local_landline_is_stored_with_wulongs_area_code(api_as, staff_baima, zhang):
    answer = api_as(staff_baima).patch(
        f"/api/v1/seniors/{zhang.pk}/", {"phone": "7712 3456"}, format="json"
    )
    assert answer.status_code == 200
    zhang.refresh_from_db()
    assert zhang.phone == "023-77123456"
    assert zhang.history.first().phone == "023-77123456"


def test_a_volunteers_phone_is_stored_as_its_digits(api_as, staff_baima, regions):
    answer = api_as(staff_baima).post(
        "/api/v1/volunteers/",
        {
            "name": "王小红",
            "village": regions["banqiao"].code,
            "kind": "younger_senior",
            "joined_on": "2026-11-01",
            "phone": "138 0013 8000",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    assert Volunteer.objects.get(name="王小红").phone == "13800138000"


def test_the_excel_import_names_the_row_and_the_column(regions, today, staff_baima):
    headers = ["姓名", "身份证号", "村(社区)", "联系电话"]
    rows = [["罗大爷", LUO_ID, "板桥村", "\u202e13800138000"]]
    with translation.override("zh-hans"):
        senior_import = importing.senior_import_create(by=staff_baima, upload=xlsx(rows, headers))
    assert [(e["row"], e["column"], e["message"]) for e in senior_import.errors] == [
        (2, "联系电话", INVISIBLE)
    ]
    assert not Senior.objects.filter(name="罗大爷").exists()


# --- the numbers stored before the check ----------------------------------------------------


def test_check_phones_lists_the_bad_numbers_stored_before(regions, zhang):
    good = f.VolunteerFactory(village=regions["banqiao"], phone="13800138000")
    helper = f.VolunteerFactory(village=regions["banqiao"])
    # stored as the probe stored them, before the check (an update skips the model's save)
    Senior.objects.filter(pk=zhang.pk).update(phone="\u202e13800138000")
    Volunteer.objects.filter(pk=helper.pk).update(phone="NaN")
    out = io.StringIO()

    with translation.override("zh-hans"):
        call_command("check_phones", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines == [
        f"seniors.Senior\t{zhang.pk}\t{zhang.village.code}\t\\u202e13*****8000\t{INVISIBLE}",
        f"volunteers.Volunteer\t{helper.pk}\t500156101201\t***\t{NOT_A_NUMBER}",
        "2 invalid phone number(s).",
    ]
    good.refresh_from_db()
    assert good.phone == "13800138000"  # a report: nothing changed
