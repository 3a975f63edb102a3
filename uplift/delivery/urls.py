from . import views

app_name = "delivery"

urlpatterns = [
    *views.project_views.urls("projects"),
    *views.kpi_views.urls("kpis"),
    *views.activity_views.urls("activities"),
    *views.participation_views.urls("participations"),
    *views.grade_views.urls("grades"),
    *views.problem_views.urls("problems"),
    *views.standard_views.urls("standards"),
    *views.standard_work_views.urls("standard-work"),
    *views.evaluation_report_views.urls("evaluation-reports"),
    *views.benefit_views.urls("benefits"),
    *views.criterion_views.urls("acceptance-criteria"),
    *views.acceptance_views.urls("acceptances"),
    *views.review_views.urls("reviews"),
]
