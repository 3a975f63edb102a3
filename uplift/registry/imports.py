"""The registry's import kinds: enterprises (by unified social credit code)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from uplift.imports.kinds import Context, Field, ImportKind, RowProblems
from uplift.imports.reading import parse_choice, parse_date, parse_decimal, parse_int, parse_text

from .choices import IndustryLevel, SizeClass
from .models import ClusterMembership, Enterprise, IndustrialCluster, Industry, Region
from .validators import normalise_credit_code


def credit_code(value: Any) -> str | None:
    """A credit code cell, normalised (upper case, full-width folded); checked by the model."""
    text = parse_text(value)
    return normalise_credit_code(text) if text else None


def code_cell(value: Any) -> str | None:
    """A code cell: digits read as a number (420102.0) come back as text; "420102 汉川市" keeps
    the code."""
    text = parse_text(value)
    return text.split()[0] if text else None


def _size(value: Any) -> str | None:
    return parse_choice(value, SizeClass)


# --- References other kinds make to the registry -------------------------------------------


def load_clusters(ctx: Context) -> None:
    """Every cluster by name, once per run (there are tens, not millions)."""
    ctx.data["clusters"] = {c.name: c for c in IndustrialCluster.objects.all()}


def load_enterprises(rows: list[dict[str, Any]], ctx: Context, field: str = "enterprise") -> None:
    """The enterprises a batch's rows name by credit code (``field``), in one query."""
    codes = {r[field] for r in rows if r.get(field)}
    ctx.data["enterprises"] = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}


def enterprise_named(code: str, ctx: Context, problems: dict[str, str], field: str = "enterprise") -> Any:
    """The registered enterprise of ``code`` (loaded by :func:`load_enterprises`), or None with
    the problem said under ``field``."""
    enterprise = ctx.data["enterprises"].get(code)
    if enterprise is None:
        problems[field] = _("No enterprise with the credit code %(code)s is registered.") % {"code": code}
    return enterprise


def cluster_named(name: str, ctx: Context, problems: dict[str, str], field: str = "cluster") -> Any:
    """The cluster called ``name`` (loaded by :func:`load_clusters`), or None with the problem."""
    cluster = ctx.data["clusters"].get(name)
    if cluster is None:
        problems[field] = _("No cluster is named %(name)s.") % {"name": name}
    return cluster


