"""Sampling inspections of the Hubei demo: 2017 (before the programme) and 2018 (during it).

Hanchuan's children's vehicles reproduce the published figure exactly: 64 of 91 batches passed in
2017 (70.3%) and 95 of 100 in 2018 (95%), the same 40 makers sampled both years, so the change
carries its interval, a two-proportion test and McNemar's test. Each of the twelve pilot clusters
has 2017 and 2018 batches too, with rates that rise by a few points — some by less than their
intervals can tell. Runs before delivery's results (the projects' pass-rate KPIs read the
batches); recorded by the province officer.
"""

from __future__ import annotations

import datetime
import random

from uplift.accounts.models import User
from uplift.registry.models import ClusterMembership, IndustrialCluster

from . import services
from .choices import InspectionLevel, InspectionResult
from .models import SamplingInspection

HANCHUAN = "汉川小童车"
#: (year, batches, failed) for Hanchuan: 64/91 = 70.3%, 95/100 = 95%.
HANCHUAN_YEARS = [(2017, 91, 27), (2018, 100, 5)]
HANCHUAN_MAKERS = 40
PRODUCTS = {
    HANCHUAN: [
        ("儿童自行车", "儿童自行车"),
        ("儿童推车", "童车"),
        ("婴儿学步车", "童车"),
        ("儿童三轮车", "童车"),
    ],
    "仙桃休闲女装": [("女式休闲裤", "服装"), ("女式衬衫", "服装")],
    "潜江小龙虾": [("冷冻调理小龙虾", "水产制品"), ("小龙虾虾仁", "水产制品")],
    "蕲春蕲艾": [("艾条", "艾制品"), ("艾叶精油", "艾制品")],
    "宜昌柑橘": [("鲜柑橘", "水果")],
    "恩施硒产品": [("富硒茶", "茶叶")],
}
DEFAULT_PRODUCTS = [("主导产品", "工业产品")]
FAILED_ITEMS = {
    HANCHUAN: ["刹车性能", "锐利边缘", "标识和使用说明", "折叠机构锁定"],
    "仙桃休闲女装": ["纤维含量", "使用说明"],
}
DEFAULT_FAILED = ["标签标识", "出厂检验项目"]
BODIES = ["湖北省产品质量监督检验研究院", "湖北省纤维检验局", "湖北省食品质量安全监督检验研究院"]


def _dates(year: int, n: int) -> list[datetime.date]:
    """``n`` sampling days spread from April to November of ``year``."""
    start = datetime.date(year, 4, 1)
    return [start + datetime.timedelta(days=(i * 240) // max(n, 1)) for i in range(n)]


def _record(officer, cluster, makers, year, batches, failed, rng) -> None:
    products = PRODUCTS.get(cluster.name, DEFAULT_PRODUCTS)
    failed_items = FAILED_ITEMS.get(cluster.name, DEFAULT_FAILED)
    fails = set(rng.sample(range(batches), failed))
    for i, day in enumerate(_dates(year, batches)):
        enterprise = makers[i % len(makers)]
        product, category = products[i % len(products)]
        fail = i in fails
        services.inspection_create(
            actor=officer,
            enterprise=enterprise,
            cluster=cluster,
            product=product,
            product_category=category,
            batch_id=f"{year}-{cluster.region_id}-{i + 1:04d}",
            sampled_on=day,
            inspecting_body=BODIES[i % len(BODIES)],
            level=InspectionLevel.PROVINCIAL if i % 3 else InspectionLevel.CITY,
            result=InspectionResult.FAIL if fail else InspectionResult.PASS,
            failed_items=failed_items[i % len(failed_items)] if fail else "",
            report_number=f"HBZJ{year}-{cluster.region_id}-{i + 1:04d}",
        )


def build(ctx) -> None:
    if SamplingInspection.objects.exists():
        ctx.say("inspections: already built")
        return
    # Its own random source, so this builder draws the same batches wherever it runs in the
    # order (it runs before delivery's results: projects' pass-rate KPIs read the batches).
    rng = random.Random(2017)
    officer = User.objects.get(username="hubei.officer")
    total = 0
    for cluster in IndustrialCluster.objects.order_by("name"):
        members = list(
            ClusterMembership.objects.filter(cluster=cluster)
            .select_related("enterprise")
            .order_by("enterprise__credit_code")
        )
        if cluster.name == HANCHUAN:
            makers = [m.enterprise for m in members[:HANCHUAN_MAKERS]]
            years = HANCHUAN_YEARS
        else:
            makers = [m.enterprise for m in members[:25]]
            before = 30 + rng.randint(0, 30)
            after = 30 + rng.randint(0, 30)
            # Around 84% before and 92% after, drawn per cluster.
            years = [
                (2017, before, round(before * rng.uniform(0.10, 0.22))),
                (2018, after, round(after * rng.uniform(0.03, 0.12))),
            ]
        for year, batches, failed in years:
            _record(officer, cluster, makers, year, batches, failed, rng)
            total += batches
    ctx.say(f"inspections: {total} sampled batches in 2017–2018; {HANCHUAN} 64/91 → 95/100")
