"""``facilities/``, ``beds/``, ``placements/``, ``staff/``, ``trainings/`` and
``upgrade-projects/``: the ledgers (台账) of the facility network.

Serializers check the shape of the input and that every record it names is one the user may
see; the rules across rows (a bed limit, one stay at a time, dates in order) are the services'.
Who may see is the scoping rule (operators: only the facilities they run); who may write is
``write_rule`` below.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.errors import domain_errors
from api.fields import (
    PlausibleDateField,
    ScopedOperatorField,
    ScopedPrimaryKeyField,
    ScopedRegionField,
)
from api.filters import DateFilter, IdFilter, region_filter
from api.permissions import WriteRule
from api.personal import PersonalNumbersMixin
from api.scoping import ScopedViewSetMixin
from api.serializers import ModelSerializer
from api.viewsets import ReadCreateUpdateViewSet, ReadCreateViewSet
from api.writes import ServiceWritesMixin, change_action
from audit.personal import Number, masked
from facilities import selectors, services
from facilities.models import (
    BasicIndicator,
    Bed,
    Certificate,
    Facility,
    IndicatorCheck,
    Kind,
    Milestone,
    OperatingFund,
    Placement,
    PlacementKind,
    ProjectKind,
    ProjectStatus,
    QualityCheck,
    StaffMember,
    StaffRole,
    Status,
    TrainingAttendance,
    TrainingKind,
    TrainingSession,
    UpgradeProject,
)
from facilities.rules import (
    SUPERVISED_FACILITY_FIELDS,
    can_keep_ledgers,
    can_read_facilities,
    can_supervise,
)
from regions.models import Level
from regions.scoping import scope_prefix
from seniors.models import Senior


def today() -> datetime.date:
    return timezone.localdate()


# --- fields that only reach what the user may see --------------------------------------------


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose OpenAPI enum is a component with a name of its own. Fields called
    ``status`` or ``kind`` exist on several resources with different choices; left to the
    schema generator, they would rename each other's enums (``StatusF7fEnum``)."""

    def __init__(self, choices, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema, direction):
        choice = build_choice_field(self.target)
        component = ResolvedComponent(
            name=self.target.enum_name,
            type=ResolvedComponent.SCHEMA,
            schema={key: choice[key] for key in ("type", "enum", "description") if key in choice},
            object=self.target.enum_name,
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


# --- facilities --------------------------------------------------------------------------


class FiguresSerializer(serializers.Serializer):
    """A facility's counts on a day and the plan's ratios (二(一), 二(五), 二(十))."""

    on = PlausibleDateField()
    beds = serializers.IntegerField()
    nursing_beds = serializers.IntegerField()
    residents = serializers.IntegerField()
    day_care = serializers.IntegerField()
    service_staff = serializers.IntegerField()
    management_and_service_staff = serializers.IntegerField()
    caregivers = serializers.IntegerField()
    certified_caregivers = serializers.IntegerField()
    occupancy = serializers.DecimalField(max_digits=9, decimal_places=3, allow_null=True)
    nursing_bed_ratio = serializers.DecimalField(max_digits=9, decimal_places=3, allow_null=True)
    residents_per_staff = serializers.DecimalField(max_digits=9, decimal_places=3, allow_null=True)
    meets_staffing = serializers.BooleanField(
        allow_null=True, help_text=_("1:3 in care centres, 1:10 in nursing homes; else null")
    )
    meets_nursing_beds = serializers.BooleanField(
        allow_null=True, help_text=_("care centres: nursing-type beds ≥ 80 %; else null")
    )

    def to_representation(self, facility):
        on = today()
        if not hasattr(facility, "beds_count"):  # a facility just saved: count it now
            facility = selectors.with_figures(Facility.objects.filter(pk=facility.pk), on).get()
        figures = selectors.figures_of(facility)
        return super().to_representation(
            {
                "on": on,
                "beds": figures.beds,
                "nursing_beds": figures.nursing_beds,
                "residents": figures.residents,
                "day_care": facility.day_care_count,
                "service_staff": figures.service_staff,
                "management_and_service_staff": figures.management_and_service_staff,
                "caregivers": figures.caregivers,
                "certified_caregivers": figures.certified_caregivers,
                "occupancy": figures.occupancy,
                "nursing_bed_ratio": figures.nursing_bed_ratio,
                "residents_per_staff": figures.residents_per_staff,
                "meets_staffing": figures.meets_staffing,
                "meets_nursing_beds": figures.meets_nursing_beds,
            }
        )


class QualityCheckSerializer(ModelSerializer):
    class Meta:
        model = QualityCheck
        fields = ("id", "checked_on", "passed", "inspector", "note", "created_at")


class OperatingFundSerializer(ModelSerializer):
    class Meta:
        model = OperatingFund
        fields = ("id", "year", "operating_funds", "residents_basic_allowance")


class FacilitySerializer(ModelSerializer):
    kind = NamedChoiceField(Kind.choices, enum_name="FacilityKindEnum")
    status = NamedChoiceField(Status.choices, enum_name="FacilityStatusEnum")
    region = ScopedRegionField(
        Level.DISTRICT,
        Level.TOWNSHIP,
        Level.VILLAGE,
        help_text=_("code of the township or village it sits in"),
    )
    region_name = serializers.CharField(source="region.name", read_only=True)
    served_regions = ScopedRegionField(many=True, required=False, help_text=_("region codes"))
    lead_centre = ScopedPrimaryKeyField(
        queryset=Facility.objects.all(), required=False, allow_null=True
    )
    operators = ScopedOperatorField(
        many=True, required=False, help_text=_("usernames of facility-operator accounts")
    )
    figures = FiguresSerializer(source="*", read_only=True)

    class Meta:
        model = Facility
        fields = (
            "id",
            "kind",
            "name",
            "region",
            "region_name",
            "served_regions",
            "status",
            "status_on",
            "opened_on",
            "floor_area",
            "has_dining_room",
            "has_rest_room",
            "has_activity_room",
            "has_rehab_room",
            "has_library",
            "offers_day_care",
            "offers_rehabilitation",
            "offers_recreation",
            "offers_emergency_rescue",
            "model_happy_home",
            "model_happy_canteen",
            "model_happy_paradise",
            "siting",
            "large_village",
            "lead_centre",
            "retention",
            "legal_person_registered_on",
            "filed_on",
            "operation_mode",
            "operator_name",
            "run_by_institution_since",
            "operators",
            "notes",
            "figures",
            "created_at",
            "updated_at",
        )

    def validate(self, attrs):
        user = self.context["request"].user
        if self.instance is not None and not can_supervise(user):
            changed = [name for name in SUPERVISED_FACILITY_FIELDS if self._changes(attrs, name)]
            if changed:
                message = _("Only the bureau or township staff may change this.")
                raise serializers.ValidationError({name: [message] for name in changed})
        return attrs

    def _changes(self, attrs, name: str) -> bool:
        if name not in attrs:
            return False
        if name in ("served_regions", "operators"):
            return set(attrs[name]) != set(getattr(self.instance, name).all())
        return attrs[name] != getattr(self.instance, name)

    def create(self, validated_data):
        return self.update(None, validated_data)

    def update(self, instance, validated_data):
        served = validated_data.pop("served_regions", None)
        operators = validated_data.pop("operators", None)
        with domain_errors():
            return services.facility_save(
                by=self.context["request"].user,
                facility=instance,
                served_regions=served,
                operators=operators,
                **validated_data,
            )


class FacilityDetailSerializer(FacilitySerializer):
    quality_checks = QualityCheckSerializer(many=True, read_only=True)
    operating_funds = OperatingFundSerializer(many=True, read_only=True)

    class Meta(FacilitySerializer.Meta):
        fields = (*FacilitySerializer.Meta.fields, "quality_checks", "operating_funds")


class FacilityFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Kind.choices)
    status = filters.ChoiceFilter(choices=Status.choices)
    region = filters.CharFilter(method="filter_region", label=_("region code (any level)"))

    class Meta:
        model = Facility
        fields = ("kind", "status", "region")

    filter_region = region_filter("region__code")


