"""The one-stop service of the Hubei demo: the 岱家山品质服务站 station and its operator, the
bureau's routing rules and response targets, 40 requests of 2018 in every state, and three
filed in December that no rule routes, waiting for an officer.

Runs after the excellence builder. It draws from its own seeded generator (not ``ctx.rng``) so the
builders after it draw what they always drew. Requests are replayed on a 2018 timeline (``at=``):
those still open in the demo are long overdue today, as an unanswered request of 2018 would be.
One closed request became a quality problem and one an activity (a draft) of the Hubei programme.
The three last requests come from Yichang, Enshi and Suizhou firms, on topics other than
standards: no rule matches them (those cities have no station and no rule but the province's for
standards), so they wait, unrouted, in the province's officers' *my work* ("Service requests to
route").
"""

from __future__ import annotations

import datetime
import io
import random
from typing import Any

from django.utils import timezone

from uplift.accounts.choices import OrganisationKind, Role
from uplift.core.demo import sample_png
from uplift.core.models import AttachmentKind
from uplift.core.services import attachment_add
from uplift.registry.models import Enterprise, Expert, IndustrialCluster, ServiceInstitution, ServiceStation

from . import services
from .choices import Channel, Topic
from .models import ResponseTarget, RoutingRule, ServiceRequest

STATION = "岱家山品质服务站"
OPERATOR = "武汉市品质技术服务中心"
PROGRAMME = "hubei-2018"

#: (topic, hours to first response, days to answer) — the province's service promise.
TARGETS = [
    (Topic.TESTING, 24, 7),
    (Topic.CERTIFICATION, 24, 10),
    (Topic.STANDARDS, 24, 5),
    (Topic.METROLOGY, 24, 5),
    (Topic.QUALITY_MANAGEMENT, 24, 5),
    (Topic.LABELLING, 24, 3),
    (Topic.OTHER, 24, 5),
]

#: What enterprises ask, per topic: (title, description).
ASKS = {
    Topic.TESTING: ("产品检测委托", "新产品上市前需要做型式检验，想了解检测项目、周期和费用。"),
    Topic.CERTIFICATION: ("认证咨询", "计划申请 ISO 9001 质量管理体系认证，请介绍流程和准备材料。"),
    Topic.STANDARDS: ("企业标准制定", "想把工艺要求写成企业标准并公开自我声明，请指导编写。"),
    Topic.METROLOGY: ("计量器具校准", "车间电子秤和卡尺需要周期校准，请安排上门或送检。"),
    Topic.QUALITY_MANAGEMENT: ("质量管理诊断", "客户投诉增多，希望专家帮助查找质量管理薄弱环节。"),
    Topic.LABELLING: ("产品标签审核", "新包装标签是否符合 GB 7718 / GB 5296 的标注要求？"),
    Topic.OTHER: ("政策咨询", "想了解品质提升工程对中小企业的扶持政策。"),
}

#: How far each request got: (state, how many). Every fourth answered one is answered late.
STATES = [
    ("closed", 20),
    ("answered", 5),
    ("in_progress", 4),
    ("accepted", 3),
    ("submitted", 6),
    ("withdrawn", 2),
]


#: Requests no rule routes: (city, topic, channel, filed in December 2018 on day, at hour), each
#: from the first firm (by credit code) of its city — Yichang, Enshi, Suizhou.
UNROUTED = [
    ("4205", Topic.TESTING, Channel.PHONE, 10, 10),
    ("4228", Topic.METROLOGY, Channel.COUNTER, 17, 15),
    ("4213", Topic.CERTIFICATION, Channel.ONLINE, 24, 9),
]


def _file(name: str, content: bytes) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def _operator(ctx) -> ServiceInstitution:
    from uplift.registry.demo import credit_code
    from uplift.registry.services import institution_create

    found = ServiceInstitution.objects.filter(name=OPERATOR).first()
    return found or institution_create(
        actor=ctx.actor,
        credit_code=credit_code("12", "420100", 20_000_099),
        name=OPERATOR,
        region_id="420100",
        services="检验检测、计量校准、认证咨询、标签审核（岱家山品质服务站运营）",
        contact_person="周工",
        contact_phone="027-82600001",
    )


