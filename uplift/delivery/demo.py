"""The delivery of the Hubei 2018 programme: what the 12 institutions (and the bureau) did.

The records are drawn so that the figures the article published come out of them:

* 1,236 approved activities — 1,200 in the 12 pilot projects, 20 run by the Hanchuan bureau for
  its children's-vehicle makers and 16 by the Daijiashan service station;
* 10,324 distinct enterprises taking part: every pilot-cluster member but 180, the 120 Hanchuan
  firms and 60 Wuhan firms the station served (the 40 Jingzhou firms that also belong to the
  Xiangyang cluster take part in both, and count once);
* 48,000 quality-manager participations;
* 3,022 enterprises trained in advanced quality methods (卓越绩效, 六西格玛, QC小组...).

Beside them, drafts, activities waiting for approval and returned ones — which count nowhere —
show the workflow. Every write goes through the services; approvals are the province officer's.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from uplift.accounts.models import User
from uplift.programmes.models import Programme
from uplift.registry.models import ClusterMembership, Enterprise, ServiceStation

from . import services
from .choices import ActivityKind, KpiKind
from .models import Activity, QualityMethod, ServiceProject

TZ = ZoneInfo("Asia/Shanghai")
PROGRAMME = "hubei-2018"
ACTIVITIES = 1236
HANCHUAN = ("汉川小童车", 20, 120)  # cluster, activities, enterprises taking part
STATION = (16, 60, "420102")  # activities, enterprises taking part, where
PARTICIPANTS = 10_324
MANAGERS = 48_000
TRAINED_ADVANCED = 3_022
#: Of those, the ones trained in the excellence model (卓越绩效导入): the pool the excellence demo
#: draws its 1,045 adopters from (uplift.excellence.demo).
TRAINED_EXCELLENCE = 1_200
PARTICIPATIONS = 24_000  # rows in approved activities, about two per enterprise
PROJECT_END = datetime.date(2018, 12, 20)
#: The mix of a project's activities (kind, share); advanced trainings are drawn separately.
MIX = [
    (ActivityKind.SURVEY, 15),
    (ActivityKind.TRAINING, 15),
    (ActivityKind.DIAGNOSIS, 20),
    (ActivityKind.STANDARD, 5),
    (ActivityKind.LECTURE, 20),
    (ActivityKind.EXCHANGE, 15),
]
ADVANCED_SHARE = 0.10
PLACES = ["产业园区会议室", "企业生产现场", "市场监管局培训中心", "行业协会"]
TOPICS = {
    ActivityKind.SURVEY: ["{c}企业质量现状调研", "{c}产品质量问题摸底调研", "{c}标准化需求调研"],
    ActivityKind.TRAINING: ["{c}质量管理基础培训", "产品标识标注规范培训", "质量管理体系内审员培训"],
    ActivityKind.DIAGNOSIS: ["{c}企业质量诊断", "生产现场质量诊断", "检验能力诊断"],
    ActivityKind.STANDARD: ["{c}团体标准起草研讨", "{c}地方标准修订研讨", "企业标准自我声明辅导"],
    ActivityKind.LECTURE: ["{c}产品检验技术讲解", "质量安全风险技术讲解", "计量器具使用技术讲解"],
    ActivityKind.EXCHANGE: ["{c}标杆企业现场交流", "质量提升经验现场交流会", "QC成果现场发布交流"],
}
ADVANCED_TOPICS = [
    ("卓越绩效管理模式导入培训", ["excellence"]),
    ("六西格玛绿带培训", ["six-sigma", "spc"]),
    ("QC小组活动实务培训", ["qc-circle"]),
    ("精益生产与现场改善培训", ["lean"]),
    ("FMEA与可靠性培训", ["fmea", "reliability"]),
]
PLAN = {
    "goals": "摸清集群企业质量状况；开展一对一精准帮扶，解决一批质量问题；制修订一批标准；"
    "提升产品质量抽查合格率；引导企业导入卓越绩效等先进质量管理方法。",
    "enterprises_targeted": "集群内全部规模以上企业，以及有服务需求的中小微企业，"
    "由当地市场监管局与行业协会推荐。",
    "schedule": "6月调研摸底；7–9月培训、诊断与技术讲解；9–11月标准制修订与现场交流；12月总结验收。",
}


def build(ctx) -> None:
    programme = ctx.objects.get("programme") or Programme.objects.get(slug=PROGRAMME)
    if Activity.objects.filter(programme=programme).exists():
        ctx.say("delivery: already built")
        return
    rng = ctx.rng
    officer = User.objects.filter(username="hubei.officer").first()
    projects = list(
        ServiceProject.objects.filter(pilot__programme=programme)
        .select_related("pilot__cluster__region", "institution", "contract")
        .order_by("pilot__cluster__name")
    )
    for project in projects:
        services.project_update(actor=ctx.actor, instance=project, **PLAN)
    projects = [
        services.project_start(actor=ctx.actor, project=p, at=_at(p.start_date, 10)) for p in projects
    ]
    methods = {m.code: m for m in QualityMethod.objects.all()}

    # Who takes part: each enterprise in its first pilot cluster (its "home" project).
    members = defaultdict(list)
    for cluster_id, enterprise_id in (
        ClusterMembership.objects.filter(cluster__pilots__programme=programme)
        .order_by("joined_on", "enterprise__credit_code")
        .values_list("cluster_id", "enterprise_id")
    ):
        members[cluster_id].append(enterprise_id)
    home: dict[int, ServiceProject] = {}
    by_cluster = {p.pilot.cluster_id: p for p in projects}
    for cluster_id, ids in members.items():
        for e in ids:
            home.setdefault(e, by_cluster[cluster_id])
    hanchuan_ids = list(
        Enterprise.objects.filter(cluster_memberships__cluster__name=HANCHUAN[0])
        .order_by("credit_code")
        .values_list("pk", flat=True)
    )[: HANCHUAN[2]]
    station_ids = list(
        Enterprise.objects.filter(region_id=STATION[2]).order_by("credit_code").values_list("pk", flat=True)
    )[: STATION[1]]
    absent = set(rng.sample(sorted(home), len(home) - (PARTICIPANTS - len(hanchuan_ids) - len(station_ids))))
    taking_part = {p.pk: [] for p in projects}
    for e in sorted(home):
        if e not in absent:
            taking_part[home[e].pk].append(e)
    trained = set(rng.sample(sorted(e for ids in taking_part.values() for e in ids), TRAINED_ADVANCED))
    excellence = set(rng.sample(sorted(trained), TRAINED_EXCELLENCE))

    # How many activities each project ran: 1,200 in proportion to the enterprises it serves.
    in_projects = ACTIVITIES - HANCHUAN[1] - STATION[0]
    total = sum(len(v) for v in taking_part.values())
    quota = {pk: round(in_projects * len(v) / total) for pk, v in taking_part.items()}
    quota[projects[0].pk] += in_projects - sum(quota.values())

    plan: list[dict] = []  # every approved activity, with its participants, before writing any
    for project in projects:
        plan += _project_activities(
            ctx, project, quota[project.pk], taking_part[project.pk], trained, excellence, methods
        )
    # Shared members take part in their second cluster's exchanges too: counted once overall.
    second = [
        (e, c) for c, ids in members.items() for e in ids if home[e].pilot.cluster_id != c and e not in absent
    ]
    for e, c in second:
        candidates = [a for a in plan if a["project"] is by_cluster[c] and not a["advanced"]]
        rng.choice(candidates)["enterprises"].add(e)
    plan += _own_activities(ctx, programme, hanchuan_ids, station_ids)
    _top_up(ctx, plan)
    headcounts = _headcounts(ctx, plan)

    for a, rows in zip(plan, headcounts, strict=True):
        _record(ctx, a, rows, officer)
    for project in projects:
        _kpis(ctx, project, quota[project.pk], len(taking_part[project.pk]))
    _unfinished(ctx, projects, members, absent, officer)
    ctx.say(f"delivery: {len(plan)} approved activities, {sum(len(r) for r in headcounts)} participations")


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def _day(ctx, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=ctx.rng.randint(0, (end - start).days))


def _project_activities(ctx, project, count, enterprises, trained, excellence, methods) -> list[dict]:
    """``count`` activities of one project: every participant in one of them, the trained ones in
    an advanced-methods training as well (those of ``excellence`` in an excellence-model one)."""
    rng = ctx.rng
    cluster = project.pilot.cluster
    town = cluster.name
    start, end = project.start_date, min(project.end_date, PROJECT_END)
    advanced = max(1, round(count * ADVANCED_SHARE))
    kinds = rng.choices([k for k, _s in MIX], [s for _k, s in MIX], k=count - advanced)
    acts = []
    for i in range(count):
        if i < advanced:
            topic, codes = ADVANCED_TOPICS[i % len(ADVANCED_TOPICS)]
            kind, chosen = ActivityKind.TRAINING, [methods[c] for c in codes]
        else:
            kind = kinds[i - advanced]
            topic, chosen = rng.choice(TOPICS[kind]).format(c=town), []
        acts.append(
            {
                "group": project.pk,
                "project": project,
                "kind": kind,
                "topic": topic,
                "methods": chosen,
                "advanced": bool(chosen),
                "held_on": _day(ctx, start, end),
                "place": cluster.region.name + rng.choice(PLACES),
                "enterprises": set(),
            }
        )
    plain = [a for a in acts if not a["advanced"]]
    adv = [a for a in acts if a["advanced"]]
    model = [a for a in adv if methods["excellence"] in a["methods"]]
    other = [a for a in adv if methods["excellence"] not in a["methods"]]
    for e in enterprises:
        rng.choice(plain)["enterprises"].add(e)
        if e in trained:
            rng.choice((model if e in excellence else other) or adv)["enterprises"].add(e)
    return acts


def _own_activities(ctx, programme, hanchuan_ids, station_ids) -> list[dict]:
    """The Hanchuan bureau's activities for its children's-vehicle makers, and the station's."""
    rng = ctx.rng
    cluster = ctx.objects["clusters"][HANCHUAN[0]]
    station = ctx.objects.get("station") or ServiceStation.objects.get(name="岱家山品质服务站")
    acts = []
    for i in range(HANCHUAN[1]):
        kind = [ActivityKind.SURVEY, ActivityKind.DIAGNOSIS, ActivityKind.LECTURE, ActivityKind.TRAINING][
            i % 4
        ]
        acts.append(
            {
                "group": "hanchuan",
                "programme": programme,
                "cluster": cluster,
                "region": cluster.region,
                "kind": kind,
                "topic": ["童车产品质量调研", "童车企业质量诊断", "童车安全标准技术讲解", "童车标识标注培训"][
                    i % 4
                ],
                "methods": [],
                "advanced": False,
                "held_on": _day(ctx, datetime.date(2018, 4, 10), PROJECT_END),
                "place": "汉川市市场监督管理局",
                "delivered_by": "汉川市市场监督管理局质量发展科",
                "enterprises": set(),
            }
        )
    for i in range(STATION[0]):
        acts.append(
            {
                "group": "station",
                "programme": programme,
                "station": station,
                "region_id": STATION[2],
                "kind": ActivityKind.LECTURE if i % 2 else ActivityKind.EXCHANGE,
                "topic": "“服务零距离”质量技术咨询日" if i % 2 else "小微企业质量提升交流会",
                "methods": [],
                "advanced": False,
                "held_on": _day(ctx, datetime.date(2018, 4, 20), PROJECT_END),
                "place": station.name,
                "delivered_by": station.name,
                "enterprises": set(),
            }
        )
    for ids, group in ((hanchuan_ids, acts[: HANCHUAN[1]]), (station_ids, acts[HANCHUAN[1] :])):
        for e in ids:
            rng.choice(group)["enterprises"].add(e)
    return acts


