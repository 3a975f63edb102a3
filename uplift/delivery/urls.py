from . import views

app_name = "delivery"

urlpatterns = [
    *views.project_views.urls("projects"),
    *views.grade_views.urls("grades"),
]