class FacilityViewSet(ScopedViewSetMixin, ReadCreateUpdateViewSet):
    """Facilities of every kind with their figures today. None is deleted: a facility that
    closes or merges changes status, with the day it happened."""

    queryset = Facility.objects.all()
    serializer_class = FacilitySerializer
    permission_classes = (WriteRule,)
    filterset_class = FacilityFilter
    ordering_fields = ("name", "kind", "opened_on")

    def write_rule(self, user) -> bool:
        if self.action in ("update", "partial_update", "operating_funds"):
            return can_keep_ledgers(user)
        return can_supervise(user)  # create, quality checks

    def base_queryset(self):
        facilities = Facility.objects.select_related("region").prefetch_related(
            "served_regions", "operators"
        )
        if self.action == "retrieve":
            facilities = facilities.prefetch_related("quality_checks", "operating_funds")
        return selectors.with_figures(facilities, on=today())

    def get_serializer_class(self):
        if self.action == "retrieve":
            return FacilityDetailSerializer
        return FacilitySerializer

    @extend_schema(request=QualityCheckSerializer, responses={201: QualityCheckSerializer})
    @action(detail=True, methods=["post"], url_path="quality-checks")
    def quality_checks(self, request, pk=None):
        """Record a service-quality baseline check (GB/T 35796)."""
        facility = self.get_object()
        payload = QualityCheckSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with domain_errors():
            check = services.quality_check_record(
                by=request.user, facility=facility, **payload.validated_data
            )
        return Response(QualityCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=OperatingFundSerializer,
        responses={201: OperatingFundSerializer, 200: OperatingFundSerializer},
    )
    @action(detail=True, methods=["post"], url_path="operating-funds")
    def operating_funds(self, request, pk=None):
        """Set a year's operating funds; a second entry for the year replaces the first
        (answered 200; the first one 201)."""
        facility = self.get_object()
        payload = OperatingFundSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        year = payload.validated_data["year"]
        existed = OperatingFund.objects.filter(facility=facility, year=year).exists()
        with domain_errors():
            fund = services.operating_fund_record(
                by=request.user, facility=facility, **payload.validated_data
            )
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(OperatingFundSerializer(fund).data, status=code)


