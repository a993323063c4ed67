"""Plausible values, written once: the range of every date the system keeps and the length of
every free text. Domain models declare their dates and notes with these fields; forms, the
admin and the API's model serializers take the validators from the field, and every ``save()``
checks again (a ``pre_save`` signal), so a service fed by a plain serializer, a page or the
Excel import cannot store 0001-01-01, 9999-12-31 or a novel in a note either.

The spans:

- ``birth``: 1900-01-01 up to today (the oldest Chinese resident ID numbers' years);
- ``history``: things that may predate the plan by decades — a facility's opening, a bed in use,
  a team's founding, staff joining, a certificate issued: 1950-01-01 up to a year from today;
- ``event``: records of the care network's work — assessments, visits, stays, pairings,
  trainings, checks, statuses: 2000-01-01 up to a year from today;
- ``planned``: deadlines and expiries — a milestone's plan, a certificate's expiry, a plan's due
  date: 2000-01-01 up to 2040-12-31;
- ``calendar``: any day a query names or the clock stamps: 1900-01-01 up to 2100-12-31.

The API's and the pages' date fields check the day as written against the span while parsing
(``SpanCheckedFormField`` here, ``api.fields`` for the API), before any time-zone step: a
datetime in the year 1 or 9999 cannot be made aware or converted to UTC, and would otherwise
fail there (a 500) before the range is looked at.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_TEXT_LENGTH = 2000  # notes and free text: a page of writing


@dataclass(frozen=True)
class Span:
    earliest: datetime.date
    latest: datetime.date | None = None  # a fixed end, or else
    days_ahead: int = 0  # up to this many days from today

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        if self.latest is not None:
            return self.earliest, self.latest
        return self.earliest, timezone.localdate() + datetime.timedelta(days=self.days_ahead)


SPANS = {
    "birth": Span(datetime.date(1900, 1, 1)),
    "history": Span(datetime.date(1950, 1, 1), days_ahead=366),
    "event": Span(datetime.date(2000, 1, 1), days_ahead=366),
    "planned": Span(datetime.date(2000, 1, 1), latest=datetime.date(2040, 12, 31)),
    "calendar": Span(datetime.date(1900, 1, 1), latest=datetime.date(2100, 12, 31)),
}


def _label(field, label=None) -> str:
    if label:
        return str(label)
    return str(field.verbose_name) if field is not None else _("This date")


def day_as_written(value) -> datetime.date:
    """The day of a date or of a datetime in its own offset: no time-zone step, so it works
    for the year 1 and the year 9999 alike."""
    return value.date() if isinstance(value, datetime.datetime) else value


# The offsets the world's time zones use (UTC-12:00 to UTC+14:00). Python reads any offset
# under a day; PostgreSQL takes at most 15:59 and answers a larger one with an error.
WORLD_OFFSETS = (datetime.timedelta(hours=-12), datetime.timedelta(hours=14))


def check_as_written(value, span: str, field=None, label=None) -> None:
    """A date or datetime a client sent, before it meets a time zone or the database: an
    offset no time zone has, or a day outside ``span``, is a ``ValidationError`` naming the
    field (a model field's name, or ``label``)."""
    offset = value.utcoffset() if isinstance(value, datetime.datetime) else None
    if offset is not None and not WORLD_OFFSETS[0] <= offset <= WORLD_OFFSETS[1]:
        raise ValidationError(
            # zh: %(field)s的时区偏移不存在：应在 -12:00 至 +14:00 之间（武隆为 +08:00）。
            _(
                "%(field)s has a time-zone offset no place uses: it lies between -12:00 and "
                "+14:00 (Wulong is +08:00)."
            )
            % {"field": _label(field, label)},
            code="implausible_offset",
        )
    PlausibleDate(span, field, label=label)(day_as_written(value))


def day_in_span(text: str, span: str = "calendar") -> datetime.date | None:
    """A page's ``?date=``-like parameter: the day it names if readable and in the span, else
    None (the page then shows its default), never a day that overflows when the page adds to
    it or makes it a moment in Wulong."""
    try:
        day = datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None
    if day is None:
        return None
    earliest, latest = SPANS[span].bounds()
    return day if earliest <= day <= latest else None


class PlausibleDate:
    """The validator: the value lies in the span, or a message naming the field (a model
    field's name, or ``label``) and the range."""

    def __init__(self, span: str, field=None, label=None):
        if span not in SPANS:
            raise ValueError(f"unknown span {span!r}; one of {sorted(SPANS)}")
        self.span = span
        self.field = field
        self.label = label

    def __call__(self, value) -> None:
        if value is None:
            return
        day = value
        if isinstance(value, datetime.datetime):
            try:
                day = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
            except OverflowError:  # 9999-12-31 23:00 UTC is past the last day in Wulong
                day = value.date()
        earliest, latest = SPANS[self.span].bounds()
        if not earliest <= day <= latest:
            raise ValidationError(
                _("%(field)s must lie between %(earliest)s and %(latest)s.")
                % {"field": _label(self.field, self.label), "earliest": earliest, "latest": latest},
                code="implausible_date",
            )

    def __eq__(self, other):
        return isinstance(other, PlausibleDate) and other.span == self.span


class _Guarded:
    """A field whose own validators are checked at every save too (``check_on_save``):
    services write with ``save()`` and some take their values from plain serializers, page
    forms or an Excel row."""

    def _own_validators(self):
        raise NotImplementedError


@functools.cache
def _guarded_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if isinstance(f, _Guarded)]


