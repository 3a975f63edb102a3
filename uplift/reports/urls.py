"""Public pages, open to anyone without signing in (mounted at /public/)."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("tenders/", views.tender_list, name="tender_list"),
    path("tenders/<str:reference>/", views.tender_detail, name="tender_detail"),
    path("bulletin/", views.bulletin, name="bulletin"),
    path("benchmarks/", views.benchmarks, name="benchmarks"),
]
