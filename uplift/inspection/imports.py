"""The inspection app's import kind: sampled batches from a spot-check report, by batch id."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from uplift.imports.kinds import Context, Field, ImportKind, RowProblems
from uplift.imports.reading import parse_choice, parse_date, parse_text
from uplift.registry.imports import (
    cluster_named,
    credit_code,
    enterprise_named,
    load_clusters,
    load_enterprises,
)
from uplift.registry.models import ClusterMembership

from .choices import InspectionLevel, InspectionResult
from .models import SamplingInspection


def _level(value: Any) -> str | None:
    return parse_choice(value, InspectionLevel)


def _result(value: Any) -> str | None:
    return parse_choice(value, InspectionResult)


def _items(value: Any) -> str | None:
    """Failed items, one per line: a list written with 、；; in one cell is split into lines."""
    text = parse_text(value)
    if not text:
        return text
    for sep in ("；", ";", "、"):
        text = text.replace(sep, "\n")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


class InspectionImport(ImportKind):
    """Sampled batches and their results, matched by the batch id: the enterprise by its credit
    code (registered, inside the importer's area), the cluster by its name."""

    name = "inspections"
    label = pgettext_lazy("import kind", "Sampling inspections")
    model = SamplingInspection
    key = "batch_id"
    permissions = ("inspection.add_samplinginspection", "inspection.change_samplinginspection")
    checked_here = ("enterprise", "cluster", "region", "industry")
    fields = [
        Field(
            "batch_id",
            ("样品编号", "Batch id", "Sample number", "批次编号", "抽样单编号"),
            required=True,
            example="HB2018-CC-0001",
            help=gettext_lazy("The sample's number in the inspection report (unique)."),
        ),
        Field(
            "enterprise",
            ("受检企业统一社会信用代码", "Enterprise credit code", "统一社会信用代码", "Credit code"),
            credit_code,
            required=True,
            example="91420984MA49A1B2C8",
            help=gettext_lazy("The inspected enterprise, registered already."),
        ),
        Field("product", ("产品名称", "Product"), required=True, example="儿童自行车"),
        Field(
            "product_category",
            ("产品类别", "Product category", "Category"),
            required=True,
            example="儿童自行车",
            help=gettext_lazy("As in the spot-check plan."),
        ),
        Field(
            "sampled_on",
            ("抽样日期", "Sampled on", "Sampling date"),
            parse_date,
            required=True,
            example="2018-06-01",
            help=gettext_lazy("2018-06-01, 2018/6/1 or 2018年6月1日."),
        ),
        Field(
            "inspecting_body",
            ("检验机构", "Inspecting body", "承检机构"),
            required=True,
            example="湖北省产品质量监督检验研究院",
        ),
        Field(
            "level",
            ("抽查级别", "Level", "Spot-check level"),
            _level,
            required=True,
            example="省级监督抽查",
            options=lambda: [str(label) for label in InspectionLevel.labels],
        ),
        Field(
            "result",
            ("检验结论", "Result", "结论"),
            _result,
            required=True,
            example="合格",
            options=lambda: [str(label) for label in InspectionResult.labels],
        ),
        Field(
            "failed_items",
            ("不合格项目", "Failed items"),
            _items,
            help=gettext_lazy("For a failed batch: the test items it failed, separated by 、 or ；."),
        ),
        Field("report_number", ("报告编号", "Report number"), example="HBZJ2018-0601"),
        Field(
            "cluster",
            ("产业集群", "Cluster", "Industrial cluster"),
            example="汉川童车",
            help=gettext_lazy(
                "The cluster the product belongs to, by name (the enterprise must be a member)."
            ),
        ),
    ]

    def prepare(self, ctx: Context) -> None:
        load_clusters(ctx)

    def load(self, rows: list[dict[str, Any]], ctx: Context) -> None:
        load_enterprises(rows, ctx)
        # Every cluster the batch's enterprises are members of, not only the ones named: a row
        # updating a batch without a cluster column keeps the batch's cluster, checked too.
        ctx.data["memberships"] = set(
            ClusterMembership.objects.filter(
                enterprise__in=[e.pk for e in ctx.data["enterprises"].values()]
            ).values_list("enterprise_id", "cluster_id")
        )

    def supply(self, obj: Any, ctx: Context) -> None:
        obj.known_memberships = ctx.data["memberships"]

    def values(self, parsed: dict[str, Any], ctx: Context) -> dict[str, Any]:
        problems: dict[str, str] = {}
        out = {**parsed, "enterprise": enterprise_named(parsed["enterprise"], ctx, problems)}
        if "cluster" in parsed:  # a column the file does not have leaves the field as it is
            out["cluster"] = cluster_named(parsed["cluster"], ctx, problems) if parsed["cluster"] else None
        if problems:
            raise RowProblems(problems)
        return out

    def check(self, obj: Any, existing: Any, ctx: Context) -> dict[str, str]:
        problems: dict[str, str] = {}
        if not ctx.in_area(obj.enterprise.region_id):
            problems["enterprise"] = _("%(name)s is outside your bureau's area.") % {"name": obj.enterprise}
        if existing is not None and not ctx.in_area(existing.region_id):
            problems["batch_id"] = _("This batch is recorded for an enterprise outside your bureau's area.")
        return problems
