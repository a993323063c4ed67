"""Admin of the volunteer side: the bureau edits the policy here (through its service);
everything else is read
(changes go through the pages and the API, so the rules and the ledger hold)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from regions.admin_scoping import (
    ReadOnlyAdminMixin,
    RuleAdminMixin,
    ScopedAdminMixin,
    ServiceAdminMixin,
)
from seniors.admin import ReadOnlyScopedAdmin
from volunteers import rules, services
from volunteers.models import (
    Account,
    ElderlyCareAssistant,
    Group,
    Pairing,
    Policy,
    ServiceLog,
    Volunteer,
)


@admin.register(Policy)
class PolicyAdmin(ServiceAdminMixin, RuleAdminMixin, SimpleHistoryAdmin):
    """The rules of pairings, claims and the time bank, kept with who changed them
    (``services.policy_save``)."""

    list_display = (
        "one_to_one_interval_days",
        "one_to_one_per_helper",
        "grid_interval_days",
        "max_hours_per_day",
        "max_claim_age_days",
        "min_unit_hours",
        "storage_cap_hours",
        "expiry_days",
        "transfers_allowed",
        "updated_at",
    )

    edit_rule = staticmethod(rules.can_change_policy)
    save_service = staticmethod(services.policy_save)
    instance_name = "policy"

    def has_add_permission(self, request):
        # one policy: the bureau changes it, never adds a second
        return super().has_add_permission(request) and not Policy.objects.exists()


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "kind", "village", "joined_on", "left_on")
    list_filter = ("kind",)
    list_select_related = ("village",)


@admin.register(Group)
class GroupAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "kind", "region", "founded_on", "dissolved_on")
    list_filter = ("kind",)
    list_select_related = ("region",)


@admin.register(ElderlyCareAssistant)
class AssistantAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "village", "full_time", "started_on", "ended_on")
    list_select_related = ("village",)


@admin.register(Pairing)
class PairingAdmin(ReadOnlyScopedAdmin):
    list_display = ("helper", "senior", "mode", "visit_interval_days", "started_on", "ended_on")
    list_filter = ("mode",)
    list_select_related = ("helper", "senior")


@admin.register(ServiceLog)
class ServiceLogAdmin(ReadOnlyScopedAdmin):
    list_display = ("volunteer", "senior", "started_at", "hours", "status")
    list_filter = ("status",)
    list_select_related = ("volunteer", "senior")


@admin.register(Account)
class AccountAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Balances, read. An account keeps no history of its own: its movements in the ledger are
    its history, so its history page is the admin's own (what was done here: nothing)."""

    list_display = ("__str__", "kind", "balance")
    list_filter = ("kind",)
    # an account keeps no history of its own (its ledger entries are its history): its history
    # page is Django's, of the admin's own log, not simple_history's
    object_history_template = None

    def history_view(self, request, object_id, extra_context=None):
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
