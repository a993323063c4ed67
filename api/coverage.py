"""``coverage/indicators/``, ``coverage/targets/``, ``coverage/snapshots/`` and
``coverage/recompute/``. Indicators and targets are the plan's reference data, the
same for every user with a region; snapshots are scoped like records (a township sees its own
values and its villages'); the bureau edits targets and queues recomputations."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Max
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from api.fields import PlausibleDateField
from api.filters import DateFilter, region_filter
from api.permissions import HasScope, WriteRule
from api.schema import ErrorsDocumentedSchema
from api.scoping import ScopedViewSetMixin
from api.serializers import ModelSerializer
from api.writes import ServiceWritesMixin
from coverage import cache, rules, services
from coverage.models import Comparison, Indicator, Plan, Snapshot, Target
from regions.scoping import can_see_region_code

LEVELS = [("", _("every level")), ("district", _("District")), ("township", _("Township")),
          ("village", _("Village"))]  # fmt: skip


class TargetSerializer(ServiceWritesMixin, ModelSerializer):
    update_service = staticmethod(services.target_save)
    instance_name = "target"

    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    comparison = serializers.ChoiceField(choices=Comparison.choices, required=False)
    level = serializers.ChoiceField(choices=LEVELS, required=False, allow_blank=True)

    class Meta:
        model = Target
        fields = ("id", "plan", "indicator", "value", "comparison", "level", "note")
        read_only_fields = ("id", "plan", "indicator")

    def validate_value(self, value):
        if value is not None and value < 0:
            raise serializers.ValidationError(_("A target cannot be negative."))
        return value


class IndicatorSerializer(ModelSerializer):
    target = serializers.SerializerMethodField()
    required_functions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Indicator
        fields = (
            "code", "name", "name_en", "group", "position", "plan_section", "unit",
            "numerator", "denominator", "each_facility", "min_area", "required_functions",
            "counting_note", "target",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(TargetSerializer(allow_null=True))
    def get_target(self, indicator):
        """The target of the plan in force today (None: tracked without one)."""
        target = self.context["targets"].get(indicator.pk)
        return TargetSerializer(target).data if target else None


class IndicatorViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The plan's indicators with the target of the plan in force today."""

    serializer_class = IndicatorSerializer
    permission_classes = (HasScope,)
    queryset = Indicator.objects.all()
    lookup_field = "code"
    pagination_class = None

    def dangerously_get_unscoped_queryset(self):
        # reference data, the same for every user with a region (HasScope has checked that)
        return Indicator.objects.order_by("position")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        plan = Plan.for_day(timezone.localdate())
        context["targets"] = (
            {t.indicator_id: t for t in Target.objects.filter(plan=plan).select_related("plan")}
            if plan
            else {}
        )
        return context


class TargetFilter(filters.FilterSet):
    plan = filters.CharFilter(field_name="plan__code")
    indicator = filters.CharFilter(field_name="indicator__code")

    class Meta:
        model = Target
        fields = ("plan", "indicator")


class TargetViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Targets of every plan; the bureau changes value, comparison, level and note (history
    keeps who changed what). A new plan's targets are added in the admin."""

    serializer_class = TargetSerializer
    permission_classes = (WriteRule,)
    queryset = Target.objects.all()
    filterset_class = TargetFilter

    def dangerously_get_unscoped_queryset(self):
        return Target.objects.select_related("plan", "indicator").order_by(
            "plan__due_on", "indicator__position"
        )

    def write_rule(self, user) -> bool:
        return rules.can_set_targets(user)


class FailingSerializer(serializers.Serializer):
    """An institution (or award) that fails the indicator on the day."""

    id = serializers.IntegerField(help_text=_("the facility's id"))
    name = serializers.CharField()
    why = serializers.CharField(
        help_text=_(
            "below, no_staff, no_report, no_check, check_failed, not_registered, small_area, "
            "missing_functions or paid_before_built"
        )
    )
    value = serializers.CharField(help_text=_("its figure, the year or the missing functions"))


def _decimal(value: Decimal | None, places: int) -> str | None:
    """``serializers.DecimalField``'s string at the model field's decimal places."""
    return None if value is None else f"{value.quantize(Decimal(1).scaleb(-places)):f}"


