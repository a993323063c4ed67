"""结对扶老 and the volunteer register (plan 二(七), 二(八)): which seniors lack the pairing
the rule asks for and which pairings are overdue, per village; and the volunteers, groups and
assistants of the user's villages. Read-only pages: the writes go through the API (and later
forms) into ``volunteers.services``."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from audit.personal import Context, Number, shown
from coverage.definitions import PAIRING_INDICATOR, how_counted, pairing_indicator, rule_of
from dashboard.navigation import VOLUNTEERS
from regions.models import Level, Region
from seniors.models import Senior
from volunteers.models import (
    ElderlyCareAssistant,
    Group,
    Pairing,
    Policy,
    Volunteer,
)
from volunteers.pairings import gap_counts, seniors_lacking_pairing
from volunteers.selectors import overdue_pairings

SHOWN = 200  # rows of a list on one page; the counts above it are complete


def _require_reader(request) -> None:
    VOLUNTEERS.require(request)


def _region_filter(request) -> tuple[dict, str | None]:
    """The township and village choices the user may see, and the prefix chosen (or None)."""
    townships = list(Region.objects.filter(level=Level.TOWNSHIP).visible_to(request.user))
    villages = Region.objects.filter(level=Level.VILLAGE).visible_to(request.user)
    township = request.GET.get("township", "")
    village = request.GET.get("village", "")
    chosen = None
    by_code = {t.code: t for t in townships}
    if township in by_code:
        chosen = by_code[township].prefix
        villages = villages.filter(code__startswith=chosen)
    villages = list(villages)
    village_codes = {v.code for v in villages}
    if village in village_codes:
        chosen = village
    context = {
        "townships": townships,
        "villages": villages,
        "township": township if township in by_code else "",
        "village": village if village in village_codes else "",
    }
    return context, chosen


def pairing_overview(request):
    """Per village: the seniors lacking the pairing the rule asks for today, and the open
    pairings whose senior has not been visited within the interval."""
    _require_reader(request)
    today = timezone.localdate()
    filters, prefix = _region_filter(request)
    seniors = Senior.objects.visible_to(request.user)
    pairings = Pairing.objects.visible_to(request.user)
    if prefix:
        seniors = seniors.in_region(prefix)
        pairings = pairings.in_region(prefix)
    cap = Policy.current().one_to_one_per_helper
    indicator = pairing_indicator()
    rule = rule_of(PAIRING_INDICATOR, indicator.parameters if indicator else None)
    counts = gap_counts(seniors, pairings, today, rule, cap)
    lacking = seniors_lacking_pairing(seniors.select_related("village"), today, rule).order_by(
        "village_id", "name", "id"
    )
    overdue = overdue_pairings(
        pairings.select_related("helper", "senior__village"), today, cap
    ).order_by("senior__village_id", "senior__name", "id")
    return render(
        request,
        "dashboard/volunteers/pairings.html",
        {
            **filters,
            "today": today,
            "counts": counts,
            "totals": {
                key: sum(row[key] for row in counts)
                for key in ("lacking_one_to_one", "lacking_coverage", "overdue", "over_cap")
            },
            "cap": cap,
            "rule_note": how_counted(indicator) if indicator else "",
            "lacking": lacking[:SHOWN],
            "overdue": overdue[:SHOWN],
            "shown": SHOWN,
        },
    )


def volunteer_register(request):
    """The volunteers, teams, associations, mutual-aid groups and elderly-care assistants of
    the user's villages."""
    _require_reader(request)
    filters, prefix = _region_filter(request)
    volunteers = Volunteer.objects.visible_to(request.user).select_related("village")
    groups = Group.objects.visible_to(request.user).select_related("region")
    assistants = ElderlyCareAssistant.objects.visible_to(request.user).select_related("village")
    if prefix:
        volunteers = volunteers.in_region(prefix)
        groups = groups.in_region(prefix)
        assistants = assistants.in_region(prefix)
    shown_volunteers = list(volunteers[:SHOWN])
    for volunteer in shown_volunteers:
        # a list of people: masked for everyone (audit.personal)
        volunteer.shown_phone = shown(request, volunteer, Number.PHONE, Context.LIST)
    return render(
        request,
        "dashboard/volunteers/register.html",
        {
            **filters,
            "volunteer_count": volunteers.count(),
            "volunteers": shown_volunteers,
            "groups": groups[:SHOWN],
            "assistants": assistants[:SHOWN],
            "shown": SHOWN,
        },
    )
