"""Expert assessment: a panel scores independently, the consensus round flags the items the experts
differ on, the consensus is recorded with its rationale, the total and the feedback report (page
and PDF, Chinese text read back)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from uplift.accounts.choices import Role
from uplift.accounts.models import Organisation
from uplift.accounts.services import membership_create
from uplift.core.testing import APITestCases, EnterpriseByCode, ViewTestCases
from uplift.delivery.testing import expert_with_account
from uplift.excellence import services
from uplift.excellence.choices import ExpertAssessmentStatus
from uplift.excellence.models import (
    ConsensusItem,
    ExpertAssessment,
    ExpertItemScore,
    ExpertReview,
    Framework,
    Item,
)
from uplift.excellence.services.expert import nearest_in_band
from uplift.excellence.testing import GBT, accepted_self_assessment

pytestmark = pytest.mark.django_db


def items():
    return list(Item.objects.filter(category__framework__code=GBT).order_by("category__order", "order"))


def all_at(percent, *, off=None):
    """Every item at ``percent``, some (``off``: {code: percent}) elsewhere."""
    off = off or {}
    return [(i.pk, off.get(i.code, percent), "依据现场核查") for i in items()]


@pytest.fixture
def panel(w):
    """An expert assessment of ent_in (from its accepted self-assessment) with three experts."""
    own = accepted_self_assessment(w.ent_in, datetime.date(2018, 8, 1))
    assessment = services.expert_assessment_create(
        actor=w.officer,
        enterprise=w.ent_in,
        framework=Framework.objects.get(code=GBT),
        year=2018,
        self_assessment=own,
        spread_threshold=20,
    )
    experts = [expert_with_account(w, f"评审专家{i}", f"assessor{i}") for i in range(3)]
    reviews = [
        services.expert_assessment_assign(actor=w.officer, assessment=assessment, expert=e)
        for e, _u in experts
    ]
    return {"assessment": assessment, "experts": experts, "reviews": reviews}


def submit_all(panel, *percent_sets):
    for (_e, user), review, scores in zip(panel["experts"], panel["reviews"], percent_sets, strict=True):
        services.expert_review_score(actor=user, review=review, scores=scores)
        services.expert_review_submit(actor=user, review=review, no_conflict=True)


def test_an_expert_of_the_enterprise_cannot_be_on_its_panel(w, panel):
    assessment = panel["assessment"]
    # One who works for it (by the registry's employer) and one who belongs to its organisation.
    worker, _u = expert_with_account(w, "企业内审员", "insider")
    worker.employer = w.ent_in.name
    worker.save()
    with pytest.raises(ValidationError) as exc:
        services.expert_assessment_assign(actor=w.officer, assessment=assessment, expert=worker)
    assert "works for" in exc.value.message_dict["expert"][0]
    member, user = expert_with_account(w, "企业质量总监", "member")
    org = Organisation.objects.get(enterprise=w.ent_in)
    membership_create(actor=None, user=user, organisation=org, role=Role.ENTERPRISE_USER)
    with pytest.raises(ValidationError, match="belongs to"):
        services.expert_assessment_assign(actor=w.officer, assessment=assessment, expert=member)
    with pytest.raises(ValidationError, match="no account"):
        services.expert_assessment_assign(actor=w.officer, assessment=assessment, expert=w.expert_out)
    assert assessment.reviews.count() == 3


def test_only_the_assigned_expert_scores_and_only_in_the_bands(w, panel):
    review = panel["reviews"][0]
    other_user = panel["experts"][1][1]
    with pytest.raises(ValidationError, match="Only the expert assigned"):
        services.expert_review_score(actor=other_user, review=review, scores=all_at(50))
    user = panel["experts"][0][1]
    with pytest.raises(ValidationError) as exc:
        services.expert_review_score(actor=user, review=review, scores=all_at(50, off={"4.3.2": 8}))
    assert "4.3.2" in " ".join(exc.value.message_dict["scores"])
    assert not ExpertItemScore.objects.exists()
    with pytest.raises(ValidationError, match="Score every item"):
        services.expert_review_score(actor=user, review=review, scores=all_at(50)[:5])
        services.expert_review_submit(actor=user, review=review, no_conflict=True)
    with pytest.raises(ValidationError) as exc:
        services.expert_review_submit(actor=user, review=review, no_conflict=False)
    assert "no_conflict" in exc.value.message_dict


def test_no_one_reads_an_experts_scores_before_they_submit(w, panel):
    (e0, u0), (e1, u1), _ = panel["experts"]
    r0, r1, _r2 = panel["reviews"]
    services.expert_review_score(actor=u0, review=r0, scores=all_at(60))
    services.expert_review_score(actor=u1, review=r1, scores=all_at(40))

    def seen(user):
        return set(ExpertItemScore.objects.visible_to(user).values_list("review_id", flat=True))

    assert seen(u0) == {r0.pk} and seen(u1) == {r1.pk}
    assert seen(w.officer) == set() and seen(w.enterprise_user) == set()
    services.expert_review_submit(actor=u0, review=r0, no_conflict=True)
    assert seen(w.officer) == {r0.pk}
    assert seen(u1) == {r1.pk}  # still scoring: not yet the others'
    services.expert_review_submit(actor=u1, review=r1, no_conflict=True)
    assert seen(u1) == {r0.pk, r1.pk}


def test_the_consensus_round_flags_the_items_the_experts_differ_on(w, panel):
    assessment = panel["assessment"]
    with pytest.raises(ValidationError, match="Not every expert"):
        services.expert_assessment_consensus(actor=w.officer, assessment=assessment)
    submit_all(
        panel,
        all_at(50, off={"4.1.2": 30, "4.7.2": 70}),
        all_at(55, off={"4.1.2": 60}),
        all_at(60, off={"4.1.2": 50, "4.7.2": 45}),
    )
    services.expert_assessment_consensus(actor=w.officer, assessment=assessment)
    rows = {
        c.item.code: c for c in ConsensusItem.objects.filter(assessment=assessment).select_related("item")
    }
    assert len(rows) == 23
    assert (rows["4.1.2"].spread, rows["4.1.2"].flagged) == (30, True)
    assert (rows["4.7.2"].spread, rows["4.7.2"].flagged) == (25, True)
    assert (rows["4.2.2"].spread, rows["4.2.2"].flagged) == (10, False)
    assert rows["4.2.2"].percent == 55  # the mean, in a band
    assert rows["4.7.2"].percent == 55  # mean 56.7 → the nearest step in a band


def test_a_flagged_item_needs_its_rationale_and_completion_fixes_the_total(w, panel):
    assessment = panel["assessment"]
    submit_all(panel, all_at(50, off={"4.1.2": 20}), all_at(50), all_at(50, off={"4.1.2": 50}))
    services.expert_assessment_consensus(actor=w.officer, assessment=assessment)
    flagged = Item.objects.get(category__framework__code=GBT, code="4.1.2")
    with pytest.raises(ValidationError) as exc:
        services.expert_assessment_agree(
            actor=w.officer, assessment=assessment, rows=[(flagged.pk, 40, "", "", "")]
        )
    assert "4.1.2" in exc.value.message_dict["rows"][0]
    with pytest.raises(ValidationError, match="4.1.2"):
        services.expert_assessment_complete(actor=w.officer, assessment=assessment)
    services.expert_assessment_agree(
        actor=w.officer,
        assessment=assessment,
        rows=[(flagged.pk, 40, "现场查看后取中间意见", "高层亲自推动", "缺少对领导绩效的评价")],
        summary="总体良好",
    )
    done = services.expert_assessment_complete(actor=w.officer, assessment=assessment)
    assert done.status == ExpertAssessmentStatus.COMPLETED and done.completed_on == timezone.localdate()
    assert done.total == Decimal("495.0")  # 50% of 950 points, 40% of 4.1.2's 50
    with pytest.raises(ValidationError):
        services.expert_assessment_agree(
            actor=w.officer, assessment=done, rows=[(flagged.pk, 60, "x", "", "")]
        )


def test_a_withdrawn_expert_does_not_hold_the_panel_up(w, panel):
    r2 = panel["reviews"][2]
    with pytest.raises(ValidationError, match="Say why"):
        services.expert_review_withdraw(actor=w.officer, review=r2, reason=" ")
    services.expert_review_withdraw(actor=w.officer, review=r2, reason="临时出差")
    pairs = list(zip(panel["experts"][:2], panel["reviews"][:2], strict=True))
    for (_e, user), review in pairs:
        services.expert_review_score(actor=user, review=review, scores=all_at(50))
        services.expert_review_submit(actor=user, review=review, no_conflict=True)
    services.expert_assessment_consensus(actor=w.officer, assessment=panel["assessment"])


def test_who_sees_an_expert_assessment(w, panel):
    assessment = panel["assessment"]
    (_e, expert_user), *_ = panel["experts"]

    def seen(user):
        return set(ExpertAssessment.objects.visible_to(user))

    assert seen(w.officer) == {assessment} and seen(w.hunan_officer) == set()
    assert seen(expert_user) == {assessment}
    assert seen(w.enterprise_user) == set()  # until it is completed
    assert seen(w.institution_user) == set()
    # The expert reads the self-assessment the panel starts from.
    from uplift.excellence.models import SelfAssessment

    assert set(SelfAssessment.objects.visible_to(expert_user)) == {assessment.self_assessment}


def complete(w, panel):
    submit_all(panel, all_at(60), all_at(65), all_at(60))
    assessment = services.expert_assessment_consensus(actor=w.officer, assessment=panel["assessment"])
    rows = [
        (c.item_id, c.percent, "", f"{c.item.name}：做法系统，已全面展开", f"{c.item.name}：缺少对标数据")
        for c in assessment.consensus.select_related("item")
    ]
    services.expert_assessment_agree(
        actor=w.officer, assessment=assessment, rows=rows, summary="已系统导入卓越绩效模式"
    )
    return services.expert_assessment_complete(actor=w.officer, assessment=assessment)


def test_the_enterprise_reads_its_feedback_report_once_completed(w, panel, client):
    assessment = complete(w, panel)
    client.force_login(w.enterprise_user)
    page = client.get(reverse("excellence:feedback", args=[assessment.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "高层领导的作用：做法系统，已全面展开" in body and "缺少对标数据" in body
    categories = page.context["categories"]
    assert [c["category"].code for c in categories][0] == "4.1" and categories[0]["self_percent"] == 50.0
    assert page.context["chart"]["series"][1]["data"][0] == 50.0
    client.force_login(w.hunan_officer)
    assert client.get(reverse("excellence:feedback", args=[assessment.pk])).status_code == 404


def _pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_the_feedback_pdf_renders_its_chinese_text(w, panel, client):
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:  # Pango missing: scripts/system-packages.sh installs it
        pytest.skip(f"WeasyPrint cannot load its libraries ({exc}); run scripts/system-packages.sh as root")
    assessment = complete(w, panel)
    client.force_login(w.officer)
    response = client.get(reverse("excellence:feedback", args=[assessment.pk]), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert w.ent_in.name in text
    assert "高层领导的作用" in text and "已系统导入卓越绩效模式" in text
    assert "缺少对标数据" in text


def test_the_pages_run_the_whole_round(w, panel, client):
    assessment = panel["assessment"]
    (_e, user), *_ = panel["experts"]
    review = panel["reviews"][0]
    client.force_login(user)
    url = reverse("excellence:expertreview_score", args=[review.pk])
    form = client.get(url).context["form"]
    data = {name: 55 for name in form.fields if name.startswith("percent_")}
    assert client.post(url, data).status_code == 302
    assert review.scores.count() == 23
    submit = reverse("excellence:expertreview_submit", args=[review.pk])
    assert client.post(submit, {"no_conflict": "on"}).status_code == 302
    client.force_login(w.officer)
    page = client.get(assessment.get_absolute_url())
    assert page.status_code == 200 and [c.percent for c in page.context["rows"][0]["cells"] if c] == [55]
    assert "consensus" not in {a["action"].name for a in page.context["actions"]}  # two still scoring


def test_the_api_scores_and_submits(w, panel, client):
    (_e, user), *_ = panel["experts"]
    review = panel["reviews"][0]
    client.force_login(user)
    base = reverse("api:expertreview-detail", args=[review.pk])
    bad = client.post(
        base + "score/", {"scores": [{"item": items()[0].pk, "percent": 3}]}, content_type="application/json"
    )
    assert bad.status_code == 400 and "scores" in bad.json()
    scores = [{"item": i.pk, "percent": 70, "comment": "好"} for i in items()]
    assert (
        client.post(base + "score/", {"scores": scores}, content_type="application/json").status_code == 200
    )
    ok = client.post(base + "submit/", {"no_conflict": True}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert client.get(base).json()["status"] == "submitted"


def test_the_nearest_percentage_in_a_band():
    framework = Framework.objects.get(code=GBT)
    assert [nearest_in_band(framework, v) for v in (0, 6.7, 7.6, 47.5, 56.7, 99)] == [0, 5, 10, 45, 55, 100]


class TestExpertAssessment(EnterpriseByCode, ViewTestCases, APITestCases):
    model = ExpertAssessment
    api_basename = "expertassessment"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        framework = Framework.objects.get(code=GBT)
        cls.a_in = services.expert_assessment_create(
            actor=None, enterprise=cls.w.ent_in, framework=framework, year=2017
        )
        cls.a_out = services.expert_assessment_create(
            actor=None, enterprise=cls.w.ent_out, framework=framework, year=2017
        )

    @classmethod
    def inside(cls, w):
        return cls.a_in

    @classmethod
    def outside(cls, w):
        return cls.a_out

    def create_data(self, w):
        return {
            "enterprise": w.ent_in,
            "framework": Framework.objects.get(code=GBT),
            "year": 2000 + ExpertAssessment.objects.count(),
            "spread_threshold": 20,
        }

    def update_data(self, w, obj):
        return {"year": obj.year, "spread_threshold": 15, "visited_on": datetime.date(2018, 10, 9)}

    def invalid_data(self, w):
        return {**self.create_data(w), "spread_threshold": 120}, "spread_threshold"


class TestExpertReview(ViewTestCases, APITestCases):
    model = ExpertReview
    api_basename = "expertreview"
    editable = False

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        framework = Framework.objects.get(code=GBT)
        expert, _user = expert_with_account(cls.w, "评审专家", "assessor")
        cls.reviews = []
        for enterprise in (cls.w.ent_in, cls.w.ent_out):
            a = services.expert_assessment_create(
                actor=None, enterprise=enterprise, framework=framework, year=2018
            )
            cls.reviews.append(services.expert_assessment_assign(actor=None, assessment=a, expert=expert))

    @classmethod
    def inside(cls, w):
        return cls.reviews[0]

    @classmethod
    def outside(cls, w):
        return cls.reviews[1]
