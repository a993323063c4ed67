"""``volunteers/``, ``teams/``, ``associations/``, ``mutual-aid-groups/``, ``assistants/``,
``pairings/`` and ``pairing-gaps/``: the people who help and the 结对扶老 rule (plan 二(七)).

Who reads: staff and assistants the records of their region; a volunteer their own record and
their own pairings (the querysets in ``volunteers.models`` decide). Who writes: the bureau and
township staff everywhere in their region, and a village assistant for their own village's
volunteers, groups and pairings (they run them day to day); elderly-care assistants are
appointed by the bureau or the township only.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets

from api.fields import PlausibleDateField, ScopedPrimaryKeyField, ScopedRegionField
from api.filters import IdFilter, region_filter
from api.permissions import WriteRule
from api.personal import PersonalNumbersMixin
from api.scoping import ScopedViewSetMixin
from api.serializers import ModelSerializer
from api.viewsets import ReadCreateUpdateViewSet, ReadCreateViewSet
from api.writes import ServiceWritesMixin, change_action
from regions.models import Level
from seniors.models import Senior
from volunteers import rules, services
from volunteers.models import (
    ElderlyCareAssistant,
    Group,
    GroupKind,
    Pairing,
    PairingMode,
    Volunteer,
)
from volunteers.pairings import (
    pairings_with_status,
    seniors_lacking_pairing,
    with_helper_load,
)


# --- volunteers ----------------------------------------------------------------------------
class VolunteerSerializer(ServiceWritesMixin, PersonalNumbersMixin, ModelSerializer):
    """A volunteer; the phone number by ``audit.personal`` (masked in lists, in full on the
    volunteer's record for the roles that may see it and for the volunteer themself)."""

    village = ScopedRegionField(Level.VILLAGE)
    villager_group = ScopedRegionField(Level.GROUP, required=False, allow_null=True)
    village_name = serializers.CharField(source="village.short_name", read_only=True)

    class Meta:
        model = Volunteer
        fields = (
            "id",
            "name",
            "phone",
            "kind",
            "village",
            "village_name",
            "villager_group",
            "user",
            "joined_on",
            "left_on",
        )
        read_only_fields = ("user",)

    create_service = staticmethod(services.volunteer_register)
    update_service = staticmethod(services.volunteer_update)
    instance_name = "volunteer"


class VolunteerFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Volunteer._meta.get_field("kind").choices)
    region = filters.CharFilter(method="filter_region")

    class Meta:
        model = Volunteer
        fields = ("kind", "region")

    filter_region = region_filter("village__code")


class VolunteerViewSet(ScopedViewSetMixin, ReadCreateUpdateViewSet):
    """Volunteers of the user's region (a volunteer: their own record). Nobody is deleted:
    a volunteer who stops gets ``left_on``."""

    queryset = Volunteer.objects.all()
    serializer_class = VolunteerSerializer
    permission_classes = (WriteRule,)
    filterset_class = VolunteerFilter
    ordering_fields = ("name", "joined_on")

    @staticmethod
    def write_rule(user) -> bool:
        return rules.can_run_volunteers(user)

    def base_queryset(self):
        return Volunteer.objects.select_related("village")


# --- groups --------------------------------------------------------------------------------
class GroupSerializer(ServiceWritesMixin, ModelSerializer):
    region = ScopedRegionField(Level.VILLAGE)
    region_name = serializers.CharField(source="region.short_name", read_only=True)
    members = ScopedPrimaryKeyField(queryset=Volunteer.objects.all(), many=True, required=False)

    class Meta:
        model = Group
        fields = (
            "id",
            "kind",
            "name",
            "region",
            "region_name",
            "founded_on",
            "dissolved_on",
            "leader",
            "members",
        )
        read_only_fields = ("kind",)

    def get_fields(self):
        fields = super().get_fields()
        kind = self.context["view"].kind
        level = Level.GROUP if kind == GroupKind.MUTUAL_AID_GROUP else Level.VILLAGE
        fields["region"] = ScopedRegionField(level)
        return fields

    create_service = staticmethod(services.group_create)
    update_service = staticmethod(services.group_update)
    instance_name = "group"

    def service_data(self, validated_data):
        if self.instance is None:
            return {"kind": self.context["view"].kind, **validated_data}
        return validated_data


