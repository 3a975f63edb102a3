from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("imports/template/<str:kind>/", views.TemplateView.as_view(), name="template"),
    path("imports/<int:pk>/errors/", views.ErrorReportView.as_view(), name="error_report"),
    path("imports/<int:pk>/progress/", views.ProgressView.as_view(), name="progress"),
    *views.importrun_views.urls("imports"),
]
