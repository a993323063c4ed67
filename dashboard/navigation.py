"""The header menu: the pages each role works with."""

from functools import cache

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from seniors.models import PEOPLE_ROLES


@cache
def _reverse(name: str, prefix: str) -> str:
    """A menu page's address, worked out once a process (the header is on every page)."""
    return reverse(name)


def url(name: str) -> str:
    return _reverse(name, get_script_prefix())


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    from volunteers.models import VOLUNTEER_SIDE_ROLES, Volunteer

    if (
        user.role == "volunteer"
        and not user.is_staff
        and Volunteer.objects.visible_to(user).exists()
    ):
        # a volunteer on a phone: the brand leads home to their own pages, whose tabs are the
        # whole of what they use, so the header stays one line
        return {"menu": []}
    menu = [(url("dashboard:home"), _("My region"))]
    from dashboard.views.coverage import COVERAGE_ROLES

    if user.is_superuser or user.role in COVERAGE_ROLES:
        menu.append((url("dashboard:coverage_home"), _("Coverage of the targets")))
    if user.is_superuser or user.role in PEOPLE_ROLES:
        menu.append((url("dashboard:senior_list"), _("Seniors' ledger")))
    from facilities.models import FACILITY_ROLES

    if user.is_superuser or user.role in FACILITY_ROLES:
        menu.append((url("dashboard:facility_list"), _("Facilities")))
    if user.is_superuser or user.role in VOLUNTEER_SIDE_ROLES:
        menu.append((url("dashboard:pairing_overview"), _("Pairings (结对扶老)")))
        menu.append((url("dashboard:volunteer_register"), _("Volunteers and groups")))
        menu.append((url("dashboard:claim_queue"), _("Claims to verify")))
    if user.is_superuser or user.role == "bureau":
        menu.append((url("dashboard:audit_log"), _("Audit log")))
    menu.append((url("api:docs"), _("API")))
    if user.is_staff:
        menu.append((url("admin:index"), _("Admin")))
    return _items(request, menu)


def _items(request, menu: list) -> dict:
    current = request.path
    return {
        "menu": [
            {"url": url, "label": label, "current": url != "/" and current.startswith(url)}
            for url, label in menu
        ]
    }
