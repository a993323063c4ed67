from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets

from api.permissions import ReadOnlyUnlessAdmin
from api.scoping import ScopedViewSetMixin
from api.serializers import ModelSerializer
from api.writes import ServiceWritesMixin
from regions import services
from regions.models import Level, Region


class RegionSerializer(ServiceWritesMixin, ModelSerializer):
    update_service = staticmethod(services.region_save)
    instance_name = "region"

    parent = serializers.CharField(source="parent_id", read_only=True, allow_null=True)
    children_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Region
        fields = (
            "code",
            "name",
            "short_name",
            "level",
            "kind",
            "urban_rural_code",
            "parent",
            "children_count",
        )
        # The code, level and place in the hierarchy are the official key: never edited.
        read_only_fields = ("code", "level", "kind", "parent")


class RegionFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=Level.choices)
    parent = filters.CharFilter(field_name="parent_id", label=_("parent code"))
    code = filters.CharFilter(field_name="code", label=_("code"))
    within = filters.CharFilter(
        method="filter_within", label=_("code of a region whose subtree to list")
    )
    q = filters.CharFilter(method="filter_q", label=_("name contains"))

    class Meta:
        model = Region
        fields = ("level", "parent", "code", "within", "q")

    def filter_within(self, queryset, name, value):
        region = Region.objects.filter(code=value).first()
        if region is None:
            return queryset.none()
        return queryset.subtree(region)

    def filter_q(self, queryset, name, value):
        return queryset.filter(name__contains=value)


class RegionViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Administrative divisions and villager groups in the user's subtree.

    Read-only for everyone but administrators, who may correct names (a village renamed);
    codes, levels and parents are the official key and do not change, and no region is
    deleted.
    """

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    permission_classes = (ReadOnlyUnlessAdmin,)
    filterset_class = RegionFilter
    ordering_fields = ("code", "name")
    ordering = ("code",)

    def base_queryset(self):
        return Region.objects.annotate(children_count=Count("children"))
