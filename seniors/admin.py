"""Read-only admin views of the ledger with their history; changes go through the pages and
the API so that the ledger's rules (ID check, duplicates, scoring) always apply."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from regions.admin_scoping import ScopedAdminMixin
from seniors.models import Assessment, Senior, Visit


class ReadOnlyScopedAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Senior)
class SeniorAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "village", "sex", "birth_date", "living_situation", "status")
    list_filter = ("status", "living_situation", "extreme_poverty", "subsistence_allowance")
    search_fields = ("name",)
    list_select_related = ("village",)
    exclude = ("id_number",)  # the full number is shown only on the record's page


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
