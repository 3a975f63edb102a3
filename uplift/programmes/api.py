"""REST API of programmes, targets, pilots and the dashboard figures."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from uplift.core.api import ObjectViewSet, ScopedModelSerializer

from . import filtersets, services
from .charts import comparison_rows, dashboard_charts
from .metrics import METRICS, dashboard
from .models import PilotProject, Programme, Target
from .views import dashboard_scope


class ProgrammeSerializer(ScopedModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "slug",
            "name",
            "region",
            "start_date",
            "end_date",
            "budget",
            "description",
            "excellent_from",
            "good_from",
            "pass_from",
            "created_at",
            "updated_at",
        ]


class TargetSerializer(ScopedModelSerializer):
    metric = serializers.ChoiceField(choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [(m.name, str(m.label)) for m in METRICS.values()]

    class Meta:
        model = Target
        fields = [
            "id",
            "programme",
            "metric",
            "region",
            "value",
            "deadline",
            "parent",
            "created_at",
            "updated_at",
        ]


class PilotProjectSerializer(ScopedModelSerializer):
    class Meta:
        model = PilotProject
        fields = [
            "id",
            "programme",
            "cluster",
            "institution",
            "started_on",
            "goals",
            "created_at",
            "updated_at",
        ]


FIGURE_FIELDS = {
    "name": serializers.CharField(),
    "label": serializers.CharField(),
    "unit": serializers.CharField(),
    "value": serializers.FloatField(),
    "target": serializers.FloatField(allow_null=True),
    "progress": serializers.FloatField(allow_null=True, help_text=_("Percent of target reached")),
    "url": serializers.CharField(help_text=_("The list of the records counted")),
}


class FigureCellSerializer(serializers.Serializer):
    """One metric's value in a row of the dashboard, with its share of the target and drill-down."""

    metric = serializers.CharField()
    value = serializers.FloatField()
    target = serializers.FloatField(allow_null=True, required=False)
    url = serializers.CharField()


class ProgrammeViewSet(ObjectViewSet):
    """Programmes, with their dashboard figures."""

    serializer_class = ProgrammeSerializer
    filterset_class = filtersets.ProgrammeFilterSet
    services = services
    lookup_field = "slug"

    @extend_schema(
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="GB/T 2260 code to narrow to"),
            OpenApiParameter("cluster", OpenApiTypes.INT, description="Industrial cluster id"),
        ],
        responses=inline_serializer(
            "Dashboard",
            {
                "programme": serializers.CharField(),
                "region": serializers.CharField(),
                "figures": inline_serializer("Figure", FIGURE_FIELDS, many=True),
                "by_region": inline_serializer(
                    "DashboardRegion",
                    {
                        "code": serializers.CharField(),
                        "name": serializers.CharField(),
                        "cells": FigureCellSerializer(many=True),
                    },
                    many=True,
                ),
                "by_cluster": inline_serializer(
                    "DashboardCluster",
                    {
                        "cluster": serializers.IntegerField(),
                        "name": serializers.CharField(),
                        "institution": serializers.CharField(allow_null=True),
                        "cells": FigureCellSerializer(many=True),
                        "pass_rate": serializers.JSONField(allow_null=True),
                    },
                    many=True,
                ),
                "funnel": inline_serializer(
                    "FunnelStage",
                    {
                        "name": serializers.CharField(),
                        "label": serializers.CharField(),
                        "value": serializers.IntegerField(),
                        "target": serializers.FloatField(allow_null=True),
                        "progress": serializers.FloatField(allow_null=True),
                        "url": serializers.CharField(),
                        "within_previous": serializers.JSONField(allow_null=True),
                    },
                    many=True,
                ),
                "pass_rate_change": serializers.JSONField(
                    help_text="Each pilot cluster's pass rate the year before and during the programme."
                ),
                "charts": serializers.JSONField(
                    help_text="The dashboard's chart specifications by element id, with drill-down URLs."
                ),
            },
        ),
    )
    @action(detail=True, methods=["get"])
    def dashboard(self, request, slug=None):
        """Each metric against its target, by child region and by pilot cluster, with drill-down URLs."""
        if not request.user.has_perm("programmes.view_target"):
            raise PermissionDenied
        programme = self.get_object()
        data = dashboard(dashboard_scope(request, programme))
        charts = dashboard_charts(data)
        return Response(
            {
                "programme": programme.slug,
                "region": data["region"].code,
                "figures": [
                    {**k, "label": str(k["label"]), "unit_label": str(k["unit_label"])} for k in data["kpis"]
                ],
                "by_region": [{k: r[k] for k in ("code", "name", "cells")} for r in data["by_region"]],
                "by_cluster": [
                    {
                        "cluster": r["cluster"].pk,
                        "name": r["cluster"].name,
                        "institution": r["institution"].name if r["institution"] else None,
                        "cells": r["cells"],
                        "pass_rate": r["pass_rate"].as_dict() if r["pass_rate"] else None,
                    }
                    for r in data["by_cluster"]
                ],
                "funnel": [
                    {
                        **stage,
                        "label": str(stage["label"]),
                        "within_previous": stage["within_previous"]
                        and {**stage["within_previous"], "of": str(stage["within_previous"]["of"])},
                    }
                    for stage in data["funnel"]
                ],
                "pass_rate_change": comparison_rows(charts["comparison"]),
                "charts": charts["specs"],
            }
        )


class TargetViewSet(ObjectViewSet):
    """Targets of programmes, and their shares by region."""

    serializer_class = TargetSerializer
    filterset_class = filtersets.TargetFilterSet
    services = services


class PilotProjectViewSet(ObjectViewSet):
    """Pilot clusters of programmes."""

    serializer_class = PilotProjectSerializer
    filterset_class = filtersets.PilotProjectFilterSet
    services = services
    service_prefix = "pilot"
