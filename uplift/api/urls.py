"""The API's wiring: one router over every app's viewsets, the schema and its docs page."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from uplift.accounts import api as accounts
from uplift.core import api as core
from uplift.delivery import api as delivery
from uplift.excellence import api as excellence
from uplift.imports import api as imports
from uplift.indicators import api as indicators
from uplift.inspection import api as inspection
from uplift.notifications import api as notifications
from uplift.procurement import api as procurement
from uplift.programmes import api as programmes
from uplift.registry import api as registry
from uplift.servicedesk import api as servicedesk

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
router.register("procurement/tenders", procurement.TenderViewSet, basename="tender")
router.register("procurement/lots", procurement.LotViewSet, basename="lot")
router.register("procurement/criteria", procurement.CriterionViewSet, basename="criterion")
router.register("procurement/clarifications", procurement.ClarificationViewSet, basename="clarification")
router.register("procurement/bids", procurement.BidViewSet, basename="bid")
router.register("procurement/panel", procurement.PanelMemberViewSet, basename="panelmember")
router.register("procurement/score-sheets", procurement.ScoreSheetViewSet, basename="scoresheet")
router.register("procurement/awards", procurement.AwardViewSet, basename="award")
router.register("procurement/contracts", procurement.ContractViewSet, basename="contract")
router.register("procurement/milestones", procurement.MilestoneViewSet, basename="milestone")
router.register("procurement/payments", procurement.PaymentViewSet, basename="payment")
router.register("delivery/projects", delivery.ServiceProjectViewSet, basename="serviceproject")
router.register("delivery/kpis", delivery.ProjectKpiViewSet, basename="projectkpi")
router.register("delivery/activities", delivery.ActivityViewSet, basename="activity")
router.register("delivery/participations", delivery.ParticipationViewSet, basename="participation")
router.register("delivery/grades", delivery.GradeRecordViewSet, basename="graderecord")
router.register("delivery/problems", delivery.ProblemViewSet, basename="problem")
router.register("delivery/standards", delivery.StandardViewSet, basename="standard")
router.register("delivery/standard-work", delivery.StandardWorkViewSet, basename="standardwork")
router.register("delivery/evaluation-reports", delivery.EvaluationReportViewSet, basename="evaluationreport")
router.register("delivery/benefits", delivery.BenefitViewSet, basename="benefit")
router.register(
    "delivery/acceptance-criteria", delivery.AcceptanceCriterionViewSet, basename="acceptancecriterion"
)
router.register("delivery/acceptances", delivery.AcceptanceViewSet, basename="acceptance")
router.register("delivery/reviews", delivery.AcceptanceReviewViewSet, basename="acceptancereview")
router.register("inspection/inspections", inspection.SamplingInspectionViewSet, basename="samplinginspection")
router.register("indicators/indicators", indicators.EconomicIndicatorViewSet, basename="economicindicator")
router.register("excellence/frameworks", excellence.FrameworkViewSet, basename="framework")
router.register("excellence/self-assessments", excellence.SelfAssessmentViewSet, basename="selfassessment")
router.register("excellence/adoption-rules", excellence.AdoptionRuleViewSet, basename="adoptionrule")
router.register(
    "excellence/expert-assessments", excellence.ExpertAssessmentViewSet, basename="expertassessment"
)
router.register("excellence/expert-reviews", excellence.ExpertReviewViewSet, basename="expertreview")
router.register("excellence/benchmark-rules", excellence.BenchmarkRuleViewSet, basename="benchmarkrule")
router.register("excellence/benchmarks", excellence.BenchmarkViewSet, basename="benchmark")
router.register("servicedesk/requests", servicedesk.ServiceRequestViewSet, basename="servicerequest")
router.register("servicedesk/routing-rules", servicedesk.RoutingRuleViewSet, basename="routingrule")
router.register("servicedesk/response-targets", servicedesk.ResponseTargetViewSet, basename="responsetarget")
router.register("files", core.AttachmentViewSet, basename="attachment")
router.register("imports", imports.ImportRunViewSet, basename="importrun")
router.register("exports", core.ExportRunViewSet, basename="exportrun")
router.register("tokens", accounts.ApiTokenViewSet, basename="apitoken")
router.register("notifications", notifications.NotificationViewSet, basename="notification")

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("my-work/", core.MyWorkAPIView.as_view(), name="my_work"),
    path("", include(router.urls)),
    # Anything else under /api/ answers like the API (JSON), not with the site's HTML 404 page.
    re_path(r"^.*$", views.not_found),
]
