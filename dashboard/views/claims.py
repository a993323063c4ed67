"""Claims of volunteers' hours for assistants and staff: the queue of claims to verify for
their villages, and a form to enter a claim from a volunteer's paper passbook."""

from __future__ import annotations

import uuid

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dashboard.navigation import CLAIMS
from dashboard.views.forms_support import run_action, save_form
from eldercare.validators import PlausibleFormDateTimeField
from seniors.models import Senior, ServiceType, Status
from volunteers import claims
from volunteers.models import ClaimStatus, ServiceLog, Volunteer

QUEUE_SHOWN = 200
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _require_verifier(request) -> None:
    CLAIMS.require(request)


def _get_claim(request, pk: int) -> ServiceLog:
    claim = ServiceLog.objects.visible_to(request.user).filter(pk=pk).first()
    if claim is None:
        raise Http404(_("No such claim in your region."))
    return claim


def claim_queue(request):
    """Submitted claims for the seniors of the user's villages, oldest first."""
    _require_verifier(request)
    queue = (
        ServiceLog.objects.all()
        .visible_to(request.user)
        .filter(status=ClaimStatus.SUBMITTED)
        .select_related("volunteer", "senior__village")
        .order_by("started_at", "id")
    )
    total = queue.count()
    rows = list(queue[:QUEUE_SHOWN])
    for claim in rows:
        claim.own = claim.volunteer.user_id == request.user.pk
        claim.service_label = dict(ServiceType.choices).get(claim.service_type, claim.service_type)
    return render(
        request,
        "dashboard/claims/queue.html",
        {"claims": rows, "total": total, "shown": len(rows)},
    )


@require_POST
def claim_verify(request, pk: int):
    _require_verifier(request)
    claim = _get_claim(request, pk)
    return run_action(
        request,
        lambda: claims.claim_verify(by=request.user, claim=claim),
        success=_("Claim verified; the hours are credited."),
        then="dashboard:claim_queue",
    )


@require_POST
def claim_reject(request, pk: int):
    _require_verifier(request)
    claim = _get_claim(request, pk)
    return run_action(
        request,
        lambda: claims.claim_reject(
            by=request.user, claim=claim, reason=request.POST.get("reason", "")
        ),
        success=_("Claim rejected."),
        then="dashboard:claim_queue",
    )


class PaperClaimForm(forms.Form):
    # a new UUID per form shown: pressing "save" twice stores the claim once
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    volunteer = forms.ModelChoiceField(label=gettext_lazy("Volunteer"), queryset=None)
    senior = forms.ModelChoiceField(label=gettext_lazy("Senior"), queryset=None)
    service_type = forms.ChoiceField(label=gettext_lazy("Service"), choices=ServiceType.choices)
    started_at = PlausibleFormDateTimeField(
        span="event", label=gettext_lazy("From"), widget=DATETIME_WIDGET
    )
    ended_at = PlausibleFormDateTimeField(
        span="event", label=gettext_lazy("To"), widget=DATETIME_WIDGET
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        volunteers = Volunteer.objects.visible_to(user).exclude(left_on__lte=today)
        self.fields["volunteer"].queryset = volunteers.select_related("village")
        seniors = Senior.objects.filter(status=Status.ACTIVE).visible_to(user)
        self.fields["senior"].queryset = seniors.order_by("village_id", "name")


def claim_paper(request):
    """Enter a claim from a volunteer's paper passbook; it is verified like any other."""
    _require_verifier(request)
    form = PaperClaimForm(request.POST or None, user=request.user)
    done = save_form(
        request,
        form,
        lambda: claims.claim_submit(by=request.user, from_paper=True, **form.cleaned_data),
        success=_("Paper record saved; it now waits for verification."),
        already=_("This paper record was already saved."),
        then="dashboard:claim_queue",
    )
    return done or render(request, "dashboard/claims/paper.html", {"form": form})
