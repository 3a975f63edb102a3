"""Test helpers of the excellence model: an accepted self-assessment, an adopter."""

from __future__ import annotations

import datetime
from typing import Any

from uplift.delivery.models import Participation, QualityMethod

from . import services
from .models import Framework, SelfAssessment

GBT = "GB/T 19580-2012"


def day_at(on: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(on, datetime.time(10), tzinfo=datetime.UTC)


def self_assessment(
    enterprise: Any, *, year: int = 2018, percent: int = 50, actor: Any = None
) -> SelfAssessment:
    """A self-assessment of ``enterprise`` with every item written at ``percent``, not submitted."""
    framework = Framework.objects.get(code=GBT)
    assessment = services.self_assessment_create(
        actor=actor, enterprise=enterprise, framework=framework, year=year, profile="主营童车，员工120人。"
    )
    responses = [
        (e.item_id, percent, f"{e.item.code} 的做法与证据") for e in assessment.items.select_related("item")
    ]
    return services.self_assessment_respond(actor=actor, assessment=assessment, responses=responses)


def accepted_self_assessment(enterprise: Any, on: datetime.date, **kwargs: Any) -> SelfAssessment:
    """A self-assessment of ``enterprise`` submitted and accepted on ``on``."""
    assessment = self_assessment(enterprise, year=on.year, **kwargs)
    services.self_assessment_submit(actor=None, assessment=assessment, at=day_at(on))
    return services.self_assessment_accept(actor=None, assessment=assessment, at=day_at(on))


def excellence_training(activity: Any, enterprise: Any) -> None:
    """``activity`` covers the excellence method and ``enterprise`` took part in it."""
    activity.methods.add(QualityMethod.objects.get(code="excellence"))
    if not Participation.objects.filter(activity=activity, enterprise=enterprise).exists():
        Participation(activity=activity, enterprise=enterprise, managers=1).save()


def adopt(enterprise: Any, activity: Any, on: datetime.date) -> SelfAssessment:
    """Make ``enterprise`` an adopter under the default rule: trained in ``activity`` (approved) and
    a self-assessment accepted on ``on``."""
    excellence_training(activity, enterprise)
    return accepted_self_assessment(enterprise, on)


def benchmark(programme: Any, enterprise: Any, on: datetime.date) -> Any:
    """Name ``enterprise`` a benchmark of ``programme`` on ``on`` whatever the rules say (with an
    override reason: a test of what counts, not of the rules)."""
    return services.benchmark_approve(
        actor=None,
        programme=programme,
        enterprise=enterprise,
        reason="质量管理示范作用突出",
        override_reason="测试：不论规则",
        on=on,
    )
