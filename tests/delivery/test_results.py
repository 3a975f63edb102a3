"""Delivery's results through the database: quality problems and their correction, the standards
registry, standard work, evaluation reports and economic benefits; every step, every refusal, the
five figures they feed and the lists those figures drill down to."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from uplift.accounts.choices import OrganisationKind, Role
from uplift.accounts.services import membership_create, organisation_create, user_create
from uplift.core.models import AuditEntry
from uplift.delivery import selectors, services
from uplift.delivery.choices import (
    BenefitKind,
    BenefitStatus,
    EvaluationConclusion,
    KpiKind,
    ProblemCategory,
    ProblemStatus,
    StandardLevel,
    StandardStatus,
    StandardWorkKind,
)
from uplift.delivery.models import Benefit, EvaluationReport, Problem, Standard, StandardWork
from uplift.delivery.testing import DeliveryScenario, day
from uplift.programmes.metrics import METRICS, Scope, figures
from uplift.programmes.services import pilot_create
from uplift.registry import services as reg

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date.today()
RESULTS = (
    "problems_found",
    "problems_solved",
    "standards_drafted",
    "local_standards",
    "standard_evaluation_reports",
    "benefits_verified_yuan",
)


def at(month, d, hour=10):
    return datetime.datetime(2018, month, d, hour, tzinfo=SHANGHAI)


def refused(action):
    return AuditEntry.objects.filter(action=f"{action}_refused").count()


def errors_of(exc):
    return exc.value.message_dict


def enterprise(w, serial, region="429004", name=None, cluster=True):
    """A further enterprise, by default a member of the Hubei cluster (so the institution sees it)."""
    e = reg.enterprise_create(
        actor=None,
        credit_code=w.code(region, serial),
        name=name or f"测试企业{serial}",
        region_id=region,
        industry_id="18",
    )
    if cluster:
        reg.cluster_membership_create(actor=None, cluster=w.cluster_in, enterprise=e, joined_on=day(3, 1))
    return e


def new_problem(d, actor, **extra):
    data = {
        "activity": d.approved,
        "enterprise": d.w.ent_in,
        "category": ProblemCategory.PROCESS,
        "found_on": day(7, 12),
        "description": "裁剪尺寸偏差超出工艺要求",
        "deadline": day(9, 30),
    }
    return services.problem_create(actor=actor, **{**data, **extra})


def corrected(problem, actor, on=None):
    return services.problem_correct(
        actor=actor,
        problem=problem,
        root_cause="裁床样板磨损",
        corrective_action="更换样板并建立每周校验制度",
        corrected_on=on or day(8, 20),
    )


def solved(problem, actor):
    return services.problem_verify(actor=actor, problem=corrected(problem, actor), at=at(8, 25))


def value(name, programme, **scope):
    return METRICS[name].value(Scope(programme, **scope))


def visible_pks(model, user):
    return set(model.objects.visible_to(user).values_list("pk", flat=True))


# --- Problems: recording --------------------------------------------------------------------------


def test_a_problem_takes_its_place_from_the_activity_it_was_found_in(w, d):
    p = new_problem(d, w.institution_user)
    assert (p.project, p.programme, p.cluster, p.institution, p.region_id, p.status) == (
        d.project,
        w.programme_in,
        w.cluster_in,
        w.inst_in,
        "429004",
        ProblemStatus.OPEN,
    )
    entry = AuditEntry.objects.get(action="delivery.problem.create", object_id=str(p.pk))
    assert entry.actor == w.institution_user


def test_the_enterprise_must_have_taken_part_in_the_activity(w, d):
    other = enterprise(w, 81)  # in scope, but not at the activity
    before = Problem.objects.count()
    with pytest.raises(ValidationError) as exc:
        new_problem(d, w.institution_user, enterprise=other)
    assert "did not take part" in errors_of(exc)["enterprise"][0]
    assert Problem.objects.count() == before
    assert refused("delivery.problem.create") == 1
    # Nor can a problem be moved to an enterprise that was not there, whatever else the edit says.
    with pytest.raises(ValidationError) as exc:
        services.problem_update(actor=w.institution_user, instance=d.problem, enterprise=other)
    assert "did not take part" in errors_of(exc)["enterprise"][0]
    assert Problem.objects.get(pk=d.problem.pk).enterprise == w.ent_in
    # Outside any activity, any enterprise of the project's cluster.
    p = new_problem(d, w.institution_user, activity=None, project=d.project, enterprise=other)
    assert p.enterprise == other and p.activity is None


def test_an_out_of_scope_enterprise_is_refused(w, d):
    with pytest.raises(ValidationError) as exc:
        new_problem(d, w.institution_user, activity=None, project=d.project, enterprise=w.ent_out)
    assert "outside your scope" in errors_of(exc)["enterprise"][0]
    with pytest.raises(ValidationError) as exc:
        new_problem(d, w.officer, activity=None, project=None, programme=w.programme_in, enterprise=w.ent_out)
    assert "outside your scope" in errors_of(exc)["enterprise"][0]
    with pytest.raises(ValidationError) as exc:
        services.problem_update(actor=w.officer, instance=d.problem, activity=None, enterprise=w.ent_out)
    assert "outside your scope" in errors_of(exc)["enterprise"][0]
    assert not Problem.objects.filter(enterprise=w.ent_out).exclude(pk=d.problem_out.pk).exists()


def test_an_institution_records_only_in_the_projects_it_delivers(w, d):
    # ent_out did take part in Hunan's activity, but that is not the Hubei institution's project.
    with pytest.raises(ValidationError) as exc:
        new_problem(d, w.institution_user, activity=d.activity_out, enterprise=w.ent_out)
    assert "do not deliver" in errors_of(exc)["project"][0]
    # Outside any project only the bureau records, naming the programme.
    with pytest.raises(ValidationError) as exc:
        new_problem(d, w.institution_user, activity=None, project=None, programme=w.programme_in)
    assert "project" in errors_of(exc)
    own = new_problem(d, w.officer, activity=None, project=None, programme=w.programme_in)
    assert (own.institution, own.project, own.region_id) == (None, None, "429004")


def test_a_problems_dates_are_checked(w, d):
    cases = [
        ({"found_on": day(7, 1)}, "found_on", "before the activity"),  # the activity was on 7-10
        ({"found_on": TODAY + datetime.timedelta(days=1)}, "found_on", "future"),
        ({"deadline": day(7, 11)}, "deadline", "cannot come before"),
    ]
    for extra, field, message in cases:
        with pytest.raises(ValidationError) as exc:
            new_problem(d, w.institution_user, **extra)
        assert message in errors_of(exc)[field][0], (extra, errors_of(exc))
    # An activity of another project than the one named.
    with pytest.raises(ValidationError) as exc:
        new_problem(d, None, project=d.project, activity=d.activity_out, enterprise=w.ent_out)
    assert "another project" in errors_of(exc)["activity"][0]
    assert refused("delivery.problem.create") == len(cases) + 1


# --- Problems: correction, verification, reopening ------------------------------------------------


def test_correct_then_verify_closes_the_problem_and_counts_it_as_solved(w, d):
    p = d.problem
    assert p.days_to_close is None and p.status == ProblemStatus.OPEN
    with pytest.raises(ValidationError) as exc:
        services.problem_correct(actor=w.institution_user, problem=p, root_cause=" ", corrective_action="")
    assert {"root_cause", "corrective_action"} <= set(errors_of(exc))
    with pytest.raises(ValidationError) as exc:
        services.problem_correct(
            actor=w.institution_user,
            problem=p,
            root_cause="原因",
            corrective_action="措施",
            corrected_on=day(7, 1),
        )
    assert "corrected_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.problem_correct(
            actor=w.institution_user,
            problem=p,
            root_cause="原因",
            corrective_action="措施",
            corrected_on=TODAY + datetime.timedelta(days=1),
        )
    assert "corrected_on" in errors_of(exc)
    with pytest.raises(ValidationError, match="Open"):  # nothing to verify yet
        services.problem_verify(actor=w.institution_user, problem=p)
    assert refused("delivery.problem.correct") == 3 and refused("delivery.problem.verify") == 1
    p = Problem.objects.get(pk=p.pk)
    assert (p.status, p.root_cause, p.corrected_on) == (ProblemStatus.OPEN, "", None)

    p = corrected(p, w.institution_user)
    assert (p.status, p.corrected_on, p.root_cause) == (ProblemStatus.CORRECTED, day(8, 20), "裁床样板磨损")
    assert not selectors.solved_problems(w.programme_in).exists()  # corrected is not yet solved
    assert selectors.kpi_actuals(d.project)[KpiKind.PROBLEMS_SOLVED] == 0
    with pytest.raises(ValidationError):  # corrected once
        corrected(p, w.institution_user)

    p = services.problem_verify(actor=w.institution_user, problem=p, note="现场抽查20件合格", at=at(8, 25))
    assert (p.status, p.closed_on, p.verified_by, p.verification_note) == (
        ProblemStatus.CLOSED,
        day(8, 25),
        w.institution_user,
        "现场抽查20件合格",
    )
    assert p.days_to_close == (day(8, 25) - day(7, 10)).days == 46
    assert list(selectors.solved_problems(w.programme_in)) == [p]
    assert selectors.kpi_actuals(d.project)[KpiKind.PROBLEMS_SOLVED] == 1
    assert not p.is_overdue  # the deadline has passed, but it is closed

    steps = list(
        AuditEntry.objects.filter(object_id=str(p.pk), action__startswith="delivery.problem.")
        .exclude(action__endswith="_refused")
        .order_by("seq")
        .values_list("action", "actor")
    )
    assert steps == [
        ("delivery.problem.create", None),
        ("delivery.problem.correct", w.institution_user.pk),
        ("delivery.problem.verify", w.institution_user.pk),
    ]


def test_a_closed_problem_cannot_change(w, d):
    p = solved(d.problem, w.institution_user)
    for call in (
        lambda: services.problem_update(actor=w.officer, instance=p, description="改"),
        lambda: services.problem_correct(actor=w.officer, problem=p, root_cause="x", corrective_action="y"),
        lambda: services.problem_verify(actor=w.officer, problem=p),
        lambda: services.problem_reopen(actor=w.officer, problem=p, reason="x"),
    ):
        with pytest.raises(ValidationError, match="losed"):
            call()
    assert refused("delivery.problem.update") == 1
    assert Problem.objects.get(pk=p.pk).description == d.problem.description


def test_a_correction_not_accepted_reopens_the_problem_with_the_reason(w, d):
    p = corrected(d.problem, w.institution_user)
    with pytest.raises(ValidationError) as exc:
        services.problem_reopen(actor=w.officer, problem=p, reason="  ")
    assert "reason" in errors_of(exc)
    assert refused("delivery.problem.reopen") == 1
    p = services.problem_reopen(actor=w.officer, problem=p, reason="复查仍有尺寸超差")
    assert (p.status, p.corrected_on, p.verification_note) == (ProblemStatus.OPEN, None, "复查仍有尺寸超差")
    assert p.root_cause == "裁床样板磨损"  # what was found is kept for the next attempt
    with pytest.raises(ValidationError, match="Open"):
        services.problem_reopen(actor=w.officer, problem=p, reason="again")
    # Open again: it can be edited, corrected and verified.
    p = services.problem_update(actor=w.institution_user, instance=p, deadline=day(10, 31))
    p = services.problem_verify(actor=w.officer, problem=corrected(p, w.institution_user, on=day(10, 1)))
    assert p.status == ProblemStatus.CLOSED and p.verified_by == w.officer


def test_only_the_following_institution_or_the_bureau_acts_on_a_problem(w, d, client):
    other_inst = reg.institution_create(
        actor=None, credit_code=w.code("420100", 90, "12"), name="武汉标准化研究院", region_id="420100"
    )
    stranger = user_create(actor=None, username="stranger", password="Test-pass-2018")
    org = organisation_create(
        actor=None, kind=OrganisationKind.INSTITUTION, name="武汉标准化研究院", institution=other_inst
    )
    membership_create(actor=None, user=stranger, organisation=org, role=Role.INSTITUTION_STAFF)
    for actor, problem in (
        (stranger, d.problem),
        (w.institution_user, d.problem_out),
        (w.enterprise_user, d.problem),
    ):
        with pytest.raises(ValidationError, match="Only the institution following"):
            corrected(problem, actor)
    assert Problem.objects.get(pk=d.problem.pk).status == ProblemStatus.OPEN
    assert refused("delivery.problem.correct") == 3
    # The pages and the API do not even show it to another institution, nor let the enterprise act.
    client.force_login(stranger)
    assert client.get(reverse("delivery:problem_detail", args=[d.problem.pk])).status_code == 404
    assert client.post(reverse("delivery:problem_correct", args=[d.problem.pk]), {}).status_code == 404
    assert client.post(f"/api/delivery/problems/{d.problem.pk}/correct/", {}).status_code == 404
    client.force_login(w.enterprise_user)
    assert client.get(reverse("delivery:problem_detail", args=[d.problem.pk])).status_code == 200
    assert client.post(reverse("delivery:problem_correct", args=[d.problem.pk]), {}).status_code == 403
    assert client.post(f"/api/delivery/problems/{d.problem.pk}/correct/", {}).status_code == 403
    # An officer of another province cannot reach it either.
    client.force_login(w.hunan_officer)
    assert client.get(reverse("delivery:problem_detail", args=[d.problem.pk])).status_code == 404


def test_the_correction_steps_through_the_pages_and_the_api(w, d, client):
    client.force_login(w.institution_user)
    page = client.get(reverse("delivery:problem_detail", args=[d.problem.pk])).content.decode()
    assert "/correct/" in page and "/verify/" not in page and "Overdue since 30 September 2018" in page
    response = client.post(
        reverse("delivery:problem_correct", args=[d.problem.pk]),
        {"root_cause": "", "corrective_action": "换样板", "corrected_on": "2018-08-20"},
    )
    assert response.status_code == 200 and "root_cause" in response.context["form"].errors
    url = f"/api/delivery/problems/{d.problem.pk}/"
    response = client.post(
        url + "correct/",
        {"root_cause": "样板磨损", "corrective_action": "换样板", "corrected_on": "2018-08-20"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "corrected"
    response = client.post(url + "reopen/", {}, content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(url + "verify/", {"note": "复核合格"}, content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "closed" and data["days_to_close"] == (TODAY - day(7, 10)).days
    assert data["is_overdue"] is False
    page = client.get(reverse("delivery:problem_detail", args=[d.problem.pk])).content.decode()
    assert "Solved in" in page and "/correct/" not in page


def test_the_api_never_sets_a_problems_status_directly(w, d, client):
    """Closing goes through correction and verification; a PATCH cannot mark a problem solved."""
    client.force_login(w.institution_user)
    response = client.patch(
        f"/api/delivery/problems/{d.problem.pk}/",
        {"status": "closed", "description": "已整改"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content  # the status is read-only: ignored
    p = Problem.objects.get(pk=d.problem.pk)
    assert (p.status, p.description) == (ProblemStatus.OPEN, "已整改")
    assert response.json()["status"] == "open"
    assert not selectors.solved_problems(w.programme_in).exists()
    # Nor a benefit's: it counts only once an officer has verified it.
    response = client.patch(
        f"/api/delivery/benefits/{d.benefit.pk}/", {"status": "verified"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert Benefit.objects.get(pk=d.benefit.pk).status == BenefitStatus.DRAFT


# --- Problems: overdue -----------------------------------------------------------------------------


def test_overdue_problems_by_the_selector_and_the_list_filter(w, d, client):
    later = new_problem(d, w.institution_user, deadline=TODAY + datetime.timedelta(days=30))
    closed = solved(new_problem(d, w.institution_user), w.institution_user)
    waiting = corrected(new_problem(d, w.institution_user), w.institution_user)  # not verified: still late
    late_here = {d.problem.pk, waiting.pk}
    assert set(selectors.overdue(Problem.objects.all()).values_list("pk", flat=True)) == late_here | {
        d.problem_out.pk
    }
    # As of a day before the 2018 deadlines, nothing was late yet.
    assert not selectors.overdue(Problem.objects.all(), today=day(9, 1)).exists()
    assert [p.is_overdue for p in (d.problem, later, closed, waiting)] == [True, False, False, True]

    client.force_login(w.officer)
    listed = client.get(reverse("delivery:problem_list"), {"overdue": "true"})
    assert {row.record.pk for row in listed.context["table"].page.object_list} == late_here
    listed = client.get(reverse("delivery:problem_list"), {"overdue": "false"})
    assert {row.record.pk for row in listed.context["table"].page.object_list} == {later.pk, closed.pk}
    rows = client.get("/api/delivery/problems/", {"overdue": "true"}).json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert {r["id"] for r in rows} == late_here and all(r["is_overdue"] for r in rows)
    # The project's page counts them too.
    results = selectors.project_results(d.project, w.officer)
    assert (results["problems"], results["solved"], results["overdue"]) == (4, 1, 2)


# --- Standards -------------------------------------------------------------------------------------


def new_standard(number, level, **extra):
    data = {"number": number, "level": level, "title": "测试标准", "status": StandardStatus.DRAFTING}
    return services.standard_create(actor=None, **{**data, **extra})


@pytest.mark.parametrize(
    "number, level",
    [
        ("GB 2760-2014", StandardLevel.NATIONAL),
        ("GB/T 19580-2012", StandardLevel.NATIONAL_RECOMMENDED),
        ("GB/T 1.1-2020", StandardLevel.NATIONAL_RECOMMENDED),
        ("DB42/T 1234-2019", StandardLevel.LOCAL),
        ("DB42 567-2018", StandardLevel.LOCAL),
        ("DB4201/T 001-2019", StandardLevel.LOCAL),
        ("T/HBAIA 001-2019", StandardLevel.GROUP),
        ("Q/QCAY 001-2018", StandardLevel.ENTERPRISE),
    ],
)
def test_every_levels_numbering_is_accepted(db, number, level):
    assert new_standard(number, level).number == number


@pytest.mark.parametrize(
    "number, level",
    [
        ("GB/T 19580-2012", StandardLevel.LOCAL),
        ("DB42/T 1234-2019", StandardLevel.NATIONAL_RECOMMENDED),
        ("T/HBAIA 001-2019", StandardLevel.ENTERPRISE),
        ("Q/QCAY 001-2018", StandardLevel.GROUP),
        ("GB 2760", StandardLevel.NATIONAL),
        ("DB42/T 1234-19", StandardLevel.LOCAL),
        ("ISO 9001-2015", StandardLevel.NATIONAL),
        ("GB/T 19580-1900", StandardLevel.NATIONAL_RECOMMENDED),
    ],
)
def test_a_number_not_of_its_level_is_refused_naming_the_field(db, number, level):
    with pytest.raises(ValidationError) as exc:
        new_standard(number, level)
    assert "number" in errors_of(exc), errors_of(exc)
    assert not Standard.objects.exists()
    assert refused("delivery.standard.create") == 1


def test_numbers_are_stored_normalised_and_registered_once(w):
    s = new_standard("gb/t19580—2012", StandardLevel.NATIONAL_RECOMMENDED)
    assert Standard.objects.get(pk=s.pk).number == "GB/T 19580-2012"
    wide = "ＧＢ／Ｔ　19580－2012"
    with pytest.raises(ValidationError) as exc:  # the same number, however typed
        new_standard(wide, StandardLevel.NATIONAL_RECOMMENDED)
    assert "number" in errors_of(exc), errors_of(exc)
    assert Standard.objects.count() == 1
    services.standard_update(actor=None, instance=s, number="GB/T 19580-2008")
    assert new_standard(wide, StandardLevel.NATIONAL_RECOMMENDED).number == "GB/T 19580-2012"
    # Drafts without a number yet are many.
    new_standard("", StandardLevel.LOCAL)
    new_standard("", StandardLevel.GROUP)
    assert Standard.objects.filter(number="").count() == 2


def test_a_local_standard_must_name_a_real_province_or_city(db):
    with pytest.raises(ValidationError) as exc:
        new_standard("DB99/T 001-2019", StandardLevel.LOCAL)
    assert "no province or city" in errors_of(exc)["number"][0]
    with pytest.raises(ValidationError) as exc:
        new_standard("DB4299/T 001-2019", StandardLevel.LOCAL)
    assert "number" in errors_of(exc)
    assert new_standard("DB43/T 001-2019", StandardLevel.LOCAL).number == "DB43/T 001-2019"


def test_a_standards_status_moves_forward_only_with_its_dates(w):
    s = new_standard("", StandardLevel.LOCAL, title="休闲女装企业质量管理规范")
    s = services.standard_update(actor=w.officer, instance=s, status=StandardStatus.CONSULTATION)
    with pytest.raises(ValidationError) as exc:
        services.standard_update(
            actor=w.officer, instance=s, status=StandardStatus.APPROVED, approved_on=day(6, 1)
        )
    assert "has a number" in errors_of(exc)["number"][0]
    with pytest.raises(ValidationError) as exc:
        services.standard_update(
            actor=w.officer,
            instance=Standard.objects.get(pk=s.pk),
            number="DB42/T 1500-2018",
            status="approved",
        )
    assert "approved_on" in errors_of(exc)
    s = services.standard_update(
        actor=w.officer,
        instance=Standard.objects.get(pk=s.pk),
        number="DB42/T 1500-2018",
        status=StandardStatus.APPROVED,
        approved_on=day(6, 1),
    )
    for back in (StandardStatus.DRAFTING, StandardStatus.CONSULTATION):
        with pytest.raises(ValidationError) as exc:
            services.standard_update(actor=w.officer, instance=s, status=back)
        assert "cannot go back" in errors_of(exc)["status"][0]
    with pytest.raises(ValidationError) as exc:
        services.standard_update(actor=w.officer, instance=s, status=StandardStatus.PUBLISHED)
    assert "published_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.standard_update(
            actor=w.officer, instance=s, status=StandardStatus.PUBLISHED, published_on=day(5, 1)
        )
    assert "after it is approved" in errors_of(exc)["published_on"][0]
    with pytest.raises(ValidationError) as exc:
        services.standard_update(
            actor=w.officer,
            instance=s,
            status=StandardStatus.PUBLISHED,
            published_on=TODAY + datetime.timedelta(days=2),
        )
    assert "future" in errors_of(exc)["published_on"][0]
    s = services.standard_update(
        actor=w.officer,
        instance=Standard.objects.get(pk=s.pk),
        status=StandardStatus.PUBLISHED,
        published_on=day(7, 1),
    )
    assert s.status == StandardStatus.PUBLISHED
    s = services.standard_update(
        actor=w.officer, instance=s, status=StandardStatus.WITHDRAWN, withdrawn_on=day(12, 1)
    )
    with pytest.raises(ValidationError) as exc:  # withdrawn is final
        services.standard_update(actor=w.officer, instance=s, status=StandardStatus.PUBLISHED)
    assert "status" in errors_of(exc)
    assert Standard.objects.get(pk=s.pk).status == StandardStatus.WITHDRAWN
    assert refused("delivery.standard.update") == 8


def test_the_standard_page_normalises_what_is_typed(w, client):
    client.force_login(w.officer)
    response = client.post(
        reverse("delivery:standard_add"),
        {
            "number": "ｄｂ４２／ｔ１２３４—２０１９",
            "level": "local",
            "title": "标签标识规范",
            "status": "drafting",
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert Standard.objects.get(title="标签标识规范").number == "DB42/T 1234-2019"


# --- Standard work ---------------------------------------------------------------------------------


def work(d, standard, actor=None, project=None, kind=StandardWorkKind.NEW, started_on=None, **extra):
    return services.standard_work_create(
        actor=actor,
        project=project or d.project,
        standard=standard,
        kind=kind,
        started_on=started_on or day(8, 1),
        **extra,
    )


def test_local_standards_counts_distinct_approved_local_standards_only(w, d):
    def local():
        return value("local_standards", w.programme_in)

    assert local() == 1  # the scenario's DB42/T standard, approved
    draft = new_standard("", StandardLevel.LOCAL, title="起草中的地方标准")
    group = new_standard(
        "T/HBFZ 001-2018", StandardLevel.GROUP, status=StandardStatus.APPROVED, approved_on=day(6, 1)
    )
    consultation = new_standard("DB42/T 1600-2018", StandardLevel.LOCAL, status=StandardStatus.CONSULTATION)
    for s in (draft, group, consultation):
        work(d, s, actor=w.institution_user)
    assert local() == 1
    # A second project of the same programme on the same standard: it is recorded once per programme.
    wuhan = reg.cluster_create(actor=None, name="武汉汽车零部件", region_id="420100", lead_industry_id="36")
    pilot = pilot_create(actor=None, programme=w.programme_in, cluster=wuhan, institution=w.inst_in)
    other_project = DeliveryScenario.started(pilot, w.inst_in, "武汉汽车零部件标准化服务")
    with pytest.raises(ValidationError):
        work(d, d.standard, project=other_project, kind=StandardWorkKind.REVISION)
    # Approving the draft counts it; publishing keeps it counted.
    services.standard_update(
        actor=w.officer, instance=draft, number="DB42/T 1700-2018", status="approved", approved_on=day(9, 1)
    )
    assert local() == 2
    services.standard_update(
        actor=w.officer,
        instance=Standard.objects.get(pk=draft.pk),
        status="published",
        published_on=day(10, 1),
    )
    assert local() == 2
    # Hunan's work counts in Hunan's programme only.
    assert value("local_standards", w.programme_out) == 1
    # The project's KPI counts its approved standards of every level (the group standard too).
    assert selectors.kpi_actuals(d.project)[KpiKind.STANDARDS] == 3
    # Standards drafted or revised, every level: the two local ones and the group standard.
    assert value("standards_drafted", w.programme_in) == 3
    # By cluster and region.
    assert value("local_standards", w.programme_in, cluster_id=w.cluster_in.pk) == 2
    assert value("local_standards", w.programme_in, region="429004") == 2
    assert value("local_standards", w.programme_in, region="420100") == 0


def test_standard_work_is_placed_and_scoped(w, d):
    sw = d.standard_work
    assert (sw.programme, sw.cluster, sw.institution, sw.region_id) == (
        w.programme_in,
        w.cluster_in,
        w.inst_in,
        "429004",
    )
    group = new_standard("T/HBFZ 002-2018", StandardLevel.GROUP)
    with pytest.raises(ValidationError) as exc:
        work(d, group, actor=w.institution_user, project=d.project_out)
    assert "do not deliver" in errors_of(exc)["project"][0]
    with pytest.raises(ValidationError) as exc:
        work(d, group, actor=w.institution_user, started_on=TODAY + datetime.timedelta(days=1))
    assert "future" in errors_of(exc)["started_on"][0]
    assert refused("delivery.standardwork.create") == 2
    # The bureau's own work, outside any project: at the programme's region unless a cluster is named.
    own = services.standard_work_create(
        actor=w.officer,
        project=None,
        programme=w.programme_in,
        standard=group,
        kind=StandardWorkKind.NEW,
        started_on=day(8, 1),
    )
    assert (own.region_id, own.institution) == ("420000", None)
    assert visible_pks(StandardWork, w.officer) == {sw.pk, own.pk}
    assert visible_pks(StandardWork, w.institution_user) == {sw.pk}
    assert visible_pks(StandardWork, w.hunan_officer) == {d.standard_work_out.pk}
    assert visible_pks(StandardWork, w.enterprise_user) == set()


# --- Evaluation reports ----------------------------------------------------------------------------


def report(d, actor, number, enterprise=None, **extra):
    data = {
        "project": d.project,
        "enterprise": enterprise or d.w.ent_in,
        "standard": d.standard,
        "report_number": number,
        "issued_on": day(11, 1),
        "conclusion": EvaluationConclusion.PARTLY,
    }
    return services.evaluation_report_create(actor=actor, **{**data, **extra})


def test_evaluation_reports_are_counted_placed_and_scoped(w, d):
    assert value("standard_evaluation_reports", w.programme_in) == 1
    wuhan = enterprise(w, 82, region="420102")
    r = report(d, w.institution_user, "XT-PJ-2018-002", enterprise=wuhan)
    # At the enterprise's region, in the project's cluster, by the project's institution.
    assert (r.region_id, r.cluster, r.institution, r.programme) == (
        "420102",
        w.cluster_in,
        w.inst_in,
        w.programme_in,
    )
    assert value("standard_evaluation_reports", w.programme_in) == 2
    assert value("standard_evaluation_reports", w.programme_in, region="420100") == 1
    assert value("standard_evaluation_reports", w.programme_in, region="429004") == 1
    assert value("standard_evaluation_reports", w.programme_in, cluster_id=w.cluster_in.pk) == 2
    assert value("standard_evaluation_reports", w.programme_out) == 1
    assert selectors.kpi_actuals(d.project)[KpiKind.EVALUATION_REPORTS] == 2
    # Refusals: an enterprise out of scope, a number used twice in the programme, a future date,
    # another institution's project.
    for extra, field in (
        ({"report_number": "XT-PJ-2018-003", "enterprise": w.ent_out}, "enterprise"),
        ({"report_number": "XT-PJ-2018-002"}, "__all__"),
        ({"report_number": "XT-PJ-2018-004", "issued_on": TODAY + datetime.timedelta(days=1)}, "issued_on"),
        ({"report_number": "XT-PJ-2018-005", "project": d.project_out, "enterprise": w.ent_out}, "project"),
    ):
        number = extra.pop("report_number")
        with pytest.raises(ValidationError) as exc:
            report(d, w.institution_user, number, **extra)
        assert field in errors_of(exc), (number, errors_of(exc))
    assert refused("delivery.evaluationreport.create") == 4
    with pytest.raises(ValidationError) as exc:
        services.evaluation_report_update(actor=w.institution_user, instance=r, enterprise=w.ent_out)
    assert "outside your scope" in errors_of(exc)["enterprise"][0]
    # Moving it to another enterprise moves its region.
    r = services.evaluation_report_update(actor=w.institution_user, instance=r, enterprise=w.ent_in)
    assert r.region_id == "429004"
    # Who sees which: by region, by institution, the enterprise its own.
    assert visible_pks(EvaluationReport, w.officer) == {d.report.pk, r.pk}
    assert visible_pks(EvaluationReport, w.institution_user) == {d.report.pk, r.pk}
    assert visible_pks(EvaluationReport, w.hunan_officer) == {d.report_out.pk}
    assert visible_pks(EvaluationReport, w.enterprise_user) == {d.report.pk, r.pk}


# --- Benefits --------------------------------------------------------------------------------------


def claim(d, actor, amount="50000", **extra):
    data = {
        "project": d.project,
        "enterprise": d.w.ent_in,
        "kind": BenefitKind.LOSS_AVOIDED,
        "amount": Decimal(amount),
        "year": 2018,
        "calculation": "退货减少金额",
        "evidence": "退货台账",
    }
    return services.benefit_create(actor=actor, **{**data, **extra})


def yuan(programme, **scope):
    return value("benefits_verified_yuan", programme, **scope)


def test_only_verified_benefits_count(w, d):
    assert d.benefit.status == BenefitStatus.DRAFT
    assert yuan(w.programme_in) == 0
    b = services.benefit_submit(actor=w.institution_user, benefit=d.benefit, at=at(11, 1))
    assert (b.status, b.submitted_by, b.submitted_at) == (
        BenefitStatus.SUBMITTED,
        w.institution_user,
        at(11, 1),
    )
    assert yuan(w.programme_in) == 0
    with pytest.raises(ValidationError, match="Submitted"):  # not editable while it is checked
        services.benefit_update(actor=w.institution_user, instance=b, amount=Decimal("1"))
    with pytest.raises(ValidationError, match="Only a bureau officer"):
        services.benefit_verify(actor=w.institution_user, benefit=b)
    with pytest.raises(ValidationError, match="Only a bureau officer"):
        services.benefit_reject(actor=w.institution_user, benefit=b, reason="x")
    assert refused("delivery.benefit.verify") == 1 and refused("delivery.benefit.reject") == 1
    b = services.benefit_verify(actor=w.officer, benefit=b, note="核对财务凭证", at=at(11, 20))
    assert (b.status, b.verified_by, b.verification_note) == (
        BenefitStatus.VERIFIED,
        w.officer,
        "核对财务凭证",
    )
    assert yuan(w.programme_in) == 120000
    assert selectors.kpi_actuals(d.project)[KpiKind.BENEFITS] == Decimal("120000")
    with pytest.raises(ValidationError):  # verified once, and then final
        services.benefit_verify(actor=d.officer2, benefit=b)
    with pytest.raises(ValidationError):
        services.benefit_update(actor=w.officer, instance=b, amount=Decimal("1"))
    # A second claim, rejected, and a draft: neither counts.
    rejected = services.benefit_submit(actor=w.institution_user, benefit=claim(d, w.institution_user))
    services.benefit_reject(actor=w.officer, benefit=rejected, reason="缺少财务凭证")
    claim(d, w.institution_user, amount="999999")
    assert yuan(w.programme_in) == 120000
    assert yuan(w.programme_in, cluster_id=w.cluster_in.pk) == 120000
    assert yuan(w.programme_in, region="420100") == 0
    assert yuan(w.programme_out) == 0
    results = selectors.project_results(d.project, w.officer)
    assert (results["benefits_verified"], results["benefits_waiting"]) == (Decimal("120000"), 0)


def test_the_submitter_never_verifies_their_own_claim(w, d):
    b = services.benefit_submit(actor=w.officer, benefit=claim(d, w.officer))
    with pytest.raises(ValidationError, match="another officer"):
        services.benefit_verify(actor=w.officer, benefit=b)
    assert Benefit.objects.get(pk=b.pk).status == BenefitStatus.SUBMITTED
    assert refused("delivery.benefit.verify") == 1
    assert services.benefit_verify(actor=d.officer2, benefit=b).status == BenefitStatus.VERIFIED


def test_a_rejected_claim_says_why_and_can_be_corrected_and_resubmitted(w, d):
    b = services.benefit_submit(actor=w.institution_user, benefit=d.benefit)
    with pytest.raises(ValidationError) as exc:
        services.benefit_reject(actor=w.officer, benefit=b, reason=" ")
    assert "reason" in errors_of(exc)
    assert Benefit.objects.get(pk=b.pk).status == BenefitStatus.SUBMITTED
    b = services.benefit_reject(actor=w.officer, benefit=b, reason="计算方法未扣除成本")
    assert (b.status, b.verification_note, b.is_editable) == (
        BenefitStatus.REJECTED,
        "计算方法未扣除成本",
        True,
    )
    assert yuan(w.programme_in) == 0
    b = services.benefit_update(
        actor=w.institution_user, instance=b, amount=Decimal("90000"), calculation="扣除整改成本后"
    )
    assert b.amount == Decimal("90000")
    b = services.benefit_submit(actor=w.institution_user, benefit=b)
    assert b.status == BenefitStatus.SUBMITTED
    services.benefit_verify(actor=w.officer, benefit=b)
    assert yuan(w.programme_in) == 90000
    steps = list(
        AuditEntry.objects.filter(object_id=str(b.pk), action__startswith="delivery.benefit.")
        .exclude(action__endswith="_refused")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert steps == [
        "delivery.benefit.create",
        "delivery.benefit.submit",
        "delivery.benefit.reject",
        "delivery.benefit.update",
        "delivery.benefit.submit",
        "delivery.benefit.verify",
    ]


def test_a_claim_is_for_an_enterprise_or_a_cluster_and_placed_there(w, d):
    with pytest.raises(ValidationError) as exc:
        claim(d, w.officer, project=None, programme=w.programme_in, enterprise=None)
    assert "enterprise" in errors_of(exc)
    assert refused("delivery.benefit.create") == 1
    # For the whole cluster: the cluster's region.
    whole = claim(d, w.officer, project=None, programme=w.programme_in, enterprise=None, cluster=w.cluster_in)
    assert (whole.region_id, whole.enterprise) == ("429004", None)
    in_project = claim(d, w.institution_user, enterprise=None)
    assert (in_project.cluster, in_project.region_id) == (w.cluster_in, "429004")
    # For one enterprise: the enterprise's region, even when the cluster lies elsewhere.
    wuhan = enterprise(w, 83, region="420102")
    b = claim(d, w.institution_user, enterprise=wuhan)
    assert (b.region_id, b.cluster) == ("420102", w.cluster_in)
    assert (
        services.benefit_update(actor=w.institution_user, instance=b, enterprise=w.ent_in).region_id
        == "429004"
    )
    b = services.benefit_update(
        actor=w.institution_user, instance=Benefit.objects.get(pk=b.pk), enterprise=None
    )
    assert b.region_id == "429004"
    # An enterprise out of scope, a zero amount, a future year.
    for extra, field in (
        ({"enterprise": w.ent_out}, "enterprise"),
        ({"amount": "0"}, "amount"),
        ({"year": TODAY.year + 1}, "year"),
    ):
        with pytest.raises(ValidationError) as exc:
            claim(d, w.institution_user, **extra)
        assert field in errors_of(exc)


def test_an_enterprise_sees_its_own_results_and_its_benefits_once_verified(w, d):
    assert visible_pks(Problem, w.enterprise_user) == {d.problem.pk}
    assert visible_pks(Benefit, w.enterprise_user) == set()
    services.benefit_submit(actor=w.institution_user, benefit=d.benefit)
    assert visible_pks(Benefit, w.enterprise_user) == set()
    services.benefit_verify(actor=w.officer, benefit=d.benefit)
    assert visible_pks(Benefit, w.enterprise_user) == {d.benefit.pk}
    assert visible_pks(Benefit, w.officer) == {d.benefit.pk}
    assert visible_pks(Benefit, w.hunan_officer) == {d.benefit_out.pk}
    assert visible_pks(Problem, w.institution_user) == {d.problem.pk}


def test_a_cluster_wide_claim_through_the_pages(w, d, client):
    client.force_login(w.officer)
    response = client.post(
        reverse("delivery:benefit_add"),
        {
            "project": d.project.pk,
            "enterprise": "",
            "kind": "revenue_gained",
            "amount": "300000",
            "year": "2018",
            "calculation": "集群区域品牌溢价",
            "evidence": "协会统计",
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    b = Benefit.objects.get(calculation="集群区域品牌溢价")
    assert (b.enterprise, b.cluster, b.region_id, b.institution) == (None, w.cluster_in, "429004", w.inst_in)
    # No enterprise and no cluster (the bureau's own, outside a project): refused on the enterprise.
    response = client.post(
        reverse("delivery:benefit_add"),
        {
            "programme": w.programme_in.pk,
            "kind": "other",
            "amount": "1",
            "year": "2018",
            "calculation": "a",
            "evidence": "b",
        },
    )
    assert response.status_code == 200 and "enterprise" in response.context["form"].errors
    # The officer who submitted it sees the refusal on the page; another officer verifies it.
    assert client.post(reverse("delivery:benefit_submit", args=[b.pk])).status_code == 302
    response = client.post(reverse("delivery:benefit_verify", args=[b.pk]), {"note": ""})
    assert response.status_code == 200 and "another officer" in response.content.decode()
    assert Benefit.objects.get(pk=b.pk).status == BenefitStatus.SUBMITTED
    client.force_login(d.officer2)
    assert client.post(reverse("delivery:benefit_verify", args=[b.pk]), {"note": "核实"}).status_code == 302
    assert yuan(w.programme_in) == 300000


def test_the_benefit_steps_through_the_api(w, d, client):
    client.force_login(w.institution_user)
    url = f"/api/delivery/benefits/{d.benefit.pk}/"
    assert client.post(url + "submit/").status_code == 200
    assert client.post(url + "verify/", {}, content_type="application/json").status_code == 403
    client.force_login(w.officer)
    response = client.post(url + "reject/", {}, content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(url + "verify/", {"note": "凭证齐全"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "verified"


def test_the_project_page_shows_a_benefits_kpi_in_yuan(w, d, client):
    services.kpi_create(actor=None, project=d.project, kind=KpiKind.BENEFITS, target=Decimal("240000"))
    services.benefit_submit(actor=w.institution_user, benefit=d.benefit)
    services.benefit_verify(actor=w.officer, benefit=d.benefit)
    rows = selectors.kpi_progress(d.project, d.project.kpis.filter(kind=KpiKind.BENEFITS))
    assert rows[0]["actual"] == 120000 and rows[0]["percent"] == 50.0
    client.force_login(w.officer)
    assert client.get(reverse("delivery:serviceproject_detail", args=[d.project.pk])).status_code == 200


# --- The figures and their lists -------------------------------------------------------------------


def a_mixed_year(w, d):
    """Beside the scenario: a solved problem, a corrected one, a group standard's work, a draft local
    standard's, a second report, a verified, a rejected and a submitted claim."""
    solved(new_problem(d, w.institution_user), w.institution_user)
    corrected(new_problem(d, w.institution_user), w.institution_user)
    work(d, new_standard("T/HBFZ 003-2018", StandardLevel.GROUP, status="approved", approved_on=day(6, 1)))
    work(d, new_standard("", StandardLevel.LOCAL))
    report(d, w.institution_user, "XT-PJ-2018-009", enterprise=enterprise(w, 84, region="420102"))
    services.benefit_verify(
        actor=w.officer, benefit=services.benefit_submit(actor=w.institution_user, benefit=d.benefit)
    )
    services.benefit_reject(
        actor=w.officer,
        benefit=services.benefit_submit(actor=w.institution_user, benefit=claim(d, w.institution_user)),
        reason="不成立",
    )
    services.benefit_submit(actor=w.institution_user, benefit=claim(d, w.institution_user, amount="7000"))
    verified_out = services.benefit_submit(actor=None, benefit=d.benefit_out)
    services.benefit_verify(actor=None, benefit=verified_out)


