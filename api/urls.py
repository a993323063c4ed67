from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from api.auth import ApiTokenViewSet, LogoutAllView, LogoutView, TokenView
from api.claims import ServiceLogViewSet
from api.coverage import IndicatorViewSet, RecomputeView, SnapshotViewSet, TargetViewSet
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
from api.timebank import (
    AccountViewSet,
    CatalogueItemViewSet,
    RedemptionViewSet,
    SummaryViewSet,
    TransferViewSet,
)
from api.volunteers import (
    AssistantViewSet,
    AssociationViewSet,
    MutualAidGroupViewSet,
    PairingGapViewSet,
    PairingViewSet,
    TeamViewSet,
    VolunteerViewSet,
)

app_name = "api"

router = DefaultRouter()
router.register("auth/tokens", ApiTokenViewSet, basename="auth-token")
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
router.register("volunteers", VolunteerViewSet, basename="volunteer")
router.register("teams", TeamViewSet, basename="team")
router.register("associations", AssociationViewSet, basename="association")
router.register("mutual-aid-groups", MutualAidGroupViewSet, basename="mutual-aid-group")
router.register("assistants", AssistantViewSet, basename="assistant")
router.register("pairings", PairingViewSet, basename="pairing")
router.register("pairing-gaps", PairingGapViewSet, basename="pairing-gap")
router.register("timebank/accounts", AccountViewSet, basename="timebank-account")
router.register("timebank/redemptions", RedemptionViewSet, basename="timebank-redemption")
router.register("timebank/transfers", TransferViewSet, basename="timebank-transfer")
router.register("timebank/catalogue", CatalogueItemViewSet, basename="timebank-catalogue")
router.register("timebank/summary", SummaryViewSet, basename="timebank-summary")
router.register("timebank/service-logs", ServiceLogViewSet, basename="timebank-service-log")
router.register("coverage/indicators", IndicatorViewSet, basename="coverage-indicator")
router.register("coverage/targets", TargetViewSet, basename="coverage-target")
router.register("coverage/snapshots", SnapshotViewSet, basename="coverage-snapshot")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/logout/", LogoutView.as_view(), name="logout"),
    path("auth/logoutall/", LogoutAllView.as_view(), name="logoutall"),
    path("coverage/recompute/", RecomputeView.as_view(), name="coverage-recompute"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[AllowAny]),
        name="docs",
    ),
    path("", include(router.urls)),
]
