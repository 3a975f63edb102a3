from . import views

app_name = "registry"

urlpatterns = [
    *views.enterprise_views.urls("enterprises"),
    *views.cluster_views.urls("clusters"),
    *views.cluster_membership_views.urls("cluster-memberships"),
    *views.institution_views.urls("institutions"),
    *views.expert_views.urls("experts"),
    *views.station_views.urls("stations"),
    *views.region_views.urls("regions"),
    *views.industry_views.urls("industries"),
]