def test_the_six_figures(w, d):
    base = figures(Scope(w.programme_in))
    assert {name: base[name]["value"] for name in RESULTS} == {
        "problems_found": 1,
        "problems_solved": 0,
        "standards_drafted": 1,
        "local_standards": 1,
        "standard_evaluation_reports": 1,
        "benefits_verified_yuan": 0,
    }
    assert base["benefits_verified_yuan"]["unit"] == "yuan"
    a_mixed_year(w, d)
    after = figures(Scope(w.programme_in))
    assert {name: after[name]["value"] for name in RESULTS} == {
        "problems_found": 3,
        "problems_solved": 1,
        "standards_drafted": 2,  # and the approved group standard
        "local_standards": 1,
        "standard_evaluation_reports": 2,
        "benefits_verified_yuan": 120000,
    }
    hunan = figures(Scope(w.programme_out))
    assert {name: hunan[name]["value"] for name in RESULTS} == {
        "problems_found": 1,
        "problems_solved": 0,
        "standards_drafted": 1,
        "local_standards": 1,
        "standard_evaluation_reports": 1,
        "benefits_verified_yuan": 80000,
    }
    xiantao = figures(Scope(w.programme_in, region="429004"))
    assert xiantao["standard_evaluation_reports"]["value"] == 1  # the other is a Wuhan enterprise's
    assert xiantao["problems_found"]["value"] == 3
    wuhan = figures(Scope(w.programme_in, region="420100"))
    assert [wuhan[name]["value"] for name in RESULTS] == [0, 0, 0, 0, 1, 0]
    by_cluster = figures(Scope(w.programme_in, cluster_id=w.cluster_in.pk))
    assert {name: by_cluster[name]["value"] for name in RESULTS} == {
        name: after[name]["value"] for name in RESULTS
    }
    # By region, as the dashboard breaks them down.
    split = METRICS["standard_evaluation_reports"].by_region(Scope(w.programme_in), ["420100", "429004"])
    assert split == {"420100": 1, "429004": 1}


