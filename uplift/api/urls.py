"""The API's wiring: one router over every app's viewsets, the schema and its docs page."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from uplift.programmes import api as programmes
from uplift.registry import api as registry

from . import views

router = DefaultRouter()
router.include_format_suffixes = False  # no ".json" twins of every route
router.register("registry/regions", registry.RegionViewSet, basename="region")
router.register("registry/industries", registry.IndustryViewSet, basename="industry")
router.register("registry/enterprises", registry.EnterpriseViewSet, basename="enterprise")
router.register("registry/clusters", registry.ClusterViewSet, basename="industrialcluster")
router.register(
    "registry/cluster-memberships", registry.ClusterMembershipViewSet, basename="clustermembership"
)
router.register("registry/institutions", registry.ServiceInstitutionViewSet, basename="serviceinstitution")
router.register("registry/experts", registry.ExpertViewSet, basename="expert")
router.register("registry/stations", registry.ServiceStationViewSet, basename="servicestation")
router.register("programmes/programmes", programmes.ProgrammeViewSet, basename="programme")
router.register("programmes/targets", programmes.TargetViewSet, basename="target")
router.register("programmes/pilots", programmes.PilotProjectViewSet, basename="pilotproject")

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    # Anything else under /api/ answers like the API (JSON), not with the site's HTML 404 page.
    re_path(r"^.*$", views.not_found),
]
