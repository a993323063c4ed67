from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User
from regions.admin_scoping import ScopedAdminMixin


@admin.register(User)
class EldercareUserAdmin(ScopedAdminMixin, SimpleHistoryAdmin, UserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "region",
        "is_active",
        "is_staff",
    )
    list_filter = ("role", "is_active", "is_staff")
    list_select_related = ("region",)
    search_fields = ("username", "first_name", "last_name", "phone", "region__name")
    raw_id_fields = ("region",)
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Role and region"), {"fields": ("role", "region", "phone")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Role and region"), {"fields": ("role", "region", "phone")}),
    )
