"""The facility network's pages: the list with the plan's ratios, a page per facility with
everything its ledgers hold, and the forms that keep them current. Every write goes through
``facilities.services``; every read through the facility scope (an operator: only the
facilities they run), and a record outside it answers 404."""

from __future__ import annotations

import datetime
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.personal import Context, Number, shown
from dashboard.facility_forms import (
    AdmitForm,
    BedForm,
    BedRetireForm,
    CertificateForm,
    DischargeForm,
    FacilityFilterForm,
    FacilityForm,
    OperatingFundForm,
    QualityCheckForm,
    StaffEndForm,
    StaffForm,
)
from dashboard.navigation import FACILITIES
from dashboard.views.forms_support import save_form
from facilities import selectors, services
from facilities.models import (
    RESIDENTIAL_KINDS,
    Bed,
    Facility,
    Kind,
    Placement,
    StaffMember,
    Status,
)
from facilities.rules import can_keep_ledgers, can_read_facilities, can_supervise
from facilities.selectors import STAFF_RATIO, figures_of, with_figures
from regions.models import Level, Region
from seniors.models import Senior
from seniors.rules import can_read_people

PAGE_SIZE = 30
HISTORY_SHOWN = 30
DISCHARGES_SHOWN = 10
CHECKS_SHOWN = 10
# the kinds as a table cell has room for them (the full name is the cell's title)
KIND_SHORT = {
    Kind.CARE_CENTRE: gettext_lazy("Care centre"),
    Kind.NURSING_HOME: gettext_lazy("Nursing home"),
    Kind.SERVICE_CENTRE: gettext_lazy("Service centre"),
    Kind.MUTUAL_AID_POINT: gettext_lazy("Village point"),
    Kind.SOCIAL: gettext_lazy("Social institution"),
}


def _require(rule, request) -> None:
    FACILITIES.require(request)
    if not rule(request.user):
        raise PermissionDenied(_("Your role may not make this change."))


def _get_facility(request, pk: int, *, on: datetime.date | None = None) -> Facility:
    """A facility the user may see (with its figures on ``on`` when given); 404 otherwise,
    the same for one outside the scope and one that does not exist."""
    facilities = Facility.objects.visible_to(request.user).select_related(
        "region__parent", "lead_centre__region"
    )
    if on is not None:
        facilities = with_figures(facilities, on=on)
    facility = facilities.filter(pk=pk).first()
    if facility is None:
        raise Http404(_("No such facility in your region."))
    return facility


def _get_child(request, queryset, pk: int):
    """A bed, stay or staff member of a facility the user may see; 404 otherwise."""
    record = queryset.visible_to(request.user).select_related("facility").filter(pk=pk).first()
    if record is None:
        raise Http404(_("No such record in your region."))
    return record


