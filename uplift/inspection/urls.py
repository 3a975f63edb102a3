from django.urls import path

from . import views

app_name = "inspection"

urlpatterns = [
    path("rates/", views.PassRatesView.as_view(), name="rates"),
    *views.inspection_views.urls("inspections"),
]