# --- beds --------------------------------------------------------------------------------


class BedSerializer(ServiceWritesMixin, ModelSerializer):
    facility = ScopedPrimaryKeyField(queryset=Facility.objects.all())
    facility_name = serializers.CharField(source="facility.name", read_only=True)
    occupied = serializers.BooleanField(read_only=True, help_text=_("someone stays in it now"))

    class Meta:
        model = Bed
        fields = ("id", "facility", "facility_name", "label", "kind", "in_use_from", "retired_on",
                  "occupied")  # fmt: skip
        read_only_fields = ("retired_on",)
        validators = []  # the service names the label that is taken

    create_service = staticmethod(services.bed_add)


class BedRetireSerializer(serializers.Serializer):
    retired_on = PlausibleDateField.like(Bed, "retired_on")


class BedFilter(filters.FilterSet):
    facility = IdFilter(field_name="facility_id")
    kind = filters.ChoiceFilter(choices=Bed._meta.get_field("kind").choices)
    current = filters.BooleanFilter(method="filter_current", label=_("in use today"))

    class Meta:
        model = Bed
        fields = ("facility", "kind", "current")

    def filter_current(self, queryset, name, value):
        day = today()
        in_use = queryset.filter(in_use_from__lte=day).exclude(retired_on__lte=day)
        return in_use if value else queryset.exclude(pk__in=in_use.values("pk"))


