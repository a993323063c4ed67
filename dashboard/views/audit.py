"""The bureau's audit page: who viewed a person's full numbers and who changed which person's
record, when — from the view log (``audit.PersonView``) and the change history."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.http import QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from audit.models import PersonView
from dashboard.navigation import AUDIT
from eldercare.validators import day_in_span
from regions.models import Region
from seniors.filters import SeniorFilter
from seniors.models import Assessment, Senior, Visit

SHOWN = 200


def _require_bureau(request) -> None:
    AUDIT.require(request)


def _day(value: str) -> datetime.date | None:
    return day_in_span(value)


def region_names(queries: list[str]) -> dict[str, str]:
    """The names of the villages and regions the filters name, in one query."""
    codes = set()
    for query in queries:
        params = QueryDict(query)
        codes.update(params.getlist("village") + params.getlist("region"))
    return dict(Region.objects.filter(code__in=codes).values_list("code", "short_name"))


def describe_filters(query: str, names: dict[str, str]) -> str:
    """The filters of an export as the register's form names them ("村：板桥村；低保：是"),
    not as the URL spelt them; a parameter the register does not know is shown as it came."""
    params = QueryDict(query)
    form = SeniorFilter(params, queryset=Senior.objects.none()).form
    parts = []
    for key in params:
        value = params.get(key, "")
        if not value or key == "page":
            continue
        field = form.fields.get(key)
        if key in ("village", "region"):
            label, shown = (
                (_("Village") if key == "village" else _("Region")),
                names.get(value, value),
            )
        elif field is None:
            label, shown = key, value
        else:
            label = field.label
            choices = dict(getattr(field.widget, "choices", None) or getattr(field, "choices", ()))
            shown = choices.get(value, value)
        parts.append(_("%(label)s: %(value)s") % {"label": capfirst(str(label)), "value": shown})
    return _("; ").join(parts) or _("none (the whole register)")


def audit_log(request):
    """The latest events (views and changes) for the filters: a person (name or record
    number), a user (login name) and a period."""
    _require_bureau(request)
    person = request.GET.get("person", "").strip()
    username = request.GET.get("user", "").strip()
    since = _day(request.GET.get("since", ""))
    until = _day(request.GET.get("until", ""))
    seniors = Senior.objects.visible_to(request.user)
    if person:
        seniors = seniors.filter(Q(name__contains=person) | Q(pk=person if person.isdigit() else 0))
    views = PersonView.objects.select_related(
        "user", "senior", "staff_member", "volunteer", "region"
    ).visible_to(request.user)
    history = Senior.history.filter(id__in=seniors.values("pk")).select_related("history_user")
    assessments = Assessment.history.filter(senior_id__in=seniors.values("pk")).select_related(
        "history_user"
    )
    visits = Visit.history.filter(senior_id__in=seniors.values("pk")).select_related("history_user")
    if person:
        views = views.filter(
            Q(senior__in=seniors)
            | Q(staff_member__name__contains=person)
            | Q(volunteer__name__contains=person)
        )
    if username:
        views = views.filter(user__username=username)
        history = history.filter(history_user__username=username)
        assessments = assessments.filter(history_user__username=username)
        visits = visits.filter(history_user__username=username)
    zone = timezone.get_current_timezone()
    if since:
        start = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
        views, history = views.filter(at__gte=start), history.filter(history_date__gte=start)
        assessments = assessments.filter(history_date__gte=start)
        visits = visits.filter(history_date__gte=start)
    if until:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min,
                                        tzinfo=zone)  # fmt: skip
        views, history = views.filter(at__lt=end), history.filter(history_date__lt=end)
        assessments = assessments.filter(history_date__lt=end)
        visits = visits.filter(history_date__lt=end)
    kinds = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    shown_views = list(views.order_by("-at")[:SHOWN])
    places = region_names([v.query for v in shown_views if v.senior_id is None])
    events = [
        {
            "at": v.at,
            "user": v.user,
            "what": v.get_channel_display(),
            "person": v.senior,
            # a staff member or a volunteer: named, without a link (their record is elsewhere)
            "person_name": "" if v.senior_id else str(v.person or ""),
            "detail": (
                _("%(count)s people, filters: %(query)s")
                % {"count": v.count, "query": describe_filters(v.query, places)}
                if v.person is None
                else _("full ID and phone numbers shown")
            ),
            "kind": "view",
        }
        for v in shown_views
    ]
    names = dict(seniors.values_list("pk", "name"))
    for label, rows, person_of in (
        (_("Record"), history.order_by("-history_date")[:SHOWN], lambda h: h.id),
        (_("Assessment"), assessments.order_by("-history_date")[:SHOWN], lambda h: h.senior_id),
        (_("Visit"), visits.order_by("-history_date")[:SHOWN], lambda h: h.senior_id),
    ):
        for h in rows:
            events.append(
                {
                    "at": h.history_date,
                    "user": h.history_user,
                    "what": f"{label} · {kinds.get(h.history_type, h.history_type)}",
                    "person_id": person_of(h),
                    "person_name": names.get(person_of(h), ""),
                    "detail": h.history_change_reason or "",
                    "kind": "change",
                }
            )
    events.sort(key=lambda e: e["at"], reverse=True)
    return render(
        request,
        "dashboard/audit.html",
        {
            "events": events[:SHOWN],
            "shown": SHOWN,
            "person": person,
            "username": username,
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
        },
    )
