"""``timebank/service-logs/``: volunteers' claims of hours and their verification."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.errors import domain_errors
from api.fields import ScopedPrimaryKeyField
from api.filters import IdFilter, IsoDateTimeFilter, region_filter
from api.idempotency import IdempotentCreateMixin
from api.permissions import WriteRule
from api.scoping import ScopedViewSetMixin
from api.serializers import ModelSerializer
from api.viewsets import ReadCreateViewSet
from seniors.models import Senior
from volunteers import claims, rules
from volunteers.models import ClaimStatus, ServiceLog, Volunteer


class ServiceLogSerializer(ModelSerializer):
    volunteer = ScopedPrimaryKeyField(
        queryset=Volunteer.objects.all(),
        required=False,
        help_text=_("Leave out to claim for yourself."),
    )
    # The senior's scope is checked by the service (a volunteer sees no seniors' ledger, but
    # may claim for the seniors of their village); an unknown id is the same 400.
    senior = serializers.PrimaryKeyRelatedField(queryset=Senior.objects.all())
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)
    senior_name = serializers.CharField(source="senior.name", read_only=True)
    # plain text in the schema: an enum named after "status" would collide with the seniors'
    status = serializers.CharField(read_only=True, help_text="submitted / verified / rejected")

    class Meta:
        model = ServiceLog
        fields = (
            "id",
            "volunteer",
            "volunteer_name",
            "senior",
            "senior_name",
            "service_type",
            "started_at",
            "ended_at",
            "hours",
            "notes",
            "status",
            "reject_reason",
            "decided_by",
            "decided_at",
            "client_uuid",
            "from_paper",
            "entered_by",
            "visit",
            "movement",
            "created_at",
        )
        read_only_fields = (
            "hours",
            "status",
            "reject_reason",
            "decided_by",
            "decided_at",
            "entered_by",
            "visit",
            "movement",
        )
        # a repeated client_uuid is the idempotent retry, answered by the service, not a 400
        extra_kwargs = {"client_uuid": {"validators": []}, "service_type": {"max_length": 16}}

    def create(self, validated_data):
        user = self.context["request"].user
        volunteer = validated_data.pop("volunteer", None)
        if volunteer is None:
            volunteer = Volunteer.objects.filter(user=user).first()
            if volunteer is None:
                raise serializers.ValidationError(
                    {"volunteer": [_("Choose the volunteer who gave the service.")]}
                )
        with domain_errors():
            claim, created = claims.claim_submit(by=user, volunteer=volunteer, **validated_data)
        self.created = created
        return claim


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ServiceLogFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ClaimStatus.choices)
    senior = IdFilter(field_name="senior_id")
    volunteer = IdFilter(field_name="volunteer_id")
    region = filters.CharFilter(method="filter_region")
    since = IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")

    class Meta:
        model = ServiceLog
        fields = ("status", "senior", "volunteer", "region", "since")

    filter_region = region_filter("senior__village__code")


class ServiceLogViewSet(ScopedViewSetMixin, IdempotentCreateMixin, ReadCreateViewSet):
    """Claims of hours. A volunteer sees and submits their own; an assistant or staff sees the
    claims for the seniors of their region, enters paper records (``from_paper``) and verifies
    or rejects. Send a ``client_uuid``: the same request again answers 200 with the first claim
    (another user or other content under it: 400)."""

    queryset = ServiceLog.objects.all()
    serializer_class = ServiceLogSerializer
    permission_classes = (WriteRule,)
    filterset_class = ServiceLogFilter
    ordering_fields = ("started_at", "created_at")

    @staticmethod
    def write_rule(user) -> bool:
        return rules.can_submit_claims(user)

    def base_queryset(self):
        return ServiceLog.objects.select_related("volunteer", "senior")

    @extend_schema(request=None, responses=ServiceLogSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        claim = self.get_object()
        with domain_errors():
            claim = claims.claim_verify(by=request.user, claim=claim)
        return Response(self.get_serializer(claim).data)

    @extend_schema(request=RejectSerializer, responses=ServiceLogSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        claim = self.get_object()
        payload = RejectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with domain_errors():
            claim = claims.claim_reject(
                by=request.user, claim=claim, reason=payload.validated_data["reason"]
            )
        return Response(self.get_serializer(claim).data)
