"""A volunteer's own pages on the phone: balance and what it buys now,
the seniors paired with them, their claims and statement, and a claim form that works
offline (the service worker caches the pages; ``static/me/me.js`` queues claims on the
device and sends them to the API when the signal returns, each with its ``client_uuid``, so
a resend never makes a second claim).

Only a user of the volunteer role with a linked ``Volunteer`` record gets these pages; every
read goes through the models' ``visible_to``, which narrows a volunteer to their own rows.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import uuid
from decimal import Decimal

from django import forms
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import PrefixNode, static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.views.claims import DATETIME_WIDGET
from dashboard.views.forms_support import save_form
from eldercare.validators import PlausibleFormDateTimeField
from seniors.models import ServiceType
from volunteers import claims, rules
from volunteers.models import Account, ClaimStatus, MovementKind, Pairing, ServiceLog, Volunteer
from volunteers.selectors import account_statement, affordable_items

RECENT_CLAIMS = 5
SW_SOURCE = "me/sw.js"
# The assets every /me/ page loads: precached by the service worker.
ASSETS = ("css/site.css", "me/me.css", "me/me.js")
PAGES = (
    "dashboard:me_home",
    "dashboard:me_claim_new",
    "dashboard:me_claims",
    "dashboard:me_statement",
)


def volunteer_page(view):
    """The page gets the user's own volunteer record; anyone else is refused (403)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        volunteer = None
        if rules.is_volunteer(request.user):
            volunteer = Volunteer.objects.visible_to(request.user).select_related("village").first()
        if volunteer is None:
            raise PermissionDenied(_("These pages are for volunteers with a volunteer record."))
        return view(request, volunteer, *args, **kwargs)

    return wrapper


def _account(request, volunteer: Volunteer) -> Account | None:
    # read only: the account is opened by the first movement, not by looking at a page
    return Account.objects.visible_to(request.user).filter(volunteer=volunteer).first()


def _paired_seniors(request):
    today = timezone.localdate()
    return (
        Pairing.objects.visible_to(request.user)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today), started_on__lte=today)
        .select_related("senior__village")
        .order_by("senior__name", "senior_id")
    )


def _claims(request, limit: int | None = None) -> list[ServiceLog]:
    rows = ServiceLog.objects.visible_to(request.user).select_related("senior")
    rows = list(rows.order_by("-started_at", "-id")[:limit])
    labels = dict(ServiceType.choices)
    for claim in rows:
        claim.service_label = labels.get(claim.service_type, claim.service_type)
    return rows


def _pending_hours(request) -> Decimal:
    """Hours claimed and not yet verified: shown beside the balance, which they will join."""
    pending = ServiceLog.objects.visible_to(request.user).filter(status=ClaimStatus.SUBMITTED)
    return pending.aggregate(s=Sum("hours"))["s"] or Decimal("0")


def _client_strings() -> dict:
    """What me.js shows, translated here (no user-visible text is written in the JS)."""
    return {
        "queued": _("Waiting to send"),
        "sending": _("Sending…"),
        "savedOffline": _(
            "No signal: the claim is kept on this phone and will be sent when the signal returns."
        ),
        "sent": _("Claim sent; it now waits for verification."),
        "refused": _("Not accepted:"),
        "loginAgain": _("Please log in again; the claim stays on this phone until then."),
        "queueTitle": _("Claims on this phone, not yet sent"),
        "offline": _("You are offline. Pages you have opened before still work."),
        "hours": _("h"),
        "statuses": dict(ClaimStatus.choices),
        "services": dict(ServiceType.choices),
    }


def _me_context(request, **extra) -> dict:
    return {
        "me_config": {
            # one queue per login: a shared phone never sends one volunteer's claims as another's
            "queueKey": f"me-claim-queue-{request.user.pk}",
            # the claims this phone sent (content and uuid): a resend is known as the same
            "sentKey": f"me-claim-sent-{request.user.pk}",
            "api": reverse("api:timebank-service-log-list"),
            "sw": reverse("dashboard:me_sw"),
            "scope": reverse("dashboard:me_home"),
            "strings": _client_strings(),
        },
        **extra,
    }


@volunteer_page
def me_home(request, volunteer: Volunteer):
    account = _account(request, volunteer)
    items = affordable_items(account).order_by("hours_price", "name") if account else []
    return render(
        request,
        "dashboard/me/home.html",
        _me_context(
            request,
            volunteer=volunteer,
            balance=account.balance if account else 0,
            pending=_pending_hours(request),
            items=items,
            pairings=_paired_seniors(request),
            claims=_claims(request, RECENT_CLAIMS),
        ),
    )


# How long a service lasted: a tap instead of a second date and time to type.
DURATIONS = (
    (30, gettext_lazy("30 minutes")),
    (60, gettext_lazy("1 hour")),
    (90, gettext_lazy("1.5 hours")),
    (120, gettext_lazy("2 hours")),
    (180, gettext_lazy("3 hours")),
    (240, gettext_lazy("4 hours")),
)
DEFAULT_DURATION = 60


def default_start() -> datetime.datetime:
    """The start of a service of the default length that has just ended (its end is now, so
    the claim is not in the future), to the five minutes."""
    start = timezone.localtime() - datetime.timedelta(minutes=DEFAULT_DURATION)
    return start.replace(minute=start.minute - start.minute % 5, second=0, microsecond=0)