def _top_up(ctx, plan: list[dict]) -> None:
    """More participations, drawn among each activity's own group, until about 24,000 in all
    (never adding a new enterprise, nor anyone to an advanced training)."""
    rng = ctx.rng
    groups = defaultdict(list)
    for a in plan:
        groups[a["group"]].append(a)
    pool = {key: sorted({e for a in acts for e in a["enterprises"]}) for key, acts in groups.items()}
    rows = sum(len(a["enterprises"]) for a in plan)
    keys = sorted(groups, key=str)
    while rows < PARTICIPATIONS:
        key = rng.choice(keys)
        a = rng.choice(groups[key])
        if a["advanced"] or not pool[key]:
            continue
        e = rng.choice(pool[key])
        if e not in a["enterprises"]:
            a["enterprises"].add(e)
            rows += 1


def _headcounts(ctx, plan: list[dict]) -> list[list[tuple[int, int]]]:
    """Quality managers per participation (1–4), adjusted so that they total 48,000 exactly."""
    rng = ctx.rng
    rows = [[(e, rng.choice([1, 1, 2, 2, 2, 3, 3, 4])) for e in sorted(a["enterprises"])] for a in plan]
    flat = [(i, j) for i, r in enumerate(rows) for j in range(len(r))]
    gap = MANAGERS - sum(m for r in rows for _e, m in r)
    step = 1 if gap > 0 else -1
    while gap:
        i, j = rng.choice(flat)
        e, m = rows[i][j]
        if m + step >= 1:
            rows[i][j] = (e, m + step)
            gap -= step
    return rows


