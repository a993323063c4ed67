"""Server-rendered pages. Every page reads through the scoping rule in ``regions.scoping``."""

from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.navigation import has_volunteer_pages
from dashboard.views import today
from regions.models import Level, Region
from regions.scoping import NO_SCOPE_MESSAGE, can_see_region_code, scope_prefix
from seniors.rules import has_to_do_list


def _visible_regions(request):
    return Region.objects.select_related("parent__parent__parent").visible_to(request.user)


def _ancestors(region: Region) -> list[Region]:
    chain, node = [], region.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def _region_page(request, region: Region):
    children = (
        _visible_regions(request)
        .filter(parent=region)
        .annotate(children_count=Count("children"))
        .order_by("code")
    )
    ancestors = [a for a in _ancestors(region) if can_see_region_code(request.user, a.code)]
    return render(
        request,
        "dashboard/region.html",
        {"region": region, "children": children, "ancestors": ancestors},
    )


def home(request):
    """Where the user's work is: a volunteer's hours, the to-do list of a village assistant
    or township clerk, the user's own region for the others (the district for an
    administrator)."""
    user = request.user
    if has_volunteer_pages(user):
        return redirect("dashboard:me_home")
    if scope_prefix(user) is None:
        return render(request, "dashboard/empty.html", {"message": NO_SCOPE_MESSAGE}, status=403)
    if has_to_do_list(user):
        day = timezone.localdate()
        return render(
            request,
            "dashboard/today.html",
            {"items": today.items_for(user, day), "today": day, "region": user.region},
        )
    if user.region_id is not None:
        region = _visible_regions(request).filter(code=user.region_id).first()
    else:  # an administrator without a region
        region = _visible_regions(request).filter(level=Level.DISTRICT).order_by("code").first()
    if region is None:
        return render(request, "dashboard/empty.html", {"message": _("No regions are loaded yet.")})
    return _region_page(request, region)


def region_detail(request, code: str):
    region = _visible_regions(request).filter(code=code).first()
    if region is None:
        # Outside the user's subtree and not existing look the same.
        raise Http404(_("No such region."))
    return _region_page(request, region)
