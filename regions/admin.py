from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from regions import services
from regions.admin_scoping import ScopedAdminMixin, ServiceAdminMixin
from regions.models import Region


@admin.register(Region)
class RegionAdmin(ServiceAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """The hierarchy, scoped; administrators correct names and add divisions through
    ``regions.services.region_save``."""

    list_display = ("code", "short_name", "name", "level", "kind", "urban_rural_code", "parent")
    list_filter = ("level", "kind", "urban_rural_code")
    search_fields = ("code", "name", "short_name")
    list_select_related = ("parent",)
    raw_id_fields = ("parent",)
    readonly_fields = services.REGION_KEY
    save_service = staticmethod(services.region_save)
    instance_name = "region"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return self.readonly_fields

    # Divisions are official data: only administrators change them (renames, new codes),
    # and none is deleted while records may point at it.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False