class MeClaimForm(forms.Form):
    # a new UUID per form shown: the same form sent twice (a double tap) stores the claim once
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    senior = forms.ChoiceField(label=gettext_lazy("Senior"))
    service_type = forms.ChoiceField(label=gettext_lazy("Service"), choices=ServiceType.choices)
    started_at = PlausibleFormDateTimeField(
        span="event",
        label=gettext_lazy("Started at"),
        widget=DATETIME_WIDGET,
        initial=default_start,
    )
    duration = forms.TypedChoiceField(
        label=gettext_lazy("How long"), choices=DURATIONS, coerce=int, initial=DEFAULT_DURATION
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, pairings, **kwargs):
        super().__init__(*args, **kwargs)
        self.seniors = {p.senior_id: p.senior for p in pairings}
        self.fields["senior"].choices = [(pk, s.name) for pk, s in self.seniors.items()]

    def clean_senior(self):
        return self.seniors[int(self.cleaned_data["senior"])]

    def ended_at(self) -> datetime.datetime:
        data = self.cleaned_data
        return data["started_at"] + datetime.timedelta(minutes=data["duration"])


def _on_the_form(exc: ValidationError) -> ValidationError:
    """The rules speak of the end time; on this form the end is the duration."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {("duration" if k == "ended_at" else k): v for k, v in exc.error_dict.items()}
    )


@volunteer_page
def me_claim_new(request, volunteer: Volunteer):
    """Log a claim. With JS the page posts to the API (or queues offline); this handles the
    plain form post of a phone without JS through the same service."""
    form = MeClaimForm(request.POST or None, pairings=_paired_seniors(request))

    def submit():
        data = form.cleaned_data
        return claims.claim_submit(
            by=request.user,
            volunteer=volunteer,
            senior=data["senior"],
            service_type=data["service_type"],
            started_at=data["started_at"],
            ended_at=form.ended_at(),
            notes=data["notes"],
            client_uuid=data["client_uuid"],
        )

    done = save_form(
        request,
        form,
        submit,
        success=_("Claim sent; it now waits for verification."),
        already=_("This claim was already sent."),
        then="dashboard:me_claims",
        errors=_on_the_form,
    )
    if done:
        return done
    return render(
        request,
        "dashboard/me/claim_form.html",
        _me_context(request, form=form, claims=_claims(request, RECENT_CLAIMS)),
    )


@volunteer_page
def me_claims(request, volunteer: Volunteer):
    return render(
        request, "dashboard/me/claims.html", _me_context(request, claims=_claims(request))
    )


@volunteer_page
def me_statement(request, volunteer: Volunteer):
    account = _account(request, volunteer)
    entries = (
        list(account_statement(account).select_related("movement__transfer")) if account else []
    )
    entries.reverse()  # newest first on a phone; each row keeps its running balance
    for entry in entries:
        entry.label = movement_label(entry.movement)
        # the cap's memo says what the label already says
        capped = entry.movement.kind == MovementKind.DONATION and entry.label != _(
            "Donated to the fund"
        )
        entry.memo = "" if capped else entry.movement.memo
    return render(
        request,
        "dashboard/me/statement.html",
        _me_context(
            request,
            balance=account.balance if account else 0,
            pending=_pending_hours(request),
            entries=entries,
        ),
    )


def movement_label(movement) -> str:
    """What a statement row says. Hours given to the fund are a donation the volunteer chose
    (a transfer record) unless the storage cap moved them (no transfer: the cap's memo)."""
    if movement.kind == MovementKind.DONATION:
        if hasattr(movement, "transfer"):
            return _("Donated to the fund")
        return _("Above the storage cap: given to the fund")
    return movement.get_kind_display()


def asset_urls() -> list[str]:
    return [static(name) for name in ASSETS]


def cache_version(pages: list[str], assets: list[str]) -> str:
    """Changes when a page or asset URL changes (hashed names in production) or an asset's
    content does (plain names in development), so the worker replaces its cache."""
    digest = hashlib.sha256("\n".join(pages + assets).encode())
    for name in (*ASSETS, SW_SOURCE):
        path = finders.find(name)
        if path:
            with open(path, "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()[:12]


@volunteer_page
def me_sw(request, volunteer: Volunteer):
    """The service worker, served from /me/ so that its scope is /me/: the source in
    ``static/me/sw.js`` after the lists of pages and assets it precaches."""
    pages = [reverse(name) for name in PAGES]
    assets = asset_urls()
    config = {
        "version": cache_version(pages, assets),
        "pages": pages,
        "assets": assets,
        # STATIC_URL itself ({% get_static_prefix %}): static("") would ask the manifest
        # storage for a file named "", which it does not hold (a 500)
        "staticPrefix": PrefixNode.handle_simple("STATIC_URL"),
        "scope": reverse("dashboard:me_home"),
    }
    with open(finders.find(SW_SOURCE), encoding="utf-8") as fh:
        source = fh.read()
    body = f"const ME = {json.dumps(config)};\n{source}"
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = config["scope"]
    response["Cache-Control"] = "no-cache"
    return response
