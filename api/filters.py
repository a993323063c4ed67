"""Filters shared by the API's resources."""

from django import forms
from django_filters import rest_framework as filters

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
