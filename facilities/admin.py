"""Admin views of the facility network. The rows are changed through the pages and the API
(so the rules hold); here the bureau reads them with their history and keeps the checklist of
upgrade basic indicators, through its service."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from facilities import rules, services
from facilities.models import (
    BasicIndicator,
    Bed,
    Certificate,
    Facility,
    Milestone,
    OperatingFund,
    Placement,
    ProjectFunding,
    QualityCheck,
    StaffMember,
    TrainingAttendance,
    TrainingSession,
    UpgradeProject,
)
from regions.admin_scoping import (
    RuleAdminMixin,
    ScopedInlineMixin,
    ServiceAdminMixin,
    is_active_staff,
)
from seniors.admin import ReadOnlyScopedAdmin


class ReadOnlyInline(ScopedInlineMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Facility)
class FacilityAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "kind", "region", "status", "opened_on", "operation_mode")
    list_filter = ("kind", "status", "operation_mode")
    search_fields = ("name", "operator_name")
    list_select_related = ("region",)


@admin.register(Bed)
class BedAdmin(ReadOnlyScopedAdmin):
    list_display = ("facility", "label", "kind", "in_use_from", "retired_on")
    list_filter = ("kind",)
    list_select_related = ("facility",)


@admin.register(Placement)
class PlacementAdmin(ReadOnlyScopedAdmin):
    list_display = ("senior", "facility", "kind", "admitted_on", "discharged_on")
    list_filter = ("kind",)
    list_select_related = ("senior", "facility")


@admin.register(StaffMember)
class StaffAdmin(ReadOnlyScopedAdmin):
    list_display = ("name", "facility", "role", "started_on", "ended_on")
    list_filter = ("role",)
    list_select_related = ("facility",)


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyScopedAdmin):
    list_display = ("number", "staff", "level", "issued_on", "expires_on")
    list_select_related = ("staff",)


class AttendanceInline(ReadOnlyInline):
    model = TrainingAttendance
    fields = ("name", "passed", "staff")


@admin.register(TrainingSession)
class TrainingAdmin(ReadOnlyScopedAdmin):
    list_display = ("title", "kind", "held_on", "organiser", "hours")
    list_filter = ("kind",)
    inlines = (AttendanceInline,)


class FundingInline(ReadOnlyInline):
    model = ProjectFunding


class MilestoneInline(ReadOnlyInline):
    model = Milestone


@admin.register(UpgradeProject)
class ProjectAdmin(ReadOnlyScopedAdmin):
    list_display = ("title", "facility", "kind", "status", "budget", "completed_on")
    list_filter = ("kind", "status")
    list_select_related = ("facility",)
    inlines = (FundingInline, MilestoneInline)


@admin.register(QualityCheck)
class QualityCheckAdmin(ReadOnlyScopedAdmin):
    list_display = ("facility", "checked_on", "passed", "inspector")
    list_select_related = ("facility",)


@admin.register(OperatingFund)
class OperatingFundAdmin(ReadOnlyScopedAdmin):
    list_display = ("facility", "year", "operating_funds", "residents_basic_allowance")
    list_select_related = ("facility",)


@admin.register(BasicIndicator)
class BasicIndicatorAdmin(ServiceAdminMixin, RuleAdminMixin, SimpleHistoryAdmin):
    """The district's checklist, editable by the bureau and administrators
    (``services.basic_indicator_save``)."""

    list_display = ("code", "name", "active")
    list_editable = ("active",)
    save_service = staticmethod(services.basic_indicator_save)
    instance_name = "indicator"

    edit_rule = staticmethod(rules.can_edit_checklist)
    read_rule = staticmethod(is_active_staff)
