from . import views

app_name = "indicators"

urlpatterns = [*views.indicator_views.urls("indicators")]
