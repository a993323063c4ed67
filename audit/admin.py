from django.contrib import admin

from audit.models import PersonView
from regions.admin_scoping import ReadOnlyAdminMixin, ScopedAdminMixin


@admin.register(PersonView)
class PersonViewAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The view log, read-only (the bureau's audit page shows it beside the changes)."""

    list_display = ("at", "user", "person", "channel", "count", "address")
    list_filter = ("channel",)
    list_select_related = ("user", "senior", "staff_member", "volunteer")
    search_fields = ("user__username", "senior__name", "staff_member__name", "volunteer__name")
