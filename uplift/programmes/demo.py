"""The Hubei 2018 "万千百" programme: its targets, their city shares, and the 12 pilots."""

from __future__ import annotations

import datetime
from decimal import Decimal

from uplift.registry.demo import CLUSTERS

from .models import Programme
from .services import pilot_create, programme_create, target_create

SLUG = "hubei-2018"
DEADLINE = datetime.date(2018, 12, 31)
PROVINCE_TARGETS = {
    "enterprises_served": 10_000,
    "excellence_adopters": 1_000,
    "benchmark_enterprises": 100,
    "pilot_clusters": 12,
}


def build(ctx) -> None:
    if Programme.objects.filter(slug=SLUG).exists():
        ctx.objects["programme"] = Programme.objects.get(slug=SLUG)
        ctx.say("programmes: already built")
        return
    programme = programme_create(
        actor=ctx.actor,
        slug=SLUG,
        name="湖北省品质提升“万千百”工程（2018）",
        region_id="420000",
        start_date=datetime.date(2018, 1, 1),
        end_date=DEADLINE,
        budget=Decimal("5000000"),
        description="为1万家中小企业提供品质技术服务，引导1000家企业导入卓越绩效管理模式，培育100家品质标杆企业，"
        "在12个区域产业集群开展省级试点。",
    )
    ctx.objects["programme"] = programme
    province = {}
    for metric, value in PROVINCE_TARGETS.items():
        province[metric] = target_create(
            actor=ctx.actor,
            programme=programme,
            metric=metric,
            value=Decimal(value),
            region_id="420000",
            deadline=DEADLINE,
        )
    # The provincial "served" target split among the regions that hold a pilot, by cluster size.
    pilots = [c for c in CLUSTERS if c[5]]
    shares: dict[str, int] = {}
    for _name, region, _industry, members, _inst, _pilot in pilots:
        city = region if region.startswith("429") else region[:4] + "00"
        shares[city] = shares.get(city, 0) + members
    total = sum(shares.values())
    for city, members in sorted(shares.items()):
        target_create(
            actor=ctx.actor,
            programme=programme,
            metric="enterprises_served",
            value=Decimal(round(10_000 * members / total / 10) * 10),
            region_id=city,
            deadline=DEADLINE,
            parent=province["enterprises_served"],
        )
    clusters, institutions = ctx.objects["clusters"], ctx.objects["institutions"]
    for n, (name, _region, _industry, _members, institution, _pilot) in enumerate(pilots):
        pilot_create(
            actor=ctx.actor,
            programme=programme,
            cluster=clusters[name],
            institution=institutions[institution],
            started_on=datetime.date(2018, 5, 2 + n),
            goals="一对一精准帮扶：调研、培训、诊断、标准制修订、技术讲解、现场交流。",
        )
    ctx.say(f"programmes: {programme.name}, {len(pilots)} pilots")
