"""The acceptance of the Hubei 2018 pilot projects (验收) and the grade bulletin (通报).

Runs after :mod:`uplift.delivery.demo_results`. The province sets a four-criterion rubric
(100 points). Projects with activities still waiting for approval cannot be submitted, and stay in
progress; so does Qichun's, where the user guide tries the delivery steps. The others (seven) are
submitted on 21 December: six are graded on the 27th and published in the bulletin of January
2019, the seventh is still being scored (two criteria so far), to show the steps. The six totals
are fixed to give a spread of grades (优秀 ×2, 良好 ×3, 一般 ×1); each is split over the criteria
in proportion to their points.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from uplift.accounts.models import User
from uplift.programmes.models import Programme

from . import services
from .choices import ActivityStatus, ProjectStatus
from .models import Acceptance, ServiceProject

TZ = ZoneInfo("Asia/Shanghai")
PROGRAMME = "hubei-2018"
RUBRIC = [
    ("合同指标完成情况", 30, "对照合同约定的服务企业数、培训人次、解决问题数等指标逐项核对完成情况。"),
    ("服务成效", 30, "问题整改、标准制修订、产品抽查合格率变化、经核实的经济效益。"),
    ("企业满意度", 20, "抽取不少于10家服务对象企业电话回访或问卷调查。"),
    ("服务过程与资料规范", 20, "服务方案执行、活动记录、签到表与佐证材料是否完整规范。"),
]
#: The totals of the graded projects (in the order of their clusters' names).
TOTALS = [
    Decimal("94.5"),
    Decimal("91.0"),
    Decimal("86.5"),
    Decimal("82.0"),
    Decimal("77.5"),
    Decimal("68.0"),
]
KEPT_IN_PROGRESS = "蕲春蕲艾"
PANEL = "\n".join(
    [
        "湖北省质量协会 张建国（组长）",
        "武汉大学质量发展战略研究院 李明",
        "湖北省标准化与质量研究院 王芳",
        "湖北省产品质量监督检验研究院 陈卫东",
        "财务专家 刘晓燕",
    ]
)
SUBMITTED_ON = datetime.date(2018, 12, 21)
HELD_ON = datetime.date(2018, 12, 27)
BULLETIN = "鄂市监质〔2019〕3号"
PUBLISHED_AT = datetime.datetime(2019, 1, 15, 10, tzinfo=TZ)


def build(ctx) -> None:
    programme = ctx.objects.get("programme") or Programme.objects.get(slug=PROGRAMME)
    if Acceptance.objects.filter(project__pilot__programme=programme).exists():
        ctx.say("acceptance: already built")
        return
    officer = User.objects.get(username="hubei.officer")
    for order, (name, points, guidance) in enumerate(RUBRIC, start=1):
        services.acceptance_criterion_create(
            actor=ctx.actor, programme=programme, order=order, name=name, points=points, guidance=guidance
        )
    criteria = list(programme.acceptance_criteria.all())
    projects = [
        p
        for p in ServiceProject.objects.filter(pilot__programme=programme, status=ProjectStatus.IN_PROGRESS)
        .select_related("pilot__cluster")
        .order_by("pilot__cluster__name")
        if p.pilot.cluster.name != KEPT_IN_PROGRESS
        and not p.activities.filter(status=ActivityStatus.SUBMITTED).exists()
    ]
    graded = projects[: len(TOTALS)]
    scoring = projects[len(TOTALS)] if len(projects) > len(TOTALS) else None
    waiting = projects[len(TOTALS) + 1 :]
    for project in projects:
        services.project_submit(actor=ctx.actor, project=project, at=_at(SUBMITTED_ON, 16))
    for project, total in zip(graded, TOTALS, strict=False):
        acceptance = _held(ctx, officer, project, criteria, total)
        acceptance = services.acceptance_grade(actor=officer, acceptance=acceptance, at=_at(HELD_ON, 17))
        services.acceptance_publish(
            actor=officer, acceptance=acceptance, bulletin_number=BULLETIN, at=PUBLISHED_AT
        )
    if scoring is not None:
        _held(ctx, officer, scoring, criteria[:2], Decimal("80"))  # two criteria scored so far
    ctx.say(
        f"acceptance: {len(graded)} projects graded and published, "
        f"{1 if scoring else 0} being scored, {len(waiting)} waiting"
    )


def _held(ctx, officer, project, criteria, total: Decimal) -> Acceptance:
    """The panel meets and agrees a score on each of ``criteria``, ``total`` split by their points."""
    acceptance = services.acceptance_create(
        actor=officer,
        project=project,
        held_on=HELD_ON,
        panel=PANEL,
        conclusion=f"{project.title}按合同完成了服务方案确定的目标任务，资料齐全，同意通过验收。",
    )
    scores, left = [], total * sum(c.points for c in criteria) / 100
    for n, c in enumerate(criteria):
        share = (total * c.points / 100 * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2  # to 0.5
        score = left if n == len(criteria) - 1 else share
        left -= score
        scores.append((c.pk, score, "专家组合议评分。"))
    return services.acceptance_score(actor=officer, acceptance=acceptance, scores=scores)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)
