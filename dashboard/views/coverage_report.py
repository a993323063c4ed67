"""The monthly progress report of a region as a PDF download.

A GET only reads: the stored file when the report is built, else a page saying it is not
built yet, being built (refreshing itself until it is) or failed, with a button 生成报告 for
the users who may have it built (``coverage.rules.can_build_reports``). The POST of that button
queues the build (``coverage.services.report_request``, the Celery task
``coverage.build_report``) and comes back to the GET; beat builds last month's reports on the
first of each month. Only the months of the plan's span have reports (``coverage.report``:
from the plan's month to the last month that has ended); another month, or one written other
than ``YYYY-MM``, is a 404. Scoped as the coverage pages: a region the user does not see is a
404."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coverage import services
from coverage.models import Report, ReportStatus
from coverage.report import in_report_span, parse_month
from coverage.rules import can_build_reports
from dashboard.views.coverage import _crumbs, _region, _require_reader


def _month(text: str) -> datetime.date:
    """The month of the address: written ``YYYY-MM`` and within the plan's span, else 404."""
    day = parse_month(text)
    if day is None:
        # zh: 没有这个月份：请写作 YYYY-MM。
        raise Http404(_("No such month: write it as YYYY-MM."))
    if not in_report_span(day, timezone.localdate()):
        # zh: 这个月份没有月报：月报从规划印发的月份起，到上一个已结束的月份为止。
        raise Http404(
            _(
                "There is no report for this month: reports run from the month the plan was "
                "issued to the last month that has ended."
            )
        )
    return day


def _state(report: Report | None) -> str:
    """none (not built yet), queued (being built), failed (the build failed, or was lost:
    queued long ago and never finished)."""
    if report is None:
        return "none"
    if report.status == ReportStatus.FAILED or report.build_lost(timezone.now()):
        return "failed"
    return report.status


@require_http_methods(["GET", "HEAD", "POST"])
def coverage_report(request, code: str, month: str):
    _require_reader(request)
    region = _region(request, code)
    day = _month(month)
    if request.method == "POST":
        if not can_build_reports(request.user):
            # zh: 您的角色不能生成月报。
            raise PermissionDenied(_("Your role does not have monthly reports built."))
        services.report_request(by=request.user, region_code=region.code, month=day)
        return redirect("dashboard:coverage_report", code=region.code, month=month)
    report = Report.objects.visible_to(request.user).filter(region=region, month=day).first()
    if report is not None and report.status == ReportStatus.DONE:
        name = f"{region.short_name}-目标进展月报-{day:%Y-%m}.pdf"
        response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    return render(
        request,
        "dashboard/coverage/report_pending.html",
        {
            "region": region,
            "crumbs": _crumbs(request, region),
            "month": day,
            "state": _state(report),
            "can_build": can_build_reports(request.user),
        },
    )
