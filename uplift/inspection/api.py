"""REST API of sampling inspections: the records, and pass rates with their intervals."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from uplift.core.api import ObjectViewSet, ScopedModelSerializer

from . import filtersets, selectors, services
from .models import SamplingInspection


class SamplingInspectionSerializer(ScopedModelSerializer):
    class Meta:
        model = SamplingInspection
        fields = [
            "id",
            "enterprise",
            "region",
            "industry",
            "cluster",
            "product",
            "product_category",
            "batch_id",
            "sampled_on",
            "inspecting_body",
            "level",
            "result",
            "failed_items",
            "report_number",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["region", "industry"]


class RateSerializer(serializers.Serializer):
    passed = serializers.IntegerField()
    sampled = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    ci95 = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    method = serializers.CharField()
    small_sample = serializers.BooleanField()


class GroupRateSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    rate = RateSerializer()


class RatesSerializer(serializers.Serializer):
    overall = RateSerializer()
    groups = GroupRateSerializer(many=True)
    truncated = serializers.BooleanField(
        help_text=f"More than {selectors.GROUP_LIMIT} groups: only the largest are listed (the overall "
        "rate counts every batch)."
    )


class SamplingInspectionViewSet(ObjectViewSet):
    """Sampling inspections: one sampled batch and its result each, recorded by the bureau."""

    serializer_class = SamplingInspectionSerializer
    filterset_class = filtersets.InspectionFilterSet
    select_related = ("enterprise",)
    services = services
    service_prefix = "inspection"

    @extend_schema(
        summary="Pass rates",
        description="The pass rate (passed ÷ sampled batches) of the inspections matching the filters, "
        "with its 95% interval, and broken down by `by` (the largest groups first, at most "
        f"{selectors.GROUP_LIMIT}).",
        parameters=[OpenApiParameter("by", str, enum=sorted(selectors.GROUPINGS), default="year")],
        responses={200: RatesSerializer},
    )
    @action(detail=False, methods=["get"], url_path="rates", url_name="rates", pagination_class=None)
    def rates(self, request):
        by = request.query_params.get("by") or "year"
        if by not in selectors.GROUPINGS:
            raise serializers.ValidationError({"by": [f"One of: {', '.join(sorted(selectors.GROUPINGS))}."]})
        table = selectors.rate_table(self.filter_queryset(self.get_queryset()), by)
        return Response(
            {
                "overall": table.overall.as_dict(),
                "groups": [
                    {
                        "key": None if r["key"] is None else str(r["key"]),
                        "name": r["name"],
                        "rate": r["rate"].as_dict(),
                    }
                    for r in table.rows
                ],
                "truncated": table.truncated,
            }
        )
