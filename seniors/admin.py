"""Read-only admin views of the ledger with their history; changes go through the pages and
the API so that the ledger's rules (ID check, duplicates, scoring) always apply."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from audit.personal import Number, masked
from regions.admin_scoping import ReadOnlyAdminMixin, ScopedAdminMixin
from seniors.models import Assessment, Senior, Visit

PERSONAL_NUMBERS = {number.value: number for number in Number}


class _MaskedHistory(HistoricalRecordContextHelper):
    """The history's list of changes with personal numbers masked (phone: 138****0000 →
    138****5678): the change is seen, the numbers are not."""

    def prepare_delta_change_value(self, change, value):
        number = PERSONAL_NUMBERS.get(change.field)
        if number is not None:
            return masked(str(value or ""), number)
        return super().prepare_delta_change_value(change, value)


class ReadOnlyScopedAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only and scoped. People's ID and phone numbers never show in the admin: not in its
    forms (the record's page and the API show them, by ``audit.personal``'s rule and logged),
    and masked in the history's changes."""

    def get_exclude(self, request, obj=None):
        own = tuple(super().get_exclude(request, obj) or ())
        fields = {field.name for field in self.model._meta.get_fields()}
        return own + tuple(name for name in PERSONAL_NUMBERS if name in fields and name not in own)

    def get_historical_record_context_helper(self, request, historical_record):
        return _MaskedHistory(self.model, historical_record)


@admin.register(Senior)
class SeniorAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "village", "sex", "birth_date", "living_situation", "status")
    list_filter = ("status", "living_situation", "extreme_poverty", "subsistence_allowance")
    search_fields = ("name",)
    list_select_related = ("village",)


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyScopedAdmin):
    list_display = ("senior", "assessed_on", "total", "level")
    list_filter = ("level",)
    list_select_related = ("senior",)


@admin.register(Visit)
class VisitAdmin(ReadOnlyScopedAdmin):
    list_display = ("senior", "visited_at", "service_type", "visitor_name", "follow_up_needed")
    list_filter = ("service_type", "follow_up_needed")
    list_select_related = ("senior",)
