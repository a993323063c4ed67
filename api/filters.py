"""Filters shared by the API's resources."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from eldercare.validators import SpanCheckedFormField
from regions.models import prefix_of_code

BIGINT_MAX = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """``?senior=<id>``: a whole number a primary key can hold. A decimal or a number past the
    database's integer (``-3e+41``) is a 400 naming the parameter, not an overflow (500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


def region_filter(lookup: str):
    """``?region=<code>`` of any level: the rows whose ``lookup`` lies in that subtree."""

    def filter_region(self, queryset, name, value):
        return queryset.filter(**{f"{lookup}__startswith": prefix_of_code(value.strip())})

    return filter_region


class _DayInCalendar:
    """A date parameter whose day, as written, lies between 1900 and 2100: ``0001-01-01`` is a
    400 naming the parameter, not an overflow when the value meets the time zone or the
    database. Every date parameter of the API is one of these (``tests/test_dates_in_span.py``)."""

    def __init__(self, *args, **kwargs):
        # zh: 该日期
        kwargs.setdefault("message_label", _("This date"))
        super().__init__(*args, **kwargs)


class _CalendarDateField(SpanCheckedFormField, forms.DateField):
    pass


class _CalendarIsoDateTimeField(SpanCheckedFormField, IsoDateTimeField):
    pass


class DateFilter(_DayInCalendar, filters.DateFilter):
    field_class = _CalendarDateField


class IsoDateTimeFilter(_DayInCalendar, filters.IsoDateTimeFilter):
    field_class = _CalendarIsoDateTimeField