def _logins(ctx, operator: ServiceInstitution, enterprise: Enterprise) -> tuple[Any, Any]:
    """A login for the station's staff and one for a Wuhan enterprise that files requests there."""
    from uplift.accounts.demo import _org, _user

    staff_org = _org(ctx, kind=OrganisationKind.INSTITUTION, name=operator.name, institution=operator)
    ent_org = _org(ctx, kind=OrganisationKind.ENTERPRISE, name=enterprise.name, enterprise=enterprise)
    staff = _user(
        ctx,
        "daijiashan.station",
        "岱家山服务站 周工",
        staff_org,
        Role.INSTITUTION_STAFF,
        "institution user",
    )
    user = _user(
        ctx,
        "wuhan.enterprise",
        f"{enterprise.name} 品质部",
        ent_org,
        Role.ENTERPRISE_USER,
        "enterprise user",
    )
    return staff, user


def _config(ctx, station: ServiceStation) -> None:
    for topic, hours, days in TARGETS:
        if not ResponseTarget.objects.filter(region_id="420000", topic=topic).exists():
            services.response_target_create(
                actor=ctx.actor, region_id="420000", topic=topic, response_hours=hours, answer_days=days
            )
    if RoutingRule.objects.exists():
        return
    clusters = {c.name: c for c in IndustrialCluster.objects.all()}
    institutions = {i.name: i for i in ServiceInstitution.objects.all()}
    expert = (
        Expert.objects.filter(specialties="标准化").order_by("pk").first()
        or Expert.objects.order_by("pk").first()
    )
    rule = services.routing_rule_create
    rule(actor=ctx.actor, name="武汉市 → 岱家山品质服务站", region_id="420100", station=station)
    rule(
        actor=ctx.actor,
        name="蕲春蕲艾 → 蕲艾服务中心",
        region_id="421126",
        cluster=clusters["蕲春蕲艾"],
        institution=institutions["蕲春县蕲艾产业品质技术服务中心"],
    )
    rule(
        actor=ctx.actor,
        name="仙桃标签 → 纺织服装中心",
        region_id="429004",
        topic=Topic.LABELLING,
        institution=institutions["仙桃市纺织服装品质技术服务中心"],
    )
    rule(
        actor=ctx.actor, name="全省标准化 → 专家库", region_id="420000", topic=Topic.STANDARDS, expert=expert
    )


def _enterprises(wuhan_user_firm: Enterprise) -> list[Enterprise]:
    """28 Wuhan firms (the station's), 4 of Qichun's cluster, 4 of Xiantao's, 4 elsewhere in Hubei."""
    wuhan = list(
        Enterprise.objects.filter(region__code__startswith="4201")
        .exclude(pk=wuhan_user_firm.pk)
        .order_by("credit_code")[:22]
    )

    def members(cluster: str, n: int) -> list[Enterprise]:
        return list(
            Enterprise.objects.filter(cluster_memberships__cluster__name=cluster).order_by("credit_code")[:n]
        )

    others = list(Enterprise.objects.filter(region__code__startswith="4206").order_by("credit_code")[:4])
    return [wuhan_user_firm] * 6 + wuhan + members("蕲春蕲艾", 4) + members("仙桃休闲女装", 4) + others


def _unrouted(ctx) -> list[ServiceRequest]:
    """File :data:`UNROUTED`: no rule matches them, so they stay submitted with no assignee."""
    tz = timezone.get_current_timezone()
    made = []
    for city, topic, channel, day, hour in UNROUTED:
        enterprise = Enterprise.objects.filter(region__code__startswith=city).order_by("credit_code").first()
        if enterprise is None:
            continue
        title, description = ASKS[topic]
        request = services.request_create(
            actor=ctx.actor,
            enterprise=enterprise,
            topic=topic,
            title=title,
            description=description,
            channel=channel,
            at=datetime.datetime(2018, 12, day, hour, tzinfo=tz),
        )
        made.append(request)
    return made


