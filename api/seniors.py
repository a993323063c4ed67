"""``seniors/``, ``assessments/`` and ``visits/``: the ledger for phones and other systems."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import PlausibleDateField, ScopedPrimaryKeyField, ScopedRegionField
from api.filters import IdFilter, IsoDateTimeFilter, region_filter
from api.idempotency import IdempotentCreateMixin
from api.permissions import WriteRule
from api.personal import PersonalNumbersMixin
from api.scoping import ScopedViewSetMixin
from api.serializers import ModelSerializer
from api.viewsets import ReadCreateUpdateViewSet, ReadCreateViewSet
from api.writes import ServiceWritesMixin, change_action
from regions.models import Level
from seniors import rules, services
from seniors.filters import SeniorFilter
from seniors.models import BARTHEL_ITEMS, DISABLED_LEVELS, Assessment, Senior, Status, Visit
from seniors.selectors import allowances_for, senior_list


class LatestAssessmentSerializer(serializers.Serializer):
    assessed_on = PlausibleDateField()
    total = serializers.IntegerField()
    level = serializers.CharField()


def _day(value):
    return None if value is None else value.isoformat()


def _moment(value):
    """``serializers.DateTimeField``'s form: ISO 8601 in the current time zone, ``Z`` for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class SeniorRow:
    """A person read straight off the row, in the forms DRF's fields give (``SeniorSerializer``
    declares the fields, for the schema and for input). DRF's field by field reading (a field
    object per column per request, its source walked and converted per row) cost more than the
    page's queries; ``tests/test_loadtest_floors.py`` holds this to the lean floor's JSON.
    The computed fields come from the serializer's ``get_<field>`` methods, whose types the
    schema reads."""

    def to_representation(self, instance):
        return {
            "id": instance.pk,
            "id_number": instance.id_number,
            "name": instance.name,
            "sex": instance.sex,
            "birth_date": _day(instance.birth_date),
            "age": self.get_age(instance),
            "phone": instance.phone,
            "township": self.get_township(instance),
            "village": instance.village_id,
            "village_name": self.get_village_name(instance),
            "villager_group": instance.villager_group_id,
            "address": instance.address,
            "living_situation": instance.living_situation,
            "extreme_poverty": instance.extreme_poverty,
            "subsistence_allowance": instance.subsistence_allowance,
            "low_income": instance.low_income,
            "family_planning_special": instance.family_planning_special,
            "disability_certificate": instance.disability_certificate,
            "high_age": self.get_high_age(instance),
            "disabled": self.get_disabled(instance),
            "latest_assessment": self.get_latest_assessment(instance),
            "last_visited_at": _moment(getattr(instance, "last_visited_at", None)),
            "wants_centralised_care": instance.wants_centralised_care,
            "wants_day_care": instance.wants_day_care,
            "family_doctor_contract_on": _day(instance.family_doctor_contract_on),
            "wristband_device": instance.wristband_device,
            "wristband_on": _day(instance.wristband_on),
            "family_care_bed_on": _day(instance.family_care_bed_on),
            "home_adaptation_on": _day(instance.home_adaptation_on),
            "family_caregiver": instance.family_caregiver,
            "family_caregiver_trained_on": _day(instance.family_caregiver_trained_on),
            "allowances": self.get_allowances(instance),
            "registered_on": _day(instance.registered_on),
            "status": instance.status,
            "status_on": _day(instance.status_on),
            "status_note": instance.status_note,
            "notes": instance.notes,
            "created_at": _moment(instance.created_at),
            "updated_at": _moment(instance.updated_at),
        }


