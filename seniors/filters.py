"""Filters of the register, shared by the API (``?village=…&disabled=true``) and the pages."""

from __future__ import annotations

import datetime

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regions.models import prefix_of_code
from seniors.models import (
    DISABLED_LEVELS,
    HIGH_AGE,
    ExtremePoverty,
    LivingSituation,
    Senior,
    Status,
    Visit,
    years_before,
)
from seniors.selectors import Allowance, eligible_q

BOOLEAN_CHOICES = (("true", _("Yes")), ("false", _("No")))


class AllYesNoSelect(forms.NullBooleanSelect):
    """Yes, no, or nothing chosen, which filters nothing: "All" (Django's own says "Unknown",
    which reads as people whose answer is unknown)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]

    def format_value(self, value):
        shown = super().format_value(value)
        return "" if shown == "unknown" else shown


class YesNoFilter(filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", AllYesNoSelect)
        super().__init__(*args, **kwargs)


class SeniorFilter(filters.FilterSet):
    """Needs a queryset from ``selectors.senior_list`` (for the assessment and visit fields)."""

    q = filters.CharFilter(method="filter_q", label=_("name or ID number"))
    region = filters.CharFilter(method="filter_region", label=_("region code (any level)"))
    village = filters.CharFilter(field_name="village_id", label=_("village code"))
    status = filters.ChoiceFilter(choices=Status.choices, label=_("status"))
    living_situation = filters.ChoiceFilter(
        choices=LivingSituation.choices, label=_("living situation")
    )
    extreme_poverty = filters.ChoiceFilter(
        choices=[("any", _("Any extreme poverty")), *ExtremePoverty.choices[1:]],
        method="filter_extreme_poverty",
        label=_("extreme poverty (特困)"),
        empty_label=_("All"),
    )
    subsistence_allowance = YesNoFilter(label=_("subsistence allowance (低保)"))
    low_income = YesNoFilter(label=_("low income (低收入)"))
    family_planning_special = YesNoFilter(label=_("family-planning special family"))
    disability_certificate = YesNoFilter(label=_("disability (残疾)"))
    wants_centralised_care = YesNoFilter(label=_("wants centralised care"))
    wants_day_care = YesNoFilter(label=_("wants day care"))
    high_age = YesNoFilter(method="filter_high_age", label=_("high age (80+, today)"))
    disabled = YesNoFilter(
        method="filter_disabled", label=_("disabled (失能, by the latest assessment)")
    )
    allowance = filters.ChoiceFilter(
        choices=Allowance.choices,
        method="filter_allowance",
        label=_("eligible for"),
        empty_label=_("All"),
    )
    family_doctor = YesNoFilter(
        field_name="family_doctor_contract_on",
        lookup_expr="isnull",
        exclude=True,
        label=_("has a family-doctor contract"),
    )
    not_visited_days = filters.NumberFilter(
        method="filter_not_visited", min_value=1, label=_("not visited in the last N days")
    )

    class Meta:
        model = Senior
        fields = ()

    @staticmethod
    def today() -> datetime.date:
        return timezone.localdate()

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(id_number=value.upper()))

    def filter_region(self, queryset, name, value):
        return queryset.filter(village__code__startswith=prefix_of_code(value.strip()))

    def filter_extreme_poverty(self, queryset, name, value):
        if value == "any":
            return queryset.exclude(extreme_poverty="")
        return queryset.filter(extreme_poverty=value)

    def filter_high_age(self, queryset, name, value):
        cutoff = years_before(self.today(), HIGH_AGE)
        return (
            queryset.filter(birth_date__lte=cutoff)
            if value
            else queryset.filter(birth_date__gt=cutoff)
        )

    def filter_disabled(self, queryset, name, value):
        if value:
            return queryset.filter(latest_level__in=DISABLED_LEVELS)
        return queryset.filter(Q(latest_level__isnull=True) | ~Q(latest_level__in=DISABLED_LEVELS))

    def filter_allowance(self, queryset, name, value):
        return queryset.filter(eligible_q(value, self.today()))

    def filter_not_visited(self, queryset, name, value):
        """No visit since then (the latest visit before it, or none): asked as "no visit since",
        one lookup in the visits' index per person, not each person's latest visit worked out
        first and then compared (which made the register's page and its count read every
        person's visits)."""
        since = timezone.now() - datetime.timedelta(days=int(value))
        return queryset.exclude(
            Exists(Visit.objects.filter(senior=OuterRef("pk"), visited_at__gte=since))
        )
