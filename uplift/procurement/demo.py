"""The procurement of the Hubei 2018 programme: ¥5,000,000 through 12 public tenders.

One tender per pilot (one lot each), 2–5 sealed bids per lot, a panel of 3–5 experts who declare
their conflicts before scoring, an award to the institution the programme works with in that
cluster — the Xiantao women's casual wear lot to a Shanghai quality-service company, as the article
tells — a contract after the 7-day standstill, its milestones and a first payment. Past acceptance
grades of 2016–2017 give a few bidders the excellent-grade bonus. A 2019 follow-up tender is left
as a draft so the workflow can be shown from its start.

Everything goes through the services with the 2018 dates passed as ``at``; every number is drawn
from ``ctx.rng``. The experts' points are drawn so that the intended winner ranks first by the
ranking rules of :mod:`uplift.procurement.scoring` (checked after each award).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from uplift.delivery.models import GradeRecord
from uplift.delivery.services import grade_record_create
from uplift.programmes.models import PilotProject, Programme
from uplift.registry.demo import CLUSTERS, credit_code
from uplift.registry.models import Expert, ServiceInstitution
from uplift.registry.services import expert_create, institution_create

from . import services
from .choices import CriterionKind, MilestoneStatus
from .models import Lot, Tender

TZ = ZoneInfo("Asia/Shanghai")
PROGRAMME = "hubei-2018"
FIRST = "HBZB-2018-01"
FOLLOW_UP = "HBZB-2019-01"

#: Budget ceiling of each pilot's lot, in yuan; together the programme's ¥5,000,000.
CEILINGS = {
    "黄石铝型材": 400_000,
    "十堰汽车铸锻": 420_000,
    "襄阳新能源汽车及零部件": 480_000,
    "宜昌柑橘": 420_000,
    "荆州汽车零部件": 400_000,
    "应城盐化工": 360_000,
    "蕲春蕲艾": 450_000,
    "咸宁智慧机电": 380_000,
    "随州专用汽车": 420_000,
    "恩施硒产品": 400_000,
    "仙桃休闲女装": 450_000,
    "潜江小龙虾": 420_000,
}
XIANTAO = "仙桃休闲女装"
SHANGHAI = "上海天祥品质技术服务有限公司"

#: Institutions that bid besides the clusters' own: name, region, serial of the credit code.
BIDDERS = [
    (SHANGHAI, "310104", 30_000_001),
    ("武汉华质质量技术服务有限公司", "420106", 30_000_002),
    ("湖北楚标标准化技术服务有限公司", "420102", 30_000_003),
    ("武汉中检品质检测技术有限公司", "420111", 30_000_004),
    ("湖北卓越绩效管理咨询有限公司", "420103", 30_000_005),
    ("湖北长江质量认证咨询有限公司", "420115", 30_000_006),
    ("广州纺织服装检测技术服务有限公司", "440106", 30_000_007),
]
#: Those that compete across the province (the Shanghai and Guangzhou firms only bid for Xiantao).
PROVINCIAL = [name for name, region, _serial in BIDDERS if region.startswith("42")]
XIANTAO_RIVALS = [
    "仙桃市纺织服装品质技术服务中心",
    "广州纺织服装检测技术服务有限公司",
    "武汉华质质量技术服务有限公司",
]

#: Acceptance grades earned before the programme: the latest within three years counts for the bonus.
GRADES = [
    ("蕲春县蕲艾产业品质技术服务中心", "蕲艾产业企业标准评价服务", "excellent", datetime.date(2017, 11, 28)),
    (
        "潜江市小龙虾产业品质技术服务中心",
        "小龙虾养殖标准化示范服务",
        "excellent",
        datetime.date(2017, 12, 12),
    ),
    ("武汉华质质量技术服务有限公司", "汉正街服装企业质量诊断服务", "excellent", datetime.date(2016, 12, 20)),
    (
        "随州市专用汽车质量技术服务中心",
        "专用汽车企业卓越绩效导入服务",
        "excellent",
        datetime.date(2017, 10, 16),
    ),
    ("十堰市汽车零部件检测技术服务中心", "汽车铸件质量攻关服务", "excellent", datetime.date(2016, 6, 30)),
    ("十堰市汽车零部件检测技术服务中心", "汽车锻件检测能力提升服务", "good", datetime.date(2017, 12, 5)),
    ("仙桃市纺织服装品质技术服务中心", "服装标签标识规范服务", "good", datetime.date(2017, 9, 22)),
    ("湖北楚标标准化技术服务有限公司", "食品企业标准化良好行为服务", "fair", datetime.date(2017, 6, 18)),
]

CRITERIA = [
    (CriterionKind.PRICE, "价格", 30),
    (CriterionKind.TECHNICAL, "技术方案", 40),
    (CriterionKind.SERVICE_PLAN, "服务方案与团队", 20),
    (CriterionKind.QUALIFICATION, "资质与业绩", 10),
]
#: Experts' points as a share of each criterion's weight. The ranges keep the intended winner
#: ahead whatever the draw: at worst 0.87 × 70 − 0.75 (rounding) + 30 × 0.86 ÷ 0.97 > 86.7, while
#: a rival at best scores 0.76 × 70 + 0.75 + 30 + 2 (bonus) < 86.
WINNER_POINTS, RIVAL_POINTS = (0.87, 0.97), (0.60, 0.76)
WINNER_PRICE, RIVAL_PRICE = (0.90, 0.97), (0.86, 0.99)
REMARKS = ["", "", "", "方案针对性强", "调研计划具体", "团队配置合理", "标准制修订经验丰富", "服务周期偏紧"]

MILESTONES = {
    3: [
        ("入企调研与品质诊断报告", 30, 45),
        ("品质管理培训与标准制修订", 40, 150),
        ("项目总结与验收", 30, None),
    ],
    2: [
        ("调研诊断与中期报告", 40, 90),
        ("项目总结与验收", 60, None),
    ],
}
CLARIFICATIONS = {
    XIANTAO: (
        SHANGHAI,
        "本项目是否接受湖北省外注册的服务机构投标？中标后是否须在仙桃设立常驻服务团队？",
        "接受。投标人注册地不限；中标人须在服务期内派驻不少于3名专职人员常驻仙桃毛嘴服装产业园开展服务。",
    ),
    "蕲春蕲艾": (
        "蕲春县蕲艾产业品质技术服务中心",
        "“标准制修订”服务是否包括地方标准的立项申报？对完成数量有何要求？",
        "包括。服务期内应协助完成蕲艾种植、采收、加工储存等地方标准制修订不少于3项，并为企业标准开展评价。",
    ),
}


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def yuan(value: float) -> Decimal:
    """An amount rounded to the hundred yuan, as bidders quote."""
    return Decimal(int(value / 100) * 100)


def share(amount: Decimal, percent: int) -> Decimal:
    return (amount * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def build(ctx) -> None:
    if Tender.objects.filter(reference=FIRST).exists():
        ctx.objects["tenders"] = list(
            Tender.objects.filter(reference__startswith="HBZB-").order_by("reference")
        )
        ctx.say("procurement: already built")
        return
    programme = ctx.objects.get("programme") or Programme.objects.get(slug=PROGRAMME)
    pilots = {
        p.cluster.name: p
        for p in PilotProject.objects.filter(programme=programme).select_related("cluster", "institution")
    }
    institutions = _institutions(ctx)
    _grades(ctx, institutions)
    experts = _experts(ctx, institutions)
    # Each pilot's institution wins its lot, so the award confirms the programme's choice; the
    # Xiantao lot goes to the Shanghai company the article names.
    local = {name: inst for name, _r, _i, _m, inst, pilot in CLUSTERS if pilot}
    tenders = []
    number = 0
    for name, _region, _industry, _members, _inst, is_pilot in CLUSTERS:
        if not is_pilot or name not in pilots:
            continue
        number += 1
        pilot = pilots[name]
        if name == XIANTAO:
            winner = institutions[SHANGHAI]
            rivals = [institutions[n] for n in XIANTAO_RIVALS]
        else:
            winner = pilot.institution or institutions[local[name]]
            pool = [institutions[n] for n in PROVINCIAL if institutions[n] != winner]
            rivals = ctx.rng.sample(pool, ctx.rng.randint(1, 4))
        tenders.append(_tender(ctx, programme, pilot, number, winner, rivals, experts))
    total = sum(t.lots.get().budget_ceiling for t in tenders)
    _follow_up(ctx, programme, pilots, experts)
    ctx.objects["tenders"] = tenders
    ctx.say(f"procurement: {len(tenders)} tenders awarded and contracted, budget ¥{total:,.0f}")


def _institutions(ctx) -> dict[str, ServiceInstitution]:
    for name, region, serial in BIDDERS:
        code = credit_code("91", region, serial)
        if not ServiceInstitution.objects.filter(credit_code=code).exists():
            institution_create(
                actor=ctx.actor,
                credit_code=code,
                name=name,
                region_id=region,
                cnas_number=f"CNAS L{ctx.rng.randint(1000, 9999)}",
                services="品质诊断、标准制修订、检验检测、卓越绩效咨询、品质管理培训",
                contact_person=f"{ctx.rng.choice('王李张刘陈杨黄赵周吴')}{ctx.rng.choice('明华强伟芳敏静丽军洋')}",
                contact_phone=(
                    "021-" if region.startswith("31") else "020-" if region.startswith("44") else "027-"
                )
                + f"{ctx.rng.randint(50000000, 89999999)}",
            )
    found = {i.name: i for i in ServiceInstitution.objects.all()}
    ctx.objects["institutions"] = found
    return found


def _grades(ctx, institutions: dict[str, ServiceInstitution]) -> None:
    for name, project, grade, accepted_on in GRADES:
        institution, title = institutions[name], f"{accepted_on.year}年{project}"
        if GradeRecord.objects.filter(institution=institution, project_title=title).exists():
            continue
        grade_record_create(
            actor=ctx.actor,
            institution=institution,
            project_title=title,
            grade=grade,
            accepted_on=accepted_on,
            source=f"鄂质监通报〔{accepted_on.year}〕{ctx.rng.randint(10, 60)}号",
        )


def _experts(ctx, institutions: dict[str, ServiceInstitution]) -> list[Expert]:
    """Hubei experts free of any bidder (none works for one); topped up when there are too few."""
    bidders = set(institutions)
    experts = [
        e
        for e in Expert.objects.filter(region__code__startswith="42").order_by("pk")
        if e.employer not in bidders
    ]
    for n in range(len(experts), 12):
        experts.append(
            expert_create(
                actor=ctx.actor,
                name=f"{'王李张刘陈杨'[n % 6]}{'建国志明丽华'[n // 6 % 6]}",
                employer="湖北省标准化与质量研究院",
                title="高级工程师",
                region_id="420100",
                specialties="质量诊断",
            )
        )
    return experts


def _tender(ctx, programme, pilot, number, winner, rivals, experts) -> Tender:
    rng = ctx.rng
    name = pilot.cluster.name
    reference = f"HBZB-2018-{number:02d}"
    published = datetime.date(2018, 3, 1) + datetime.timedelta(days=2 * (number - 1))
    deadline = published + datetime.timedelta(days=21)
    ceiling = Decimal(CEILINGS[name])
    tender = services.tender_create(
        actor=ctx.actor,
        programme=programme,
        reference=reference,
        title=f"湖北省品质提升“万千百”工程{name}产业集群品质技术服务采购项目",
        description=(
            f"为{name}产业集群提供一对一、项目制品质技术服务：企业调研、品质管理培训、品质诊断、"
            f"标准制修订、技术讲解和现场交流。预算上限{ceiling:,.0f}元，服务期至2018年12月31日。"
        ),
        clarification_deadline=at(published + datetime.timedelta(days=10), 17),
        bid_deadline=at(deadline, 9),
        opening_at=at(deadline, 9, 30),
        evaluation_on=deadline,
    )
    lot = services.lot_create(
        actor=ctx.actor,
        tender=tender,
        number=1,
        pilot=pilot,
        title=f"{name}产业集群品质提升服务",
        budget_ceiling=ceiling,
    )
    criteria = [
        services.criterion_create(
            actor=ctx.actor, tender=tender, kind=kind, name=label, weight=weight, position=position
        )
        for position, (kind, label, weight) in enumerate(CRITERIA, start=1)
    ]
    tender = services.tender_publish(actor=ctx.actor, tender=tender, at=at(published))

    if name in CLARIFICATIONS:
        asker, question, answer = CLARIFICATIONS[name]
        clarification = services.clarification_create(
            actor=ctx.actor,
            tender=tender,
            question=question,
            asked_by=ctx.objects["institutions"][asker],
            at=at(published + datetime.timedelta(days=3), 14),
        )
        services.clarification_answer(
            actor=ctx.actor,
            clarification=clarification,
            answer=answer,
            at=at(published + datetime.timedelta(days=6), 10),
        )

    bidders = [winner, *rivals]
    rng.shuffle(bidders)  # the order they submit in
    bids = {}
    for i, institution in enumerate(bidders):
        span = WINNER_PRICE if institution == winner else RIVAL_PRICE
        bids[institution.pk] = services.bid_submit(
            actor=ctx.actor,
            lot=lot,
            institution=institution,
            price=yuan(float(ceiling) * rng.uniform(*span)),
            proposal=f"{institution.name}关于{name}产业集群品质提升服务的技术方案："
            f"调研企业{rng.randint(12, 40)}家，开展品质管理培训{rng.randint(4, 12)}场，"
            f"品质诊断{rng.randint(8, 30)}家次，制修订标准{rng.randint(2, 5)}项。",
            at=at(published + datetime.timedelta(days=12 + i), rng.randint(9, 16), rng.randint(0, 59)),
        )

    opening = tender.opening_at
    tender = services.tender_close(actor=ctx.actor, tender=tender, at=tender.bid_deadline)
    tender = services.tender_open(actor=ctx.actor, tender=tender, at=opening)

    # The panel: 3–5 experts drawn from the pool, the first chairing. The expert with a login
    # (the demo's expert.chen) chairs the Qichun and Xiantao panels, so that login has work to show.
    size = rng.randint(3, 5)
    featured = _featured(experts)
    chosen = rng.sample([e for e in experts if e != featured], size)
    if name in ("蕲春蕲艾", XIANTAO):
        chosen[0] = featured
    members = [
        services.panel_member_create(actor=ctx.actor, tender=tender, expert=e, is_chair=(i == 0))
        for i, e in enumerate(chosen)
    ]
    # In a five-member panel one expert declares a past tie to a rival and stands aside.
    declared = at(deadline, 10)
    conflicted = members[-1] if size == 5 else None
    for member in members:
        services.conflicts_declare(
            actor=ctx.actor,
            member=member,
            conflicts=[rivals[0]] if member is conflicted else [],
            at=declared,
        )

    scored = [c for c in criteria if c.kind != CriterionKind.PRICE]
    for member in members:
        if member is conflicted:
            continue
        cells = {}
        for institution in bidders:
            lo, hi = WINNER_POINTS if institution == winner else RIVAL_POINTS
            for criterion in scored:
                points = Decimal(round(float(criterion.weight) * rng.uniform(lo, hi) * 2)) / 2
                cells[(bids[institution.pk].pk, criterion.pk)] = (points, rng.choice(REMARKS))
        sheet = services.scores_save(actor=ctx.actor, member=member, lot=lot, scores=cells)
        services.sheet_submit(actor=ctx.actor, sheet=sheet, at=at(deadline, 16))

    tender = services.tender_award(
        actor=ctx.actor, tender=tender, at=at(deadline + datetime.timedelta(days=2), 10)
    )
    award = Lot.objects.select_related("award__bid__institution").get(pk=lot.pk).award
    if award.bid.institution_id != winner.pk:  # the draw ranges above make this impossible
        raise RuntimeError(f"{reference}: {award.bid.institution} ranked first, not {winner}")
    _contract(ctx, award, number, pilot)
    return tender


def _contract(ctx, award, number: int, pilot) -> None:
    rng = ctx.rng
    standstill = award.standstill_ends.astimezone(TZ).date()
    signed_on = standstill + datetime.timedelta(days=rng.randint(1, 4))
    start = max(pilot.started_on or signed_on, signed_on + datetime.timedelta(days=1))
    end = datetime.date(2018, 12, 31)
    contract = services.contract_create(
        actor=ctx.actor,
        award=award,
        reference=f"HBHT-2018-{number:02d}",
        amount=award.amount,
        signed_on=signed_on,
        start_date=start,
        end_date=end,
    )
    plan = MILESTONES[rng.choice([2, 3])]
    left = contract.amount
    first = None
    for i, (title, percent, days) in enumerate(plan):
        last = i == len(plan) - 1
        amount = left if last else share(contract.amount, percent)
        left -= amount
        milestone = services.milestone_create(
            actor=ctx.actor,
            contract=contract,
            title=title,
            due_date=datetime.date(2018, 12, 20) if days is None else start + datetime.timedelta(days=days),
            amount=amount,
            status=MilestoneStatus.MET if i == 0 else MilestoneStatus.SCHEDULED,
            note="已提交报告，经省局项目处确认。" if i == 0 else "",
        )
        first = first or milestone
    services.payment_create(
        actor=ctx.actor,
        contract=contract,
        milestone=first,
        paid_on=first.due_date + datetime.timedelta(days=rng.randint(10, 20)),
        amount=first.amount,
        reference=f"HBZF-2018-{number:02d}-1",
    )


def _follow_up(ctx, programme, pilots, experts) -> None:
    """A 2019 follow-up tender for two pilots' second phase, still a draft (not yet procurement)."""
    tender = services.tender_create(
        actor=ctx.actor,
        programme=programme,
        reference=FOLLOW_UP,
        title="湖北省品质提升“万千百”工程试点深化服务采购项目（2019年）",
        description="在2018年试点基础上，对蕲春蕲艾、潜江小龙虾产业集群开展第二期品质提升服务。",
        clarification_deadline=at(datetime.date(2019, 3, 15), 17),
        bid_deadline=at(datetime.date(2019, 3, 29), 9),
        opening_at=at(datetime.date(2019, 3, 29), 9, 30),
        evaluation_on=datetime.date(2019, 3, 29),
    )
    for number, (name, ceiling) in enumerate((("蕲春蕲艾", 300_000), ("潜江小龙虾", 300_000)), start=1):
        services.lot_create(
            actor=ctx.actor,
            tender=tender,
            number=number,
            pilot=pilots[name],
            title=f"{name}产业集群品质提升深化服务（二期）",
            budget_ceiling=Decimal(ceiling),
        )
    for position, (kind, label, weight) in enumerate(CRITERIA, start=1):
        services.criterion_create(
            actor=ctx.actor, tender=tender, kind=kind, name=label, weight=weight, position=position
        )
    services.panel_member_create(actor=ctx.actor, tender=tender, expert=_featured(experts), is_chair=True)


def _featured(experts: list[Expert]) -> Expert:
    """The first expert with a login (the demo's expert.chen), else the first expert."""
    return next((e for e in experts if e.user_id), experts[0])
