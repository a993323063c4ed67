"""The coverage dashboard: where a region stands against the plan's targets, read
from the snapshots (never computed on a page view), with the drill-down to child regions,
monthly trends, gap lists, Excel and the big screen for the meeting room.

Scoping: the region must lie in the user's subtree (``can_see_region_code``), and the snapshots
are read through ``Snapshot.objects.visible_to`` — a township sees its own values and its
villages'.

What is read from the snapshots (the overview's tiles and table, the trends, the big screen,
the Excel file) comes from the cache of answers (``coverage.cache``) once the user's access to
the region is checked, keyed by the region, the user's scope, the language and the query; the
parts read from today's records (a village's point, assistant and the seniors needing a
pairing, and the gap lists of facilities and seniors) are read on every view.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from coverage import cache, selectors
from coverage.models import Snapshot
from coverage.report import report_month_for
from dashboard.coverage_excel import gaps_workbook, overview_workbook
from dashboard.navigation import COVERAGE
from eldercare.validators import day_in_span
from facilities import selectors as facility_selectors
from facilities.models import Facility
from regions.models import Level, Region
from regions.scoping import can_see_region_code, scope_prefix
from seniors.models import Senior
from volunteers import selectors as volunteer_selectors
from volunteers.models import ElderlyCareAssistant, Group, Pairing
from volunteers.pairings import seniors_lacking_pairing

SHOWN = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_reader(request) -> None:
    COVERAGE.require(request)
    if scope_prefix(request.user) is None:
        raise PermissionDenied(_("Your account has no region yet."))


# the regions above one, to the province: the breadcrumbs walk them without a query
ABOVE = "parent__parent__parent__parent"


def _region(request, code: str) -> Region:
    """The region asked for, if it lies in the user's subtree (the same 404 as one that does
    not exist): the code is checked against the user's scope, then the row is read."""
    region = None
    if can_see_region_code(request.user, code):
        region = (
            Region.objects.select_related(ABOVE)
            .filter(code=code)
            .exclude(level=Level.GROUP)
            .first()
        )
    if region is None:
        raise Http404(_("No such region."))
    return region


def _answer(request, code: str, what: tuple, build) -> tuple:
    """``(region, build(region))`` for the region asked for, from the cache of answers
    (``coverage.cache``). The code is checked against the user's scope before the cache is
    read (the same 404 as a region that does not exist); the region's row is kept in the same
    entry as the answer, so a page from the cache reads neither."""
    if not can_see_region_code(request.user, code):
        raise Http404(_("No such region."))

    def region_and_answer() -> tuple:
        region = _region(request, code)
        return region, build(region)

    return cache.cached((*what, code), user=request.user, region=code, build=region_and_answer)


def _day(request, snapshots, region: Region) -> datetime.date | None:
    """The snapshot day asked for (``?date=``), else the newest one of the region."""
    asked = day_in_span(request.GET.get("date", ""))
    if asked is not None:
        return asked
    return selectors.newest_date(snapshots, region.code)


def _crumbs(request, region: Region) -> list[Region]:
    chain, node = [], region.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return [r for r in reversed(chain) if can_see_region_code(request.user, r.code)]


def coverage_home(request):
    """The user's own region's coverage (the district for an administrator)."""
    _require_reader(request)
    user = request.user
    code = user.region_id
    if code is None:
        districts = Region.objects.filter(level=Level.DISTRICT).order_by("code")
        code = districts.values_list("code", flat=True).first()
    if code is None:
        return render(request, "dashboard/empty.html", {"message": _("No regions are loaded yet.")})
    return redirect("dashboard:coverage", code=code)


def _asked(request, *names: str) -> tuple:
    """The query parameters a cached answer depends on, in a fixed order (others are ignored,
    so they cannot multiply the entries)."""
    return tuple(request.GET.get(name, "")[:60] for name in names)


def coverage_region(request, code: str):
    _require_reader(request)
    region, overview = _answer(
        request,
        code,
        ("overview", _asked(request, "date", "sort", "dir")),
        lambda region: render_to_string(
            "dashboard/coverage/_overview.html", _overview(request, region)
        ),
    )
    # rendered from the template, escaped there
    context = {"region": region, "overview": mark_safe(overview)}
    if region.level == Level.VILLAGE:
        context.update(_village(request, region))
    return render(request, "dashboard/coverage/region.html", context)