class BedViewSet(ScopedViewSetMixin, ReadCreateViewSet):
    """The beds of residential facilities. A bed is never deleted: it retires on a day
    (``POST …/{id}/retire/``), so the counts of earlier days keep it."""

    queryset = Bed.objects.all()
    serializer_class = BedSerializer
    permission_classes = (WriteRule,)
    filterset_class = BedFilter
    ordering_fields = ("label", "in_use_from")

    def write_rule(self, user) -> bool:
        return can_keep_ledgers(user)

    def base_queryset(self):
        taken = Placement.objects.filter(bed=OuterRef("pk"), discharged_on__isnull=True)
        return Bed.objects.select_related("facility").annotate(occupied=Exists(taken))

    @change_action(BedRetireSerializer, responses=BedSerializer)
    def retire(self, request, bed, data):
        services.bed_retire(by=request.user, bed=bed, **data)


# --- placements --------------------------------------------------------------------------


class PlacementSerializer(ServiceWritesMixin, ModelSerializer):
    senior = ScopedPrimaryKeyField(queryset=Senior.objects.all())
    senior_name = serializers.CharField(source="senior.name", read_only=True)
    facility = ScopedPrimaryKeyField(queryset=Facility.objects.all())
    facility_name = serializers.CharField(source="facility.name", read_only=True)
    bed = ScopedPrimaryKeyField(queryset=Bed.objects.all(), required=False, allow_null=True)
    bed_label = serializers.CharField(source="bed.label", read_only=True, default=None)

    class Meta:
        model = Placement
        fields = (
            "id",
            "senior",
            "senior_name",
            "facility",
            "facility_name",
            "bed",
            "bed_label",
            "kind",
            "admitted_on",
            "admission_reason",
            "discharged_on",
            "discharge_reason",
            "created_at",
        )
        read_only_fields = ("discharged_on", "discharge_reason")
        validators = []  # one open stay per senior and per bed: the service says which

    create_service = staticmethod(services.placement_admit)


class DischargeSerializer(serializers.Serializer):
    discharged_on = PlausibleDateField.like(Placement, "discharged_on")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class PlacementFilter(filters.FilterSet):
    facility = IdFilter(field_name="facility_id")
    senior = IdFilter(field_name="senior_id")
    kind = filters.ChoiceFilter(choices=PlacementKind.choices)
    open = filters.BooleanFilter(
        field_name="discharged_on", lookup_expr="isnull", label=_("not discharged")
    )

    class Meta:
        model = Placement
        fields = ("facility", "senior", "kind", "open")


class PlacementViewSet(ScopedViewSetMixin, ReadCreateViewSet):
    """A senior's stays in facilities: admission here, discharge by ``POST …/{id}/discharge/``.
    A senior has at most one open stay; a facility takes no more residents than beds."""

    queryset = Placement.objects.all()
    serializer_class = PlacementSerializer
    permission_classes = (WriteRule,)
    filterset_class = PlacementFilter
    ordering_fields = ("admitted_on", "discharged_on")

    def write_rule(self, user) -> bool:
        return can_keep_ledgers(user)

    def base_queryset(self):
        return Placement.objects.select_related("senior", "facility", "bed")

    @change_action(DischargeSerializer, responses=PlacementSerializer)
    def discharge(self, request, placement, data):
        services.placement_discharge(
            by=request.user,
            placement=placement,
            discharged_on=data["discharged_on"],
            reason=data.get("reason", ""),
        )


# --- staff and certificates --------------------------------------------------------------


class CertificateSerializer(ModelSerializer):
    valid = serializers.SerializerMethodField(help_text=_("issued and not expired today"))

    class Meta:
        model = Certificate
        fields = ("id", "number", "level", "issued_on", "expires_on", "valid")
        extra_kwargs = {"number": {"validators": []}}  # the service says the number is taken

    def get_valid(self, obj) -> bool:
        day = today()
        return obj.issued_on <= day and (obj.expires_on is None or obj.expires_on >= day)


