"""The pages of the header menu and who may open them.

Each page is declared once, with the rule (a predicate of a domain app's ``rules.py``) that
decides who may open it: the page's view refuses with ``page.require(request)`` and the menu
lists the pages whose rule lets the user in, so the menu cannot disagree with the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import PermissionDenied
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from audit.rules import can_read_audit
from coverage.rules import can_read_coverage
from facilities.rules import can_read_facilities
from seniors.rules import can_read_people
from volunteers.models import Volunteer
from volunteers.rules import can_decide_claims, can_run_volunteers, is_volunteer


def anyone(user) -> bool:
    return True


def is_staff(user) -> bool:
    return bool(user.is_staff)


@dataclass(frozen=True)
class Page:
    url_name: str
    label: str
    rule: Callable[[object], bool]
    refusal: str = ""

    def allows(self, user) -> bool:
        return self.rule(user)

    def require(self, request) -> None:
        """Refuse (403) a user the page's rule does not let in."""
        if not self.rule(request.user):
            raise PermissionDenied(self.refusal)


HOME = Page("dashboard:home", _("My region"), anyone)
COVERAGE = Page(
    "dashboard:coverage_home",
    _("Coverage of the targets"),
    can_read_coverage,
    _("Your role does not see the coverage of the targets."),
)
SENIORS = Page(
    "dashboard:senior_list",
    _("Seniors' ledger"),
    can_read_people,
    _("Your role does not work with the seniors' ledger."),
)
FACILITIES = Page(
    "dashboard:facility_list",
    _("Facilities"),
    can_read_facilities,
    _("Your role does not work with the facility network."),
)
VOLUNTEER_REFUSAL = _("Your role does not work with volunteers and pairings.")
PAIRINGS = Page(
    "dashboard:pairing_overview", _("Pairings (结对扶老)"), can_run_volunteers, VOLUNTEER_REFUSAL
)
VOLUNTEERS = Page(
    "dashboard:volunteer_register",
    _("Volunteers and groups"),
    can_run_volunteers,
    VOLUNTEER_REFUSAL,
)
CLAIMS = Page(
    "dashboard:claim_queue",
    _("Claims to verify"),
    can_decide_claims,
    _("Your role does not verify claims."),
)
AUDIT = Page(
    "dashboard:audit_log",
    _("Audit log"),
    can_read_audit,
    _("Only the civil affairs bureau reads the audit log."),
)
API = Page("api:docs", _("API"), anyone)
ADMIN = Page("admin:index", _("Admin"), is_staff)

MENU = (HOME, COVERAGE, SENIORS, FACILITIES, PAIRINGS, VOLUNTEERS, CLAIMS, AUDIT, API, ADMIN)


def has_volunteer_pages(user) -> bool:
    """A volunteer with a volunteer record: their own pages are their home."""
    return bool(
        user.is_authenticated and is_volunteer(user) and Volunteer.objects.visible_to(user).exists()
    )


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
    if not user.is_staff and has_volunteer_pages(user):
        # a volunteer on a phone: the brand leads home to their own pages, whose tabs are the
        # whole of what they use, so the header stays one line
        return {"menu": []}
    current = request.path
    return {
        "menu": [
            {"url": link, "label": page.label, "current": link != "/" and current.startswith(link)}
            for page in MENU
            if page.allows(user)
            for link in [url(page.url_name)]
        ]
    }