def _overview(request, region: Region) -> dict:
    """The tiles of the region and the table of its child regions on the snapshot day."""
    snapshots = Snapshot.objects.visible_to(request.user)
    on = _day(request, snapshots, region)
    sort = request.GET.get("sort", "name")
    descending = request.GET.get("dir", "") == "desc"
    context = {
        "region": region,
        "crumbs": _crumbs(request, region),
        "on": on,
        "report_month": on and report_month_for(on, timezone.localdate()),
        "days": selectors.dates(snapshots, region.code)[:36],
        "sort": sort,
        "descending": descending,
    }
    if on is not None:
        targets = selectors.targets_in_force(on)
        context["groups"] = selectors.tiles(
            snapshots, region.code, on, level=region.level, targets=targets
        )
        regions = Region.objects.visible_to(request.user)
        indicators, rows = selectors.children_table(snapshots, regions, region.code, on, targets)
        context["columns"] = indicators
        context["rows"] = selectors.sort_rows(rows, sort, descending)
    return context


def _village(request, region: Region) -> dict:
    """What a village page shows besides its values: its point, assistant, teams and groups,
    the seniors needing a pairing and the overdue visits (today)."""
    today = timezone.localdate()
    user = request.user
    serving = facility_selectors.points_serving(
        Facility.objects.visible_to(user), village_code=region.code
    )
    groups = volunteer_selectors.groups_active_in(
        Group.objects.visible_to(user), region_prefix=region.code, on=today
    )
    assistants = volunteer_selectors.assistants_serving(
        ElderlyCareAssistant.objects.visible_to(user), village_code=region.code, on=today
    )
    seniors = Senior.objects.visible_to(user).filter(village_id=region.code)
    lacking = list(seniors_lacking_pairing(seniors, today).order_by("name")[:SHOWN])
    overdue = list(
        volunteer_selectors.overdue_pairings(
            Pairing.objects.visible_to(user)
            .filter(senior__village_id=region.code)
            .select_related("senior", "helper"),
            today,
        ).order_by("last_visit")[:SHOWN]
    )
    return {
        "points": serving,
        "village_groups": list(groups),
        "assistants": list(assistants),
        "lacking": lacking,
        "overdue": overdue,
        "today": today,
    }


def coverage_trends(request, code: str):
    _require_reader(request)

    def build(region: Region) -> str:
        series = selectors.trend(Snapshot.objects.visible_to(request.user), region.code)
        crumbs = _crumbs(request, region)
        return render_to_string(
            "dashboard/coverage/_trends.html",
            {"region": region, "crumbs": crumbs, "series": series},
        )

    region, trends = _answer(request, code, ("trends",), build)
    return render(
        request,
        "dashboard/coverage/trends.html",
        {"region": region, "trends": mark_safe(trends)},
    )


def _gap_lists(request, region: Region, on: datetime.date | None) -> dict:
    user = request.user
    snapshots = Snapshot.objects.visible_to(user)
    villages = selectors.village_gaps(snapshots, region, on) if on is not None else []
    today = timezone.localdate()
    below = facility_selectors.below_ratios(
        Facility.objects.visible_to(user), region_prefix=region.prefix, on=today
    )
    seniors = Senior.objects.visible_to(user).filter(village__code__startswith=region.prefix)
    lacking = seniors_lacking_pairing(seniors, today).select_related("village__parent")
    return {
        "villages": villages,
        "facilities": below,
        "lacking": lacking,
        "today": today,
    }


def coverage_gaps(request, code: str):
    """Villages without a point, assistant, team or association; facilities below the staffing
    or nursing-bed ratio; seniors the pairing rule leaves uncovered. Each downloadable."""
    _require_reader(request)
    region = _region(request, code)
    snapshots = Snapshot.objects.visible_to(request.user)
    on = _day(request, snapshots, region)
    gaps = _gap_lists(request, region, on)
    which = request.GET.get("export", "")
    if which in ("villages", "facilities", "seniors"):
        body = gaps_workbook(which, region=region, on=on, **gaps)
        return _xlsx(body, f"{region.short_name}-{which}-{gaps['today']:%Y%m%d}.xlsx")
    lacking_total = gaps["lacking"].count()
    gaps["lacking"] = list(gaps["lacking"].order_by("village_id", "name")[:SHOWN])
    return render(
        request,
        "dashboard/coverage/gaps.html",
        {
            "region": region,
            "crumbs": _crumbs(request, region),
            "on": on,
            "lacking_total": lacking_total,
            "shown": SHOWN,
            **gaps,
        },
    )


