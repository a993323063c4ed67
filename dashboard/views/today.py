"""The first page of the people who work in the villages and townships: what waits for them
today, each item with its count and one tap to the action. The village assistant (on a
phone) sees claims to decide and the visits that are due; the township clerk (in the office)
also sees certificates running out, institutions whose quality check or yearly funds report
is due, and imports waiting for confirmation. Every list reads through the scoping rule."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from facilities.models import Certificate, Facility
from facilities.selectors import certificates_expiring, funds_report_missing, quality_check_due
from seniors.models import ImportStatus, SeniorImport
from seniors.rules import works_in_a_village
from volunteers.models import ClaimStatus, Pairing, ServiceLog
from volunteers.pairings import pairings_due
from volunteers.selectors import overdue_pairings

# how far ahead each list looks
VISITS_AHEAD_DAYS = 7
CERTIFICATES_AHEAD_DAYS = 60
# rows shown under an item; the count and the link cover the rest
ROWS = 8


@dataclass
class Row:
    text: str
    url: str
    note: str = ""
    urgent: bool = False


@dataclass
class Item:
    key: str
    title: str
    count: int
    url: str
    action: str
    rows: list[Row] = field(default_factory=list)
    empty: str = ""


def _listing(*, key: str, title: str, due, url: str, action: str, row, empty: str) -> Item:
    """An item counting the records of ``due`` and showing the first of them, each as
    ``row(record)``; ``url`` is the page for the whole list."""
    return Item(
        key=key,
        title=title,
        count=due.count(),
        url=url,
        action=action,
        rows=[row(record) for record in due[:ROWS]],
        empty=empty,
    )


def _claims(user) -> Item:
    waiting = (
        ServiceLog.objects.visible_to(user)
        .filter(status=ClaimStatus.SUBMITTED)
        .select_related("volunteer", "senior")
        .order_by("started_at", "id")
    )
    url = reverse("dashboard:claim_queue")
    return _listing(
        key="claims",
        title=_("Service claims waiting for your decision"),
        due=waiting,
        url=url,
        action=_("Review claims"),
        row=lambda c: Row(
            text=f"{c.volunteer.name} → {c.senior.name}",
            note=f"{timezone.localtime(c.started_at):%m-%d %H:%M} · "
            + _("%(hours)s hours") % {"hours": c.hours},
            url=f"{url}#claim-{c.pk}",
        ),
        empty=_("No claims are waiting."),
    )


def _visit_row(pairing, today: datetime.date, overdue: bool) -> Row:
    last = pairing.last_visit_on
    note = _("last visit %(date)s") % {"date": f"{last:%m-%d}"} if last else _("not visited yet")
    return Row(
        text=f"{pairing.senior.name} · {pairing.helper.name}",
        note=(_("overdue") + " · " if overdue else "") + note,
        url=reverse("dashboard:visit_create", args=[pairing.senior_id]),
        urgent=overdue,
    )


def _visits(user, today: datetime.date) -> Item:
    pairings = Pairing.objects.visible_to(user).select_related("senior", "helper")
    overdue = overdue_pairings(pairings, today)
    due = pairings_due(pairings, today, within_days=VISITS_AHEAD_DAYS)
    overdue_rows = list(overdue.order_by("counted_from", "id")[:ROWS])
    due_rows = list(due.order_by("counted_from", "id")[: max(0, ROWS - len(overdue_rows))])
    return Item(
        key="visits",
        title=_("Visits due this week (结对扶老)"),
        count=overdue.count() + due.count(),
        url=reverse("dashboard:pairing_overview"),
        action=_("All pairings"),
        rows=[_visit_row(p, today, True) for p in overdue_rows]
        + [_visit_row(p, today, False) for p in due_rows],
        empty=_("Every paired senior has been visited in time."),
    )


def _paper() -> Item:
    return Item(
        key="paper",
        title=_("Paper service records to enter"),
        count=-1,
        url=reverse("dashboard:claim_paper"),
        action=_("Enter a paper record"),
    )


def _certificates(user, today: datetime.date) -> Item:
    expiring = certificates_expiring(
        Certificate.objects.visible_to(user).select_related("staff__facility"),
        today,
        within_days=CERTIFICATES_AHEAD_DAYS,
    )
    return _listing(
        key="certificates",
        title=_("Caregiver certificates expiring within 60 days"),
        due=expiring,
        url=reverse("dashboard:facility_list"),
        action=_("Facilities"),
        row=lambda c: Row(
            text=f"{c.staff.name} · {c.staff.facility.name}",
            note=_("expires %(date)s") % {"date": c.expires_on.isoformat()},
            url=reverse("dashboard:facility_detail", args=[c.staff.facility_id]),
            urgent=c.expires_on < today,
        ),
        empty=_("No certificate runs out in the next 60 days."),
    )


def _institutions(*, key: str, title: str, due, note, url: str, urgent=None, empty: str) -> Item:
    """An item listing institutions (``due``), each row its name, ``note(f)`` and a link to
    the page ``url`` names for it."""
    return _listing(
        key=key,
        title=title,
        due=due,
        url=reverse("dashboard:facility_list"),
        action=_("Facilities"),
        row=lambda f: Row(
            text=f.name,
            note=note(f),
            url=reverse(url, args=[f.pk]),
            urgent=urgent(f) if urgent else False,
        ),
        empty=empty,
    )


def _quality(user, today: datetime.date) -> Item:
    return _institutions(
        key="quality",
        title=_("Institutions due for their yearly quality check"),
        due=quality_check_due(Facility.objects.visible_to(user), today),
        note=lambda f: (
            _("last checked %(date)s") % {"date": f.last_checked_on.isoformat()}
            if f.last_checked_on
            else _("never checked")
        ),
        url="dashboard:facility_detail",
        urgent=lambda f: f.last_checked_on is None,
        empty=_("Every institution was checked within the last year."),
    )


def _funds(user, today: datetime.date) -> Item:
    return _institutions(
        key="funds",
        title=_("Operating funds not yet reported for %(year)s") % {"year": today.year},
        due=funds_report_missing(Facility.objects.visible_to(user), today),
        note=lambda f: _("not reported (未填报)"),
        url="dashboard:facility_funds",
        empty=_("Every institution has reported this year's funds."),
    )


def _imports(user) -> Item:
    waiting = (
        SeniorImport.objects.visible_to(user)
        .filter(status=ImportStatus.PREVIEWED)
        .order_by("-created_at")
    )
    return _listing(
        key="imports",
        title=_("Imports checked and waiting for confirmation"),
        due=waiting,
        url=reverse("dashboard:senior_import"),
        action=_("Import seniors from Excel"),
        row=lambda i: Row(
            text=i.file_name,
            note=f"{timezone.localtime(i.created_at):%m-%d %H:%M}",
            url=reverse("dashboard:senior_import_preview", args=[i.pk]),
        ),
        empty=_("No import is waiting."),
    )


def items_for(user, today: datetime.date) -> list[Item]:
    """The to-do items of the user's role, most pressing first."""
    if works_in_a_village(user):
        return [_claims(user), _visits(user, today), _paper()]
    return [
        _visits(user, today),
        _claims(user),
        _certificates(user, today),
        _quality(user, today),
        _funds(user, today),
        _imports(user),
    ]