def check_on_save(sender, instance, raw=False, update_fields=None, **kwargs):
    """``pre_save`` for every model: a guarded field's value out of its range or length is a
    ``ValidationError`` naming the field, before anything is written. (Raised here, before
    ``save()`` opens its transaction, so that a caller catching it can go on querying.)"""
    if raw:  # fixtures and restores load what was stored
        return
    errors: dict[str, list[str]] = {}
    for field in _guarded_fields(sender):
        if update_fields is not None and field.name not in update_fields:
            continue
        value = getattr(instance, field.attname)
        if value is None or value == "":
            continue
        try:
            value = field.to_python(value)  # a date may come as text ("2026-11-29")
        except ValidationError:
            continue  # not a date at all: Django's own save says so
        try:
            for validate in field._own_validators():
                validate(value)
        except ValidationError as exc:
            errors[field.name] = exc.messages
    if errors:
        raise ValidationError(errors)


pre_save.connect(check_on_save, dispatch_uid="eldercare.validators.check_on_save")


class _PlausibleMixin(_Guarded):
    def __init__(self, *args, span: str = "event", **kwargs):
        self.span = span
        super().__init__(*args, **kwargs)
        self.default_validators = [*type(self).default_validators, PlausibleDate(span, self)]

    def _own_validators(self):
        return [PlausibleDate(self.span, self)]

    def formfield(self, **kwargs):
        # page forms made from the model's fields check the range before any service
        return super().formfield(**{"validators": self._own_validators(), **kwargs})

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["span"] = self.span
        return name, path, args, kwargs


class PlausibleDateField(_PlausibleMixin, models.DateField):
    """A ``DateField`` whose value lies in its span (``birth``, ``history``, ``event``,
    ``planned``)."""


class PlausibleDateTimeField(_PlausibleMixin, models.DateTimeField):
    """A ``DateTimeField`` whose day (in Wulong's time) lies in its span."""


class SpanCheckedFormField:
    """A form field (``forms.DateField``, ``forms.DateTimeField`` or a subclass) whose parsed
    value, as written, lies in ``span`` (``calendar`` unless named), or a ``ValidationError``
    naming the field: checked before the value meets a time zone or the database."""

    def __init__(self, *args, span: str = "calendar", message_label=None, **kwargs):
        self.span = span
        self.message_label = message_label  # the name the message gives; else the label
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None:
            label = self.message_label or self.label
            check_as_written(value, self.span, label=label)
        return value


class PlausibleFormDateField(SpanCheckedFormField, forms.DateField):
    """A page's date that is not a model field's (a status's day, an assessment's day)."""


class PlausibleFormDateTimeField(SpanCheckedFormField, forms.DateTimeField):
    """A page's date and time that is not a model field's (a visit's time, a claim's hours)."""