def coverage_export(request, code: str):
    """The overview and the child regions' table as .xlsx: the numbers the page shows."""
    _require_reader(request)

    def build(region: Region) -> tuple[datetime.date | None, bytes]:
        snapshots = Snapshot.objects.visible_to(request.user)
        on = _day(request, snapshots, region)
        if on is None:
            return None, b""
        targets = selectors.targets_in_force(on)
        groups = selectors.tiles(snapshots, region.code, on, level=region.level, targets=targets)
        columns, rows = selectors.children_table(
            snapshots, Region.objects.visible_to(request.user), region.code, on, targets
        )
        body = overview_workbook(region=region, on=on, groups=groups, columns=columns, rows=rows)
        return on, body

    region, (on, body) = _answer(request, code, ("export", _asked(request, "date")), build)
    if on is None:
        raise Http404(_("No coverage has been computed for this region yet."))
    return _xlsx(body, f"{region.short_name}-覆盖情况-{on:%Y%m%d}.xlsx")


SCREEN_TILES = 6  # tiles of one panel of the big screen (1920x1080, text of 20 px and more)
SCREEN_RANKS = 20  # rows of one page of the ranking
SCREEN_TRENDS = ("villages_with_point", "key_seniors_paired_one_to_one", "family_doctor_signed")


def _pages(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def screen_ranking(rows) -> list[dict]:
    """The child regions by the share of the targets that apply to them which they meet
    (met / applicable), best first; equal shares by more targets met, then by code. A
    region no target applies to comes last."""

    def share(row) -> float | None:
        return row.met / row.judged * 100 if row.judged else None

    ranked = sorted(rows, key=lambda r: (share(r) is None, -(share(r) or 0), -r.met, r.code))
    return [
        {
            "position": n,
            "code": r.code,
            "name": r.name,
            "met": r.met,
            "judged": r.judged,
            "share": share(r),
        }
        for n, r in enumerate(ranked, start=1)
    ]


def coverage_screen(request, code: str):
    """数据大屏: the meeting-room display, refreshed every five minutes. It fits 1920x1080
    without scrolling: the indicator groups and the ranking are cut into panels that a static
    script (coverage-screen.js) shows in turn."""
    _require_reader(request)
    # the whole page: it has no header, form or message of the user (a wall display)
    page = _answer(
        request,
        code,
        ("screen", _asked(request, "date")),
        lambda region: render_to_string("dashboard/coverage/screen.html", _screen(request, region)),
    )[1]
    return HttpResponse(page)


def _screen(request, region: Region) -> dict:
    snapshots = Snapshot.objects.visible_to(request.user)
    on = _day(request, snapshots, region)
    context = {"region": region, "on": on}
    if on is not None:
        targets = selectors.targets_in_force(on)
        groups = selectors.tiles(snapshots, region.code, on, level=region.level, targets=targets)
        tiles = [t for _label, members in groups for t in members]
        judged = [t for t in tiles if t.state in ("met", "behind")]
        _columns, rows = selectors.children_table(
            snapshots, Region.objects.visible_to(request.user), region.code, on, targets
        )
        panels = []
        for label, members in groups:
            pages = _pages(members, SCREEN_TILES)
            panels += [(label, n, len(pages), page) for n, page in enumerate(pages, start=1)]
        context.update(
            panels=panels,
            met=sum(t.state == "met" for t in judged),
            judged=len(judged),
            ranking=_pages(screen_ranking(rows), SCREEN_RANKS),
            series=[
                s for s in selectors.trend(snapshots, region.code) if s["code"] in SCREEN_TRENDS
            ],
        )
    return context


def _xlsx(body: bytes, name: str) -> HttpResponse:

    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