class GroupFilter(filters.FilterSet):
    region = filters.CharFilter(method="filter_region")

    class Meta:
        model = Group
        fields = ("region",)

    filter_region = region_filter("region__code")


class _GroupViewSet(ScopedViewSetMixin, ReadCreateUpdateViewSet):
    kind: str = ""
    queryset = Group.objects.all()
    serializer_class = GroupSerializer
    permission_classes = (WriteRule,)
    filterset_class = GroupFilter
    ordering_fields = ("name", "founded_on")

    @staticmethod
    def write_rule(user) -> bool:
        return rules.can_run_volunteers(user)

    def base_queryset(self):
        return (
            Group.objects.filter(kind=self.kind)
            .select_related("region")
            .prefetch_related("members")
        )


class TeamViewSet(_GroupViewSet):
    """Volunteer teams (志愿服务队), one or more per village."""

    kind = GroupKind.VOLUNTEER_TEAM


class AssociationViewSet(_GroupViewSet):
    """Elders' associations (老年协会) of villages."""

    kind = GroupKind.ELDERS_ASSOCIATION


class MutualAidGroupViewSet(_GroupViewSet):
    """Mutual-aid service groups (互助服务小组) of villager groups."""

    kind = GroupKind.MUTUAL_AID_GROUP


# --- elderly-care assistants ---------------------------------------------------------------
class AssistantSerializer(ServiceWritesMixin, ModelSerializer):
    village = ScopedRegionField(Level.VILLAGE)
    volunteer = ScopedPrimaryKeyField(
        queryset=Volunteer.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = ElderlyCareAssistant
        fields = (
            "id",
            "village",
            "name",
            "volunteer",
            "user",
            "full_time",
            "started_on",
            "ended_on",
        )
        read_only_fields = ("user",)

    create_service = staticmethod(services.assistant_appoint)
    update_service = staticmethod(services.assistant_update)
    instance_name = "assistant"


class AssistantViewSet(ScopedViewSetMixin, ReadCreateUpdateViewSet):
    """Elderly-care assistants (养老助理) of villages; appointed by the bureau or township."""

    queryset = ElderlyCareAssistant.objects.all()
    serializer_class = AssistantSerializer
    permission_classes = (WriteRule,)
    filterset_class = None

    @staticmethod
    def write_rule(user) -> bool:
        return rules.can_appoint_assistants(user)

    def base_queryset(self):
        return ElderlyCareAssistant.objects.all()


# --- pairings ------------------------------------------------------------------------------
class PairingSerializer(ServiceWritesMixin, ModelSerializer):
    helper = ScopedPrimaryKeyField(queryset=Volunteer.objects.all())
    senior = ScopedPrimaryKeyField(queryset=Senior.objects.all())
    helper_name = serializers.CharField(source="helper.name", read_only=True)
    senior_name = serializers.CharField(source="senior.name", read_only=True)
    village = serializers.CharField(source="senior.village_id", read_only=True)
    visit_interval_days = serializers.IntegerField(
        min_value=1, required=False, help_text=_("Empty: the bureau's default for the mode")
    )
    last_visit = serializers.DateTimeField(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(read_only=True)
    helper_one_to_one = serializers.IntegerField(
        read_only=True, help_text=_("Open one-to-one pairings the helper holds today")
    )
    over_cap = serializers.BooleanField(
        read_only=True,
        help_text=_("A one-to-one pairing whose helper holds more than the policy allows"),
    )
    warning = serializers.SerializerMethodField()

    class Meta:
        model = Pairing
        fields = (
            "id",
            "helper",
            "helper_name",
            "senior",
            "senior_name",
            "village",
            "mode",
            "visit_interval_days",
            "started_on",
            "ended_on",
            "last_visit",
            "overdue",
            "helper_one_to_one",
            "over_cap",
            "warning",
        )
        read_only_fields = ("ended_on",)

    create_service = staticmethod(services.pairing_start)

    def to_representation(self, instance):
        if not hasattr(instance, "over_cap"):  # just created: no status annotations yet
            loaded = with_helper_load(Pairing.objects.filter(pk=instance.pk), timezone.localdate())
            instance.helper_one_to_one, instance.over_cap, instance.helper_cap = loaded.values_list(
                "helper_one_to_one", "over_cap", "helper_cap"
            ).get()
        data = super().to_representation(instance)
        data.setdefault("last_visit", None)
        data.setdefault("overdue", False)
        return data

    def get_warning(self, obj) -> str:
        """Empty, or why the pairing deserves a look (a warning: nothing is refused)."""
        if not getattr(obj, "over_cap", False):
            return ""
        return _(
            "“One-to-one”: this helper holds %(n)d one-to-one pairings; the bureau's policy "
            "expects at most %(cap)d."
        ) % {"n": obj.helper_one_to_one, "cap": obj.helper_cap}


class PairingEndSerializer(serializers.Serializer):
    ended_on = PlausibleDateField.like(Pairing, "ended_on")


class PairingFilter(filters.FilterSet):
    overdue = filters.BooleanFilter(field_name="overdue")
    mode = filters.ChoiceFilter(choices=PairingMode.choices)
    region = filters.CharFilter(method="filter_region")
    senior = IdFilter(field_name="senior_id")
    helper = IdFilter(field_name="helper_id")
    open = filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull")

    class Meta:
        model = Pairing
        fields = ("overdue", "mode", "region", "senior", "helper", "open")

    filter_region = region_filter("senior__village__code")


class PairingViewSet(ScopedViewSetMixin, ReadCreateViewSet):
    """结对扶老 pairings with the senior's last visit and whether the pairing is overdue today
    (``?overdue=true``): open, and more days than its interval since the later of the last
    visit and its start. A pairing is never deleted: ``POST …/{id}/end/``."""

    queryset = Pairing.objects.all()
    serializer_class = PairingSerializer
    permission_classes = (WriteRule,)
    filterset_class = PairingFilter
    ordering_fields = ("started_on", "last_visit")

    @staticmethod
    def write_rule(user) -> bool:
        return rules.can_run_volunteers(user)

    def base_queryset(self):
        return pairings_with_status(
            Pairing.objects.select_related("helper", "senior"), timezone.localdate()
        )

    @change_action(PairingEndSerializer, responses=PairingSerializer)
    def end(self, request, pairing, data):
        services.pairing_end(by=request.user, pairing=pairing, ended_on=data["ended_on"])


class PairingGapSerializer(ModelSerializer):
    township = serializers.SerializerMethodField()
    village_name = serializers.CharField(source="village.short_name", read_only=True)
    required_mode = serializers.CharField(
        read_only=True, help_text=_("one_to_one, or grid_or_area (any open pairing covers)")
    )

    class Meta:
        model = Senior
        fields = (
            "id",
            "name",
            "township",
            "village",
            "village_name",
            "villager_group",
            "living_situation",
            "required_mode",
        )

    def get_township(self, obj) -> str:
        return obj.village_id[:9] + "000"


class PairingGapFilter(filters.FilterSet):
    region = filters.CharFilter(method="filter_region")
    required_mode = filters.CharFilter(field_name="required_mode")

    class Meta:
        model = Senior
        fields = ("region", "required_mode")

    filter_region = region_filter("village__code")


class PairingGapViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Seniors who lack the pairing the rule asks for today: key targets (home-living 特困,
    低保/低收入, disabled seniors of 计划生育特殊家庭) without a one-to-one pairing, and other
    高龄/独居/留守 seniors without any."""

    queryset = Senior.objects.all()
    serializer_class = PairingGapSerializer
    filterset_class = PairingGapFilter
    ordering_fields = ("name", "village")
    ordering = ("village", "name", "id")

    def base_queryset(self):
        return seniors_lacking_pairing(
            Senior.objects.select_related("village"), timezone.localdate()
        )