def test_the_lists_behind_the_figures_hold_exactly_the_counted_records(w, d, client):
    a_mixed_year(w, d)
    client.force_login(w.officer)
    for scope in (
        Scope(w.programme_in),
        Scope(w.programme_in, region="429004"),
        Scope(w.programme_in, region="420100"),
        Scope(w.programme_in, cluster_id=w.cluster_in.pk),
    ):
        for name in RESULTS:
            metric = METRICS[name]
            response = client.get(metric.url(scope))
            assert response.status_code == 200, metric.url(scope)
            listed = set(response.context["filter"].qs.values_list("pk", flat=True))
            counted = set(metric.queryset(scope).values_list("pk", flat=True))
            assert listed == counted, (name, scope)
            # The API's list, with the same filter, holds them too.
            rows = client.get("/api" + metric.url(scope) + "&page_size=500").json()
            rows = rows["results"] if isinstance(rows, dict) else rows
            assert {r["id"] for r in rows} == counted, (name, scope)


# --- Bad input -------------------------------------------------------------------------------------

EVIL = "<script>alert('x')</script>'; DROP TABLE delivery_problem; --"


def test_script_and_sql_are_stored_verbatim_and_shown_escaped(w, d, client):
    p = new_problem(d, w.institution_user, description=EVIL, responsible_person=EVIL[:60])
    s = new_standard("", StandardLevel.GROUP, title=EVIL)
    b = claim(d, w.institution_user, calculation=EVIL, evidence=EVIL)
    assert Problem.objects.get(pk=p.pk).description == EVIL
    assert Standard.objects.get(pk=s.pk).title == EVIL
    assert Benefit.objects.get(pk=b.pk).calculation == EVIL
    client.force_login(w.officer)
    for url in (
        p.get_absolute_url(),
        reverse("delivery:problem_list"),
        s.get_absolute_url(),
        reverse("delivery:standard_list"),
        b.get_absolute_url(),
    ):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "&lt;script&gt;alert" in body, url