class StaffSerializer(ServiceWritesMixin, PersonalNumbersMixin, ModelSerializer):
    """A person working at a facility; ID and phone numbers by ``audit.personal`` (masked in
    lists, in full on the member's record for the roles that may see them, logged)."""

    facility = ScopedPrimaryKeyField(queryset=Facility.objects.all())
    facility_name = serializers.CharField(source="facility.name", read_only=True)
    id_number = serializers.CharField(
        max_length=24,
        required=False,
        allow_blank=True,
        help_text=_("18 characters; masked for roles that do not need it"),
    )
    certificates = CertificateSerializer(many=True, read_only=True)

    class Meta:
        model = StaffMember
        fields = (
            "id",
            "facility",
            "facility_name",
            "name",
            "id_number",
            "phone",
            "role",
            "full_time",
            "started_on",
            "ended_on",
            "certificates",
        )

    create_service = staticmethod(services.staff_add)


class StaffEndSerializer(serializers.Serializer):
    ended_on = PlausibleDateField.like(StaffMember, "ended_on")


class StaffFilter(filters.FilterSet):
    facility = IdFilter(field_name="facility_id")
    role = filters.ChoiceFilter(choices=StaffRole.choices)
    current = filters.BooleanFilter(method="filter_current", label=_("working today"))

    class Meta:
        model = StaffMember
        fields = ("facility", "role", "current")

    def filter_current(self, queryset, name, value):
        working = queryset.working_on(today())
        return working if value else queryset.exclude(pk__in=working.values("pk"))


class StaffViewSet(ScopedViewSetMixin, ReadCreateViewSet):
    """The people working at facilities, with their certificates. Someone who leaves keeps
    their record with the day they left (``POST …/{id}/end/``)."""

    queryset = StaffMember.objects.all()
    serializer_class = StaffSerializer
    permission_classes = (WriteRule,)
    filterset_class = StaffFilter
    ordering_fields = ("name", "role", "started_on")

    def write_rule(self, user) -> bool:
        return can_keep_ledgers(user)

    def base_queryset(self):
        return StaffMember.objects.select_related("facility").prefetch_related("certificates")

    @change_action(StaffEndSerializer, responses=StaffSerializer)
    def end(self, request, member, data):
        services.staff_end(by=request.user, member=member, **data)

    @extend_schema(request=CertificateSerializer, responses={201: CertificateSerializer})
    @action(detail=True, methods=["post"])
    def certificates(self, request, pk=None):
        member = self.get_object()
        payload = CertificateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with domain_errors():
            certificate = services.certificate_add(
                by=request.user, member=member, **payload.validated_data
            )
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


# --- trainings ---------------------------------------------------------------------------


class TrainingSessionSerializer(ModelSerializer):
    region = ScopedRegionField(
        Level.DISTRICT,
        Level.TOWNSHIP,
        help_text=_("code of the district (district courses) or of a township"),
    )
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0.1"))
    attendance_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = TrainingSession
        fields = ("id", "kind", "title", "held_on", "organiser", "hours", "region",
                  "attendance_count")  # fmt: skip

    def create(self, validated_data):
        with domain_errors():
            session = services.training_session_create(
                by=self.context["request"].user, **validated_data
            )
        session.attendance_count = 0
        return session


class AttendanceSerializer(ModelSerializer):
    id_number = serializers.CharField(
        max_length=24, help_text=_("18 characters; tells people apart across sessions")
    )
    staff = ScopedPrimaryKeyField(
        queryset=StaffMember.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = TrainingAttendance
        fields = ("id", "session", "name", "id_number", "staff", "passed")
        read_only_fields = ("session", "passed")
        validators = []  # the same person twice is the service's idempotent answer

    def to_representation(self, instance):
        # a row of a session, not a person's record: masked for everyone (audit.personal)
        data = super().to_representation(instance)
        data["id_number"] = masked(instance.id_number, Number.ID)
        return data


class TrainedSummarySerializer(serializers.Serializer):
    on = PlausibleDateField()
    region = serializers.CharField(help_text=_("code prefix of the user's region"))
    director = serializers.IntegerField(help_text=_("distinct directors trained"))
    caregiver = serializers.IntegerField(help_text=_("distinct caregivers trained"))


class TrainingFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=TrainingKind.choices)
    region = filters.CharFilter(method="filter_region", label=_("region code (any level)"))
    since = DateFilter(field_name="held_on", lookup_expr="gte")
    until = DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = TrainingSession
        fields = ("kind", "region", "since", "until")

    filter_region = region_filter("region__code")


