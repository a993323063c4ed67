"""The seniors' ledger for township staff: search, register, edit, assess, visit."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.personal import Context, Number, shown
from dashboard.forms import AssessmentForm, SeniorForm, StatusForm, VisitForm
from dashboard.navigation import SENIORS
from dashboard.views.forms_support import save_form
from regions.models import Level, Region
from seniors import rules, selectors, services
from seniors.filters import SeniorFilter
from seniors.models import DISABLED_LEVELS, Senior, Status

PAGE_SIZE = 50
MAIN_FILTERS = ("q", "village", "status", "living_situation")
HISTORY_SHOWN = 30
VISITS_SHOWN = 30


def _require_reader(request) -> None:
    SENIORS.require(request)


def _require(rule, request) -> None:
    if not rule(request.user):
        raise PermissionDenied(_("Your role may not make this change."))


def _get_senior(request, pk: int) -> Senior:
    """A senior the user may see, annotated as lists show it; 404 otherwise (outside the
    region and not existing look the same)."""
    senior = selectors.senior_list(user=request.user).filter(pk=pk).first()
    if senior is None:
        raise Http404(_("No such person in your region."))
    return senior


def senior_list(request):
    """Search and filter the register: by village, category and status, 50 to a page."""
    _require_reader(request)
    seniors = selectors.senior_list(user=request.user)
    params = request.GET.copy()
    if "status" not in params:
        # the register shows the people in it today unless asked for the others
        params["status"] = Status.ACTIVE
    filterset = SeniorFilter(params, queryset=seniors)
    villages = Region.objects.filter(level=Level.VILLAGE).visible_to(request.user)
    filterset.form.fields["village"] = forms.ChoiceField(
        label=_("Village"),
        required=False,
        choices=[("", _("All villages")), *((v.code, v.short_name) for v in villages)],
    )
    rows = filterset.qs if filterset.is_valid() else seniors.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for senior in page.object_list:
        # lists show every number masked; the full one is on the person's page (logged)
        senior.shown_id = shown(request, senior, Number.ID, Context.LIST)
        senior.age = senior.age_on(today)
        senior.is_disabled = senior.latest_level in DISABLED_LEVELS
    # the export and the pages of the list carry the same filters as what is shown
    query = params.copy()
    query.pop("page", None)
    form = filterset.form
    more = [form[name] for name in form.fields if name not in MAIN_FILTERS and name != "region"]
    return render(
        request,
        "dashboard/seniors/list.html",
        {
            "filter": filterset,
            "main_fields": [form[name] for name in MAIN_FILTERS],
            "more_fields": more,
            "more_open": any(request.GET.get(field.name) for field in more),
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(request.GET),
            "can_manage": rules.can_manage_seniors(request.user),
        },
    )


def senior_detail(request, pk: int):
    """One person: the record, allowances, assessments, visits and who changed what."""
    _require_reader(request)
    senior = _get_senior(request, pk)
    today = timezone.localdate()
    allowances = selectors.allowances_for(senior, on=today, latest_level=senior.latest_level)
    return render(
        request,
        "dashboard/seniors/detail.html",
        {
            "senior": senior,
            "shown_id": shown(request, senior, Number.ID, Context.RECORD),
            "shown_phone": shown(request, senior, Number.PHONE, Context.RECORD),
            "age": senior.age_on(today),
            "high_age": senior.is_high_age_on(today),
            "is_disabled": senior.latest_level in DISABLED_LEVELS,
            "allowances": [selectors.Allowance(a).label for a in allowances],
            "assessments": senior.assessments.all()[:10],
            "visits": senior.visits.select_related("visitor")[:VISITS_SHOWN],
            "visit_count": senior.visits.count(),
            "changes": selectors.senior_changes(senior, limit=HISTORY_SHOWN),
            "can_manage": rules.can_manage_seniors(request.user),
            "can_visit": rules.can_record_visits(request.user) and senior.status == Status.ACTIVE,
        },
    )


def senior_create(request):
    _require(rules.can_manage_seniors, request)
    form = SeniorForm(request.POST or None, user=request.user, with_id_number=True)
    done = save_form(
        request,
        form,
        lambda: services.senior_register(
            by=request.user, id_number=form.cleaned_data["id_number"], **form.service_fields()
        ),
        success=lambda senior: _("%(name)s is registered.") % {"name": senior.name},
        then=lambda senior: redirect("dashboard:senior_detail", pk=senior.pk),
    )
    return done or render(request, "dashboard/seniors/form.html", {"form": form, "senior": None})


def senior_edit(request, pk: int):
    _require(rules.can_manage_seniors, request)
    senior = _get_senior(request, pk)
    initial = {name: getattr(senior, name) for name in services.SENIOR_FIELDS}
    # the form holds the phone number in full to edit it: the record's rule, and logged
    initial["phone"] = shown(request, senior, Number.PHONE, Context.RECORD)
    form = SeniorForm(
        request.POST or None, initial=initial, user=request.user, with_id_number=False
    )
    return _senior_form(
        request,
        form,
        senior,
        lambda: services.senior_update(
            by=request.user,
            senior=senior,
            **{name: form.cleaned_data[name] for name in form.changed_data},
        ),
        success=_("Changes saved."),
        template="dashboard/seniors/form.html",
    )


def _senior_form(
    request,
    form,
    senior,
    save,
    *,
    success,
    already=None,
    template="dashboard/seniors/simple_form.html",
    **extra,
):
    """A form about one senior: saved through ``save`` (the service), then back to the
    senior's page; otherwise ``template`` again with the form, the senior and ``extra``."""
    done = save_form(
        request,
        form,
        save,
        success=success,
        already=already,
        then=lambda _saved: redirect("dashboard:senior_detail", pk=senior.pk),
    )
    return done or render(request, template, {"form": form, "senior": senior, **extra})


def senior_status(request, pk: int):
    _require(rules.can_manage_seniors, request)
    senior = _get_senior(request, pk)
    form = StatusForm(request.POST or None)
    return _senior_form(
        request,
        form,
        senior,
        lambda: services.senior_set_status(
            by=request.user,
            senior=senior,
            status=form.cleaned_data["status"],
            on=form.cleaned_data["status_on"],
            note=form.cleaned_data["status_note"],
        ),
        success=_("Status changed."),
        title=_("Change status"),
    )


def assessment_create(request, pk: int):
    _require(rules.can_manage_seniors, request)
    senior = _get_senior(request, pk)
    form = AssessmentForm(request.POST or None)
    return _senior_form(
        request,
        form,
        senior,
        lambda: services.assessment_record(
            by=request.user,
            senior=senior,
            assessed_on=form.cleaned_data["assessed_on"],
            items=form.items(),
            assessor=form.cleaned_data["assessor"],
            notes=form.cleaned_data["notes"],
        ),
        success=lambda assessment: (
            _("Assessment saved: %(total)d points, %(level)s.")
            % {"total": assessment.total, "level": assessment.get_level_display()}
        ),
        template="dashboard/seniors/assessment_form.html",
    )


def visit_create(request, pk: int):
    _require(rules.can_record_visits, request)
    senior = _get_senior(request, pk)
    form = VisitForm(request.POST or None)
    return _senior_form(
        request,
        form,
        senior,
        lambda: services.visit_record(by=request.user, senior=senior, **form.cleaned_data),
        success=_("Visit saved."),
        already=_("This visit was already saved."),
        title=_("Record a visit"),
    )