def test_a_malformed_date_or_number_via_the_api_is_400_naming_the_field(w, d, client):
    client.force_login(w.institution_user)
    before = Problem.objects.count()
    good = {
        "project": d.project.pk,
        "activity": d.approved.pk,
        "enterprise": w.ent_in.pk,
        "category": "process",
        "found_on": "2018-07-12",
        "description": "x",
        "deadline": "2018-09-30",
    }
    for field, bad in (("found_on", "2018-02-30"), ("deadline", "30/09/2018"), ("found_on", "'; DROP TABLE")):
        response = client.post(
            "/api/delivery/problems/", {**good, field: bad}, content_type="application/json"
        )
        assert response.status_code == 400, response.content
        assert field in response.json()
    assert Problem.objects.count() == before
    response = client.post(
        f"/api/delivery/problems/{d.problem.pk}/correct/",
        {"root_cause": "a", "corrective_action": "b", "corrected_on": "2018-13-01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "corrected_on" in response.json()
    response = client.post(
        "/api/delivery/benefits/",
        {
            "project": d.project.pk,
            "kind": "cost_saved",
            "amount": "十万",
            "year": "2018",
            "calculation": "a",
            "evidence": "b",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "amount" in response.json()
    client.force_login(w.officer)
    response = client.post(
        "/api/delivery/standards/",
        {
            "number": "GB/T 19580-2012",
            "level": "national_rec",
            "title": "x",
            "status": "approved",
            "approved_on": "2012-3-9x",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "approved_on" in response.json()


def test_median_days_to_close_counts_closed_problems_only(w, d):
    assert selectors.median_days_to_close(Problem.objects.none()) is None
    rows = []
    for n, days in enumerate([4, 10, 30]):
        p = services.problem_create(
            actor=None,
            project=d.project,
            enterprise=w.ent_in,
            category="labelling",
            found_on=datetime.date(2018, 7, 10 + n),
            description=f"问题{n}",
            deadline=datetime.date(2018, 12, 1),
        )
        if days != 30:
            p = services.problem_correct(
                actor=None, problem=p, root_cause="原因", corrective_action="措施", corrected_on=p.found_on
            )
            closed = datetime.datetime.combine(
                p.found_on + datetime.timedelta(days=days), datetime.time(10), tzinfo=datetime.UTC
            )
            services.problem_verify(actor=None, problem=p, at=closed)
        rows.append(p.pk)
    assert (
        selectors.median_days_to_close(Problem.objects.filter(pk__in=rows)) == 7.0
    )  # (4 + 10) / 2; the open one is left out