def build(ctx) -> None:
    station = ServiceStation.objects.filter(name=STATION).first()
    if station is None:
        ctx.say("servicedesk: no station, skipped")
        return
    operator = _operator(ctx)
    if station.operator_id is None:
        from uplift.registry.services import station_update

        station = station_update(actor=ctx.actor, instance=station, operator=operator)
    firm = Enterprise.objects.filter(region_id="420102").order_by("credit_code").first()
    staff, enterprise_user = _logins(ctx, operator, firm)
    _config(ctx, station)
    if ServiceRequest.objects.exists():
        ctx.say("servicedesk: already built")
        return
    from uplift.programmes.models import Programme

    programme = Programme.objects.get(slug=PROGRAMME)
    rng = random.Random(20180418)
    topics = list(Topic.values)
    states = [s for s, n in STATES for _ in range(n)]
    rng.shuffle(states)
    tz = timezone.get_current_timezone()
    made: list[ServiceRequest] = []
    for i, (enterprise, state) in enumerate(zip(_enterprises(firm), states, strict=False)):
        topic = Topic.STANDARDS if enterprise.region_id.startswith("4206") else rng.choice(topics)
        if enterprise.region_id == "429004" and i % 2 == 0:
            topic = Topic.LABELLING
        own = enterprise == firm
        filed = datetime.datetime(2018, 4, 20, 9, tzinfo=tz) + datetime.timedelta(
            days=5 * i + rng.randint(0, 4), hours=rng.randint(0, 8)
        )
        title, description = ASKS[topic]
        r = services.request_create(
            actor=enterprise_user if own else ctx.actor,
            enterprise=enterprise,
            topic=topic,
            title=title,
            description=description,
            channel=Channel.ONLINE if own else rng.choice([Channel.ONLINE, Channel.COUNTER, Channel.PHONE]),
            at=filed,
        )
        if r.assignee is None and state != "submitted":
            # No rule for it: an officer sends it to the provincial experts' pool.
            services.request_route(actor=ctx.actor, request=r, expert=Expert.objects.order_by("pk").first())
        answerer = staff if r.station_id == station.pk else ctx.actor
        late = i % 4 == 3
        at = filed
        if state == "withdrawn":
            services.request_withdraw(
                actor=ctx.actor, request=r, reason="企业已自行解决", at=at + datetime.timedelta(hours=6)
            )
            made.append(r)
            continue
        if state != "submitted":
            at += datetime.timedelta(hours=rng.randint(1, 20) if not late else rng.randint(26, 60))
            r = services.request_accept(actor=answerer, request=r, at=at)
        if state in ("in_progress", "answered", "closed"):
            at += datetime.timedelta(hours=rng.randint(2, 30))
            r = services.request_start(actor=answerer, request=r, at=at)
        if state in ("answered", "closed"):
            due = r.answer_due_at
            at = (
                due + datetime.timedelta(hours=rng.randint(4, 72))
                if late
                else max(at, due - datetime.timedelta(hours=rng.randint(4, 40)))
            )
            r = services.request_answer(
                actor=answerer, request=r, answer="已按需求提供服务并出具书面答复。", at=at
            )
        if state == "closed":
            rating = rng.choice([5, 5, 4, 4, 4, 3] if not late else [4, 3, 3, 2])
            r = services.request_close(
                actor=enterprise_user if own else ctx.actor,
                request=r,
                satisfaction=rating,
                comment="回复及时，解决了问题。" if rating >= 4 else "希望再快一些。",
                at=at + datetime.timedelta(days=1),
            )
        made.append(r)
    # Evidence an enterprise sends with its request: a photo of the label in question.
    for n, r in enumerate([r for r in made if r.topic == Topic.LABELLING][:2]):
        attachment_add(
            actor=None,
            parent=r,
            file=_file(f"标签照片-{n + 1}.png", sample_png(n + 7)),
            kind=AttachmentKind.PHOTO,
            description="待审核的产品标签",
        )
    closed = [r for r in made if r.status == "closed"]
    qichun = next((r for r in closed if r.region_id.startswith("4211")), closed[0])
    services.request_to_problem(
        actor=ctx.actor,
        request=qichun,
        programme=programme,
        category="labelling" if qichun.topic == Topic.LABELLING else "management",
        severity="minor",
        deadline=datetime.date(2018, 12, 31),
        at=qichun.answered_at,
    )
    wuhan = next(r for r in closed if r.station_id == station.pk and r != qichun)
    held = min(timezone.localtime(wuhan.answered_at).date() + datetime.timedelta(days=7), programme.end_date)
    services.request_to_activity(
        actor=ctx.actor,
        request=wuhan,
        programme=programme,
        kind="training",
        held_on=held,
        place=station.address or STATION,
    )
    waiting = _unrouted(ctx)
    ctx.say(
        f"servicedesk: {len(made) + len(waiting)} service requests ({len(waiting)} unrouted), "
        f"{RoutingRule.objects.count()} routing rules"
    )
