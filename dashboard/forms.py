"""Forms of the pages. They only turn text into values; the rules are in the services."""

from __future__ import annotations

import uuid

from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.validators import PlausibleFormDateField, PlausibleFormDateTimeField
from regions.models import Level, Region
from seniors.models import BARTHEL_ITEMS, Assessment, Senior, ServiceType, Status
from seniors.services import SENIOR_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name if obj.level == Level.GROUP else obj.short_name


class SeniorForm(forms.Form):
    """Register (with the ID number) or edit (without) a senior."""

    def __init__(self, *args, user, with_id_number: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if with_id_number:
            self.fields["id_number"] = forms.CharField(
                label=Senior._meta.get_field("id_number").verbose_name,
                max_length=24,
                help_text=_("18 characters; the birth date and sex are read from it."),
            )
        model_fields = fields_for_model(
            Senior, fields=[f for f in SENIOR_FIELDS if f not in ("village", "villager_group")]
        )
        villages = Region.objects.filter(level=Level.VILLAGE).visible_to(user)
        groups = Region.objects.filter(level=Level.GROUP).visible_to(user)
        village = self._chosen_village()
        if village:
            # only the groups of the chosen village (static/js/senior-form.js does the same as
            # the village changes on the page)
            groups = groups.filter(parent_id=village)
        self.fields["name"] = model_fields.pop("name")
        self.fields["village"] = RegionChoiceField(
            queryset=villages, label=Senior._meta.get_field("village").verbose_name
        )
        self.fields["villager_group"] = RegionChoiceField(
            queryset=groups,
            required=False,
            label=Senior._meta.get_field("villager_group").verbose_name,
        )
        for name, field in model_fields.items():
            if isinstance(field, forms.DateField):
                field.widget = DATE_WIDGET
            self.fields[name] = field
        self.fields["notes"].widget.attrs["rows"] = 3

    def _chosen_village(self) -> str:
        if self.is_bound:
            return self.data.get(self.add_prefix("village"), "")
        village = self.initial.get("village")
        return getattr(village, "code", village) or ""

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("id_number", None)
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    status_on = PlausibleFormDateField(
        span="event", label=_("Since"), widget=DATE_WIDGET, initial=timezone.localdate
    )
    status_note = forms.CharField(label=_("Note"), max_length=200, required=False)


# What each Barthel score means, shown beside the choice (Barthel index, Mahoney & Barthel 1965,
# in the wording of China's 《老年人能力评估》 practice).
BARTHEL_LABELS = {
    "feeding": {10: _("independent"), 5: _("needs help cutting, spreading"), 0: _("dependent")},
    "bathing": {5: _("independent"), 0: _("dependent")},
    "grooming": {5: _("independent (face, hair, teeth, shaving)"), 0: _("needs help")},
    "dressing": {10: _("independent"), 5: _("needs some help"), 0: _("dependent")},
    "bowels": {10: _("continent"), 5: _("occasional accident"), 0: _("incontinent")},
    "bladder": {10: _("continent"), 5: _("occasional accident"), 0: _("incontinent")},
    "toilet_use": {10: _("independent"), 5: _("needs some help"), 0: _("dependent")},
    "transfers": {
        15: _("independent"),
        10: _("minor help"),
        5: _("major help, can sit"),
        0: _("unable"),
    },
    "mobility": {
        15: _("walks 45 m independently"),
        10: _("walks with help of one person"),
        5: _("wheelchair independent"),
        0: _("immobile"),
    },
    "stairs": {10: _("independent"), 5: _("needs help"), 0: _("unable")},
}


class AssessmentForm(forms.Form):
    assessed_on = PlausibleFormDateField(
        span="event", label=_("Assessed on"), widget=DATE_WIDGET, initial=timezone.localdate
    )
    assessor = forms.CharField(label=_("Assessor"), max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        for item, allowed in BARTHEL_ITEMS.items():
            self.fields[item] = forms.TypedChoiceField(
                label=Assessment._meta.get_field(item).verbose_name,
                choices=[
                    (score, f"{score} · {BARTHEL_LABELS[item][score]}")
                    for score in sorted(allowed, reverse=True)
                ],
                coerce=int,
                widget=forms.RadioSelect,
            )
        self.fields["notes"] = forms.CharField(
            label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
        )

    def items(self) -> dict[str, int]:
        return {item: self.cleaned_data[item] for item in BARTHEL_ITEMS}


class VisitForm(forms.Form):
    # A new UUID per form shown: pressing "save" twice, or resending after a lost answer,
    # stores the visit once.
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    visited_at = PlausibleFormDateTimeField(
        span="event",
        label=_("Visited at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
    )
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    visitor_name = forms.CharField(
        label=_("Visitor"), max_length=50, required=False, help_text=_("Blank: yourself.")
    )
    notes = forms.CharField(
        label=_("What was found / done"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up_needed = forms.BooleanField(label=_("Needs follow-up"), required=False)