class SeniorSerializer(ServiceWritesMixin, PersonalNumbersMixin, SeniorRow, ModelSerializer):
    """A person of the ledger. ID and phone numbers: masked in lists; in full on the person's
    record (a read, or the answer to a write) for the roles that may see them, each such answer
    logged (``audit.personal``)."""

    id_number = serializers.CharField(
        max_length=24,
        help_text=_("18 characters; write-once; masked for roles that do not need it"),
    )
    village = ScopedRegionField(Level.VILLAGE)
    villager_group = ScopedRegionField(Level.GROUP, required=False, allow_null=True)
    township = serializers.SerializerMethodField()
    village_name = serializers.SerializerMethodField()
    age = serializers.SerializerMethodField()
    high_age = serializers.SerializerMethodField()
    disabled = serializers.SerializerMethodField()
    latest_assessment = serializers.SerializerMethodField()
    last_visited_at = serializers.DateTimeField(read_only=True, allow_null=True)  # never visited
    allowances = serializers.SerializerMethodField()

    class Meta:
        model = Senior
        fields = (
            "id",
            "id_number",
            "name",
            "sex",
            "birth_date",
            "age",
            "phone",
            "township",
            "village",
            "village_name",
            "villager_group",
            "address",
            *services.CATEGORY_FIELDS,
            "high_age",
            "disabled",
            "latest_assessment",
            "last_visited_at",
            *services.CARE_FIELDS,
            "allowances",
            "registered_on",
            "status",
            "status_on",
            "status_note",
            "notes",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("sex", "birth_date", "status", "status_on", "status_note")

    def _today(self):
        return timezone.localdate()

    def get_village_name(self, obj) -> str:
        # lists read it with the row (SeniorViewSet); a person just written has the village
        return getattr(obj, "village_name", None) or obj.village.short_name

    def get_township(self, obj) -> str:
        return obj.village_id[:9] + "000"

    def get_age(self, obj) -> int:
        return obj.age_on(self._today())

    def get_high_age(self, obj) -> bool:
        return obj.is_high_age_on(self._today())

    def get_disabled(self, obj) -> bool:
        return getattr(obj, "latest_level", None) in DISABLED_LEVELS

    @extend_schema_field(LatestAssessmentSerializer(allow_null=True))
    def get_latest_assessment(self, obj):
        if getattr(obj, "latest_level", None) is None:
            return None
        return {
            "assessed_on": obj.latest_assessed_on,
            "total": obj.latest_total,
            "level": obj.latest_level,
        }

    def get_allowances(self, obj) -> list[str]:
        return allowances_for(
            obj, on=self._today(), latest_level=getattr(obj, "latest_level", None)
        )

    create_service = staticmethod(services.senior_register)
    update_service = staticmethod(services.senior_update)
    instance_name = "senior"


class SeniorStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    status_on = PlausibleDateField.like(Senior, "status_on")
    status_note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class SeniorViewSet(ScopedViewSetMixin, ReadCreateUpdateViewSet):
    """The seniors' ledger of the user's region. Nobody is deleted: a person who moves out or
    dies changes status (``POST …/{id}/status/``)."""

    queryset = Senior.objects.all()
    serializer_class = SeniorSerializer
    permission_classes = (WriteRule,)
    filterset_class = SeniorFilter
    ordering_fields = ("name", "birth_date", "registered_on", "village")
    ordering = ("village", "name", "id")

    @staticmethod
    def write_rule(user) -> bool:
        return rules.can_manage_seniors(user)

    def base_queryset(self):
        # senior_list scopes too; the mixin's scoping on top is the same rule, applied twice.
        # An answer reads the village's name, nothing else of the village, the township or the
        # group: the name comes with the row, not a Region built per person.
        return (
            senior_list(user=self.request.user)
            .select_related(None)
            .annotate(village_name=F("village__short_name"))
        )

    @change_action(SeniorStatusSerializer, responses=SeniorSerializer)
    def status(self, request, senior, data):
        services.senior_set_status(
            by=request.user,
            senior=senior,
            status=data["status"],
            on=data["status_on"],
            note=data.get("status_note", ""),
        )


class AssessmentSerializer(ServiceWritesMixin, ModelSerializer):
    senior = ScopedPrimaryKeyField(queryset=Senior.objects.all())

    class Meta:
        model = Assessment
        fields = (
            "id",
            "senior",
            "assessed_on",
            "assessor",
            *BARTHEL_ITEMS,
            "total",
            "level",
            "notes",
            "created_at",
        )
        read_only_fields = ("total", "level")

    def get_fields(self):
        fields = super().get_fields()
        for item, allowed in BARTHEL_ITEMS.items():
            fields[item] = serializers.ChoiceField(
                choices=allowed, help_text=" / ".join(str(a) for a in allowed)
            )
        return fields

    create_service = staticmethod(services.assessment_record)

    def service_data(self, validated_data):
        items = {item: validated_data.pop(item) for item in BARTHEL_ITEMS}
        return {"items": items, **validated_data}


class AssessmentFilter(filters.FilterSet):
    senior = IdFilter(field_name="senior_id")
    level = filters.ChoiceFilter(choices=Assessment._meta.get_field("level").choices)
    region = filters.CharFilter(method="filter_region")

    class Meta:
        model = Assessment
        fields = ("senior", "level", "region")

    filter_region = region_filter("senior__village__code")


class AssessmentViewSet(ScopedViewSetMixin, ReadCreateViewSet):
    """Barthel assessments. Total and level are computed by the server; a correction is a new
    assessment (the latest one counts)."""

    queryset = Assessment.objects.all()
    serializer_class = AssessmentSerializer
    permission_classes = (WriteRule,)
    filterset_class = AssessmentFilter
    ordering_fields = ("assessed_on", "total")

    @staticmethod
    def write_rule(user) -> bool:
        return rules.can_manage_seniors(user)

    def base_queryset(self):
        return Assessment.objects.select_related("senior")


class VisitSerializer(ServiceWritesMixin, ModelSerializer):
    create_service = staticmethod(services.visit_record)
    returns_created = True  # api.idempotency answers 200 for a repeated client_uuid

    senior = ScopedPrimaryKeyField(queryset=Senior.objects.all())
    visitor = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Visit
        fields = (
            "id",
            "senior",
            "visited_at",
            "service_type",
            "visitor",
            "visitor_name",
            "notes",
            "follow_up_needed",
            "client_uuid",
            "created_at",
        )
        # a repeated client_uuid is the idempotent retry, answered by the service, not a 400
        extra_kwargs = {"client_uuid": {"validators": []}}


class VisitFilter(filters.FilterSet):
    senior = IdFilter(field_name="senior_id")
    region = filters.CharFilter(method="filter_region")
    service_type = filters.ChoiceFilter(choices=Visit._meta.get_field("service_type").choices)
    follow_up_needed = filters.BooleanFilter()
    since = IsoDateTimeFilter(field_name="visited_at", lookup_expr="gte")
    until = IsoDateTimeFilter(field_name="visited_at", lookup_expr="lt")

    class Meta:
        model = Visit
        fields = ("senior", "region", "service_type", "follow_up_needed", "since", "until")

    filter_region = region_filter("senior__village__code")


class VisitViewSet(ScopedViewSetMixin, IdempotentCreateMixin, ReadCreateViewSet):
    """Visits and home services. Send a ``client_uuid`` from the phone: sending the same request
    again under it (a retry on a weak signal) answers 200 with the visit stored the first time;
    another user or other content under it is refused (400)."""

    queryset = Visit.objects.all()
    serializer_class = VisitSerializer
    permission_classes = (WriteRule,)
    filterset_class = VisitFilter
    ordering_fields = ("visited_at",)

    @staticmethod
    def write_rule(user) -> bool:
        return rules.can_record_visits(user)

    def base_queryset(self):
        return Visit.objects.select_related("senior")