class SnapshotSerializer(ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    failing = FailingSerializer(many=True, read_only=True)
    region_name = serializers.CharField(source="region.short_name", read_only=True)
    region_level = serializers.CharField(source="region.level", read_only=True)

    class Meta:
        model = Snapshot
        fields = (
            "id", "date", "region", "region_name", "region_level", "indicator", "numerator",
            "denominator", "value", "target", "met", "judgement", "reason", "facilities",
            "facilities_meeting", "failing",
        )  # fmt: skip
        read_only_fields = fields

    def to_representation(self, snapshot):
        """The row read straight off the model, in the forms the fields above give: DRF's field
        by field reading, the nested ``failing`` list above all, cost more than the page's
        queries (``tests/test_loadtest_floors.py`` holds it to the lean floor's JSON)."""
        return {
            "id": snapshot.pk,
            "date": snapshot.date.isoformat(),
            "region": snapshot.region_id,
            "region_name": snapshot.region.short_name,
            "region_level": snapshot.region.level,
            "indicator": snapshot.indicator.code,
            "numerator": _decimal(snapshot.numerator, 2),
            "denominator": _decimal(snapshot.denominator, 2),
            "value": _decimal(snapshot.value, 4),
            "target": _decimal(snapshot.target, 4),
            "met": snapshot.met,
            "judgement": snapshot.judgement,
            "reason": snapshot.reason,
            "facilities": snapshot.facilities,
            "facilities_meeting": snapshot.facilities_meeting,
            "failing": [
                {"id": int(f["id"]), "name": str(f["name"]), "why": str(f["why"]),
                 "value": str(f["value"])}
                for f in snapshot.failing
            ],
        }  # fmt: skip


class SnapshotFilter(filters.FilterSet):
    region = filters.CharFilter(field_name="region_id", help_text=_("a region's code (exact)"))
    within = filters.CharFilter(
        method="filter_within", help_text=_("a region's code: it and all below it")
    )
    level = filters.CharFilter(field_name="region__level")
    indicator = filters.CharFilter(field_name="indicator__code")
    date = DateFilter(field_name="date", help_text=_("as of this day; default the newest"))
    date_from = DateFilter(field_name="date", lookup_expr="gte")
    date_to = DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Snapshot
        fields = ("region", "within", "level", "indicator", "date", "date_from", "date_to")

    # by name: a callable given as ``method`` is called without the filterset (a 500 the fuzzer
    # found, as was ``region_id__startswith``, a lookup a foreign key does not have)
    filter_within = region_filter("region__code")


class SnapshotViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Computed values; the newest day unless ``date`` (or a range) is asked for.

    A list in JSON is served from the cache of answers (``coverage.cache``) after the
    permission check, keyed by the whole query, the user's scope, the host (the page links are
    absolute) and the media type; it is read again once a run rewrote the snapshots of the
    region it is about (the region or ``within`` filter, else the user's region)."""

    serializer_class = SnapshotSerializer
    permission_classes = (HasScope,)
    queryset = Snapshot.objects.all()
    filterset_class = SnapshotFilter

    def base_queryset(self):
        return Snapshot.objects.select_related("indicator", "region").order_by(
            "-date", "region_id", "indicator__position"
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        params = self.request.query_params
        if self.action == "list" and not ({"date", "date_from", "date_to"} & set(params)):
            newest = queryset.aggregate(newest=Max("date"))["newest"]
            queryset = queryset.filter(date=newest) if newest else queryset.none()
        return queryset

    def list(self, request, *args, **kwargs):
        renderer = request.accepted_renderer
        if renderer.format != "json":  # the browsable API's page carries the user's name
            return super().list(request, *args, **kwargs)

        def build() -> bytes:
            response = super(SnapshotViewSet, self).list(request, *args, **kwargs)
            context = self.get_renderer_context()
            return renderer.render(response.data, request.accepted_media_type, context)

        what = (
            "snapshots",
            request.scheme,
            request.get_host(),
            request.accepted_media_type,
            sorted(request.query_params.lists()),
        )
        body = cache.cached(what, user=request.user, region=self._about(), build=build)
        charset = f"; charset={renderer.charset}" if renderer.charset else ""
        return HttpResponse(body, content_type=renderer.media_type + charset)

    def _about(self) -> str | None:
        """The narrowest region the answer lies within: the one filtered on when the user
        sees it, else the user's region (``None``: every region, an administrator's list)."""
        params, user = self.request.query_params, self.request.user
        for name in ("region", "within"):
            code = params.get(name, "")
            if len(code) == 12 and code.isdigit() and can_see_region_code(user, code):
                return code
        return None if user.is_superuser else user.region_id


class RecomputeSerializer(serializers.Serializer):
    date = PlausibleDateField.like(
        Snapshot, "date", required=False, help_text=_("as of this day; default today")
    )

    def validate_date(self, value: datetime.date) -> datetime.date:
        if value > timezone.localdate():
            raise serializers.ValidationError(_("Coverage cannot be computed for a future day."))
        if value < datetime.date(2021, 1, 1):
            raise serializers.ValidationError(_("The plan began in 2021: choose a later day."))
        return value


class RecomputeAnswerSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    run = serializers.IntegerField()
    date = PlausibleDateField()
    status = serializers.CharField()
    queued = serializers.BooleanField(
        help_text=_("false: a run for that day was already under way")
    )


class RecomputeView(APIView):
    """Queue a computation of every region (Celery). A run already queued or running for the
    same day is answered instead of starting a second one."""

    permission_classes = (HasScope,)
    schema = ErrorsDocumentedSchema()

    @extend_schema(request=RecomputeSerializer, responses={202: RecomputeAnswerSerializer})
    def post(self, request):
        if not rules.can_recompute(request.user):
            raise PermissionDenied(_("Only the civil affairs bureau queues recomputations."))
        form = RecomputeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        on = form.validated_data.get("date") or timezone.localdate()
        run, created = services.run_queue(on=on, by=request.user)
        run.refresh_from_db(fields=["status"])
        answer = {
            "task_id": run.task_id, "run": run.pk, "date": run.date, "status": run.status,
            "queued": created,
        }  # fmt: skip
        return Response(RecomputeAnswerSerializer(answer).data, status=status.HTTP_202_ACCEPTED)