class EnterpriseImport(ImportKind):
    """Enterprises, new or updated, matched by their unified social credit code. The region is a
    GB/T 2260 code (or a region's unique name) inside the importer's bureau; the industry a GB/T
    4754 division code."""

    name = "enterprises"
    label = pgettext_lazy("import kind", "Enterprises")
    model = Enterprise
    key = "credit_code"
    permissions = ("registry.add_enterprise", "registry.change_enterprise")
    checked_here = ("region", "industry")
    fields = [
        Field(
            "credit_code",
            ("统一社会信用代码", "Unified social credit code", "Credit code", "USCC"),
            credit_code,
            required=True,
            example="91420984MA49A1B2C8",
            help=gettext_lazy("18 characters (GB 32100-2015); the check character is verified."),
        ),
        Field(
            "name",
            ("企业名称", "Name", "Enterprise name", "Enterprise"),
            required=True,
            example="汉川市示例童车有限公司",
        ),
        Field(
            "region",
            ("所在地区代码", "Region code", "Region", "所在地区", "行政区划代码"),
            code_cell,
            required=True,
            example="420984",
            help=gettext_lazy("Six-digit GB/T 2260 code of the county or city, or its name."),
        ),
        Field(
            "industry",
            ("行业代码", "Industry code", "Industry", "所属行业"),
            code_cell,
            required=True,
            example="24",
            help=gettext_lazy("Two-digit GB/T 4754-2017 division (24: stationery, sporting goods and toys)."),
        ),
        Field(
            "size_class",
            ("企业规模", "Size class", "Size"),
            _size,
            example="小型",
            options=lambda: [str(label) for label in SizeClass.labels],
        ),
        Field("employees", ("从业人员数", "Employees", "从业人员"), parse_int, example=56),
        Field(
            "annual_revenue",
            ("年营业收入（元）", "Annual revenue (yuan)", "Annual revenue", "营业收入"),
            parse_decimal,
            example="12,800,000",
        ),
        Field("address", ("地址", "Address"), example="湖北省汉川市经济开发区"),
        Field("contact_person", ("联系人", "Contact person", "Contact"), example="张明"),
        Field("contact_phone", ("联系电话", "Contact phone", "Phone", "Telephone"), example="0712-8888888"),
    ]

    def prepare(self, ctx: Context) -> None:
        regions = dict(Region.objects.values_list("code", "name"))
        by_name: dict[str, list[str]] = {}
        for code, name in regions.items():
            by_name.setdefault(name, []).append(code)
        ctx.data.update(
            regions=regions,
            region_names=by_name,
            divisions={i.code: i for i in Industry.objects.filter(level=IndustryLevel.DIVISION)},
        )

    def values(self, parsed: dict[str, Any], ctx: Context) -> dict[str, Any]:
        out = dict(parsed)
        if "region" in out:
            code = out.pop("region")
            named = ctx.data["region_names"].get(code, [])
            out["region_id"] = named[0] if code not in ctx.data["regions"] and len(named) == 1 else code
        if "industry" in out:
            code = out.pop("industry")
            code = code.zfill(2) if code and code.isdigit() else code
            # The division itself (loaded once), so the model's own check needs no query per row.
            division = ctx.data["divisions"].get(code)
            out.update({"industry": division} if division else {"industry_id": code})
        return out

    def check(self, obj: Any, existing: Any, ctx: Context) -> dict[str, str]:
        problems = {}
        if obj.region_id not in ctx.data["regions"]:
            problems["region"] = _("Unknown region %(code)s: give a six-digit GB/T 2260 code.") % {
                "code": obj.region_id
            }
        elif not ctx.in_area(obj.region_id):
            problems["region"] = _("Region %(code)s is outside your bureau's area.") % {"code": obj.region_id}
        if obj.industry_id not in ctx.data["divisions"]:
            problems["industry"] = _(
                "Unknown industry division %(code)s: give a two-digit GB/T 4754 code."
            ) % {"code": obj.industry_id}
        if existing is not None and not ctx.in_area(existing.region_id):
            problems["credit_code"] = _(
                "This enterprise is registered in %(region)s, outside your bureau's area; "
                "its bureau updates it."
            ) % {"region": existing.region_id}
        return problems


class MembershipImport(ImportKind):
    """Cluster memberships: an enterprise (by credit code) in a cluster (by name) from a date;
    a membership already recorded has its date corrected. The cluster must be in the importer's
    area."""

    name = "memberships"
    label = pgettext_lazy("import kind", "Cluster memberships")
    model = ClusterMembership
    key = ("cluster", "enterprise")
    permissions = ("registry.add_clustermembership", "registry.change_clustermembership")
    checked_here = ("cluster", "enterprise")
    fields = [
        Field("cluster", ("产业集群", "Cluster", "Industrial cluster"), required=True, example="汉川童车"),
        Field(
            "enterprise",
            ("统一社会信用代码", "Unified social credit code", "Credit code", "USCC"),
            credit_code,
            required=True,
            example="91420984MA49A1B2C8",
            help=gettext_lazy("The member enterprise, registered already."),
        ),
        Field(
            "joined_on",
            ("加入日期", "Joined on", "Date joined"),
            parse_date,
            required=True,
            example="2018-03-01",
            help=gettext_lazy("2018-03-01, 2018/3/1 or 2018年3月1日."),
        ),
    ]

    def prepare(self, ctx: Context) -> None:
        load_clusters(ctx)

    def load(self, rows: list[dict[str, Any]], ctx: Context) -> None:
        load_enterprises(rows, ctx)

    def values(self, parsed: dict[str, Any], ctx: Context) -> dict[str, Any]:
        problems: dict[str, str] = {}
        out = {
            **parsed,
            "cluster": cluster_named(parsed["cluster"], ctx, problems),
            "enterprise": enterprise_named(parsed["enterprise"], ctx, problems),
        }
        if problems:
            raise RowProblems(problems)
        return out

    def check(self, obj: Any, existing: Any, ctx: Context) -> dict[str, str]:
        if not ctx.in_area(obj.cluster.region_id):
            return {"cluster": _("%(name)s is outside your bureau's area.") % {"name": obj.cluster}}
        return {}
