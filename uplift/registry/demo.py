"""The Hubei 2018 demo: clusters, enterprises, institutions, experts and a service station.

Counts are chosen so that the figures the article published come out of the records: 10,324
distinct enterprises in the 12 pilot clusters (the adopters of the excellence model and the
benchmarks are drawn among them by ``uplift.excellence.demo``). Nothing here is read by product
code; it only creates records.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from .choices import SizeClass
from .models import (
    ClusterMembership,
    Enterprise,
    Expert,
    IndustrialCluster,
    ServiceInstitution,
    ServiceStation,
)
from .services import (
    cluster_add_members,
    cluster_create,
    enterprise_bulk_create,
    expert_create,
    institution_create,
    station_create,
)
from .validators import uscc_check_character

# name, region, lead industry (GB/T 4754 division), members, institution, pilot of the programme
CLUSTERS = [
    ("黄石铝型材", "420200", "32", 620, "黄石市铝型材产业品质技术服务中心", True),
    ("十堰汽车铸锻", "420300", "33", 960, "十堰市汽车零部件检测技术服务中心", True),
    ("襄阳新能源汽车及零部件", "420600", "36", 1150, "襄阳市新能源汽车质量技术服务中心", True),
    ("宜昌柑橘", "420500", "01", 1380, "宜昌市农产品质量技术服务中心", True),
    ("荆州汽车零部件", "421000", "36", 870, "荆州市汽车零部件质量技术服务中心", True),
    ("应城盐化工", "420981", "26", 410, "应城市盐化工产品质量检验中心", True),
    ("蕲春蕲艾", "421126", "27", 1046, "蕲春县蕲艾产业品质技术服务中心", True),
    ("咸宁智慧机电", "421200", "38", 690, "咸宁市机电产品质量技术服务中心", True),
    ("随州专用汽车", "421300", "36", 1020, "随州市专用汽车质量技术服务中心", True),
    ("恩施硒产品", "422800", "13", 1130, "恩施州富硒产品质量技术服务中心", True),
    ("仙桃休闲女装", "429004", "18", 168, "仙桃市纺织服装品质技术服务中心", True),
    ("潜江小龙虾", "429005", "04", 880, "潜江市小龙虾产业品质技术服务中心", True),
    ("汉川小童车", "420984", "24", 150, None, False),
]
#: Enterprises elsewhere in Hubei, outside any cluster (the excellence model reaches them too).
OTHER_REGIONS = ["420102", "420106", "420111", "420115", "420703", "420802", "420902", "429006"]
OTHER_ENTERPRISES = 600
SHARED_MEMBERS = 40  # Jingzhou parts makers that also supply the Xiangyang cluster

WORDS = list("华瑞鑫盛泰恒宏达兴隆晨光明昌荣丰源嘉和顺安祥福康宇航天新创联合金银锦绣楚天江汉荆楚长江")
TRADES = {
    "32": "铝业",
    "33": "铸锻",
    "36": "汽车零部件",
    "01": "柑橘种植",
    "26": "盐化",
    "27": "艾草制品",
    "38": "机电",
    "13": "富硒食品",
    "18": "服饰",
    "04": "水产养殖",
    "24": "童车",
    "14": "食品",
    "39": "电子",
}
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def org_code(serial: int) -> str:
    """A 9-character organisation code (GB 11714: 8 digits and its check character)."""
    body = f"{serial:08d}"
    c = 11 - sum(int(ch) * w for ch, w in zip(body, ORG_WEIGHTS, strict=True)) % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


def credit_code(kind: str, region: str, serial: int) -> str:
    """A valid unified social credit code: registration kind, region, organisation code, check."""
    first17 = kind + region + org_code(serial)
    return first17 + uscc_check_character(first17)


def counties_of(region: str) -> list[str]:
    from .models import Region

    kids = list(Region.objects.filter(parent_id=region).values_list("code", flat=True))
    return kids or [region]


def _enterprise_rows(ctx, serial: int, region: str, industry: str, count: int, town: str) -> list[dict]:
    rng = ctx.rng
    counties = counties_of(region)
    rows = []
    for i in range(count):
        size = rng.choices(
            [SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.LARGE], [30, 45, 20, 5]
        )[0]
        employees = {"micro": (3, 19), "small": (20, 299), "medium": (300, 999), "large": (1000, 5000)}[size]
        staff = rng.randint(*employees)
        county = rng.choice(counties)
        rows.append(
            {
                "credit_code": credit_code("91", county, serial + i),
                "name": f"{town}{WORDS[i % len(WORDS)]}{WORDS[(i // len(WORDS)) % len(WORDS)]}"
                f"{TRADES.get(industry, '实业')}有限公司",
                "region_id": county,
                "industry_id": industry,
                "size_class": size,
                "employees": staff,
                "annual_revenue": Decimal(int(staff * rng.uniform(20_000, 150_000)) // 1000 * 1000),
            }
        )
    return rows


def build(ctx) -> None:
    if IndustrialCluster.objects.filter(name=CLUSTERS[0][0]).exists():
        ctx.say("registry: already built")
        _remember(ctx)
        return
    rng = ctx.rng
    serial = 10_000_000
    clusters = {}
    for index, (name, region, industry, members, institution, _pilot) in enumerate(CLUSTERS):
        cluster = cluster_create(
            actor=ctx.actor,
            name=name,
            region_id=region,
            lead_industry_id=industry,
            description=f"{name}产业集群",
        )
        clusters[name] = cluster
        town = name[:2]
        rows = _enterprise_rows(ctx, serial, region, industry, members, town)
        serial += members + 1
        enterprise_bulk_create(actor=ctx.actor, rows=rows)
        ids = Enterprise.objects.filter(credit_code__in=[r["credit_code"] for r in rows]).values_list(
            "pk", flat=True
        )
        cluster_add_members(
            actor=ctx.actor,
            cluster=cluster,
            enterprise_ids=ids,
            joined_on=datetime.date(2018, 3, 1) + datetime.timedelta(days=index * 7),
        )
        if institution:
            institution_create(
                actor=ctx.actor,
                credit_code=credit_code("12", region, 20_000_000 + index),
                name=institution,
                region_id=region,
                cma_number=f"1817{index:02d}0{rng.randint(10000, 99999)}",
                cnas_number=f"CNAS L{rng.randint(1000, 9999)}",
                services="检验检测、标准制修订、质量诊断、品质管理培训",
                contact_person=f"{rng.choice('王李张刘陈杨黄赵周吴')}{rng.choice('明华强伟芳敏静丽军洋')}",
                contact_phone=f"0{rng.randint(710, 728)}-{rng.randint(1000000, 9999999)}",
            )
    # Members shared by two clusters: counted once among enterprises served.
    jingzhou = ClusterMembership.objects.filter(cluster=clusters["荆州汽车零部件"]).order_by("enterprise_id")
    shared = list(jingzhou.values_list("enterprise_id", flat=True)[:SHARED_MEMBERS])
    cluster_add_members(
        actor=ctx.actor,
        cluster=clusters["襄阳新能源汽车及零部件"],
        enterprise_ids=shared,
        joined_on=datetime.date(2018, 6, 1),
    )

    others = []
    per_region = OTHER_ENTERPRISES // len(OTHER_REGIONS)
    for k, region in enumerate(OTHER_REGIONS):
        industry = ["14", "39", "33", "38", "26"][k % 5]
        others += _enterprise_rows(ctx, serial, region, industry, per_region, "楚" + WORDS[k])
        serial += per_region
    enterprise_bulk_create(actor=ctx.actor, rows=others)

    for n in range(30):
        region = CLUSTERS[n % 12][1]
        expert_create(
            actor=ctx.actor,
            name=f"{rng.choice('王李张刘陈杨黄赵周吴徐孙')}{rng.choice('建国志明丽华文博海涛红梅')}",
            employer=rng.choice(
                ["湖北大学质量学院", "武汉理工大学", "华中科技大学", "湖北省标准化与质量研究院"]
            ),
            title=rng.choice(["教授", "研究员", "高级工程师", "正高级工程师"]),
            region_id=region,
            specialties=rng.choice(["卓越绩效", "六西格玛", "标准化", "计量", "QC小组", "质量诊断"]),
        )
    station_create(
        actor=ctx.actor,
        name="岱家山品质服务站",
        region_id="420102",
        address="武汉市江岸区岱家山科技创业城",
        phone="027-82600000",
        opened_on=datetime.date(2018, 4, 18),
    )
    ctx.say(f"registry: {Enterprise.objects.count()} enterprises, {len(CLUSTERS)} clusters")
    _remember(ctx)


def _remember(ctx) -> None:
    ctx.objects["clusters"] = {c.name: c for c in IndustrialCluster.objects.all()}
    ctx.objects["institutions"] = {i.name: i for i in ServiceInstitution.objects.all()}
    ctx.objects["experts"] = list(Expert.objects.order_by("pk"))
    ctx.objects["station"] = ServiceStation.objects.filter(name="岱家山品质服务站").first()
