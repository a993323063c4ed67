from django.contrib import admin

from audit.models import PersonView
from regions.admin_scoping import ScopedAdminMixin


@admin.register(PersonView)
class PersonViewAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The view log, read-only (the bureau's audit page shows it beside the changes)."""

    list_display = ("at", "user", "person", "channel", "count", "address")
    list_filter = ("channel",)
    list_select_related = ("user", "senior", "staff_member", "volunteer")
    search_fields = ("user__username", "senior__name", "staff_member__name", "volunteer__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
