"""The acceptance of the Hubei 2018 pilot projects (验收), the grade bulletin (通报), and a
supplementary Qichun project still under way.

Runs after :mod:`uplift.delivery.demo_results`. The province sets a four-criterion rubric (100
points) and keeps the default thresholds (优秀 ≥ 90, 良好 ≥ 75, 一般 ≥ 60). On 20 December the
province officer returns the activities still waiting for approval (a project is submitted only
once none waits); on the 21st all twelve projects are submitted; on the 27th three experts
(``expert.chen`` and two colleagues given accounts) each score every project on their own, the
officer adopts their average and grades it; all twelve grades are published in the bulletin of
15 January 2019.

The totals are fixed to give a spread — 优秀 for the three projects whose records stand out
(Xiantao's ¥130M of verified losses avoided, Qichun's 3 local standards and 88 evaluation
reports, Qianjiang's 4 local standards), then 良好 and 一般. The first criterion (合同指标完成情况,
30 points) is computed from each project's KPIs at grading; the rest of the total is split over
the panel's three criteria in proportion to their points; the experts' scores spread around
those by 0.5 to 3.5 points, so their average is exactly the agreed score and some criteria are
marked for discussion.

So that the user guide's steps can be tried, Qichun's institution also has a **supplementary
project** (补充服务协议, December 2018 to June 2019) in progress under the same pilot, with a draft,
an activity waiting for approval and one returned for correction; none of them counts.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from uplift.accounts.choices import Role
from uplift.accounts.demo import PASSWORD
from uplift.accounts.models import Organisation, User
from uplift.accounts.services import membership_create, user_create
from uplift.programmes.models import Programme
from uplift.registry.models import ClusterMembership, Expert
from uplift.registry.services import expert_update

from . import services
from .choices import ActivityKind, ActivityStatus, CriterionBasis
from .demo_evidence import attach_sign_in_sheet
from .models import Acceptance, ServiceProject
from .selectors import computed_score

TZ = ZoneInfo("Asia/Shanghai")
PROGRAMME = "hubei-2018"
#: (name, points, guidance, computed from the KPIs?)
RUBRIC = [
    (
        "合同指标完成情况",
        30,
        "按合同约定的服务企业数、培训人次、解决问题数等指标，由系统根据审核通过的记录计算完成率。",
        True,
    ),
    ("服务成效", 30, "问题整改、标准制修订、产品抽查合格率变化、经核实的经济效益。", False),
    ("企业满意度", 20, "抽取不少于10家服务对象企业电话回访或问卷调查。", False),
    ("服务过程与资料规范", 20, "服务方案执行、活动记录、签到表与佐证材料是否完整规范。", False),
]
#: Totals of the three outstanding projects, then of the others in the order of their clusters.
OUTSTANDING = {"仙桃休闲女装": Decimal("95.5"), "蕲春蕲艾": Decimal("93.0"), "潜江小龙虾": Decimal("91.5")}
OTHERS = [Decimal(t) for t in ("88.0", "86.5", "84.0", "82.5", "80.0", "78.5", "76.0", "71.5", "66.0")]
#: The panel: three registry experts with accounts (expert.chen and two more), each scoring on
#: their own; the spread of their scores around the agreed one, per criterion, in turn.
SPREADS = [Decimal("0.5"), Decimal("1.5"), Decimal("2.5"), Decimal("3.5")]
PINYIN = {
    "王": "wang",
    "李": "li",
    "张": "zhang",
    "刘": "liu",
    "杨": "yang",
    "黄": "huang",
    "赵": "zhao",
    "周": "zhou",
    "吴": "wu",
    "徐": "xu",
    "孙": "sun",
}
RETURNED_ON = datetime.date(2018, 12, 20)
SUBMITTED_ON = datetime.date(2018, 12, 21)
HELD_ON = datetime.date(2018, 12, 27)
BULLETIN = "鄂市监质〔2019〕3号"
PUBLISHED_AT = datetime.datetime(2019, 1, 15, 10, tzinfo=TZ)
SUPPLEMENTARY = {
    "title": "蕲春蕲艾企业标准提升服务（补充服务协议）",
    "start_date": datetime.date(2018, 12, 1),
    "end_date": datetime.date(2019, 6, 30),
    "goals": "在一期服务基础上，指导蕲艾企业对照新发布的地方标准修订企业标准，开展企业标准自我声明公开。",
    "enterprises_targeted": "一期已出具评价报告中结论为“基本符合”或“不符合”的企业优先。",
    "schedule": "2018年12月摸底；2019年1–4月逐企辅导；5–6月复评与总结。",
}


def build(ctx) -> None:
    programme = ctx.objects.get("programme") or Programme.objects.get(slug=PROGRAMME)
    if Acceptance.objects.filter(project__pilot__programme=programme).exists():
        ctx.say("acceptance: already built")
        return
    officer = User.objects.get(username="hubei.officer")
    for order, (name, points, guidance, computed) in enumerate(RUBRIC, start=1):
        services.acceptance_criterion_create(
            actor=ctx.actor,
            programme=programme,
            order=order,
            name=name,
            points=points,
            guidance=guidance,
            basis=CriterionBasis.KPI if computed else CriterionBasis.JUDGED,
        )
    criteria = list(programme.acceptance_criteria.all())
    projects = list(
        ServiceProject.objects.filter(pilot__programme=programme)
        .select_related("pilot__cluster")
        .order_by("pilot__cluster__name")
    )
    others = iter(OTHERS)
    panel = _panel(ctx)
    for n, project in enumerate(projects):
        for activity in project.activities.filter(status=ActivityStatus.SUBMITTED):
            services.activity_return(
                actor=officer,
                activity=activity,
                reason="项目已申请验收，该活动材料未在截止日前补齐，退回不计入。",
                at=_at(RETURNED_ON, 9),
            )
        services.project_submit(actor=ctx.actor, project=project, at=_at(SUBMITTED_ON, 16))
        total = OUTSTANDING.get(project.pilot.cluster.name) or next(others)
        acceptance = _held(officer, project, criteria, total, panel, n)
        acceptance = services.acceptance_grade(actor=officer, acceptance=acceptance, at=_at(HELD_ON, 17))
        services.acceptance_publish(
            actor=officer, acceptance=acceptance, bulletin_number=BULLETIN, at=PUBLISHED_AT
        )
    _supplementary(ctx, projects, officer)
    spread = Counter(Acceptance.objects.values_list("grade", flat=True))
    ctx.say(
        f"acceptance: {len(projects)} projects graded and published "
        f"({', '.join(f'{n} {g}' for g, n in sorted(spread.items()))})"
    )


def _panel(ctx) -> list:
    """expert.chen and two registry experts of other surnames, given accounts (expert.<surname>)."""
    chen = Expert.objects.get(user__username="expert.chen")
    pool = Organisation.objects.get(name="湖北省品质提升专家库")
    panel, surnames = [chen], {chen.name[0]}
    for expert in Expert.objects.filter(user__isnull=True).order_by("pk"):
        if len(panel) == 3:
            break
        if expert.name[0] in surnames or expert.name[0] not in PINYIN:
            continue
        user = user_create(
            actor=ctx.actor,
            username=f"expert.{PINYIN[expert.name[0]]}",
            password=PASSWORD,
            display_name=f"{expert.name}{expert.title}",
        )
        membership_create(actor=ctx.actor, user=user, organisation=pool, role=Role.EXPERT)
        panel.append(expert_update(actor=ctx.actor, instance=expert, user=user))
        surnames.add(expert.name[0])
    return panel


def _held(officer, project, criteria, total: Decimal, panel: list, n: int) -> Acceptance:
    """The panel scores on its own, the officer adopts the average: ``total`` split by the
    criteria's points (to 0.5), each expert's score spread around it so the average is exact."""
    acceptance = services.acceptance_create(
        actor=officer,
        project=project,
        held_on=HELD_ON,
        panel="\n".join(f"{e.name} {e.employer}{'（组长）' if i == 0 else ''}" for i, e in enumerate(panel)),
        conclusion=f"{project.title}按合同完成了服务方案确定的目标任务，资料齐全，同意通过验收。",
    )
    # The KPI criterion is computed from the records at grading; the panel's share is the rest.
    judged = [c for c in criteria if not c.is_computed]
    left = total - sum(computed_score(c, project)[0] for c in criteria if c.is_computed)
    judged_total, agreed = left, []
    judged_points = sum(c.points for c in judged)
    for i, c in enumerate(judged):
        share = (judged_total * c.points / judged_points * 2).quantize(Decimal("1"), ROUND_HALF_UP) / 2  # 0.5
        score = left if i == len(judged) - 1 else share
        left -= score
        agreed.append((c, score, min(SPREADS[(n + i) % len(SPREADS)], score, c.points - score)))
    for offset, expert in zip((-1, 0, 1), panel, strict=True):
        review = services.acceptance_review_assign(actor=officer, acceptance=acceptance, expert=expert)
        marks = [(c.pk, score + offset * spread, "对照资料逐项核查后评分。") for c, score, spread in agreed]
        services.acceptance_review_score(
            actor=expert.user, review=review, scores=marks, opinion="服务过程资料完整，目标任务基本完成。"
        )
        services.acceptance_review_submit(
            actor=expert.user, review=review, no_conflict=True, at=_at(HELD_ON, 11)
        )
    return services.acceptance_adopt_average(actor=officer, acceptance=acceptance)


def _supplementary(ctx, projects, officer) -> None:
    """Qichun's supplementary project, in progress: a draft, one waiting, one returned."""
    main = next(p for p in projects if p.pilot.cluster.name == "蕲春蕲艾")
    institution_user = (
        User.objects.filter(memberships__organisation__institution=main.institution).order_by("pk").first()
    )
    actor = institution_user or ctx.actor
    project = services.project_create(
        actor=ctx.actor, pilot=main.pilot, institution=main.institution, **SUPPLEMENTARY
    )
    project = services.project_start(actor=actor, project=project, at=_at(SUPPLEMENTARY["start_date"], 10))
    members = list(
        ClusterMembership.objects.filter(cluster=main.pilot.cluster)
        .order_by("enterprise__credit_code")
        .values_list("enterprise_id", flat=True)[:9]
    )
    for n, (stage, topic) in enumerate(
        [
            ("draft", "企业标准自我声明公开辅导（第三场）"),
            ("submitted", "企业标准自我声明公开辅导（第二场）"),
            ("returned", "企业标准自我声明公开辅导（第一场）"),
        ]
    ):
        held_on = datetime.date(2018, 12, 20 - 5 * n)
        activity = services.activity_create(
            actor=actor,
            project=project,
            kind=ActivityKind.TRAINING,
            held_on=held_on,
            place="蕲春县市场监督管理局培训中心",
            topic=topic,
            delivered_by="蕲春县蕲艾产业品质技术服务中心标准化部",
        )
        rows = [(e, 1 + (e % 3)) for e in members[3 * n : 3 * n + 3]]
        services.participations_add(actor=actor, activity=activity, rows=rows)
        if stage == "draft":
            continue
        # The returned one's sheet lacks the contacts' signatures: the officer's reason says so.
        attach_sign_in_sheet(actor, activity, signed=stage != "returned")
        services.activity_submit(actor=actor, activity=activity, at=_at(held_on, 18))
        if stage == "returned":
            services.activity_return(
                actor=officer,
                activity=activity,
                reason="签到表缺少企业联系人签字，请补充后重新提交。",
                at=_at(held_on + datetime.timedelta(days=2), 10),
            )


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)
