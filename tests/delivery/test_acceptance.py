"""Acceptance through the database: the rubric, the panel's scores, the grade that closes the
project and writes the institution's grade record, publication in the public bulletin."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from uplift.delivery import services
from uplift.delivery.choices import AcceptanceStatus, Grade, ProjectStatus
from uplift.delivery.models import Acceptance, AcceptanceScore, GradeRecord
from uplift.delivery.models.acceptance import grade_for
from uplift.delivery.testing import day

pytestmark = pytest.mark.django_db

RUBRIC = [("指标完成", 30), ("服务成效", 30), ("满意度", 20), ("资料规范", 20)]


@pytest.fixture
def rubric(w):
    return [
        services.acceptance_criterion_create(
            actor=w.officer, programme=w.programme_in, order=n, name=name, points=points
        )
        for n, (name, points) in enumerate(RUBRIC, start=1)
    ]


@pytest.fixture
def submitted(w, d):
    # The scenario's project has a submitted activity: decide it, then submit the project.
    services.activity_approve(actor=d.officer2, activity=d.submitted)
    return services.project_submit(actor=w.institution_user, project=d.project)


def held(w, project, **extra):
    data = {"project": project, "held_on": datetime.date.today(), "panel": "张三（组长）\n李四"}
    return services.acceptance_create(actor=w.officer, **{**data, **extra})


def scores_for(rubric, *values):
    return [(c.pk, Decimal(v), "合议") for c, v in zip(rubric, values, strict=True)]


@pytest.mark.parametrize(
    "total,grade",
    [
        ("100", Grade.EXCELLENT),
        ("90", Grade.EXCELLENT),
        ("89.5", Grade.GOOD),
        ("75", Grade.GOOD),
        ("74.5", Grade.FAIR),
        ("60", Grade.FAIR),
        ("59.5", Grade.FAIL),
        ("0", Grade.FAIL),
    ],
)
def test_the_grade_bands(total, grade):
    assert grade_for(Decimal(total)) == grade


def test_grading_closes_the_project_and_writes_the_grade_record(w, d, rubric, submitted):
    acceptance = held(w, submitted)
    services.acceptance_score(
        actor=w.officer, acceptance=acceptance, scores=scores_for(rubric, 28, 27, 18, 19)
    )
    acceptance = services.acceptance_grade(actor=w.officer, acceptance=acceptance)
    assert acceptance.status == AcceptanceStatus.GRADED
    assert acceptance.total == Decimal("92") and acceptance.grade == Grade.EXCELLENT
    assert acceptance.graded_by == w.officer
    d.project.refresh_from_db()
    assert d.project.status == ProjectStatus.ACCEPTED
    record = acceptance.grade_record
    assert (record.institution, record.grade, record.accepted_on) == (
        w.inst_in,
        Grade.EXCELLENT,
        acceptance.held_on,
    )
    assert record.project_title == d.project.title
    # Closed: nothing more is recorded in the project, and its drafts no longer change.
    with pytest.raises(ValidationError):
        services.activity_submit(actor=w.institution_user, activity=d.draft)
    with pytest.raises(ValidationError):
        services.problem_create(
            actor=w.institution_user,
            project=d.project,
            enterprise=w.ent_in,
            category="labelling",
            found_on=day(8, 1),
            description="标识不全",
            deadline=day(9, 1),
        )


def test_a_total_below_60_fails_the_project(w, d, rubric, submitted):
    acceptance = held(w, submitted)
    services.acceptance_score(
        actor=w.officer, acceptance=acceptance, scores=scores_for(rubric, 15, 15, 15, 14.5)
    )
    acceptance = services.acceptance_grade(actor=w.officer, acceptance=acceptance)
    assert acceptance.grade == Grade.FAIL
    d.project.refresh_from_db()
    assert d.project.status == ProjectStatus.FAILED


def test_scores_are_replaced_not_duplicated_and_checked_before_any_is_written(w, d, rubric, submitted):
    acceptance = held(w, submitted)
    services.acceptance_score(
        actor=w.officer, acceptance=acceptance, scores=scores_for(rubric, 20, 20, 10, 10)
    )
    services.acceptance_score(
        actor=w.officer, acceptance=acceptance, scores=[(rubric[0].pk, Decimal(25), "")]
    )
    assert AcceptanceScore.objects.filter(acceptance=acceptance).count() == 4
    assert AcceptanceScore.objects.get(acceptance=acceptance, criterion=rubric[0]).score == 25
    with pytest.raises(ValidationError) as exc:
        services.acceptance_score(
            actor=w.officer,
            acceptance=acceptance,
            scores=[(rubric[1].pk, Decimal(1), ""), (rubric[2].pk, Decimal(21), "")],
        )
    assert "满意度: a score from 0 to 20." in exc.value.message_dict["scores"]
    assert AcceptanceScore.objects.get(acceptance=acceptance, criterion=rubric[1]).score == 20  # unchanged
    with pytest.raises(ValidationError) as exc:
        services.acceptance_score(actor=w.officer, acceptance=acceptance, scores=[(999999, Decimal(1), "")])
    assert "not in this programme's rubric" in str(exc.value)


def test_grading_needs_every_criterion_scored_and_a_rubric_of_100_points(w, d, rubric, submitted):
    acceptance = held(w, submitted)
    services.acceptance_score(
        actor=w.officer, acceptance=acceptance, scores=scores_for(rubric[:3], 20, 20, 10)
    )
    with pytest.raises(ValidationError) as exc:
        services.acceptance_grade(actor=w.officer, acceptance=acceptance)
    assert "missing: 资料规范" in exc.value.messages[0]
    services.acceptance_criterion_update(
        actor=w.officer, instance=rubric[3], programme=w.programme_in, order=4, name="资料规范", points=10
    )
    services.acceptance_score(actor=w.officer, acceptance=acceptance, scores=scores_for(rubric[3:], 10))
    with pytest.raises(ValidationError) as exc:
        services.acceptance_grade(actor=w.officer, acceptance=acceptance)
    assert "carries 90 points; it must carry 100" in exc.value.messages[0]
    d.project.refresh_from_db()
    assert (
        d.project.status == ProjectStatus.SUBMITTED
        and not GradeRecord.objects.filter(project_title=d.project.title).exists()
    )


def test_only_a_submitted_project_is_accepted_once_by_an_officer(w, d, rubric, submitted):
    with pytest.raises(ValidationError) as exc:
        held(w, d.project_out.__class__.objects.get(pk=d.project_out.pk))  # in progress
    assert "project" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.acceptance_create(actor=w.institution_user, project=submitted, held_on=day(12, 1), panel="x")
    held(w, submitted)
    with pytest.raises(ValidationError) as exc:
        held(w, submitted)
    assert "project" in exc.value.message_dict
    assert Acceptance.objects.count() == 1


def test_a_graded_acceptance_is_final_and_its_criteria_fixed(w, d, rubric, submitted):
    acceptance = held(w, submitted)
    services.acceptance_score(
        actor=w.officer, acceptance=acceptance, scores=scores_for(rubric, 25, 25, 15, 15)
    )
    acceptance = services.acceptance_grade(actor=w.officer, acceptance=acceptance)
    assert acceptance.grade == Grade.GOOD
    with pytest.raises(ValidationError):
        services.acceptance_score(
            actor=w.officer, acceptance=acceptance, scores=scores_for(rubric, 30, 30, 20, 20)
        )
    with pytest.raises(ValidationError):
        services.acceptance_grade(actor=w.officer, acceptance=acceptance)
    with pytest.raises(ValidationError):
        services.acceptance_update(actor=w.officer, instance=acceptance, conclusion="改")
    with pytest.raises(ValidationError) as exc:
        services.acceptance_criterion_update(
            actor=w.officer, instance=rubric[0], programme=w.programme_in, order=1, name="指标完成", points=40
        )
    assert "can no longer change" in exc.value.messages[0]


def test_publishing_puts_the_grade_in_the_public_bulletin(client, w, d, rubric, submitted):
    acceptance = held(w, submitted)
    services.acceptance_score(
        actor=w.officer, acceptance=acceptance, scores=scores_for(rubric, 29, 28, 19, 19)
    )
    acceptance = services.acceptance_grade(actor=w.officer, acceptance=acceptance)
    url = reverse("reports:bulletin")
    assert d.project.title not in client.get(url).content.decode()  # graded, not yet published
    with pytest.raises(ValidationError) as exc:
        services.acceptance_publish(actor=w.officer, acceptance=acceptance, bulletin_number=" ")
    assert "bulletin_number" in exc.value.message_dict
    acceptance = services.acceptance_publish(
        actor=w.officer, acceptance=acceptance, bulletin_number="鄂质〔2019〕3号"
    )
    assert acceptance.status == AcceptanceStatus.PUBLISHED
    assert acceptance.grade_record.source == "鄂质〔2019〕3号"
    page = client.get(url)  # anyone, signed in or not
    assert page.status_code == 200
    body = page.content.decode()
    assert d.project.title in body and "鄂质〔2019〕3号" in body and "95.0" in body
    assert client.get(url, {"grade": "fail"}).content.decode().count(d.project.title) == 0
    assert (
        client.get(url, {"grade": "excellent", "programme": w.programme_in.slug})
        .content.decode()
        .count(d.project.title)
        == 1
    )


def test_the_grade_earns_the_bonus_in_a_later_tender(w, d, rubric, submitted):
    from uplift.procurement.selectors import latest_grade  # the past-grade bonus reads it

    acceptance = held(w, submitted)
    services.acceptance_score(
        actor=w.officer, acceptance=acceptance, scores=scores_for(rubric, 29, 28, 19, 19)
    )
    services.acceptance_grade(actor=w.officer, acceptance=acceptance)
    record = latest_grade(w.inst_in.pk, on=datetime.date.today(), years=1)
    assert record is not None and record.grade == Grade.EXCELLENT


def test_the_score_page_takes_every_criterion_and_names_a_bad_one(client, w, d, rubric, submitted):
    acceptance = held(w, submitted)
    client.force_login(w.officer)
    url = reverse("delivery:acceptance_score", args=[acceptance.pk])
    page = client.get(url)
    assert page.status_code == 200 and "满意度 (0–20)" in page.content.decode()
    data = {f"score_{c.pk}": v for c, v in zip(rubric, ["28", "27", "25", "19"], strict=True)}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 20" in response.content.decode()
    assert not AcceptanceScore.objects.exists()
    data[f"score_{rubric[2].pk}"] = "18"
    response = client.post(url, data)
    assert response.status_code == 302
    assert sorted(AcceptanceScore.objects.values_list("score", flat=True)) == [18, 19, 27, 28]


def test_the_api_scores_grades_and_publishes(w, d, rubric, submitted):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(w.officer)
    created = api.post(
        "/api/delivery/acceptances/",
        {"project": submitted.pk, "held_on": str(datetime.date.today()), "panel": "张三"},
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = api.post(
        f"/api/delivery/acceptances/{pk}/score/",
        {"scores": [{"criterion": rubric[0].pk, "score": "31"}]},
        format="json",
    )
    assert bad.status_code == 400 and "scores" in bad.json()
    ok = api.post(
        f"/api/delivery/acceptances/{pk}/score/",
        {
            "scores": [
                {"criterion": c.pk, "score": s} for c, s in zip(rubric, ["20", "20", "12", "12"], strict=True)
            ]
        },
        format="json",
    )
    assert ok.status_code == 200, ok.content
    graded = api.post(f"/api/delivery/acceptances/{pk}/grade/")
    assert graded.status_code == 200 and graded.json()["grade"] == "fair"
    assert api.post(f"/api/delivery/acceptances/{pk}/publish/", {"bulletin_number": "3号"}).status_code == 200
    assert api.get(f"/api/delivery/acceptances/{pk}/").json()["status"] == "published"
    # The institution graded reads its acceptance; another province's officer does not find it.
    api.force_authenticate(w.institution_user)
    assert api.get(f"/api/delivery/acceptances/{pk}/").status_code == 200
    assert api.post(f"/api/delivery/acceptances/{pk}/grade/").status_code in (403, 404)
    api.force_authenticate(w.hunan_officer)
    assert api.get(f"/api/delivery/acceptances/{pk}/").status_code == 404


def test_each_programme_sets_its_own_grade_thresholds(w, d, rubric, submitted):
    from uplift.programmes import services as programmes

    p = w.programme_in
    fields = {f: getattr(p, f) for f in ("slug", "name", "region", "start_date", "end_date", "budget")}
    with pytest.raises(ValidationError) as exc:
        programmes.programme_update(
            actor=w.officer, instance=p, **fields, excellent_from=80, good_from=85, pass_from=60
        )
    assert "good_from" in exc.value.message_dict  # a grade outside the thresholds' order
    with pytest.raises(ValidationError) as exc:
        programmes.programme_update(actor=w.officer, instance=p, **fields, excellent_from=101)
    assert "excellent_from" in exc.value.message_dict
    p.refresh_from_db()
    programmes.programme_update(
        actor=w.officer, instance=p, **fields, excellent_from=95, good_from=85, pass_from=70
    )
    acceptance = held(w, submitted)
    services.acceptance_score(
        actor=w.officer, acceptance=acceptance, scores=scores_for(rubric, 28, 27, 18, 19)
    )
    acceptance = services.acceptance_grade(actor=w.officer, acceptance=acceptance)
    assert (acceptance.total, acceptance.grade) == (Decimal("92"), Grade.GOOD)  # 92 < 95


def test_a_kpi_criterion_is_computed_from_the_records_at_grading(w, d, submitted):
    from uplift.delivery.choices import CriterionBasis

    computed = services.acceptance_criterion_create(
        actor=w.officer,
        programme=w.programme_in,
        order=1,
        name="合同指标完成情况",
        points=40,
        basis=CriterionBasis.KPI,
    )
    judged = services.acceptance_criterion_create(
        actor=w.officer, programme=w.programme_in, order=2, name="服务成效", points=60
    )
    # A second KPI, beaten: it counts as 100%, not more. The first: 1 enterprise of 10.
    services.kpi_create(actor=None, project=d.project, kind="activities", target=1)
    acceptance = held(w, submitted)
    with pytest.raises(ValidationError, match="computed from the project's KPIs"):
        services.acceptance_score(
            actor=w.officer, acceptance=acceptance, scores=[(computed.pk, Decimal(40), "")]
        )
    services.acceptance_score(actor=w.officer, acceptance=acceptance, scores=[(judged.pk, Decimal(50), "")])
    acceptance = services.acceptance_grade(actor=w.officer, acceptance=acceptance)
    score = acceptance.scores.get(criterion=computed)
    # (1/10 + min(2/1, 1)) / 2 = 55% of 40 points.
    assert score.score == Decimal("22.0")
    assert "55.0%" in score.comment and "2 KPIs" in score.comment
    assert acceptance.total == Decimal("72.0") and acceptance.grade == Grade.FAIR


def test_grading_needs_the_kpis_a_computed_criterion_reads(w, d, submitted):
    from uplift.delivery.choices import CriterionBasis

    services.acceptance_criterion_create(
        actor=w.officer, programme=w.programme_in, name="指标", points=100, basis=CriterionBasis.KPI
    )
    d.kpi.delete()
    acceptance = held(w, submitted)
    with pytest.raises(ValidationError, match="has none; set its KPIs first"):
        services.acceptance_grade(actor=w.officer, acceptance=acceptance)
