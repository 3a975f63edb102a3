from uplift.core.views import ObjectViews

from . import filtersets, forms, services, tables
from .models import (
    ClusterMembership,
    Enterprise,
    Expert,
    IndustrialCluster,
    Industry,
    Region,
    ServiceInstitution,
    ServiceStation,
)


def enterprise_extra(obj, user):
    from uplift.excellence import selectors as excellence

    memberships = (
        ClusterMembership.objects.visible_to(user).filter(enterprise=obj).select_related("cluster__region")
    )
    return {"memberships": memberships, "excellence": excellence.enterprise_status(obj, user)}


def cluster_extra(obj, user):
    """Members and pilots; the cluster's sampling pass rate by year and its growth, for whoever
    may read those records (each figure links to them)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from uplift.indicators.choices import IndicatorKind
    from uplift.indicators.models import EconomicIndicator
    from uplift.indicators.selectors import cagr, series
    from uplift.inspection.models import SamplingInspection
    from uplift.inspection.selectors import rates_by
    from uplift.programmes.models import PilotProject

    batches = reverse("inspection:samplinginspection_list")

    def year_url(year: int) -> str:
        return (
            batches + "?" + urlencode({"cluster": obj.pk, "since": f"{year}-01-01", "until": f"{year}-12-31"})
        )

    years = [
        {**row, "url": year_url(row["key"])}
        for row in rates_by(SamplingInspection.objects.visible_to(user).filter(cluster=obj), "year")
    ]
    indicators = reverse("indicators:economicindicator_list")
    growth = []
    for kind in (IndicatorKind.OUTPUT_VALUE, IndicatorKind.SALES_REVENUE):
        rows = series(
            EconomicIndicator.objects.visible_to(user).filter(cluster=obj, enterprise__isnull=True, kind=kind)
        )
        result = cagr(rows)
        if result:
            growth.append(
                {
                    "label": kind.label,
                    "percent": 100 * result["value"],
                    "from_year": result["from_year"],
                    "to_year": result["to_year"],
                    "url": f"{indicators}?{urlencode({'cluster': obj.pk, 'kind': kind.value})}",
                }
            )
    return {
        "member_count": ClusterMembership.objects.visible_to(user).filter(cluster=obj).count(),
        "pilots": PilotProject.objects.visible_to(user)
        .filter(cluster=obj)
        .select_related("programme", "institution"),
        "pass_rates": sorted(years, key=lambda r: r["key"]),
        "rates_url": f"{reverse('inspection:rates')}?{urlencode({'cluster': obj.pk})}",
        "growth": growth,
    }


region_views = ObjectViews(
    model=Region,
    table=tables.RegionTable,
    filterset=filtersets.RegionFilterSet,
    detail_fields=["code", "name", "level", "parent", "longitude", "latitude"],
    select_related=("parent",),
)
industry_views = ObjectViews(
    model=Industry,
    table=tables.IndustryTable,
    filterset=filtersets.IndustryFilterSet,
    detail_fields=["code", "name", "name_en", "level", "parent"],
    select_related=("parent",),
)
enterprise_views = ObjectViews(
    model=Enterprise,
    table=tables.EnterpriseTable,
    filterset=filtersets.EnterpriseFilterSet,
    form=forms.EnterpriseForm,
    services=services,
    select_related=("region", "industry"),
    detail_fields=[
        "credit_code",
        "name",
        "region",
        "industry",
        "size_class",
        "employees",
        "annual_revenue",
        "address",
        "contact_person",
        "contact_phone",
    ],
    detail_template="registry/enterprise_detail.html",
    detail_extra=enterprise_extra,
)
cluster_views = ObjectViews(
    model=IndustrialCluster,
    table=tables.ClusterTable,
    filterset=filtersets.ClusterFilterSet,
    form=forms.ClusterForm,
    services=services,
    service_prefix="cluster",
    select_related=("region", "lead_industry"),
    detail_fields=["name", "region", "lead_industry", "description"],
    detail_template="registry/industrialcluster_detail.html",
    detail_extra=cluster_extra,
)
cluster_membership_views = ObjectViews(
    model=ClusterMembership,
    table=tables.ClusterMembershipTable,
    filterset=filtersets.ClusterMembershipFilterSet,
    form=forms.ClusterMembershipForm,
    services=services,
    service_prefix="cluster_membership",
    select_related=("cluster", "enterprise"),
    detail_fields=["cluster", "enterprise", "joined_on"],
)
institution_views = ObjectViews(
    model=ServiceInstitution,
    table=tables.ServiceInstitutionTable,
    filterset=filtersets.ServiceInstitutionFilterSet,
    form=forms.ServiceInstitutionForm,
    services=services,
    service_prefix="institution",
    select_related=("region",),
    detail_fields=[
        "name",
        "credit_code",
        "region",
        "cma_number",
        "cnas_number",
        "services",
        "contact_person",
        "contact_phone",
        "contact_email",
        "address",
    ],
)
expert_views = ObjectViews(
    model=Expert,
    table=tables.ExpertTable,
    filterset=filtersets.ExpertFilterSet,
    form=forms.ExpertForm,
    services=services,
    select_related=("region",),
    detail_fields=["name", "employer", "title", "region", "specialties", "industries", "phone", "email"],
)
station_views = ObjectViews(
    model=ServiceStation,
    table=tables.ServiceStationTable,
    filterset=filtersets.ServiceStationFilterSet,
    form=forms.ServiceStationForm,
    services=services,
    service_prefix="station",
    select_related=("region", "cluster", "operator"),
    detail_fields=["name", "region", "cluster", "operator", "address", "phone", "opened_on"],
)
