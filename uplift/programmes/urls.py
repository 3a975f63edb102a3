from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("<slug:slug>/dashboard/", views.DashboardView.as_view(), name="dashboard"),
    *views.programme_views.urls("all"),
    *views.target_views.urls("targets"),
    *views.pilot_views.urls("pilots"),
]
