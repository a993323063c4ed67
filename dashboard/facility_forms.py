"""Forms of the facility pages. They only turn text into values and offer the choices a user
may pick from (regions, seniors, beds in their scope); the rules are in ``facilities.services``.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.personal import Number, masked
from dashboard.forms import DATE_WIDGET
from facilities.models import (
    Bed,
    Certificate,
    Facility,
    Kind,
    OperatingFund,
    Placement,
    QualityCheck,
    StaffMember,
    Status,
)
from facilities.rules import SUPERVISED_FACILITY_FIELDS, operator_accounts
from regions.models import Level, Region
from seniors.models import Senior

FIELD_GROUPS = (
    (
        _("Place and status"),
        ("kind", "name", "region", "served_regions", "status", "status_on", "opened_on",
         "retention", "lead_centre"),
    ),
    (
        _("Building and rooms"),
        ("floor_area", "siting", "large_village", "has_dining_room", "has_rest_room",
         "has_activity_room", "has_rehab_room", "has_library"),
    ),
    (
        _("Functions and service models"),
        ("offers_day_care", "offers_rehabilitation", "offers_recreation",
         "offers_emergency_rescue", "model_happy_home", "model_happy_canteen",
         "model_happy_paradise"),
    ),
    (
        _("Registration and operation"),
        ("legal_person_registered_on", "filed_on", "operation_mode", "operator_name",
         "run_by_institution_since", "operators", "notes"),
    ),
)  # fmt: skip
RELATION_FIELDS = ("region", "served_regions", "lead_centre", "operators")
CANDIDATES_SHOWN = 30


def _place_label(region: Region) -> str:
    """A township by its name, a village with its township (白马镇 板桥村)."""
    if region.level == Level.VILLAGE and region.parent is not None:
        return f"{region.parent.short_name} {region.short_name}"
    return region.short_name


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _place_label(obj)


class PlacesChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _place_label(obj)


class OperatorsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


def _model_fields(model, names, *, today_initial=()) -> dict[str, forms.Field]:
    fields = fields_for_model(model, fields=list(names))
    for name, field in fields.items():
        if isinstance(field, forms.DateField):
            field.widget = DATE_WIDGET
            if name in today_initial:
                field.initial = timezone.localdate
    return {name: fields[name] for name in names}


class ModelFieldsForm(forms.Form):
    """A plain form whose fields are made from some fields of a model (labels, choices and
    lengths stay the model's), without a ModelForm's validation of rows. ``today_fields``
    start at today; ``required_fields`` must be filled in here though the model lets them be
    empty (a discharge needs its day)."""

    model = None
    field_names: tuple[str, ...] = ()
    today_fields: tuple[str, ...] = ()
    required_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        declared = dict(self.fields)
        self.fields = _model_fields(self.model, self.field_names, today_initial=self.today_fields)
        for name in self.required_fields:
            self.fields[name].required = True
        self.fields.update(declared)


class FacilityFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=50)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds"))])
    township = forms.ModelChoiceField(
        label=_("Township"),
        queryset=Region.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All townships"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status"))])

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *Kind.choices]
        self.fields["status"].choices = [("", _("Any status")), *Status.choices]
        self.fields["township"].queryset = townships
        self.fields["township"].label_from_instance = lambda region: region.short_name


class FacilityForm(forms.Form):
    """Create a facility or change one. An operator's form leaves out the supervised fields."""

    def __init__(self, *args, user, supervised: bool, **kwargs):
        super().__init__(*args, **kwargs)
        names = [
            name
            for _title, group in FIELD_GROUPS
            for name in group
            if supervised or name not in SUPERVISED_FACILITY_FIELDS
        ]
        model_fields = _model_fields(Facility, [n for n in names if n not in RELATION_FIELDS])
        places = (
            Region.objects.filter(level__in=(Level.DISTRICT, Level.TOWNSHIP, Level.VILLAGE))
            .select_related("parent")
            .order_by("code")
            .visible_to(user)
        )
        meta = Facility._meta
        for name in names:
            if name == "region":
                field = PlaceChoiceField(
                    queryset=places,
                    label=capfirst(meta.get_field("region").verbose_name),
                    help_text=meta.get_field("region").help_text,
                )
            elif name == "served_regions":
                field = PlacesChoiceField(
                    queryset=places.exclude(level=Level.DISTRICT),
                    required=False,
                    label=capfirst(meta.get_field("served_regions").verbose_name),
                    help_text=meta.get_field("served_regions").help_text,
                    widget=forms.SelectMultiple(attrs={"size": 6}),
                )
            elif name == "lead_centre":
                field = forms.ModelChoiceField(
                    queryset=Facility.objects.visible_to(user).filter(kind=Kind.SERVICE_CENTRE),
                    required=False,
                    label=capfirst(meta.get_field("lead_centre").verbose_name),
                )
            elif name == "operators":
                field = OperatorsChoiceField(
                    queryset=operator_accounts(User.objects)
                    .filter(is_active=True)
                    .visible_to(user)
                    .order_by("username"),
                    required=False,
                    label=capfirst(meta.get_field("operators").verbose_name),
                    help_text=_("The accounts that keep this facility's ledgers current."),
                    widget=forms.SelectMultiple(attrs={"size": 4}),
                )
            else:
                field = model_fields[name]
            self.fields[name] = field
        if "notes" in self.fields:
            self.fields["notes"].widget.attrs["rows"] = 3

    def groups(self):
        """The fields in titled groups, for the template."""
        for title, names in FIELD_GROUPS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                yield title, fields

    def service_fields(self, names) -> dict:
        """The keyword arguments of ``facility_save`` for the fields ``names``; a relation left
        out stays as it is."""
        return {name: self.cleaned_data[name] for name in names}


class QualityCheckForm(ModelFieldsForm):
    model = QualityCheck
    field_names = ("checked_on", "inspector", "note")
    today_fields = ("checked_on",)

    passed = forms.TypedChoiceField(
        label=capfirst(QualityCheck._meta.get_field("passed").verbose_name),
        choices=(("1", _("Meets the baseline")), ("0", _("Falls short of the baseline"))),
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["checked_on", "passed", "inspector", "note"])
        self.fields["note"].widget.attrs["rows"] = 3


class BedForm(ModelFieldsForm):
    model = Bed
    field_names = ("label", "kind", "in_use_from")
    today_fields = ("in_use_from",)


class BedRetireForm(ModelFieldsForm):
    model = Bed
    field_names = ("retired_on",)
    today_fields = ("retired_on",)
    required_fields = ("retired_on",)


class SeniorChoiceField(forms.ModelChoiceField):
    """Seniors to choose from: a list of people, so every ID number is masked
    (``audit.personal``); searching by the full number still finds the person."""

    def label_from_instance(self, obj):
        shown = masked(obj.id_number, Number.ID)
        return f"{obj.name} · {obj.village.short_name} · {shown}"


class AdmitForm(ModelFieldsForm):
    """Admit a senior: any active senior the user may see can be chosen; the radio buttons
    offer those found by ``search`` (name or ID number), or, without a search, those who wish
    for centralised care and stay nowhere yet."""

    model = Placement
    field_names = ("kind", "admitted_on", "admission_reason")
    today_fields = ("admitted_on",)

    def __init__(self, *args, user, facility: Facility, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        seniors = Senior.objects.visible_to(user).active().select_related("village")
        staying = Placement.objects.filter(discharged_on__isnull=True).values("senior_id")
        candidates = seniors.exclude(pk__in=staying).order_by("name", "pk")
        if search:
            candidates = candidates.filter(
                Q(name__icontains=search) | Q(id_number__startswith=search.upper())
            )
        else:
            candidates = candidates.filter(wants_centralised_care=True)
        field = SeniorChoiceField(
            queryset=seniors,
            label=_("Senior"),
            widget=forms.RadioSelect,
        )
        self.candidates = list(candidates[: CANDIDATES_SHOWN + 1])
        field.widget.choices = [
            (senior.pk, field.label_from_instance(senior))
            for senior in self.candidates[:CANDIDATES_SHOWN]
        ]
        self.fields["senior"] = field
        taken = Placement.objects.filter(discharged_on__isnull=True, bed__isnull=False)
        self.fields["bed"] = forms.ModelChoiceField(
            queryset=Bed.objects.filter(facility=facility, in_use_from__lte=today)
            .exclude(retired_on__lte=today)
            .exclude(pk__in=taken.values("bed_id")),
            required=False,
            label=_("Bed"),
            empty_label=_("No particular bed"),
        )
        self.fields["bed"].label_from_instance = lambda bed: (
            f"{bed.label} · {bed.get_kind_display()}"
        )
        self.order_fields(["senior", "kind", "bed", "admitted_on", "admission_reason"])

    @property
    def more_candidates(self) -> bool:
        return len(self.candidates) > CANDIDATES_SHOWN


class DischargeForm(ModelFieldsForm):
    model = Placement
    field_names = ("discharged_on", "discharge_reason")
    today_fields = ("discharged_on",)
    required_fields = ("discharged_on",)


class StaffForm(ModelFieldsForm):
    model = StaffMember
    field_names = ("name", "id_number", "phone", "role", "full_time", "started_on")
    today_fields = ("started_on",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # room for spaces and a lower-case x: the service normalises and checks the number
        self.fields["id_number"].max_length = 24
        self.fields["id_number"].widget.attrs["maxlength"] = 24


class StaffEndForm(ModelFieldsForm):
    model = StaffMember
    field_names = ("ended_on",)
    today_fields = ("ended_on",)
    required_fields = ("ended_on",)


class CertificateForm(ModelFieldsForm):
    model = Certificate
    field_names = ("number", "level", "issued_on", "expires_on")


class OperatingFundForm(ModelFieldsForm):
    model = OperatingFund
    field_names = ("year", "operating_funds", "residents_basic_allowance")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
