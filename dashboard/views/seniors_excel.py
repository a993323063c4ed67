"""The ledger in and out of Excel, for township staff: export the filtered register, import
seniors from a workbook (upload → preview → confirm), and the template to fill in."""

from __future__ import annotations

import logging
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from audit.log import export_viewed
from audit.personal import full_in_export, masked_field
from regions.models import Level, Region
from seniors import importing, rules
from seniors.excel import register_workbook
from seniors.filters import BOOLEAN_CHOICES, SeniorFilter
from seniors.models import IMPORT_WORKING, ImportStatus, Senior, SeniorImport
from seniors.selectors import senior_list

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_manager(request) -> None:
    if not rules.can_manage_seniors(request.user):
        # zh: 您的角色不能导入或导出老年人台账。
        raise PermissionDenied(_("Your role may not import or export the seniors' ledger."))


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"  # ID numbers: not for shared caches
    return response


# --- export --------------------------------------------------------------------------------


def _region_label(request, filterset: SeniorFilter) -> str:
    """What the export covers: the chosen village or region, else the user's own region."""
    data = filterset.form.cleaned_data
    code = (data.get("village") or data.get("region") or "").strip()
    regions = Region.objects.select_related("parent").visible_to(request.user)
    region = None
    if code:
        region = regions.filter(code=code).first()
        if region is None and len(code) < 12:  # a region prefix, as ``region`` takes
            region = regions.filter(code=code.ljust(12, "0")).first()
    if region is None:
        region = request.user.region
    if region is None:
        region = regions.filter(level=Level.DISTRICT).order_by("code").first()
    if region is None:
        return ""
    if region.level == Level.VILLAGE and region.parent is not None:
        return f"{region.parent.short_name}{region.short_name}"
    return region.short_name


def _describe_filters(filterset: SeniorFilter) -> str:
    """The filters the user chose, as “label: value” in the active language."""
    parts = []
    form = filterset.form
    yes_no = {True: BOOLEAN_CHOICES[0][1], False: BOOLEAN_CHOICES[1][1]}
    for name, value in form.cleaned_data.items():
        if name in ("village", "region") or value in (None, ""):
            continue  # the region is in the title
        field = form.fields[name]
        if isinstance(value, bool):
            shown = yes_no[value]
        elif getattr(field, "choices", None):
            shown = dict(field.choices).get(value, value)
        elif isinstance(value, Decimal):
            shown = f"{value.normalize():f}"
        else:
            shown = value
        parts.append(f"{field.label}：{shown}")
    return "；".join(parts)


@require_GET
def export_register(request):
    """The register as filtered on the list page (the same query parameters), as .xlsx."""
    _require_manager(request)
    filterset = SeniorFilter(request.GET, queryset=senior_list(user=request.user))
    if not filterset.is_valid():
        problems = "；".join(
            f"{filterset.form.fields[name].label}：{' '.join(errors)}"
            if name in filterset.form.fields
            else " ".join(errors)
            for name, errors in filterset.form.errors.items()
        )
        return render(request, "dashboard/empty.html", {"message": problems}, status=400)
    today = timezone.localdate()
    region = _region_label(request, filterset)
    full = full_in_export(request.user, Senior)
    content = register_workbook(
        filterset.qs,
        full=full,
        as_of=today,
        # zh: %(region)s老年人台账
        title=_("%(region)s seniors' ledger") % {"region": region},
        filters=_describe_filters(filterset),
    )
    logger.info("ledger exported by %s: %s", request.user.username, request.GET.urlencode())
    if full:
        export_viewed(
            request,
            region_code=request.user.region_id or _district_code(),
            count=filterset.qs.count(),
            query=request.GET.urlencode(),
        )
    name = "_".join(part for part in ("老年人台账", region, f"{today:%Y%m%d}") if part)
    return _xlsx(content, f"{name}.xlsx")


