"""Test scenario of delivery: a started project in Hubei with approved, submitted and draft
activities, and one in Hunan (out of the Hubei officer's and institution's scope)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from uplift.accounts.choices import Role
from uplift.accounts.services import membership_create, user_create

from . import services
from .choices import (
    ActivityKind,
    BenefitKind,
    EvaluationConclusion,
    ProblemCategory,
    StandardLevel,
    StandardStatus,
    StandardWorkKind,
)
from .models import QualityMethod

PLAN = {"goals": "提升集群产品质量", "enterprises_targeted": "集群全部企业", "schedule": "6–12月"}
PERIOD = {"start_date": datetime.date(2018, 6, 1), "end_date": datetime.date(2018, 12, 31)}


def day(month: int, d: int) -> datetime.date:
    return datetime.date(2018, month, d)


class DeliveryScenario:
    """Built on the World: ``project`` (Hubei, in progress) with ``approved`` (ent_in, 3 managers,
    an advanced training), ``submitted`` and ``draft`` activities; ``project_out`` in Hunan with an
    approved ``activity_out``; a second Hubei officer (``officer2``) to approve what ``officer``
    submitted."""

    def __init__(self, w: Any) -> None:
        self.w = w
        self.project = self.started(w.pilot_in, w.inst_in, "仙桃休闲女装品质提升服务")
        self.project_out = self.started(w.pilot_out, w.inst_out, "长沙工程机械品质提升服务")
        self.kpi = services.kpi_create(actor=None, project=self.project, kind="enterprises", target=10)
        self.kpi_out = services.kpi_create(
            actor=None, project=self.project_out, kind="enterprises", target=10
        )
        self.six_sigma = QualityMethod.objects.get(code="six-sigma")
        self.approved = self.activity(
            self.project,
            [(w.ent_in.pk, 3)],
            kind=ActivityKind.TRAINING,
            methods=[self.six_sigma],
            stage="approved",
        )
        self.submitted = self.activity(self.project, [(w.ent_in.pk, 2)], stage="submitted")
        self.draft = self.activity(self.project, [(w.ent_in.pk, 1)], stage="draft")
        self.activity_out = self.activity(self.project_out, [(w.ent_out.pk, 4)], stage="approved")
        self.participation = self.draft.participations.get()
        self.participation_out = self.activity_out.participations.get()
        self.officer2 = user_create(actor=None, username="officer2", password="Test-pass-2018")
        membership_create(actor=None, user=self.officer2, organisation=w.bureau, role=Role.OFFICER)
        self.problem = self.problem_in(self.approved, w.ent_in, "吊牌成分标注与实物不符")
        self.problem_out = self.problem_in(self.activity_out, w.ent_out, "液压件出厂检验记录缺失")
        self.standard = self.approved_standard("DB42/T 1234-2018", "休闲女装质量要求", w.cluster_in)
        self.standard_out = self.approved_standard("DB43/T 5678-2018", "工程机械液压件", w.cluster_out)
        self.standard_work = services.standard_work_create(
            actor=None,
            project=self.project,
            standard=self.standard,
            kind=StandardWorkKind.NEW,
            started_on=day(7, 1),
        )
        self.standard_work_out = services.standard_work_create(
            actor=None,
            project=self.project_out,
            standard=self.standard_out,
            kind=StandardWorkKind.REVISION,
            started_on=day(7, 1),
        )
        self.report = self.evaluation(self.project, w.ent_in, self.standard, "XT-PJ-2018-001")
        self.report_out = self.evaluation(self.project_out, w.ent_out, self.standard_out, "CS-PJ-2018-001")
        self.benefit = self.claim(self.project, w.ent_in, Decimal("120000"))
        self.benefit_out = self.claim(self.project_out, w.ent_out, Decimal("80000"))

    @staticmethod
    def started(pilot, institution, title):
        project = services.project_create(
            actor=None, pilot=pilot, institution=institution, title=title, **PERIOD, **PLAN
        )
        return services.project_start(actor=None, project=project)

    @staticmethod
    def activity(project, rows, *, stage: str, kind: str = ActivityKind.DIAGNOSIS, methods=(), held_on=None):
        activity = services.activity_create(
            actor=None,
            project=project,
            kind=kind,
            held_on=held_on or day(7, 10),
            place="产业园区会议室",
            topic=f"{project.title}·{kind}·{stage}",
            methods=list(methods),
        )
        services.participations_add(actor=None, activity=activity, rows=rows)
        if stage in ("submitted", "approved"):
            activity = services.activity_submit(actor=None, activity=activity)
        if stage == "approved":
            activity = services.activity_approve(actor=None, activity=activity)
        return activity

    @staticmethod
    def problem_in(activity, enterprise, description: str, **extra):
        """An open problem found at ``enterprise`` in ``activity`` (its project's), due 2018-09-30."""
        data = {
            "activity": activity,
            "enterprise": enterprise,
            "category": ProblemCategory.LABELLING,
            "found_on": activity.held_on,
            "description": description,
            "deadline": day(9, 30),
        }
        return services.problem_create(actor=None, **{**data, **extra})

    @staticmethod
    def approved_standard(number: str, title: str, cluster=None, **extra):
        data = {
            "number": number,
            "level": StandardLevel.LOCAL,
            "title": title,
            "status": StandardStatus.APPROVED,
            "approved_on": day(6, 15),
            "issued_by": "省市场监督管理局",
            "cluster": cluster,
        }
        return services.standard_create(actor=None, **{**data, **extra})

    @staticmethod
    def evaluation(project, enterprise, standard, number: str):
        return services.evaluation_report_create(
            actor=None,
            project=project,
            enterprise=enterprise,
            standard=standard,
            report_number=number,
            issued_on=day(10, 15),
            conclusion=EvaluationConclusion.CONFORMS,
        )

    @staticmethod
    def claim(project, enterprise, amount: Decimal, **extra):
        data = {
            "project": project,
            "enterprise": enterprise,
            "kind": BenefitKind.COST_SAVED,
            "amount": amount,
            "year": 2018,
            "calculation": "返工率下降×年产量×单件返工成本",
            "evidence": "企业财务报表、返工记录",
        }
        return services.benefit_create(actor=None, **{**data, **extra})


def expert_with_account(w: Any, name: str, username: str) -> tuple[Any, Any]:
    """A Hubei registry expert with a sign-in account in the experts' pool: (expert, user)."""
    from uplift.accounts.choices import OrganisationKind
    from uplift.accounts.models import Organisation
    from uplift.accounts.services import organisation_create
    from uplift.registry import services as reg

    pool = Organisation.objects.filter(kind=OrganisationKind.EXPERT_PANEL, name="湖北验收专家库").first()
    pool = pool or organisation_create(actor=None, kind=OrganisationKind.EXPERT_PANEL, name="湖北验收专家库")
    expert = reg.expert_create(actor=None, name=name, region_id="420100")
    user = user_create(actor=None, username=username, password="Test-pass-2018")
    membership_create(actor=None, user=user, organisation=pool, role=Role.EXPERT)
    reg.expert_update(actor=None, instance=expert, user=user)
    return expert, user
