"""Economic indicators of the Hubei demo, as published: Qichun's mugwort output ¥1.6bn → over
¥3bn in two years with 1,000+ registered firms, 70,000+ workers and a brand worth over ¥8bn;
Suizhou's special-purpose vehicles, sales up four years in a row by 24.5% a year on average;
Xiantao's park, 168 firms, 25,000 workers and ¥3bn+ output in 2017. Recorded by the province
officer from the sources named."""

from __future__ import annotations

from decimal import Decimal

from uplift.accounts.models import User
from uplift.registry.models import IndustrialCluster

from . import services
from .models import EconomicIndicator

YEARBOOK = "湖北统计年鉴 / 县市统计局年报"
#: cluster -> [(kind, year, value, source)]
FIGURES = {
    "蕲春蕲艾": [
        ("output_value", 2016, "1600000000", YEARBOOK),
        ("output_value", 2017, "2250000000", YEARBOOK),
        ("output_value", 2018, "3050000000", YEARBOOK),
        ("registered_enterprises", 2018, "1046", "蕲春县市场监督管理局登记数据"),
        ("employees", 2018, "71500", YEARBOOK),
        ("brand_value", 2018, "8210000000", "中国品牌价值评价信息发布（区域品牌）"),
    ],
    "随州专用汽车": [
        # 24.5% a year on average, 2014 → 2018: 2.00 × 1.245⁴ = 4.8052 (×10¹⁰).
        ("sales_revenue", 2014, "20000000000", YEARBOOK),
        ("sales_revenue", 2015, "24300000000", YEARBOOK),
        ("sales_revenue", 2016, "30500000000", YEARBOOK),
        ("sales_revenue", 2017, "38400000000", YEARBOOK),
        ("sales_revenue", 2018, "48051500000", YEARBOOK),
    ],
    "仙桃休闲女装": [
        ("output_value", 2016, "2700000000", YEARBOOK),
        ("output_value", 2017, "3050000000", YEARBOOK),
        ("registered_enterprises", 2017, "168", "仙桃市市场监督管理局登记数据"),
        ("employees", 2017, "25000", YEARBOOK),
    ],
}


def build(ctx) -> None:
    if EconomicIndicator.objects.exists():
        ctx.say("economic indicators: already built")
        return
    officer = User.objects.get(username="hubei.officer")
    clusters = {c.name: c for c in IndustrialCluster.objects.filter(name__in=FIGURES)}
    n = 0
    for name, rows in FIGURES.items():
        for kind, year, value, source in rows:
            services.indicator_create(
                actor=officer,
                kind=kind,
                year=year,
                cluster=clusters[name],
                value=Decimal(value),
                source=source,
            )
            n += 1
    ctx.say(f"economic indicators: {n} yearly figures of {len(FIGURES)} clusters")
