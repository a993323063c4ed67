"""The monthly progress report of a region as a PDF download: served from the stored file,
or queued (the Celery task ``coverage.build_report``) with a page that refreshes itself until
it is built. Scoped as the coverage pages: a region the user does not see is a 404."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from coverage import services
from coverage.models import Report, ReportStatus
from dashboard.views.coverage import _crumbs, _region, _require_reader


def _month(text: str) -> datetime.date:
    """``YYYY-MM`` → the first day of that month; a month to come or a malformed one is a 404."""
    try:
        year, month = (int(part) for part in text.split("-"))
        day = datetime.date(year, month, 1)
    except ValueError:
        raise Http404(_("No such month: write it as YYYY-MM.")) from None
    if day > timezone.localdate() or len(text) != 7:
        raise Http404(_("No such month: write it as YYYY-MM."))
    return day


def coverage_report(request, code: str, month: str):
    _require_reader(request)
    region = _region(request, code)
    day = _month(month)
    services.report_request(region_code=region.code, month=day)
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
            "failed": report is not None and report.status == ReportStatus.FAILED,
        },
    )
