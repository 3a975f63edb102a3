"""Benchmark selection: the candidate list shows the rules each enterprise meets or misses, the
bureau approves (an override needs its reason), the count follows the approvals, and the public
list shows them by year and cluster."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from uplift.core.testing import APITestCases, EnterpriseByCode, ViewTestCases
from uplift.delivery.choices import Severity
from uplift.delivery.testing import expert_with_account
from uplift.excellence import selectors, services
from uplift.excellence.choices import BenchmarkStatus
from uplift.excellence.models import Benchmark, BenchmarkRule, Framework, Item
from uplift.excellence.testing import GBT, adopt
from uplift.inspection.services import inspection_create
from uplift.programmes import rollups
from uplift.programmes.metrics import METRICS, Scope
from uplift.programmes.services import programme_create

pytestmark = pytest.mark.django_db

DECIDED = datetime.date(2018, 12, 10)


def completed(w, enterprise, percent: int, *, username: str = "assessor") -> object:
    """A completed expert assessment of ``enterprise`` with every item at ``percent``."""
    expert, user = expert_with_account(w, f"专家{username}", username)
    assessment = services.expert_assessment_create(
        actor=None, enterprise=enterprise, framework=Framework.objects.get(code=GBT), year=2018
    )
    review = services.expert_assessment_assign(actor=None, assessment=assessment, expert=expert)
    items = Item.objects.filter(category__framework__code=GBT)
    services.expert_review_score(actor=user, review=review, scores=[(i.pk, percent, "") for i in items])
    services.expert_review_submit(actor=user, review=review, no_conflict=True)
    services.expert_assessment_consensus(actor=None, assessment=assessment)
    at = datetime.datetime(2018, 11, 20, 10, tzinfo=datetime.UTC)
    return services.expert_assessment_complete(actor=None, assessment=assessment, at=at)


@pytest.fixture
def candidate(w, d):
    """ent_in: adopted in July, assessed at 60% (600 points), no failed batch."""
    adopt(w.ent_in, d.approved, datetime.date(2018, 7, 2))
    completed(w, w.ent_in, 60)
    return w.ent_in


def checks(programme, enterprise, on=DECIDED):
    row = selectors.candidates(programme, on, ids=[enterprise.pk])[0]
    return {c.key: c.met for c in row.checks}


def benchmarks(programme) -> int:
    return METRICS["benchmark_enterprises"].value(Scope(programme))


def test_a_candidate_meeting_every_rule(w, candidate):
    services.benchmark_rule_create(actor=w.officer, programme=w.programme_in, min_adopted_months=3)
    assert checks(w.programme_in, candidate) == {
        "score": True,
        "inspections": True,
        "problems": True,
        "adoption": True,
    }


def test_each_rule_can_be_missed_and_changing_a_rule_changes_the_verdict(w, d, candidate):
    programme = w.programme_in
    # Adopted in the summer: not 12 months before December, as the default rule asks.
    assert checks(programme, candidate)["adoption"] is False
    assert checks(programme, candidate, on=datetime.date(2019, 12, 10))["adoption"] is True
    rule = services.benchmark_rule_create(actor=w.officer, programme=programme, min_adopted_months=12)
    assert checks(programme, candidate)["adoption"] is False
    services.benchmark_rule_update(actor=w.officer, instance=rule, min_adopted_months=3, min_score=650)
    assert checks(programme, candidate) == {
        "score": False,
        "inspections": True,
        "problems": True,
        "adoption": True,
    }
    services.benchmark_rule_update(actor=w.officer, instance=rule, min_score=550)
    # A failed batch within 12 months, then a severe open problem.
    inspection_create(
        actor=None,
        enterprise=candidate,
        product="休闲裤",
        product_category="服装",
        batch_id="XT-2018-0901",
        sampled_on=datetime.date(2018, 9, 1),
        inspecting_body="湖北省纤维检验局",
        level="provincial",
        result="fail",
        failed_items="纤维含量",
    )
    assert checks(programme, candidate)["inspections"] is False
    assert checks(programme, candidate, on=datetime.date(2019, 10, 1))["inspections"] is True  # aged out
    d.problem.severity = Severity.SEVERE
    d.problem.save()
    assert checks(programme, candidate)["problems"] is False


def test_the_default_rules_apply_without_a_rule_of_the_programme(w, candidate):
    rule = selectors.benchmark_rule(w.programme_in)
    assert rule.pk is None and (rule.min_score, rule.clean_months, rule.min_adopted_months) == (550, 12, 12)


def test_approving_a_candidate_that_misses_a_rule_needs_an_override_reason(w, candidate):
    services.benchmark_rule_create(
        actor=w.officer, programme=w.programme_in, min_score=700, min_adopted_months=3
    )
    with pytest.raises(ValidationError) as exc:
        services.benchmark_approve(
            actor=w.officer, programme=w.programme_in, enterprise=candidate, reason="示范突出", on=DECIDED
        )
    assert "Consensus total ≥ 700" in exc.value.message_dict["override_reason"][0]
    assert not Benchmark.objects.exists() and benchmarks(w.programme_in) == 0
    approved = services.benchmark_approve(
        actor=w.officer,
        programme=w.programme_in,
        enterprise=candidate,
        cluster=w.cluster_in,
        reason="示范突出",
        override_reason="行业代表性强，经评审委员会同意",
        on=DECIDED,
    )
    assert approved.missed == ["Consensus total ≥ 700"] and approved.assessment.total == 600
    assert benchmarks(w.programme_in) == 1


def test_bad_approvals_are_refused_naming_the_field(w, candidate):
    services.benchmark_rule_create(actor=w.officer, programme=w.programme_in, min_adopted_months=3)
    base = {"programme": w.programme_in, "enterprise": candidate, "reason": "示范", "on": DECIDED}
    cases = [
        ({"reason": " "}, "reason"),
        ({"cluster": w.cluster_out}, "cluster"),
        ({"enterprise": w.ent_out}, "enterprise"),
    ]
    for change, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.benchmark_approve(actor=w.officer, **{**base, **change})
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError, match="Only a bureau officer"):
        services.benchmark_approve(actor=w.enterprise_user, **base)
    assert not Benchmark.objects.exists()


def test_the_count_follows_approvals_and_revocations_and_so_do_the_rollups(w, candidate):
    programme = w.programme_in
    services.benchmark_rule_create(actor=w.officer, programme=programme, min_adopted_months=3)
    approved = services.benchmark_approve(
        actor=w.officer, programme=programme, enterprise=candidate, reason="示范", on=DECIDED
    )
    assert approved.missed == [] and approved.override_reason == ""
    assert benchmarks(programme) == 1 and rollups.totals(programme, "420000")["benchmark_enterprises"] == 1
    funnel = METRICS["adopting_benchmarks"].value(Scope(programme))
    assert funnel == 1
    with pytest.raises(ValidationError, match="Say why"):
        services.benchmark_revoke(actor=w.officer, benchmark=approved, reason="")
    services.benchmark_revoke(actor=w.officer, benchmark=approved, reason="发生严重质量事故")
    assert benchmarks(programme) == 0
    assert rollups.differences(programme) == []


def test_the_candidate_page_and_the_public_list(w, candidate, client):
    services.benchmark_rule_create(actor=w.officer, programme=w.programme_in, min_adopted_months=3)
    client.force_login(w.officer)
    url = reverse("excellence:benchmark_candidates")
    page = client.get(url, {"programme": w.programme_in.pk, "on": "2018-12-10"})
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r.enterprise for r in rows] == [candidate] and rows[0].meets_all
    client.force_login(w.enterprise_user)
    assert client.get(url).status_code == 403
    services.benchmark_approve(
        actor=w.officer,
        programme=w.programme_in,
        enterprise=candidate,
        cluster=w.cluster_in,
        reason="示范",
        on=DECIDED,
    )
    client.logout()
    public = client.get(reverse("reports:benchmarks"), {"year": 2018, "cluster": w.cluster_in.pk})
    assert public.status_code == 200 and candidate.name in public.content.decode()
    other = client.get(reverse("reports:benchmarks"), {"year": 2017})
    assert "year" in other.context["form"].errors  # no benchmark named that year: not a choice


def test_the_approve_page_refuses_a_miss_without_override(w, candidate, client):
    services.benchmark_rule_create(actor=w.officer, programme=w.programme_in, min_score=700)
    client.force_login(w.officer)
    url = reverse("excellence:benchmark_add")
    data = {"programme": w.programme_in.pk, "enterprise": candidate.credit_code, "reason": "示范"}
    response = client.post(url, data)  # 600 points: under the rule's 700
    assert response.status_code == 200 and "override_reason" in response.context["form"].errors
    assert not Benchmark.objects.exists()


class TestBenchmarkRule(ViewTestCases, APITestCases):
    model = BenchmarkRule
    api_basename = "benchmarkrule"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.r_in = services.benchmark_rule_create(actor=None, programme=cls.w.programme_in)
        cls.r_out = services.benchmark_rule_create(actor=None, programme=cls.w.programme_out)

    @classmethod
    def inside(cls, w):
        return cls.r_in

    @classmethod
    def outside(cls, w):
        return cls.r_out

    def _programme(self):
        n = BenchmarkRule.objects.count()
        return programme_create(
            actor=None,
            slug=f"hubei-b{n}",
            name=f"湖北标杆{n}",
            region_id="420000",
            start_date=datetime.date(2019, 1, 1),
            end_date=datetime.date(2019, 12, 31),
        )

    def create_data(self, w):
        return {
            "programme": self._programme(),
            "min_score": 600,
            "clean_months": 24,
            "no_open_severe_problem": True,
        }

    def update_data(self, w, obj):
        return {
            "programme": obj.programme,
            "min_score": 500,
            "clean_months": 12,
            "no_open_severe_problem": True,
        }

    def invalid_data(self, w):
        return {**self.create_data(w), "clean_months": 500}, "clean_months"


class TestBenchmark(EnterpriseByCode, ViewTestCases, APITestCases):
    model = Benchmark
    api_basename = "benchmark"
    audit_verbs = {"create": "approve", "update": "update"}  # noqa: RUF012

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.w
        cls.b_in = services.benchmark_approve(
            actor=None,
            programme=w.programme_in,
            enterprise=w.ent_in,
            reason="示范",
            override_reason="测试",
            on=DECIDED,
        )
        cls.b_out = services.benchmark_approve(
            actor=None,
            programme=w.programme_out,
            enterprise=w.ent_out,
            reason="示范",
            override_reason="测试",
            on=DECIDED,
        )

    @classmethod
    def inside(cls, w):
        return cls.b_in

    @classmethod
    def outside(cls, w):
        return cls.b_out

    def create_data(self, w):
        n = Benchmark.objects.count()
        programme = programme_create(
            actor=None,
            slug=f"hubei-x{n}",
            name=f"湖北{n}",
            region_id="420000",
            start_date=datetime.date(2018, 1, 1),
            end_date=datetime.date(2018, 12, 31),
        )
        return {
            "programme": programme,
            "enterprise": w.ent_in,
            "reason": "示范突出",
            "override_reason": "评审委员会同意",
        }

    def update_data(self, w, obj):
        return {"cluster": w.cluster_in, "reason": "示范突出（补充说明）"}

    def invalid_data(self, w):
        return {**self.create_data(w), "reason": ""}, "reason"


def test_a_revoked_title_is_not_listed_publicly(w, candidate, client):
    b = services.benchmark_approve(
        actor=w.officer,
        programme=w.programme_in,
        enterprise=candidate,
        reason="示范",
        override_reason="x",
        on=DECIDED,
    )
    services.benchmark_revoke(actor=w.officer, benchmark=b, reason="撤销")
    assert b.__class__.objects.get(pk=b.pk).status == BenchmarkStatus.REVOKED
    assert client.get(reverse("reports:benchmarks")).context["page"].paginator.count == 0