class TrainingViewSet(ScopedViewSetMixin, ReadCreateViewSet):
    """Training sessions for directors and caregivers (二(十)) and who attended them. A person
    is told apart by ID number: entered twice for a session, they are stored once."""

    queryset = TrainingSession.objects.all()
    serializer_class = TrainingSessionSerializer
    permission_classes = (WriteRule,)
    filterset_class = TrainingFilter
    ordering_fields = ("held_on", "title")

    def write_rule(self, user) -> bool:
        return can_supervise(user)

    def base_queryset(self):
        return (
            TrainingSession.objects.select_related("region")
            .annotate(attendance_count=Count("attendances"))
            .order_by("-held_on", "-id")  # a grouped query drops Meta.ordering
        )

    @extend_schema(methods=["GET"], responses=AttendanceSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"],
        request=AttendanceSerializer,
        responses={201: AttendanceSerializer, 200: AttendanceSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def attendances(self, request, pk=None):
        """Who attended. Posting the same ID number again answers 200 with the attendance
        stored the first time (201 when it is new)."""
        session = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            attendances = self.scoped(session.attendances.order_by("name", "id"))
            page = self.paginate_queryset(attendances.select_related("session"))
            rows = AttendanceSerializer(page, many=True, context=context).data
            return self.get_paginated_response(rows)
        payload = AttendanceSerializer(data=request.data, context=context)
        payload.is_valid(raise_exception=True)
        with domain_errors():
            attendance, created = services.training_attend(
                by=request.user, session=session, **payload.validated_data
            )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(AttendanceSerializer(attendance, context=context).data, status=code)

    @extend_schema(responses=TrainedSummarySerializer, filters=False)
    @action(detail=False, methods=["get"])
    def summary(self, request):
        """People trained up to today in the user's region, each counted once (二(十): 50
        directors and 300 caregivers district-wide)."""
        user = request.user
        prefix = scope_prefix(user) or ""
        sees_trainings = can_read_facilities(user)
        on = today()
        counts = {
            kind: selectors.trained_people(kind=kind, on=on, region_prefix=prefix)
            if sees_trainings
            else 0
            for kind in TrainingKind.values
        }
        return Response(TrainedSummarySerializer({"on": on, "region": prefix, **counts}).data)


# --- upgrade projects --------------------------------------------------------------------


class MilestoneSerializer(ModelSerializer):
    class Meta:
        model = Milestone
        fields = ("id", "name", "planned_on", "done_on")


class MilestoneWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text=_("an existing milestone to update"))
    name = serializers.CharField(max_length=100)
    planned_on = PlausibleDateField.like(Milestone, "planned_on", required=False, allow_null=True)
    done_on = PlausibleDateField.like(Milestone, "done_on", required=False, allow_null=True)


class IndicatorCheckWriteSerializer(serializers.Serializer):
    indicator = serializers.SlugRelatedField(
        slug_field="code", queryset=BasicIndicator.objects.all()
    )
    met = serializers.BooleanField()
    checked_on = PlausibleDateField.like(IndicatorCheck, "checked_on")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class IndicatorCheckSerializer(ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)

    class Meta:
        model = IndicatorCheck
        fields = ("id", "indicator", "indicator_name", "met", "checked_on", "note")


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string", "format": "decimal", "nullable": True},
        "example": {"district": "300000.00", "lottery": "120000.00"},
    }
)
class FundingField(serializers.DictField):
    """Funding as ``{source: amount}``; a source given 0 or null is removed. The sources are
    checked by the service (``FundingSource``)."""

    child = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), allow_null=True
    )

    def get_attribute(self, instance):
        return {row.source: row.amount for row in instance.funding.all()}


