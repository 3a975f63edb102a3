from . import views

app_name = "delivery"

urlpatterns = [
    *views.project_views.urls("projects"),
    *views.kpi_views.urls("kpis"),
    *views.activity_views.urls("activities"),
    *views.participation_views.urls("participations"),
    *views.grade_views.urls("grades"),
]