class TextLength(MaxLengthValidator):
    """At most ``limit`` characters, with a message naming the field. (A
    ``MaxLengthValidator``, so that DRF, which checks ``max_length`` itself, does not say it
    twice.)"""

    def __init__(self, limit: int, field=None):
        super().__init__(limit)
        self.limit = limit
        self.field = field

    def __call__(self, value) -> None:
        if value is not None and len(value) > self.limit:
            raise ValidationError(
                _("%(field)s is too long: at most %(limit)d characters (this one has %(length)d).")
                % {
                    "field": str(self.field.verbose_name) if self.field else _("This text"),
                    "limit": self.limit,
                    "length": len(value),
                },
                code="max_length",
            )

    def __eq__(self, other):
        return isinstance(other, TextLength) and other.limit == self.limit


class BoundedTextField(_Guarded, models.TextField):
    """A ``TextField`` of at most ``max_length`` characters (default ``MAX_TEXT_LENGTH``);
    forms and serializers take the limit from ``max_length``, saves check it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_TEXT_LENGTH)
        super().__init__(*args, **kwargs)
        self.default_validators = [TextLength(self.max_length, self)]

    def _own_validators(self):
        return [TextLength(self.max_length, self)]


# --- phone numbers --------------------------------------------------------------------------

# Wulong's area code: a landline written without one (an 8-digit local number, as rural
# ledgers often have it) is read as a number of Chongqing.
LOCAL_AREA_CODE = "023"
# what a phone number may be written with besides digits: spaces and the usual separators
_PHONE_SEPARATORS = set(" -+()")
_INVISIBLE = {"Cc", "Cf", "Co", "Cn", "Zl", "Zp"}
_LOCAL = re.compile(r"\d{4}[ -]?\d{4}")


def _phone_label(field) -> str:
    return str(field.verbose_name) if field is not None else _("phone")


def normal_phone(text: str) -> str | None:
    """The number as stored: a mobile as its 11 digits (``13800138000``), a landline as area
    code and number (``023-77123456``), a local 8-digit landline with Wulong's 023; None when
    ``text`` is not a Chinese mobile or landline number (``phonenumbers``' metadata decides).
    """
    text = unicodedata.normalize("NFKC", text).strip()
    if not text or any(not (c.isdigit() or c in _PHONE_SEPARATORS) for c in text):
        return None
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) == 8:
        # a local number alone: eight digits, split at most in the middle (7712 3456), so
        # that a date (9999-12-31) is not read as one
        if not _LOCAL.fullmatch(text):
            return None
        text = LOCAL_AREA_CODE + digits
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    national = phonenumbers.national_significant_number(number)
    area = phonenumbers.length_of_geographical_area_code(number)
    if area:
        return f"0{national[:area]}-{national[area:]}"
    return national


class PhoneNumber:
    """The validator: a Chinese mobile or landline number, written with digits, spaces, ``-``,
    ``+`` and brackets; never an invisible character (a right-to-left override would show
    the digits reversed)."""

    def __init__(self, field=None):
        self.field = field

    def __call__(self, value) -> None:
        if value in (None, ""):
            return
        label = _phone_label(self.field)
        if any(unicodedata.category(c) in _INVISIBLE for c in value):
            raise ValidationError(
                # zh: %(field)s含有不可见的控制字符，请重新输入号码。
                _("%(field)s contains an invisible control character: type the number again.")
                % {"field": label},
                code="invisible_character",
            )
        if normal_phone(value) is None:
            raise ValidationError(
                # zh: %(field)s不是有效的号码：手机号为 11 位（如 13800138000），
                # 固定电话为区号加号码（如 023-77123456）。
                _(
                    "%(field)s is not a valid phone number: a mobile has 11 digits "
                    "(13800138000), a landline its area code and number (023-77123456)."
                )
                % {"field": label},
                code="invalid_phone",
            )

    def __eq__(self, other):
        return isinstance(other, PhoneNumber)


class PhoneField(_Guarded, models.CharField):
    """A person's phone: a Chinese mobile or landline number (``PhoneNumber``), stored in its
    normal form (``normal_phone``). Forms, the admin and the API's model serializers take the
    validator from the field; every save checks it again."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        # before CharField's __init__, which reads the validators to add the length's
        self.default_validators = [PhoneNumber(self)]
        super().__init__(*args, **kwargs)

    def _own_validators(self):
        return [PhoneNumber(self)]

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        normal = normal_phone(value) if value else None
        if normal is not None and normal != value:
            setattr(model_instance, self.attname, normal)
            return normal
        return value