class UpgradeProjectSerializer(ServiceWritesMixin, ModelSerializer):
    facility = ScopedPrimaryKeyField(queryset=Facility.objects.all())
    facility_name = serializers.CharField(source="facility.name", read_only=True)
    kind = NamedChoiceField(ProjectKind.choices, enum_name="UpgradeProjectKindEnum")
    status = NamedChoiceField(ProjectStatus.choices, enum_name="UpgradeProjectStatusEnum")
    funding = FundingField(required=False)
    milestones = MilestoneSerializer(many=True, read_only=True)
    indicator_checks = IndicatorCheckSerializer(many=True, read_only=True)

    class Meta:
        model = UpgradeProject
        fields = (
            "id",
            "facility",
            "facility_name",
            "kind",
            "title",
            "budget",
            "funding",
            "status",
            "started_on",
            "completed_on",
            "award_amount",
            "award_paid_on",
            "notes",
            "milestones",
            "indicator_checks",
        )

    create_service = staticmethod(services.project_save)
    update_service = staticmethod(services.project_save)
    instance_name = "project"


class UpgradeProjectFilter(filters.FilterSet):
    facility = IdFilter(field_name="facility_id")
    status = filters.ChoiceFilter(choices=ProjectStatus.choices)
    kind = filters.ChoiceFilter(choices=ProjectKind.choices)
    region = filters.CharFilter(method="filter_region", label=_("region code (any level)"))

    class Meta:
        model = UpgradeProject
        fields = ("facility", "status", "kind", "region")

    filter_region = region_filter("facility__region__code")


class UpgradeProjectViewSet(ScopedViewSetMixin, ReadCreateUpdateViewSet):
    """Building and upgrade projects (新建, 改建, 提档升级, 补建) with their funding; milestones
    and basic-indicator checks are shown with each project. The award after building
    (先建后补, 三(二)) is paid only to a completed project."""

    queryset = UpgradeProject.objects.all()
    serializer_class = UpgradeProjectSerializer
    permission_classes = (WriteRule,)
    filterset_class = UpgradeProjectFilter
    ordering_fields = ("started_on", "completed_on", "budget")

    def write_rule(self, user) -> bool:
        return can_supervise(user)

    @extend_schema(request=MilestoneWriteSerializer, responses={200: MilestoneSerializer})
    @action(detail=True, methods=["post"])
    def milestones(self, request, pk=None):
        """Add a milestone, or (with ``id``) record its dates."""
        project = self.get_object()
        payload = MilestoneWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        milestone = None
        if "id" in data:
            milestone = project.milestones.filter(pk=data.pop("id")).first()
            if milestone is None:
                raise serializers.ValidationError({"id": [_("No such milestone in this project.")]})
        with domain_errors():
            saved = services.milestone_record(
                by=request.user, project=project, milestone=milestone, **data
            )
        code = status.HTTP_200_OK if milestone else status.HTTP_201_CREATED
        return Response(MilestoneSerializer(saved).data, status=code)

    @extend_schema(request=IndicatorCheckWriteSerializer, responses={200: IndicatorCheckSerializer})
    @action(detail=True, methods=["post"], url_path="indicator-checks")
    def indicator_checks(self, request, pk=None):
        """Record whether the finished facility meets one basic indicator (二(二))."""
        project = self.get_object()
        payload = IndicatorCheckWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with domain_errors():
            check = services.indicator_check_record(
                by=request.user, project=project, **payload.validated_data
            )
        return Response(IndicatorCheckSerializer(check).data)

    def base_queryset(self):
        return UpgradeProject.objects.select_related("facility").prefetch_related(
            "funding",
            "milestones",
            Prefetch(
                "indicator_checks",
                queryset=IndicatorCheck.objects.select_related("indicator").order_by(
                    "indicator__code"
                ),
            ),
        )
