from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from api.auth import TokenView
from api.facilities import (
    BedViewSet,
    FacilityViewSet,
    PlacementViewSet,
    StaffViewSet,
    TrainingViewSet,
    UpgradeProjectViewSet,
)
from api.regions import RegionViewSet
from api.seniors import AssessmentViewSet, SeniorViewSet, VisitViewSet

app_name = "api"

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("seniors", SeniorViewSet, basename="senior")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("visits", VisitViewSet, basename="visit")
router.register("facilities", FacilityViewSet, basename="facility")
router.register("beds", BedViewSet, basename="bed")
router.register("placements", PlacementViewSet, basename="placement")
router.register("staff", StaffViewSet, basename="staff")
router.register("trainings", TrainingViewSet, basename="training")
router.register("upgrade-projects", UpgradeProjectViewSet, basename="upgrade-project")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", permission_classes=[AllowAny]),
        name="docs",
    ),
    path("", include(router.urls)),
]
