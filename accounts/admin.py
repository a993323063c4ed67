from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import ApiToken, User
from accounts.services import token_revoke
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


# knox's own admin lists every user's token digests, unscoped; tokens are shown here instead,
# with the scoping rule (the bureau: its region's; everyone else: their own).
admin.site.unregister(AuthToken)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("token_id", "user", "created", "expiry")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("token_id", "user", "created", "expiry")
    readonly_fields = fields
    ordering = ("-created",)

    @admin.display(description=_("token"))
    def token_id(self, token) -> str:
        return token.public_id

    def has_add_permission(self, request):
        return False  # a token is made by logging in, and shown only then

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # revoking: what the scoped list shows, the user may revoke
        return super().has_delete_permission(request, obj) or self._has_role(request)

    def delete_model(self, request, obj):
        token_revoke(by=request.user, token=obj)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            token_revoke(by=request.user, token=token)
