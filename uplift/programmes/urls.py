from django.urls import path

from uplift.reports.views import programme_report

from . import views

app_name = "programmes"

urlpatterns = [
    path("<slug:slug>/dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("<slug:slug>/report.<str:fmt>", programme_report, name="report"),
    *views.programme_views.urls("all"),
    *views.target_views.urls("targets"),
    *views.pilot_views.urls("pilots"),
]
