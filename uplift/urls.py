from django.urls import include, path
from django.views.i18n import set_language

from uplift.programmes.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("uplift.accounts.urls")),
    path("registry/", include("uplift.registry.urls")),
    path("programmes/", include("uplift.programmes.urls")),
    path("procurement/", include("uplift.procurement.urls")),
    path("delivery/", include("uplift.delivery.urls")),
    path("inspection/", include("uplift.inspection.urls")),
    path("indicators/", include("uplift.indicators.urls")),
    path("excellence/", include("uplift.excellence.urls")),
    path("servicedesk/", include("uplift.servicedesk.urls")),
    path("", include("uplift.imports.urls")),
    path("public/", include("uplift.reports.urls")),
    path("", include("uplift.notifications.urls")),
    path("", include("uplift.core.urls")),
    path("api/", include("uplift.api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
]
