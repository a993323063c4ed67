"""The coverage admin: the bureau edits targets and adds plans (history keeps who changed
what); snapshots and runs are read-only and scoped like everything else."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from coverage import rules, services
from coverage.models import Indicator, Plan, Report, Run, Snapshot, Target
from regions.admin_scoping import (
    ReadOnlyAdminMixin,
    RuleAdminMixin,
    ScopedAdminMixin,
    ServiceAdminMixin,
    adopt,
)


class BureauEditsAdmin(ServiceAdminMixin, RuleAdminMixin, SimpleHistoryAdmin):
    """Reference data the bureau keeps: plans, indicators and targets, saved through
    ``coverage.services``. Never deleted (old snapshots name them)."""

    edit_rule = staticmethod(rules.can_administer_coverage)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ("indicator", "value", "comparison", "level", "note")
    autocomplete_fields = ("indicator",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(BureauEditsAdmin):
    list_display = ("name", "document", "issued_on", "due_on")
    inlines = (TargetInline,)
    save_service = staticmethod(services.plan_save)
    instance_name = "plan"

    def save_formset(self, request, form, formset, change):
        # the plan's targets through their service too; ``save(commit=False)`` only sorts the
        # rows into new and changed (the admin's change message reads them) and writes nothing
        formset.save(commit=False)
        for target in formset.new_objects:
            fields = {name: getattr(target, name) for name in TargetInline.fields}
            adopt(target, services.target_save(by=request.user, plan=form.instance, **fields))
        for target, changed in formset.changed_objects:
            fields = {name: getattr(target, name) for name in changed}
            adopt(target, services.target_save(by=request.user, target=target, **fields))


@admin.register(Indicator)
class IndicatorAdmin(BureauEditsAdmin):
    list_display = ("code", "name", "group", "plan_section", "unit", "each_facility")
    list_filter = ("group", "unit")
    search_fields = ("code", "name", "name_en")
    save_service = staticmethod(services.indicator_save)
    instance_name = "indicator"


@admin.register(Target)
class TargetAdmin(BureauEditsAdmin):
    list_display = ("indicator", "plan", "value", "comparison", "level")
    list_filter = ("plan",)
    list_editable = ("value", "comparison", "level")
    list_select_related = ("indicator", "plan")
    save_service = staticmethod(services.target_save)
    instance_name = "target"


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("date", "region", "indicator", "numerator", "denominator", "value", "met")
    list_filter = ("date", "met", "indicator__group", "region__level")
    list_select_related = ("region", "indicator")
    date_hierarchy = "date"


class BureauReadsOnly(RuleAdminMixin):
    """What the engine writes (runs, reports): the bureau reads it in the admin, nobody edits it."""

    read_rule = staticmethod(rules.can_administer_coverage)


@admin.register(Run)
class RunAdmin(BureauReadsOnly, admin.ModelAdmin):
    list_display = ("date", "full", "status", "rows", "seconds", "created_at", "finished_at")
    list_filter = ("status", "full")
    readonly_fields = [f.name for f in Run._meta.fields]


@admin.register(Report)
class ReportAdmin(BureauReadsOnly, admin.ModelAdmin):
    """The monthly reports built, to see which failed and why; the file is downloaded from the
    coverage page."""

    list_display = ("region", "month", "status", "snapshot_date", "built_at")
    list_filter = ("status", "month")
    exclude = ("pdf",)
    readonly_fields = [f.name for f in Report._meta.fields if f.name != "pdf"]
