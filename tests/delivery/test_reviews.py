"""Experts' independent reviews of an acceptance: assignment, scoring on one's own, submission
with a declaration, who reads what when, the average adopted as the panel's scores, grading."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from uplift.core.testing import APITestCases, ViewTestCases
from uplift.delivery import selectors, services
from uplift.delivery.choices import AcceptanceStatus, Grade, ReviewStatus
from uplift.delivery.models import AcceptanceReview, ReviewScore
from uplift.delivery.testing import DeliveryScenario, expert_with_account

pytestmark = pytest.mark.django_db

RUBRIC = [("指标完成", 30), ("服务成效", 30), ("满意度", 20), ("资料规范", 20)]


def scores(rubric, *values, note="独立评分"):
    return [(c.pk, Decimal(str(v)), note) for c, v in zip(rubric, values, strict=True)]


@pytest.fixture
def panel(w, d):
    """A submitted Hubei project, its acceptance and rubric, and three experts assigned."""
    rubric = [
        services.acceptance_criterion_create(
            actor=None, programme=w.programme_in, order=n, name=name, points=p
        )
        for n, (name, p) in enumerate(RUBRIC, start=1)
    ]
    services.activity_approve(actor=d.officer2, activity=d.submitted)
    project = services.project_submit(actor=w.institution_user, project=d.project)
    acceptance = services.acceptance_create(
        actor=w.officer, project=project, held_on=datetime.date.today(), panel="专家组"
    )
    experts = [expert_with_account(w, f"验收专家{i}", f"reviewer{i}") for i in range(3)]
    reviews = [
        services.acceptance_review_assign(actor=w.officer, acceptance=acceptance, expert=e)
        for e, _u in experts
    ]
    return {"rubric": rubric, "acceptance": acceptance, "experts": experts, "reviews": reviews}


def submit_all(panel, values):
    for (_expert, user), review, vals in zip(panel["experts"], panel["reviews"], values, strict=True):
        services.acceptance_review_score(actor=user, review=review, scores=scores(panel["rubric"], *vals))
        services.acceptance_review_submit(actor=user, review=review, no_conflict=True)


def test_assignment_needs_an_account_and_happens_once(w, panel):
    from uplift.registry.services import expert_create

    acceptance = panel["acceptance"]
    no_account = expert_create(actor=None, name="吴工", region_id="420100")
    with pytest.raises(ValidationError) as exc:
        services.acceptance_review_assign(actor=w.officer, acceptance=acceptance, expert=no_account)
    assert "no account" in exc.value.message_dict["expert"][0]
    with pytest.raises(ValidationError, match="already on this panel"):
        services.acceptance_review_assign(
            actor=w.officer, acceptance=acceptance, expert=panel["experts"][0][0]
        )
    with pytest.raises(ValidationError, match="Only a bureau officer"):
        services.acceptance_review_assign(actor=w.institution_user, acceptance=acceptance, expert=w.expert_in)


def test_only_the_assigned_expert_scores_their_review(w, panel):
    review = panel["reviews"][0]
    for actor in (panel["experts"][1][1], w.officer, w.institution_user):
        with pytest.raises(ValidationError, match="Only the expert assigned"):
            services.acceptance_review_score(
                actor=actor, review=review, scores=scores(panel["rubric"], 1, 1, 1, 1)
            )
    with pytest.raises(ValidationError) as exc:
        services.acceptance_review_score(
            actor=panel["experts"][0][1], review=review, scores=scores(panel["rubric"], 31, 1, 1, 1)
        )
    assert "0 to 30" in exc.value.message_dict["scores"][0]
    assert not ReviewScore.objects.exists()


def test_submission_needs_every_criterion_and_the_declaration(w, panel):
    expert, user = panel["experts"][0]
    review = panel["reviews"][0]
    services.acceptance_review_score(
        actor=user, review=review, scores=scores(panel["rubric"], 25, 24, 18, 17)[:3], opinion="资料较完整"
    )
    with pytest.raises(ValidationError, match="missing: 资料规范"):
        services.acceptance_review_submit(actor=user, review=review, no_conflict=True)
    services.acceptance_review_score(
        actor=user, review=review, scores=scores(panel["rubric"], 25, 24, 18, 17)
    )
    with pytest.raises(ValidationError) as exc:
        services.acceptance_review_submit(actor=user, review=review, no_conflict=False)
    assert "conflict of interest" in exc.value.message_dict["no_conflict"][0]
    review = services.acceptance_review_submit(actor=user, review=review, no_conflict=True)
    assert review.status == ReviewStatus.SUBMITTED and review.no_conflict and review.submitted_at
    with pytest.raises(ValidationError, match="is Submitted"):
        services.acceptance_review_score(
            actor=user, review=review, scores=scores(panel["rubric"], 1, 1, 1, 1)
        )


def test_no_one_reads_scores_before_the_expert_submits(w, panel):
    (e0, u0), (e1, u1), _ = panel["experts"]
    r0, r1, _r2 = panel["reviews"]
    services.acceptance_review_score(actor=u0, review=r0, scores=scores(panel["rubric"], 25, 24, 18, 17))
    services.acceptance_review_score(actor=u1, review=r1, scores=scores(panel["rubric"], 20, 20, 15, 15))

    def seen(user):
        return set(ReviewScore.objects.visible_to(user).values_list("review_id", flat=True))

    assert seen(u0) == {r0.pk} and seen(u1) == {r1.pk}
    assert seen(w.officer) == set()  # the bureau too waits
    assert seen(w.institution_user) == set() and not AcceptanceReview.objects.visible_to(w.institution_user)
    # The bureau sees who is on the panel and where each stands.
    assert AcceptanceReview.objects.visible_to(w.officer).count() == 3
    services.acceptance_review_submit(actor=u0, review=r0, no_conflict=True)
    assert seen(w.officer) == {r0.pk}
    # Expert 1 still sees only their own: 0's is submitted but 1's is not.
    assert seen(u1) == {r1.pk}
    services.acceptance_review_submit(actor=u1, review=r1, no_conflict=True)
    assert seen(u1) == {r0.pk, r1.pk} and seen(u0) == {r0.pk, r1.pk}
    assert not ReviewScore.objects.visible_to(w.hunan_officer).exists()


def test_an_expert_reads_the_project_under_review_and_nothing_else(w, d, panel):
    from uplift.delivery.models import Activity, ServiceProject

    _e, user = panel["experts"][0]
    assert set(ServiceProject.objects.visible_to(user)) == {d.project}
    assert set(Activity.objects.visible_to(user)) == set(Activity.objects.filter(project=d.project))
    services.acceptance_review_withdraw(actor=w.officer, review=panel["reviews"][0], reason="回避")
    assert not ServiceProject.objects.visible_to(user).exists()


def test_grading_waits_for_the_panel_then_adopts_its_average(w, panel):
    acceptance = panel["acceptance"]
    (_e0, u0), _, _ = panel["experts"]
    services.acceptance_review_score(
        actor=u0, review=panel["reviews"][0], scores=scores(panel["rubric"], 28, 27, 18, 19)
    )
    for step in (services.acceptance_adopt_average, services.acceptance_grade):
        with pytest.raises(
            ValidationError, match="Not every expert has submitted: 验收专家0、验收专家1、验收专家2"
        ):
            step(actor=w.officer, acceptance=acceptance)
    with pytest.raises(ValidationError, match="Not every expert"):
        services.acceptance_score(
            actor=w.officer, acceptance=acceptance, scores=scores(panel["rubric"], 1, 1, 1, 1)
        )
    submit_all(panel, [(28, 27, 18, 19), (26, 25, 17, 18), (20, 28, 19, 18)])
    table = selectors.review_table(acceptance)
    first = table["rows"][0]
    assert first["mean"] == Decimal("24.7") and first["spread"] == Decimal("8") and first["discuss"]
    assert not table["rows"][2]["discuss"]
    assert table["totals"] == [Decimal("92"), Decimal("86"), Decimal("85")]
    acceptance = services.acceptance_adopt_average(actor=w.officer, acceptance=acceptance)
    agreed = {s.criterion_id: s for s in acceptance.scores.all()}
    assert agreed[panel["rubric"][0].pk].score == Decimal("24.7")
    assert (
        "24.7" not in agreed[panel["rubric"][0].pk].comment
        and "28.0" in agreed[panel["rubric"][0].pk].comment
    )
    acceptance = services.acceptance_grade(actor=w.officer, acceptance=acceptance)
    assert acceptance.status == AcceptanceStatus.GRADED
    # Each criterion rounded to 0.1: 24.7 + 26.7 + 18.0 + 18.3.
    assert acceptance.total == Decimal("87.7") and acceptance.grade == Grade.GOOD


def test_a_withdrawn_expert_does_not_hold_the_panel_up(w, panel):
    services.acceptance_review_withdraw(
        actor=w.officer, review=panel["reviews"][2], reason="与被验收机构有利害关系"
    )
    with pytest.raises(ValidationError) as exc:
        services.acceptance_review_withdraw(actor=w.officer, review=panel["reviews"][1], reason=" ")
    assert "reason" in exc.value.message_dict
    panel = {**panel, "experts": panel["experts"][:2], "reviews": panel["reviews"][:2]}
    submit_all(panel, [(28, 27, 18, 19), (26, 25, 17, 18)])
    acceptance = services.acceptance_adopt_average(actor=w.officer, acceptance=panel["acceptance"])
    assert sum(s.score for s in acceptance.scores.all()) == Decimal("89")


def test_the_acceptance_page_shows_the_panel_side_by_side(client, w, panel):
    submit_all(panel, [(28, 27, 18, 19), (26, 25, 17, 18), (20, 28, 19, 18)])
    client.force_login(w.officer)
    page = client.get(panel["acceptance"].get_absolute_url())
    html = page.content.decode()
    assert "验收专家2" in html and "24.7" in html and "Discuss" in html
    adopt = reverse("delivery:acceptance_adopt", args=[panel["acceptance"].pk])
    assert adopt in html
    assert client.post(adopt).status_code == 302


def test_the_expert_scores_and_submits_on_the_review_page(client, w, panel):
    _e, user = panel["experts"][0]
    review = panel["reviews"][0]
    client.force_login(user)
    assert reverse("delivery:acceptancereview_list") in client.get("/").content.decode()
    url = reverse("delivery:acceptancereview_score", args=[review.pk])
    data = {f"score_{c.pk}": v for c, v in zip(panel["rubric"], (25, 24, 18, 17), strict=True)}
    bad = client.post(url, {**data, f"score_{panel['rubric'][0].pk}": 35})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert client.post(url, {**data, "opinion": "总体较好"}).status_code == 302
    submit = reverse("delivery:acceptancereview_submit", args=[review.pk])
    refused = client.post(submit, {})
    assert refused.status_code == 200 and "no_conflict" in refused.context["form"].errors
    assert client.post(submit, {"no_conflict": "on"}).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and review.opinion == "总体较好"
    # Another expert's review page hides the scores they have not submitted.
    client.force_login(w.officer)
    other = client.get(panel["reviews"][1].get_absolute_url())
    assert other.context["scores_hidden"]


def test_the_api_runs_the_same_steps(client, w, panel):
    _e, user = panel["experts"][0]
    review = panel["reviews"][0]
    client.force_login(user)
    body = {"scores": [{"criterion": c.pk, "score": "20"} for c in panel["rubric"]], "opinion": "可"}
    url = reverse("api:acceptancereview-score", args=[review.pk])
    assert client.post(url, body, content_type="application/json").status_code == 200
    response = client.post(
        reverse("api:acceptancereview-submit", args=[review.pk]),
        {"no_conflict": True},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert len(response.json()["scores"]) == 4
    client.force_login(w.officer)
    expert, _u = expert_with_account(w, "新专家", "reviewer9")
    response = client.post(
        reverse("api:acceptance-assign", args=[panel["acceptance"].pk]),
        {"expert": expert.pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


class ReviewCases(ViewTestCases, APITestCases):
    editable = False

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.w
        cls.d = DeliveryScenario(w)
        for programme in (w.programme_in, w.programme_out):
            services.acceptance_criterion_create(actor=None, programme=programme, name="总体", points=100)
        acceptances = []
        for pilot, ent, title in ((w.pilot_in, w.ent_in, "仙桃二期"), (w.pilot_out, w.ent_out, "长沙二期")):
            project = DeliveryScenario.started(pilot, pilot.institution, title)
            DeliveryScenario.activity(project, [(ent.pk, 2)], stage="approved")
            project = services.project_submit(actor=None, project=project)
            acceptances.append(
                services.acceptance_create(
                    actor=None, project=project, held_on=datetime.date.today(), panel="专家组"
                )
            )
        cls.expert, _user = expert_with_account(w, "验收专家", "reviewer")
        cls.review_in, cls.review_out = (
            services.acceptance_review_assign(actor=None, acceptance=a, expert=cls.expert)
            for a in acceptances
        )
        for review in (cls.review_in, cls.review_out):
            criterion = review.acceptance.project.pilot.programme.acceptance_criteria.get()
            services.acceptance_review_score(
                actor=None, review=review, scores=[(criterion.pk, Decimal(80), "")]
            )
            services.acceptance_review_submit(actor=None, review=review, no_conflict=True)

    @classmethod
    def inside(cls, w):
        return cls.review_in

    @classmethod
    def outside(cls, w):
        return cls.review_out


class TestAcceptanceReview(ReviewCases):
    model = AcceptanceReview
    api_basename = "acceptancereview"
