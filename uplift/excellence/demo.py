"""The excellence model in the Hubei 2018 programme: who adopted it, and the benchmarks.

The programme counts an enterprise as an adopter when it took part in an excellence-model
training of the programme (``uplift.delivery.demo`` trains 1,200) and the bureau accepted its
self-assessment against GB/T 19580-2012. Drawn so that the records give the published figures:

* 1,045 of the trained enterprises write, submit and have their self-assessments accepted in 2018
  (about one in twelve is first returned with comments and submitted again);
* 30 enterprises had a self-assessment accepted in 2017 without any 2018 training: they adopted
  before the programme and do not count in it;
* 40 trained enterprises are still writing theirs (drafts) or waiting for the bureau (submitted),
  and the demo enterprise user's firm has one returned for changes: none of these count;
* 130 adopters of the first months are assessed by a panel of three experts (independent
  scores, a consensus round with the widely differing items flagged, strengths and opportunities
  per item); with the programme's rules (consensus total ≥ 500, no failed batch in 12 months, no
  open severe problem, adopted at least 3 months before), the bureau approves 113 benchmarks in
  December 2018: 112 meeting every rule and one, with an override reason, missing one.

Every self-assessment goes through the services, dated in the 2018 timeline.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db.models import Min

from uplift.accounts.models import User
from uplift.delivery.choices import ActivityStatus
from uplift.delivery.models import Participation, QualityMethod
from uplift.programmes.models import Programme
from uplift.registry.models import ClusterMembership, Enterprise, Expert

from . import services
from .choices import SelfAssessmentStatus
from .models import Framework, Item, SelfAssessment

TZ = ZoneInfo("Asia/Shanghai")
PROGRAMME = "hubei-2018"
ADOPTERS = 1045
BEFORE = 30
UNFINISHED = 40
BENCHMARKS = 113
CANDIDATES = 130  # early adopters assessed by the expert panel
WEAK = 10  # of them, scored below the rule's 500 points
ADOPTED_BY = datetime.date(2018, 8, 31)  # three months before the decisions
DECISION_DAY = datetime.date(2018, 12, 3)
RETURNED_SHARE = 12  # one in twelve adopters is returned once before being accepted
LAST_DAY = datetime.date(2018, 12, 28)

#: A sentence per item kind that the narratives vary on (the firm's own words in a real file).
NARRATIVES = {
    "process": [
        "已建立{name}的制度和流程，覆盖主要部门；每季度评审一次并据此改进。",
        "{name}方面有明确的方法和责任人，已在生产和销售环节展开，尚未与战略目标完全对接。",
        "参照卓越绩效导入培训的要求梳理了{name}，形成文件并在全员中宣贯，改进案例3项。",
    ],
    "results": [
        "{name}：近三年关键指标持续向好，优于本地同行平均水平，部分指标达到行业先进。",
        "{name}：主要指标有三年数据，趋势总体改善，与标杆企业相比仍有差距。",
        "{name}：已建立指标体系并按月统计，近两年数据稳定，对比数据尚在收集。",
    ],
}


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def _later(ctx, day: datetime.date, low: int, high: int) -> datetime.date:
    return min(day + datetime.timedelta(days=ctx.rng.randint(low, high)), LAST_DAY)


def build(ctx) -> None:
    programme = ctx.objects.get("programme") or Programme.objects.get(slug=PROGRAMME)
    if SelfAssessment.objects.exists():
        ctx.say("excellence: already built")
        return
    rng = ctx.rng
    officer = User.objects.filter(username="hubei.officer").first()
    framework = Framework.objects.get(code="GB/T 19580-2012")
    items = list(Item.objects.filter(category__framework=framework).order_by("category__order", "order"))
    services.adoption_rule_create(
        actor=officer,
        programme=programme,
        training_method=QualityMethod.objects.get(code="excellence"),
        self_assessment_required=True,
        framework=framework,
    )

    # The excellence-trained enterprises, each with the day of its first such training.
    trained = dict(
        Participation.objects.filter(
            activity__programme=programme,
            activity__status=ActivityStatus.APPROVED,
            activity__methods__code="excellence",
        )
        .values("enterprise_id")
        .annotate(first=Min("activity__held_on"))
        .values_list("enterprise_id", "first")
    )
    demo_firm = ctx.objects.get("demo_enterprise") or _demo_enterprise()
    pool = sorted(e for e in trained if e != demo_firm.pk)
    chosen = rng.sample(pool, ADOPTERS + UNFINISHED)
    adopters, unfinished = chosen[:ADOPTERS], chosen[ADOPTERS:]
    firms = Enterprise.objects.in_bulk(chosen + [demo_firm.pk])

    for n, pk in enumerate(adopters):
        submitted = _later(ctx, trained[pk], 10, 60)
        assessment = _written(ctx, firms[pk], framework, items, 2018)
        if n % RETURNED_SHARE == 0:
            services.self_assessment_submit(actor=None, assessment=assessment, at=_at(submitted))
            returned = _later(ctx, submitted, 2, 7)
            services.self_assessment_return(
                actor=officer,
                assessment=assessment,
                reason="请补充4.7结果类条目近三年的数据和与同行的对比，并附证明材料。",
                at=_at(returned),
            )
            submitted = _later(ctx, returned, 3, 10)
        services.self_assessment_submit(actor=None, assessment=assessment, at=_at(submitted))
        services.self_assessment_accept(
            actor=officer, assessment=assessment, at=_at(_later(ctx, submitted, 2, 12), 15)
        )

    # Adopted before the programme, never trained in it: counted by neither rule nor figure.
    untrained = sorted(
        Enterprise.objects.filter(region__code__startswith="42")
        .exclude(pk__in=list(trained))
        .values_list("pk", flat=True)
    )
    for pk in rng.sample(untrained, BEFORE):
        enterprise = Enterprise.objects.get(pk=pk)
        assessment = _written(ctx, enterprise, framework, items, 2017)
        day = datetime.date(2017, 3, 1) + datetime.timedelta(days=rng.randint(0, 240))
        services.self_assessment_submit(actor=None, assessment=assessment, at=_at(day))
        services.self_assessment_accept(actor=officer, assessment=assessment, at=_at(_later(ctx, day, 3, 20)))

    # Still being written, or waiting for the bureau.
    for n, pk in enumerate(unfinished):
        assessment = _written(ctx, firms[pk], framework, items, 2018, partial=n % 2 == 0)
        if n % 2:
            services.self_assessment_submit(
                actor=None, assessment=assessment, at=_at(_later(ctx, trained[pk], 20, 60))
            )
    # The demo enterprise user's own: returned, waiting for them to revise it.
    assessment = _written(ctx, demo_firm, framework, items, 2018)
    services.self_assessment_submit(actor=None, assessment=assessment, at=_at(datetime.date(2018, 11, 20)))
    services.self_assessment_return(
        actor=officer,
        assessment=assessment,
        reason="4.4.2 人力资源和4.7.5 资源结果的叙述过于简略，请补充培训计划、员工满意度数据后重新提交。",
        at=_at(datetime.date(2018, 11, 26)),
    )

    benchmarks = _benchmarks(ctx, programme, framework, items, officer)
    ctx.say(
        f"excellence: {ADOPTERS} adopters, {BEFORE} earlier, {UNFINISHED} unfinished; "
        f"{CANDIDATES} expert assessments, {benchmarks} benchmarks"
    )


def _benchmarks(ctx, programme, framework, items, officer) -> int:
    """Expert assessments of early adopters, then the bureau approves 113 benchmarks: 112 that meet
    every rule and one, with an override reason, that misses one."""
    from uplift.excellence.selectors import adopters as adopters_of
    from uplift.excellence.selectors import candidates

    rng = ctx.rng
    services.benchmark_rule_create(
        actor=officer,
        programme=programme,
        framework=framework,
        min_score=500,
        clean_months=12,
        no_open_severe_problem=True,
        min_adopted_months=3,
    )
    early = sorted(
        pk
        for pk, day in adopters_of(programme).values_list("pk", "adopted_on")
        if datetime.date(2018, 1, 1) <= day <= ADOPTED_BY
    )
    chosen = rng.sample(early, CANDIDATES)
    panel = list(Expert.objects.filter(user__isnull=False).order_by("pk")[:3])
    accepted = {
        a.enterprise_id: a
        for a in SelfAssessment.objects.filter(enterprise_id__in=chosen, status=SelfAssessmentStatus.ACCEPTED)
    }
    firms = Enterprise.objects.in_bulk(chosen)
    for n, pk in enumerate(chosen):
        level = rng.randrange(35, 50, 5) if n < WEAK else rng.randrange(55, 80, 5)
        _assessed(ctx, firms[pk], framework, items, accepted.get(pk), panel, officer, level)

    decided = DECISION_DAY
    rows = candidates(programme, decided, ids=chosen)
    meeting = [r for r in rows if r.meets_all]
    missing = [r for r in rows if not r.meets_all]
    if len(meeting) < BENCHMARKS - 1 or not missing:
        raise RuntimeError(f"the demo needs {BENCHMARKS - 1} candidates meeting every rule: {len(meeting)}")
    approved = 0
    for r in meeting[: BENCHMARKS - 1]:
        _approve(
            ctx, programme, r.enterprise, officer, "综合评审得分、抽查记录与导入成效均符合标杆企业条件。"
        )
        approved += 1
    override = missing[0]
    _approve(
        ctx,
        programme,
        override.enterprise,
        officer,
        "在行业内质量管理示范作用突出，经评审委员会讨论同意。",
        override_reason="未达条款已于评审期间整改到位，经现场复核确认；评审委员会一致同意例外认定。",
    )
    return approved + 1


def _approve(ctx, programme, enterprise, officer, reason, override_reason="") -> None:
    membership = ClusterMembership.objects.filter(
        enterprise=enterprise, cluster__pilots__programme=programme
    ).first()
    services.benchmark_approve(
        actor=officer,
        programme=programme,
        enterprise=enterprise,
        cluster=membership.cluster if membership else None,
        reason=reason,
        override_reason=override_reason,
        on=DECISION_DAY + datetime.timedelta(days=ctx.rng.randint(0, 9)),
    )


#: Per item kind, what a panel writes on the feedback report.
STRENGTHS = {
    "process": [
        "{name}有文件化的方法并在主要部门展开",
        "{name}的职责明确，定期评审",
        "{name}与年度目标衔接较好",
    ],
    "results": ["{name}近三年持续改善", "{name}的关键指标优于地区同行", "{name}有完整的月度统计"],
}
OPPORTUNITIES = {
    "process": [
        "{name}的方法尚未覆盖供应链和外协环节",
        "{name}缺少系统的学习与改进机制",
        "{name}与其他过程的整合不足",
    ],
    "results": [
        "{name}缺少与行业标杆的对比数据",
        "{name}的部分指标波动较大，需分析原因",
        "{name}的细分数据不足",
    ],
}


def _assessed(ctx, enterprise, framework, items, self_assessment, panel, officer, level) -> None:
    """One enterprise's expert assessment: each expert scores around ``level``, now and then far
    from the others (flagged); the consensus starts from the mean and gives the flagged items a
    rationale; completed in November 2018."""
    rng = ctx.rng
    visit = datetime.date(2018, 10, 8) + datetime.timedelta(days=rng.randint(0, 30))
    assessment = services.expert_assessment_create(
        actor=officer,
        enterprise=enterprise,
        framework=framework,
        year=2018,
        self_assessment=self_assessment,
        visited_on=visit,
    )
    reviews = [
        services.expert_assessment_assign(actor=officer, assessment=assessment, expert=e) for e in panel
    ]
    for review in reviews:
        scores = []
        for item in items:
            spread = rng.choice((-10, -5, 0, 0, 5, 5, 10) if rng.random() > 0.04 else (-25, 25))
            scores.append((item.pk, max(0, min(100, level + spread)), ""))
        services.expert_review_score(actor=review.expert.user, review=review, scores=scores, opinion="")
        services.expert_review_submit(
            actor=review.expert.user,
            review=review,
            no_conflict=True,
            at=_at(visit + datetime.timedelta(days=3)),
        )
    services.expert_assessment_consensus(actor=officer, assessment=assessment)
    rows = []
    for row in assessment.consensus.select_related("item"):
        name = row.item.name
        rows.append(
            (
                row.item_id,
                row.percent,
                "专家组现场核实后按多数意见确定。" if row.flagged else "",
                rng.choice(STRENGTHS[row.item.kind]).format(name=name),
                rng.choice(OPPORTUNITIES[row.item.kind]).format(name=name),
            )
        )
    services.expert_assessment_agree(
        actor=officer,
        assessment=assessment,
        rows=rows,
        summary=f"{enterprise.name}已系统导入卓越绩效模式，建议在结果测量与对标方面持续改进。",
    )
    services.expert_assessment_complete(
        actor=officer, assessment=assessment, at=_at(visit + datetime.timedelta(days=rng.randint(10, 20)), 16)
    )


def _demo_enterprise() -> Enterprise:
    return (
        Enterprise.objects.filter(cluster_memberships__cluster__name="仙桃休闲女装")
        .order_by("credit_code")
        .first()
    )


def _written(ctx, enterprise, framework, items, year, *, partial: bool = False):
    """A self-assessment with its items written at the firm's level (30–70%) give or take 10 points,
    in steps of 5; ``partial``: only the first half written."""
    rng = ctx.rng
    assessment = services.self_assessment_create(
        actor=None,
        enterprise=enterprise,
        framework=framework,
        year=year,
        profile=f"{enterprise.name}，主要产品面向国内市场，设有质量管理部门，已通过ISO 9001认证。",
    )
    level = rng.randrange(30, 75, 5)
    shown = items[: len(items) // 2] if partial else items
    responses = [
        (
            item.pk,
            max(0, min(100, level + rng.choice((-10, -5, 0, 0, 5, 10)))),
            rng.choice(NARRATIVES[item.kind]).format(name=item.name),
        )
        for item in shown
    ]
    return services.self_assessment_respond(actor=None, assessment=assessment, responses=responses)