def _record(ctx, a: dict, rows: list[tuple[int, int]], officer) -> Activity:
    fields = {k: v for k, v in a.items() if k not in ("group", "advanced", "enterprises")}
    if fields.get("project") is None:
        fields.pop("project", None)
    activity = services.activity_create(actor=ctx.actor, description="", **fields)
    services.participations_add(actor=ctx.actor, activity=activity, rows=rows)
    services.activity_submit(actor=ctx.actor, activity=activity, at=_at(a["held_on"], 17))
    approved_on = min(
        a["held_on"] + datetime.timedelta(days=ctx.rng.randint(1, 10)), datetime.date(2018, 12, 31)
    )
    services.activity_approve(actor=officer, activity=activity, at=_at(approved_on, 15))
    return activity


def _kpis(ctx, project, activities: int, enterprises: int) -> None:
    for kind, target in (
        (KpiKind.ACTIVITIES, activities - activities % 10),
        (KpiKind.ENTERPRISES, enterprises - enterprises % 50),
        (KpiKind.MANAGERS, (enterprises * 4) // 100 * 100),
    ):
        services.kpi_create(actor=ctx.actor, project=project, kind=kind, target=Decimal(target))


def _unfinished(ctx, projects, members, absent, officer) -> None:
    """Work under way, which counts nowhere: a draft in every project; in some, an activity
    waiting for approval and one returned for correction (with a firm that otherwise never took
    part, to show that it is not counted)."""
    rng = ctx.rng
    late = datetime.date(2018, 12, 18)
    for n, project in enumerate(projects):
        cluster = project.pilot.cluster
        ids = members[cluster.id]
        stages = ["draft"] + (["submitted", "returned"] if n % 3 == 0 else [])
        for stage in stages:
            activity = services.activity_create(
                actor=ctx.actor,
                project=project,
                kind=ActivityKind.DIAGNOSIS,
                topic=f"{cluster.name}年末质量诊断回访",
                held_on=late,
                place=f"{cluster.region.name}企业生产现场",
            )
            chosen = rng.sample(ids, 3)
            outsider = next((e for e in ids if e in absent and e not in chosen), None)
            if outsider:
                chosen[0] = outsider
            services.participations_add(actor=ctx.actor, activity=activity, rows=[(e, 2) for e in chosen])
            if stage == "draft":
                continue
            services.activity_submit(actor=ctx.actor, activity=activity, at=_at(late, 18))
            if stage == "returned":
                services.activity_return(
                    actor=officer,
                    activity=activity,
                    reason="签到表照片不清晰，请补充加盖企业公章的签到表。",
                    at=_at(late + datetime.timedelta(days=1), 10),
                )
