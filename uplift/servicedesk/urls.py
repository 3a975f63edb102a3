from . import views

app_name = "servicedesk"

urlpatterns = [
    *views.request_views.urls("requests"),
    *views.rule_views.urls("routing-rules"),
    *views.target_views.urls("response-targets"),
]