def _district_code() -> str:
    return (
        Region.objects.filter(level=Level.DISTRICT)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


# --- import --------------------------------------------------------------------------------


class UploadForm(forms.Form):
    # zh: Excel 文件（.xlsx）
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))


@require_GET
def import_template(request):
    _require_manager(request)
    content = importing.template_workbook(user=request.user)
    return _xlsx(content, "老年人台账导入模板.xlsx")


@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a workbook: it is read and every row checked, then the preview shows the result."""
    _require_manager(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            senior_import = importing.senior_import_create(
                by=request.user, upload=form.cleaned_data["file"]
            )
        except importing.ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("dashboard:senior_import_preview", pk=senior_import.pk)
    return render(
        request,
        "dashboard/seniors/import_upload.html",
        {
            "form": form,
            "max_rows": importing.max_rows(),
            "columns": importing.TEMPLATE_COLUMNS,
        },
    )


def _get_import(request, pk) -> SeniorImport:
    senior_import = (
        SeniorImport.objects.visible_to(request.user)
        .defer("content")
        .select_related("created_by", "region")
        .filter(pk=pk)
        .first()
    )
    if senior_import is None:
        # zh: 您的辖区内没有这次导入。
        raise Http404(_("No such import in your region."))
    return senior_import


ROWS_PER_PAGE = 200
ERRORS_PER_PAGE = 200


def _preview_table(senior_import: SeniorImport, page_rows: list[dict]):
    """The columns present in the file (in the template's order) and the cells of the rows of
    this page, with the error of each bad cell; the rows with errors in the whole file. ID and
    phone numbers are masked: the page lists many people, to the uploader's colleagues too."""
    present = {header for row in senior_import.rows for header in row["cells"]}
    bad_cells: dict[tuple[int, str], list[str]] = {}
    bad_rows = set()
    for error in senior_import.errors:
        bad_cells.setdefault((error["row"], error["column"]), []).append(error["message"])
        bad_rows.add(error["row"])
    columns = [c for c in importing.IMPORT_COLUMNS if c.header in present]
    headers = [c.header for c in columns]
    shown = set(headers)
    other: dict[int, list[str]] = {}
    for (n, column), problems in bad_cells.items():
        if column not in shown:  # errors of the row as a whole, or of a column not shown
            other.setdefault(n, []).extend(problems)
    rows = []
    for row in page_rows:
        number = row["row"]
        cells = []
        for column in columns:
            problems = bad_cells.get((number, column.header), [])
            text = masked_field(column.field, row["cells"].get(column.header, ""))
            cells.append({"text": text, "errors": problems})
        rows.append(
            {
                "number": number,
                "cells": cells,
                "bad": number in bad_rows,
                "other_errors": other.get(number, []),
            }
        )
    return headers, rows, bad_rows


def _page_query(request, name: str, number: int) -> str:
    """The query string of this page with ``name`` set to ``number`` (the other pager kept)."""
    query = request.GET.copy()
    query[name] = number
    return query.urlencode()


def _pager(request, items, per_page: int, name: str) -> dict:
    page = Paginator(items, per_page).get_page(request.GET.get(name))
    return {
        "page": page,
        "previous": _page_query(request, name, page.number - 1) if page.has_previous() else "",
        "next": _page_query(request, name, page.number + 1) if page.has_next() else "",
    }


@require_http_methods(["GET", "POST"])
def import_preview(request, pk):
    """Every row of an uploaded file and every error, a page at a time; confirming imports
    them all at once. While a task checks or imports a file, how far it has come; when the
    task stopped, a button to run that step again."""
    _require_manager(request)
    senior_import = _get_import(request, pk)
    if request.method == "POST":
        if "retry" in request.POST:
            return _retry(request, senior_import)
        return _confirm(request, senior_import)
    rows_pager = _pager(request, senior_import.rows, ROWS_PER_PAGE, "page")
    errors_pager = _pager(request, senior_import.errors, ERRORS_PER_PAGE, "errors")
    headers, rows, bad_rows = _preview_table(senior_import, list(rows_pager["page"]))
    data_rows = {row["row"] for row in senior_import.rows}
    bad_count = len(bad_rows & data_rows)
    return render(
        request,
        "dashboard/seniors/import_preview.html",
        {
            "import": senior_import,
            "working": senior_import.status in IMPORT_WORKING,
            "headers": headers,
            "rows": rows,
            "rows_pager": rows_pager,
            "errors": [importing.format_error(e) for e in errors_pager["page"]],
            "errors_pager": errors_pager,
            "error_count": len(senior_import.errors),
            "total": len(senior_import.rows),
            "bad_count": bad_count,
            "good_count": len(senior_import.rows) - bad_count,
            "can_confirm": senior_import.status == ImportStatus.PREVIEWED
            and not senior_import.errors,
            "can_retry": senior_import.status == ImportStatus.REFUSED
            and bool(senior_import.stopped_in),
        },
    )


@require_GET
def import_progress(request, pk):
    """How far the check or the import of a file has come, for the preview page to poll."""
    _require_manager(request)
    # asked every two seconds: the two fields, not the rows, errors and file
    found = SeniorImport.objects.visible_to(request.user).filter(pk=pk).values("status", "progress")
    state = found.first()
    if state is None:
        raise Http404(_("No such import in your region."))
    working = state["status"] in IMPORT_WORKING
    response = JsonResponse(
        {
            "status": state["status"],
            "progress": state["progress"] if working else 100,
            "done": not working,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


def _retry(request, senior_import: SeniorImport):
    try:
        importing.senior_import_retry(by=request.user, senior_import=senior_import)
    except importing.ImportNotPending:
        # zh: 这次导入没有中断（或已在重试），没有重复提交。
        messages.info(request, _("This import has not stopped (or is being retried already)."))
    return redirect("dashboard:senior_import_preview", pk=senior_import.pk)


def _confirm(request, senior_import: SeniorImport):
    try:
        created = importing.senior_import_confirm(by=request.user, senior_import=senior_import)
    except importing.ImportNotPending as exc:
        if exc.status == ImportStatus.APPLIED:
            # zh: 这个文件已经导入过了，没有重复导入。
            messages.info(request, _("This file was imported already; nothing was added."))
            return redirect("dashboard:senior_list")
        if exc.status == ImportStatus.CHECKING:
            # zh: 这个文件还在检查中，请等检查完成后再确认。
            messages.info(request, _("This file is still being checked; confirm once it is."))
            return redirect("dashboard:senior_import_preview", pk=senior_import.pk)
        if exc.status == ImportStatus.IMPORTING:
            # zh: 这个文件正在导入，没有重复导入。
            messages.info(request, _("This file is being imported; nothing was added twice."))
            return redirect("dashboard:senior_import_preview", pk=senior_import.pk)
        # zh: 这个文件有错误，没有导入任何人。请改正后重新上传。
        messages.error(request, _("This file has errors; nobody was imported. Fix and upload it."))
        return redirect("dashboard:senior_import_preview", pk=senior_import.pk)
    except importing.ImportRefused as exc:
        # zh: 没有导入任何人：%(error)s
        messages.error(
            request,
            _("Nobody was imported: %(error)s")
            % {"error": importing.format_error(exc.errors[0]) if exc.errors else ""},
        )
        return redirect("dashboard:senior_import_preview", pk=senior_import.pk)
    if created is None:  # a long file: a task imports it, the preview shows how far
        return redirect("dashboard:senior_import_preview", pk=senior_import.pk)
    # zh: 已导入 %(count)d 人。
    messages.success(
        request,
        ngettext("Imported %(count)d person.", "Imported %(count)d people.", created)
        % {"count": created},
    )
    return redirect("dashboard:senior_list")
