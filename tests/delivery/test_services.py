"""Delivery's services through the database: every workflow step, every refusal, and the figures
counting approved records only."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from uplift.core.models import AuditEntry
from uplift.delivery import selectors, services
from uplift.delivery.choices import ActivityKind, ActivityStatus, KpiKind, ProjectStatus
from uplift.delivery.forms import ParticipantsForm
from uplift.delivery.models import Activity, Participation
from uplift.delivery.testing import DeliveryScenario, day
from uplift.programmes.metrics import METRICS, Scope
from uplift.registry import services as reg

pytestmark = pytest.mark.django_db


def new_activity(d, actor=None, **extra):
    data = {
        "project": d.project,
        "kind": ActivityKind.SURVEY,
        "held_on": day(8, 1),
        "place": "园区",
        "topic": "调研",
    }
    return services.activity_create(actor=actor, **{**data, **extra})


def refused(action):
    return AuditEntry.objects.filter(action=f"{action}_refused").count()


# --- Activities ------------------------------------------------------------------------------------


def test_an_activity_dated_outside_its_project_is_refused_and_nothing_is_written(w, d):
    before = Activity.objects.count()
    with pytest.raises(ValidationError) as exc:
        new_activity(d, actor=w.institution_user, held_on=day(5, 31))
    assert "held_on" in exc.value.message_dict
    assert "2018-06-01" in exc.value.message_dict["held_on"][0]
    assert Activity.objects.count() == before
    assert refused("delivery.activity.create") == 1


def test_an_activity_takes_its_place_from_its_project(w, d):
    a = new_activity(d, actor=w.institution_user)
    assert (a.programme, a.cluster, a.region_id, a.institution) == (
        w.programme_in,
        w.cluster_in,
        "429004",
        w.inst_in,
    )
    assert a.status == ActivityStatus.DRAFT


def test_who_may_record_an_activity(w, d):
    # Not in a project that has not started, nor in another institution's project.
    planned = services.project_create(actor=None, pilot=w.pilot_in, institution=w.inst_in, title="未开始")
    with pytest.raises(ValidationError, match="in progress"):
        new_activity(d, actor=w.institution_user, project=planned)
    with pytest.raises(ValidationError, match="do not deliver"):
        new_activity(d, actor=w.institution_user, project=d.project_out)
    # An institution records within its projects; the bureau also on its own.
    with pytest.raises(ValidationError) as exc:
        new_activity(d, actor=w.institution_user, project=None, programme=w.programme_in, region_id="429004")
    assert "project" in exc.value.message_dict
    own = new_activity(
        d, actor=w.officer, project=None, programme=w.programme_in, cluster=w.cluster_in, station=w.station_in
    )
    assert own.region_id == "429004" and own.institution is None


def test_a_bureau_activity_must_fall_within_the_programme(w, d):
    with pytest.raises(ValidationError) as exc:
        new_activity(
            d,
            actor=w.officer,
            project=None,
            programme=w.programme_in,
            region_id="429004",
            held_on=day(1, 1).replace(year=2017),
        )
    assert "held_on" in exc.value.message_dict


def test_submit_return_resubmit_approve(w, d):
    a = new_activity(d, actor=w.institution_user)
    with pytest.raises(ValidationError, match="enterprises that took part"):
        services.activity_submit(actor=w.institution_user, activity=a)
    services.participation_create(actor=w.institution_user, activity=a, enterprise=w.ent_in, managers=2)
    a = services.activity_submit(actor=w.institution_user, activity=a)
    assert (a.status, a.submitted_by) == (ActivityStatus.SUBMITTED, w.institution_user)
    # Only officers decide, and a return says why.
    with pytest.raises(ValidationError, match="officer"):
        services.activity_approve(actor=w.institution_user, activity=a)
    with pytest.raises(ValidationError, match="officer"):
        services.activity_return(actor=w.institution_user, activity=a, reason="x")
    with pytest.raises(ValidationError) as exc:
        services.activity_return(actor=w.officer, activity=a, reason="  ")
    assert "reason" in exc.value.message_dict
    a = services.activity_return(actor=w.officer, activity=a, reason="签到表缺失")
    assert (a.status, a.return_reason) == (ActivityStatus.RETURNED, "签到表缺失")
    # Returned: corrected and submitted again; the reason is cleared.
    services.activity_update(actor=w.institution_user, instance=a, topic="调研（补签到表）")
    a = services.activity_submit(actor=w.institution_user, activity=Activity.objects.get(pk=a.pk))
    assert a.return_reason == ""
    a = services.activity_approve(actor=w.officer, activity=a)
    assert (a.status, a.approved_by) == (ActivityStatus.APPROVED, w.officer)
    assert a.approved_at is not None
    # The timeline: every step is in the audit trail, in order, each with its actor.
    steps = list(
        AuditEntry.objects.filter(object_id=str(a.pk), action__startswith="delivery.activity.")
        .exclude(action__endswith="_refused")
        .order_by("seq")
        .values_list("action", "actor")
    )
    assert steps == [
        ("delivery.activity.create", w.institution_user.pk),
        ("delivery.activity.submit", w.institution_user.pk),
        ("delivery.activity.return", w.officer.pk),
        ("delivery.activity.update", w.institution_user.pk),
        ("delivery.activity.submit", w.institution_user.pk),
        ("delivery.activity.approve", w.officer.pk),
    ]
    # ...and so is every refused attempt (no participants; the institution deciding; no reason).
    assert AuditEntry.objects.filter(object_id=str(a.pk), action__endswith="_refused").count() == 4


def test_an_officer_never_approves_their_own_submission(w, d):
    a = new_activity(d, actor=w.officer)
    services.participation_create(actor=w.officer, activity=a, enterprise=w.ent_in, managers=1)
    a = services.activity_submit(actor=w.officer, activity=a)
    with pytest.raises(ValidationError, match="another officer"):
        services.activity_approve(actor=w.officer, activity=a)
    assert Activity.objects.get(pk=a.pk).status == ActivityStatus.SUBMITTED
    assert refused("delivery.activity.approve") == 1
    a = services.activity_approve(actor=d.officer2, activity=a)
    assert a.status == ActivityStatus.APPROVED


def test_steps_out_of_order_are_refused(w, d):
    with pytest.raises(ValidationError, match="Approved"):
        services.activity_submit(actor=w.institution_user, activity=d.approved)
    with pytest.raises(ValidationError):
        services.activity_approve(actor=w.officer, activity=d.draft)
    with pytest.raises(ValidationError):
        services.activity_update(actor=w.institution_user, instance=d.approved, topic="改")
    with pytest.raises(ValidationError) as exc:
        services.activity_update(actor=w.institution_user, instance=d.draft, project=d.project_out)
    assert "project" in exc.value.message_dict


# --- Participations --------------------------------------------------------------------------------


def test_participations_are_checked_against_scope_headcount_and_state(w, d):
    a = new_activity(d, actor=w.officer)
    with pytest.raises(ValidationError) as exc:
        services.participation_create(actor=w.officer, activity=a, enterprise=w.ent_out, managers=1)
    assert (
        "enterprise" in exc.value.message_dict
        and "outside your scope" in exc.value.message_dict["enterprise"][0]
    )
    with pytest.raises(ValidationError) as exc:
        services.participation_create(actor=w.officer, activity=a, enterprise=w.ent_in, managers=-1)
    assert "managers" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.participation_create(actor=w.officer, activity=d.approved, enterprise=w.ent_in, managers=1)
    assert "activity" in exc.value.message_dict
    assert not Participation.objects.filter(activity=a).exists()
    p = services.participation_create(actor=w.officer, activity=a, enterprise=w.ent_in, managers=2)
    assert p.region_id == "429004"
    with pytest.raises(ValidationError):  # once per activity
        services.participation_create(actor=w.officer, activity=a, enterprise=w.ent_in, managers=1)


def test_bulk_participants_are_all_checked_before_any_is_written(w, d):
    a = new_activity(d, actor=w.officer)
    for rows, field in (
        ([(w.ent_in.pk, 1), (w.ent_in.pk, 2)], "enterprise"),
        ([(w.ent_in.pk, -3)], "managers"),
        ([(w.ent_in.pk, 1), (w.ent_out.pk, 1)], "enterprise"),
        ([(999999, 1)], "enterprise"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.participations_add(actor=w.officer, activity=a, rows=rows)
        assert field in exc.value.message_dict
        assert not Participation.objects.filter(activity=a).exists()
    assert services.participations_add(actor=w.officer, activity=a, rows=[(w.ent_in.pk, 4)]) == 1
    with pytest.raises(ValidationError, match="Already"):
        services.participations_add(actor=w.officer, activity=a, rows=[(w.ent_in.pk, 1)])


def test_removing_a_participant_only_while_editable(w, d):
    activity = services.participation_remove(actor=w.institution_user, participation=d.participation)
    assert activity == d.draft and not d.draft.participations.exists()
    assert AuditEntry.objects.filter(action="delivery.participation.remove").count() == 1
    with pytest.raises(ValidationError):
        services.participation_remove(actor=w.officer, participation=d.approved.participations.get())


def test_the_sign_in_sheet_form_names_the_bad_lines(w, d):
    other = reg.enterprise_create(
        actor=None,
        credit_code=w.code("429004", 78),
        name="仙桃新华服饰",
        region_id="429004",
        industry_id="18",
    )
    sheet = "\n".join(
        [
            f"{w.ent_in.credit_code} 3",
            f"{other.credit_code}，2",  # a full-width comma, as typed on a Chinese keyboard
            "",
            "not a code",
            f"{w.ent_out.credit_code} 1",  # out of the officer's scope
            f"{w.ent_in.credit_code}\t1",
        ]
    )
    form = ParticipantsForm(data={"lines": sheet}, user=w.officer, obj=d.draft)
    assert not form.is_valid()
    errors = " ".join(form.errors["lines"])
    assert "Line 4" in errors and "Line 5" in errors and "Line 6" in errors and "Line 1" not in errors
    form = ParticipantsForm(
        data={"lines": f"{w.ent_in.credit_code} 3\n{other.credit_code}，2\n"}, user=w.officer, obj=d.draft
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["rows"] == [(w.ent_in.pk, 3), (other.pk, 2)]


# --- Projects --------------------------------------------------------------------------------------


def test_a_project_starts_with_a_plan_and_is_submitted_once_its_activities_are_decided(w, d):
    project = services.project_create(
        actor=None,
        pilot=w.pilot_in,
        institution=w.inst_in,
        title="二期",
        start_date=day(6, 1),
        end_date=day(12, 31),
    )
    with pytest.raises(ValidationError, match="service plan"):
        services.project_start(actor=w.institution_user, project=project)
    services.project_update(actor=w.institution_user, instance=project, goals="目标", schedule="进度")
    project = services.project_start(actor=w.institution_user, project=project)
    assert project.status == ProjectStatus.IN_PROGRESS and project.started_at
    with pytest.raises(ValidationError, match="no approved activity"):
        services.project_submit(actor=w.institution_user, project=project)
    # The scenario's project has a submitted activity still waiting.
    with pytest.raises(ValidationError, match="wait for the bureau"):
        services.project_submit(actor=w.institution_user, project=d.project)
    services.activity_approve(actor=w.officer, activity=d.submitted)
    p = services.project_submit(actor=w.institution_user, project=d.project)
    assert p.status == ProjectStatus.SUBMITTED
    with pytest.raises(ValidationError, match="in progress"):
        new_activity(d, actor=w.institution_user)


def test_an_institution_writes_its_plan_but_not_the_bureaus_fields(w, d):
    with pytest.raises(ValidationError, match="Only the bureau"):
        services.project_update(actor=w.institution_user, instance=d.project, title="改名")
    p = services.project_update(actor=w.institution_user, instance=d.project, schedule="7–12月")
    assert p.schedule == "7–12月"
    assert services.project_update(actor=w.officer, instance=p, title="改名").title == "改名"


def test_kpi_actuals_count_the_projects_approved_records(w, d):
    # The scenario's results: an open problem, work on an approved standard, an evaluation report,
    # a draft benefit claim.
    actual = selectors.kpi_actuals(d.project)
    assert actual == {
        KpiKind.ACTIVITIES: 1,
        KpiKind.ENTERPRISES: 1,
        KpiKind.MANAGERS: 3,
        KpiKind.TRAINED_ADVANCED: 1,
        KpiKind.PROBLEMS_SOLVED: 0,
        KpiKind.STANDARDS: 1,
        KpiKind.EVALUATION_REPORTS: 1,
        KpiKind.BENEFITS: 0,
        KpiKind.PASS_RATE: None,  # no batch sampled in the cluster during the project
    }
    rows = selectors.kpi_progress(d.project, d.project.kpis.all())
    assert rows[0]["actual"] == 1 and rows[0]["percent"] == 10.0
    # A draft standard's work does not count; a problem counts once its correction is verified, a
    # benefit once an officer has verified it; Hunan's records never count here.
    draft = services.standard_create(actor=None, level="local", title="起草中", status="drafting")
    services.standard_work_create(
        actor=None, project=d.project, standard=draft, kind="new", started_on=day(8, 1)
    )
    problem = services.problem_correct(
        actor=None, problem=d.problem, root_cause="原因", corrective_action="措施", corrected_on=day(8, 1)
    )
    services.problem_verify(actor=None, problem=problem)
    services.benefit_verify(actor=w.officer, benefit=services.benefit_submit(actor=None, benefit=d.benefit))
    services.benefit_verify(actor=None, benefit=services.benefit_submit(actor=None, benefit=d.benefit_out))
    actual = selectors.kpi_actuals(d.project)
    assert (
        actual[KpiKind.PROBLEMS_SOLVED],
        actual[KpiKind.STANDARDS],
        actual[KpiKind.EVALUATION_REPORTS],
        actual[KpiKind.BENEFITS],
    ) == (1, 1, 1, 120000)


# --- Figures ---------------------------------------------------------------------------------------


def values(w, **scope):
    s = Scope(w.programme_in, **scope)
    return {
        name: METRICS[name].value(s)
        for name in (
            "activities",
            "enterprises_participating",
            "manager_participations",
            "enterprises_trained_advanced",
            "enterprises_served",
        )
    }


def test_figures_count_approved_activities_only(w, d):
    # The scenario: one approved training (ent_in, 3 managers, six sigma), one submitted, one draft.
    assert values(w) == {
        "activities": 1,
        "enterprises_participating": 1,
        "manager_participations": 3,
        "enterprises_trained_advanced": 1,
        "enterprises_served": 1,
    }
    returned = DeliveryScenario.activity(d.project, [(w.ent_in.pk, 5)], stage="submitted")
    services.activity_return(actor=w.officer, activity=returned, reason="补充材料")
    assert values(w)["manager_participations"] == 3
    services.activity_approve(actor=w.officer, activity=d.submitted)
    assert values(w)["activities"] == 2 and values(w)["manager_participations"] == 5
    assert values(w)["enterprises_participating"] == 1  # the same enterprise, counted once


def test_an_enterprise_in_two_clusters_counts_once_in_all_and_under_each(w, d):
    second = reg.cluster_create(actor=None, name="仙桃纺织", region_id="429004", lead_industry_id="18")
    reg.cluster_membership_create(actor=None, cluster=second, enterprise=w.ent_in, joined_on=day(3, 1))
    from uplift.programmes.services import pilot_create

    pilot = pilot_create(actor=None, programme=w.programme_in, cluster=second, institution=w.inst_in)
    project = DeliveryScenario.started(pilot, w.inst_in, "仙桃纺织服务")
    DeliveryScenario.activity(project, [(w.ent_in.pk, 2)], stage="approved")
    assert values(w)["enterprises_participating"] == 1
    assert values(w)["activities"] == 2
    assert values(w, cluster_id=second.pk)["enterprises_participating"] == 1
    assert values(w, cluster_id=w.cluster_in.pk)["enterprises_participating"] == 1
    assert values(w, cluster_id=second.pk)["manager_participations"] == 2


def test_only_trainings_covering_an_advanced_method_count_as_advanced(w, d):
    from uplift.delivery.models import QualityMethod

    other = reg.enterprise_create(
        actor=None,
        credit_code=w.code("429004", 79),
        name="仙桃美佳服饰",
        region_id="429004",
        industry_id="18",
    )
    labelling = QualityMethod.objects.get(code="labelling")
    DeliveryScenario.activity(
        d.project, [(other.pk, 1)], kind=ActivityKind.TRAINING, methods=[labelling], stage="approved"
    )
    DeliveryScenario.activity(
        d.project, [(other.pk, 1)], kind=ActivityKind.LECTURE, methods=[d.six_sigma], stage="approved"
    )
    assert values(w)["enterprises_trained_advanced"] == 1
    assert values(w)["enterprises_participating"] == 2


# --- Pages and API ---------------------------------------------------------------------------------


def test_the_journey_through_the_pages(w, d, client):
    client.force_login(w.institution_user)
    page = client.get(reverse("delivery:activity_detail", args=[d.draft.pk]))
    assert b"/submit/" in page.content and b"/approve/" not in page.content
    response = client.post(reverse("delivery:activity_participants", args=[d.draft.pk]), {"lines": "garbage"})
    assert response.status_code == 200 and "Line 1" in response.content.decode()
    # A firm already on the sheet is named by its credit code; a new one is added (the step
    # answers with a count, not a record).
    url = reverse("delivery:activity_participants", args=[d.draft.pk])
    response = client.post(url, {"lines": f"{w.ent_in.credit_code} 2"})
    assert f"{w.ent_in.credit_code} {w.ent_in.name}" in " ".join(response.context["form"].errors["__all__"])
    services.participation_remove(actor=w.institution_user, participation=d.draft.participations.first())
    before = d.draft.participations.count()
    response = client.post(url, {"lines": f"{w.ent_in.credit_code} 2"})
    assert response.status_code == 302, response.context["form"].errors
    assert d.draft.participations.count() == before + 1
    response = client.post(reverse("delivery:activity_submit", args=[d.draft.pk]))
    assert response.status_code == 302
    client.force_login(w.officer)
    page = client.get(reverse("delivery:activity_detail", args=[d.draft.pk]))
    assert b"/approve/" in page.content
    response = client.post(reverse("delivery:activity_return", args=[d.draft.pk]), {"reason": "请补充照片"})
    assert response.status_code == 302
    assert Activity.objects.get(pk=d.draft.pk).status == ActivityStatus.RETURNED


def test_the_api_refuses_an_institution_approving(w, d, client):
    client.force_login(w.institution_user)
    url = f"/api/delivery/activities/{d.submitted.pk}/approve/"
    assert client.post(url).status_code == 403
    client.force_login(w.officer)
    response = client.post(url)
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = client.post(
        f"/api/delivery/activities/{d.draft.pk}/participants/",
        {"participants": [{"enterprise": w.ent_out.pk, "managers": 1}]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "enterprise" in response.json()


def test_an_enterprise_sees_the_approved_activities_it_took_part_in(w, d, client):
    client.force_login(w.enterprise_user)
    response = client.get(reverse("delivery:activity_list"))
    assert [a.pk for a in response.context["table"].data] == [d.approved.pk]
    assert client.get(reverse("delivery:activity_detail", args=[d.draft.pk])).status_code == 404