def _back(facility_pk: int, anchor: str = ""):
    url = reverse("dashboard:facility_detail", args=[facility_pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _form_page(request, form, facility, title, **extra):
    context = {"form": form, "facility": facility, "title": title, **extra}
    return render(request, "dashboard/facilities/form.html", context)


def _facility_form(request, form, facility, save, *, success, tab: str, title, **extra):
    """A form about one facility: saved through ``save`` (the service), then back to the
    facility's ``tab``; otherwise the form page again (``title`` and ``extra`` for it)."""
    done = save_form(
        request, form, save, success=success, then=lambda _saved: _back(facility.pk, tab)
    )
    return done or _form_page(request, form, facility, title, **extra)


# --- the list -------------------------------------------------------------------------------


def facility_list(request):
    """The facilities the user may see, filtered by kind, township, status and name, with
    their figures today and the plan's marks (二(一) nursing beds, 二(五) staffing)."""
    _require(can_read_facilities, request)
    today = timezone.localdate()
    townships = Region.objects.filter(level=Level.TOWNSHIP).visible_to(request.user)
    form = FacilityFilterForm(request.GET or None, townships=townships)
    facilities = Facility.objects.visible_to(request.user).select_related("region__parent")
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            if data["q"]:
                facilities = facilities.filter(name__icontains=data["q"].strip())
            if data["kind"]:
                facilities = facilities.filter(kind=data["kind"])
            if data["township"] is not None:
                facilities = facilities.in_region(data["township"].prefix)
            if data["status"]:
                facilities = facilities.filter(status=data["status"])
        else:
            facilities = facilities.none()
    page = Paginator(with_figures(facilities, on=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for facility in page.object_list:
        figures = figures_of(facility)
        rows.append(
            {
                "facility": facility,
                "figures": figures,
                "kind": KIND_SHORT[facility.kind],
                # a facility not in operation has no ratios to meet (nor to miss)
                "marked": facility.status == Status.OPERATING,
                "occupancy_pct": _percent(figures.occupancy),
                "nursing_pct": _percent(figures.nursing_bed_ratio),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/facilities/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "today": today,
            "can_create": can_supervise(request.user),
        },
    )


# --- the page of one facility -----------------------------------------------------------------


def _percent(share: Decimal | None) -> Decimal | None:
    """A share as a percentage with one decimal (79.5, not a rounded 80 beside "behind")."""
    if share is None:
        return None
    return (share * 100).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def _fund_rows(facility: Facility) -> list[dict]:
    rows = []
    for fund in facility.operating_funds.all():
        share = selectors.funds_share(fund)
        rows.append(
            {
                "fund": fund,
                "share": share,
                "percent": _percent(share),
                "met": selectors.meets_funds_rule(fund),
            }
        )
    return rows


# the record's own fields a form may show (served regions and operators are relations)
EDITABLE_FIELDS = sorted(services.FACILITY_FIELDS)


def facility_detail(request, pk: int):
    """One facility: its record, figures today, beds, residents, staff and certificates,
    quality checks, projects, operating funds and who changed what."""
    _require(can_read_facilities, request)
    user = request.user
    today = timezone.localdate()
    facility = _get_facility(request, pk, on=today)
    figures = figures_of(facility)

    beds_in_use, other_beds = selectors.facility_beds(facility, today)
    residents = selectors.facility_residents(facility, today)
    discharges = selectors.facility_discharges(facility, today, limit=DISCHARGES_SHOWN)
    linked = set()
    if can_read_people(user):
        ids = {p.senior_id for p in (*residents, *discharges)}
        linked = set(
            Senior.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
        )

    current_staff, former_staff = selectors.facility_staff(facility, today)
    for member in (*current_staff, *former_staff):
        # a table of the staff: masked for everyone (audit.personal)
        member.shown_id = shown(request, member, Number.ID, Context.LIST)
        member.shown_phone = shown(request, member, Number.PHONE, Context.LIST)
    projects = selectors.facility_projects(facility)

    led_points = list(facility.led_points.select_related("region").order_by("region_id", "name"))
    visible_points = set(
        Facility.objects.visible_to(user)
        .filter(pk__in=[p.pk for p in led_points] + [facility.lead_centre_id or 0])
        .values_list("pk", flat=True)
    )
    keeps = can_keep_ledgers(user)
    supervises = can_supervise(user)
    residential = facility.kind in RESIDENTIAL_KINDS
    return render(
        request,
        "dashboard/facilities/detail.html",
        {
            "facility": facility,
            "figures": figures,
            "today": today,
            "marked": facility.status == Status.OPERATING,
            "occupancy_pct": _percent(figures.occupancy),
            "nursing_pct": _percent(figures.nursing_bed_ratio),
            "staff_ratio": STAFF_RATIO.get(facility.kind),
            "day_care": facility.day_care_count,
            "is_point": facility.kind == Kind.MUTUAL_AID_POINT,
            "residential": residential,
            "rooms": _true_labels(
                facility,
                "has_dining_room",
                "has_rest_room",
                "has_activity_room",
                "has_rehab_room",
                "has_library",
            ),
            "functions": _true_labels(
                facility,
                "offers_day_care",
                "offers_rehabilitation",
                "offers_recreation",
                "offers_emergency_rescue",
            ),
            "service_models": _true_labels(
                facility, "model_happy_home", "model_happy_canteen", "model_happy_paradise"
            ),
            "served_regions": list(facility.served_regions.select_related("parent")),
            "operators": list(facility.operators.all()) if supervises else [],
            "led_points": led_points,
            "visible_points": visible_points,
            "beds_in_use": beds_in_use,
            "other_beds": other_beds,
            "residents": residents,
            "discharges": discharges,
            "linked_seniors": linked,
            "current_staff": current_staff,
            "former_staff": former_staff,
            "quality_checks": list(facility.quality_checks.all()[:CHECKS_SHOWN]),
            "projects": projects,
            "funded": facility.kind in selectors.FUNDED_KINDS,
            "funds": _fund_rows(facility),
            "changes": selectors.facility_changes(facility, limit=HISTORY_SHOWN),
            "can_edit": keeps,
            "can_keep": keeps,
            "can_supervise": supervises,
            "can_admit": supervises and residential and facility.status == Status.OPERATING,
        },
    )


def _true_labels(facility: Facility, *names: str) -> list[str]:
    return [Facility._meta.get_field(n).verbose_name for n in names if getattr(facility, n)]


# --- the facility record ------------------------------------------------------------------


def facility_create(request):
    _require(can_supervise, request)
    form = FacilityForm(
        request.POST or None,
        user=request.user,
        supervised=True,
        initial={"status": Status.PLANNED, "operation_mode": "public"},
    )
    done = save_form(
        request,
        form,
        lambda: services.facility_save(by=request.user, **form.service_fields(form.fields)),
        success=lambda facility: _("%(name)s is registered.") % {"name": facility.name},
        then=lambda facility: _back(facility.pk),
    )
    return done or render(
        request, "dashboard/facilities/edit.html", {"form": form, "facility": None}
    )


def facility_edit(request, pk: int):
    """Change a facility's record; an operator changes their own facility, without the fields
    that place it in the network (kind, place, status and dates, lead centre)."""
    _require(can_keep_ledgers, request)
    facility = _get_facility(request, pk)
    supervised = can_supervise(request.user)
    initial = {name: getattr(facility, name) for name in EDITABLE_FIELDS}
    if supervised:
        initial["served_regions"] = [region.pk for region in facility.served_regions.all()]
        initial["operators"] = [user.pk for user in facility.operators.all()]
    form = FacilityForm(
        request.POST or None, initial=initial, user=request.user, supervised=supervised
    )

    def save():
        if form.changed_data:
            services.facility_save(
                by=request.user, facility=facility, **form.service_fields(form.changed_data)
            )

    done = save_form(
        request,
        form,
        save,
        success=lambda _saved: (
            _("Changes saved.") if form.changed_data else _("Nothing was changed.")
        ),
        then=lambda _saved: _back(facility.pk),
    )
    return done or render(
        request, "dashboard/facilities/edit.html", {"form": form, "facility": facility}
    )


def facility_quality_check(request, pk: int):
    """Record a service-quality baseline check (GB/T 35796): the supervisors inspect."""
    _require(can_supervise, request)
    facility = _get_facility(request, pk)
    form = QualityCheckForm(request.POST or None)
    return _facility_form(
        request,
        form,
        facility,
        lambda: services.quality_check_record(
            by=request.user, facility=facility, **form.cleaned_data
        ),
        success=_("Quality check saved."),
        tab="checks",
        title=_("Record a quality check"),
    )


# --- beds -------------------------------------------------------------------------------------


def facility_bed_add(request, pk: int):
    _require(can_keep_ledgers, request)
    facility = _get_facility(request, pk)
    form = BedForm(request.POST or None)
    return _facility_form(
        request,
        form,
        facility,
        lambda: services.bed_add(by=request.user, facility=facility, **form.cleaned_data),
        success=lambda bed: _("Bed %(label)s added.") % {"label": bed.label},
        tab="beds",
        title=_("Add a bed"),
    )


def facility_bed_retire(request, pk: int):
    _require(can_keep_ledgers, request)
    bed = _get_child(request, Bed.objects, pk)
    form = BedRetireForm(request.POST or None)
    return _facility_form(
        request,
        form,
        bed.facility,
        lambda: services.bed_retire(by=request.user, bed=bed, **form.cleaned_data),
        success=_("Bed %(label)s retired.") % {"label": bed.label},
        tab="beds",
        title=_("Retire a bed"),
        subject=f"{bed.label} · {bed.get_kind_display()}",
    )


# --- residents --------------------------------------------------------------------------------


def facility_admit(request, pk: int):
    """Admit a senior. The bureau and township staff decide admissions (they see the seniors'
    ledger); an operator, who sees no seniors, records discharges but not admissions."""
    _require(can_supervise, request)
    facility = _get_facility(request, pk)
    search = request.GET.get("q", "").strip()[:50]
    form = AdmitForm(request.POST or None, user=request.user, facility=facility, search=search)
    done = save_form(
        request,
        form,
        lambda: services.placement_admit(by=request.user, facility=facility, **form.cleaned_data),
        success=lambda placement: (
            _("%(name)s is admitted to %(facility)s.")
            % {"name": placement.senior.name, "facility": facility.name}
        ),
        then=lambda _placement: _back(facility.pk, "residents"),
    )
    return done or render(
        request,
        "dashboard/facilities/admit.html",
        {"form": form, "facility": facility, "search": search},
    )


def facility_discharge(request, pk: int):
    _require(can_keep_ledgers, request)
    placement = _get_child(request, Placement.objects.select_related("senior", "bed"), pk)
    form = DischargeForm(request.POST or None)
    subject = placement.senior.name
    if placement.bed is not None:
        subject += f" · {placement.bed.label}"
    return _facility_form(
        request,
        form,
        placement.facility,
        lambda: services.placement_discharge(
            by=request.user,
            placement=placement,
            discharged_on=form.cleaned_data["discharged_on"],
            reason=form.cleaned_data["discharge_reason"],
        ),
        success=_("%(name)s is discharged.") % {"name": placement.senior.name},
        tab="residents",
        title=_("Discharge"),
        subject=subject,
    )


# --- staff and certificates ---------------------------------------------------------------


def facility_staff_add(request, pk: int):
    _require(can_keep_ledgers, request)
    facility = _get_facility(request, pk)
    form = StaffForm(request.POST or None)
    return _facility_form(
        request,
        form,
        facility,
        lambda: services.staff_add(by=request.user, facility=facility, **form.cleaned_data),
        success=lambda member: _("%(name)s is added to the staff.") % {"name": member.name},
        tab="staff",
        title=_("Add a staff member"),
    )


def facility_staff_end(request, pk: int):
    _require(can_keep_ledgers, request)
    member = _get_child(request, StaffMember.objects, pk)
    form = StaffEndForm(request.POST or None)
    return _facility_form(
        request,
        form,
        member.facility,
        lambda: services.staff_end(by=request.user, member=member, **form.cleaned_data),
        success=_("%(name)s has left.") % {"name": member.name},
        tab="staff",
        title=_("Mark as left"),
        subject=str(member),
    )


def facility_certificate_add(request, pk: int):
    _require(can_keep_ledgers, request)
    member = _get_child(request, StaffMember.objects, pk)
    form = CertificateForm(request.POST or None)
    return _facility_form(
        request,
        form,
        member.facility,
        lambda: services.certificate_add(by=request.user, member=member, **form.cleaned_data),
        success=_("Certificate saved."),
        tab="staff",
        title=_("Add a certificate"),
        subject=str(member),
    )


# --- operating funds ----------------------------------------------------------------------


def facility_funds(request, pk: int):
    """A year's operating funds (三(三)); a second entry for the year replaces the first."""
    _require(can_keep_ledgers, request)
    facility = _get_facility(request, pk)
    form = OperatingFundForm(request.POST or None)
    return _facility_form(
        request,
        form,
        facility,
        lambda: services.operating_fund_record(
            by=request.user, facility=facility, **form.cleaned_data
        ),
        success=_("Operating funds saved."),
        tab="funds",
        title=_("Record operating funds"),
        intro=_(
            "Plan 三(三): a nursing home's or care centre's operating funds should reach at "
            "least 15 per cent of its residents' annual basic living allowance."
        ),
    )
