"""The excellence model: the GB/T 19580 framework as data, self-assessments and their workflow, who
sees them, and adopters counted by each programme's rule (change a rule or a record, the count
changes)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from uplift.core.models import AuditEntry
from uplift.core.testing import APITestCases, EnterpriseByCode, ViewTestCases
from uplift.delivery.models import QualityMethod
from uplift.excellence import selectors, services
from uplift.excellence.choices import SelfAssessmentStatus
from uplift.excellence.models import AdoptionRule, Category, Framework, Item, SelfAssessment
from uplift.excellence.testing import (
    GBT,
    accepted_self_assessment,
    adopt,
    excellence_training,
    self_assessment,
)
from uplift.programmes import rollups
from uplift.programmes.metrics import METRICS, Scope
from uplift.programmes.services import programme_create

pytestmark = pytest.mark.django_db

SEPT = datetime.date(2018, 9, 1)


def adopters(programme) -> int:
    return METRICS["excellence_adopters"].value(Scope(programme))


# --- The framework ---------------------------------------------------------------------------------


def test_gbt_19580_is_loaded_with_its_points_summing_to_1000():
    framework = Framework.objects.get(code=GBT)
    categories = list(Category.objects.filter(framework=framework).prefetch_related("items"))
    assert [c.code for c in categories] == ["4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7"]
    assert [c.points for c in categories] == [110, 90, 90, 130, 100, 80, 400]
    assert all(c.points == sum(i.points for i in c.items.all()) for c in categories)
    items = Item.objects.filter(category__framework=framework)
    assert sum(i.points for i in items) == framework.total_points == 1000
    assert items.count() == 23
    assert {i.kind for i in items.filter(category__code="4.7")} == {"results"}
    assert {i.kind for i in items.exclude(category__code="4.7")} == {"process"}
    assert items.get(code="4.1.2").points == 50 and items.get(code="4.4.6").points == 10
    assert [(b["low"], b["high"]) for b in framework.bands] == [
        (0, 5),
        (10, 25),
        (30, 45),
        (50, 65),
        (70, 85),
        (90, 100),
    ]
    assert all(b["process"] and b["results"] and b["process_en"] for b in framework.bands)


@pytest.mark.parametrize(("percent", "band"), [(0, 0), (5, 0), (10, 10), (45, 30), (65, 50), (100, 90)])
def test_a_percentage_falls_in_its_band(percent, band):
    assert Framework.objects.get(code=GBT).band_of(percent)["low"] == band


@pytest.mark.parametrize("percent", [7, 101, 110, 33])
def test_a_percentage_off_the_bands_falls_in_none(percent):
    assert Framework.objects.get(code=GBT).band_of(percent) is None


# --- Self-assessments ------------------------------------------------------------------------------


def test_a_self_assessment_opens_with_one_entry_per_item(w):
    assessment = services.self_assessment_create(
        actor=w.enterprise_user, enterprise=w.ent_in, framework=Framework.objects.get(code=GBT), year=2018
    )
    assert assessment.items.count() == 23 and assessment.status == SelfAssessmentStatus.DRAFT
    assert assessment.region_id == w.ent_in.region_id


def test_a_percentage_in_no_band_is_refused_naming_the_item_and_nothing_is_written(w):
    assessment = self_assessment(w.ent_in)
    item = assessment.items.get(item__code="4.1.2")
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.self_assessment_respond(
            actor=w.enterprise_user,
            assessment=assessment,
            responses=[(assessment.items.get(item__code="4.2.2").item_id, 30, "ok"), (item.item_id, 7, "x")],
        )
    message = " ".join(exc.value.message_dict["responses"])
    assert "7%" in message and "4.1.2" in message and "50 points" in message
    assert assessment.items.get(item__code="4.2.2").percent == 50  # unchanged: all or nothing
    assert AuditEntry.objects.count() == audits + 1  # the refusal is recorded, nothing else


def test_an_item_of_another_framework_is_refused(w):
    assessment = self_assessment(w.ent_in)
    with pytest.raises(ValidationError, match="not an item"):
        services.self_assessment_respond(actor=None, assessment=assessment, responses=[(999_999, 50, "x")])


def test_submit_needs_every_item_then_totals_the_points(w):
    framework = Framework.objects.get(code=GBT)
    assessment = services.self_assessment_create(
        actor=None, enterprise=w.ent_in, framework=framework, year=2018
    )
    first = assessment.items.select_related("item").first()
    services.self_assessment_respond(
        actor=w.enterprise_user, assessment=assessment, responses=[(first.item_id, 60, "做法")]
    )
    with pytest.raises(ValidationError) as exc:
        services.self_assessment_submit(actor=w.enterprise_user, assessment=assessment)
    assert "4.1.3" in exc.value.message_dict["responses"][0]
    assessment = self_assessment(w.ent_out, percent=50)
    submitted = services.self_assessment_submit(actor=None, assessment=assessment)
    assert submitted.status == SelfAssessmentStatus.SUBMITTED and submitted.total == Decimal("500.0")
    profile = selectors.category_profile(submitted)
    assert [p["scored"] for p in profile] == [55, 45, 45, 65, 50, 40, 200]


def test_the_bureau_returns_with_comments_then_accepts(w):
    assessment = self_assessment(w.ent_in, actor=w.enterprise_user)
    services.self_assessment_submit(actor=w.enterprise_user, assessment=assessment)
    with pytest.raises(ValidationError, match="Only a bureau officer"):
        services.self_assessment_accept(actor=w.enterprise_user, assessment=assessment)
    with pytest.raises(ValidationError, match="outside your region"):
        services.self_assessment_accept(actor=w.hunan_officer, assessment=assessment)
    with pytest.raises(ValidationError) as exc:
        services.self_assessment_return(actor=w.officer, assessment=assessment, reason="  ")
    assert "reason" in exc.value.message_dict
    returned = services.self_assessment_return(
        actor=w.officer, assessment=assessment, reason="请补充4.7的数据"
    )
    assert returned.status == SelfAssessmentStatus.RETURNED and returned.comments == "请补充4.7的数据"
    # Returned: the enterprise writes again and resubmits; accepting it dates it.
    entry = returned.items.first()
    services.self_assessment_respond(
        actor=w.enterprise_user, assessment=returned, responses=[(entry.item_id, 70, "补充了三年数据")]
    )
    services.self_assessment_submit(actor=w.enterprise_user, assessment=returned)
    accepted = services.self_assessment_accept(actor=w.officer, assessment=returned)
    assert accepted.status == SelfAssessmentStatus.ACCEPTED and accepted.accepted_by == w.officer
    assert accepted.accepted_on == timezone.localdate()
    with pytest.raises(ValidationError, match="Accepted"):
        services.self_assessment_respond(
            actor=w.officer, assessment=accepted, responses=[(entry.item_id, 5, "")]
        )
    actions = set(
        AuditEntry.objects.filter(object_type="excellence.selfassessment").values_list("action", flat=True)
    )
    assert {"excellence.selfassessment.return", "excellence.selfassessment.accept"} <= actions


def test_only_the_enterprise_or_an_officer_of_its_region_writes_it(w):
    framework = Framework.objects.get(code=GBT)
    for outsider in (w.institution_user, w.hunan_officer):
        with pytest.raises(ValidationError) as exc:
            services.self_assessment_create(
                actor=outsider, enterprise=w.ent_in, framework=framework, year=2018
            )
        assert "enterprise" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.self_assessment_create(
            actor=w.enterprise_user, enterprise=w.ent_out, framework=framework, year=2018
        )
    assert not SelfAssessment.objects.exists()
    services.self_assessment_create(actor=w.officer, enterprise=w.ent_in, framework=framework, year=2018)


def test_who_sees_a_self_assessment(w):
    mine, hunan = self_assessment(w.ent_in), self_assessment(w.ent_out)

    def seen(user):
        return set(SelfAssessment.objects.visible_to(user))

    assert seen(w.officer) == {mine} and seen(w.hunan_officer) == {hunan}
    assert seen(w.enterprise_user) == {mine}
    assert seen(w.institution_user) == set()  # how a firm is run is not its service provider's to read


# --- Adoption ----------------------------------------------------------------------------------------


def test_an_adopter_needs_the_training_and_the_accepted_self_assessment(w, d):
    programme = w.programme_in
    assert adopters(programme) == 0
    accepted_self_assessment(w.ent_in, SEPT)
    assert adopters(programme) == 0  # d.approved covers six sigma, not the excellence model
    excellence_training(d.approved, w.ent_in)
    assert adopters(programme) == 1
    state = selectors.adoption_of(programme, w.ent_in)
    assert state["counted"] and state["adopted_on"] == max(SEPT, d.approved.held_on)
    assert [c["record"] is not None for c in state["conditions"]] == [True, True]
    # The dashboard's rollups followed every write.
    assert rollups.differences(programme) == []
    assert rollups.totals(programme, "420000")["excellence_adopters"] == 1


def test_an_adoption_outside_the_programme_period_does_not_count(w, d):
    excellence_training(d.approved, w.ent_in)
    accepted_self_assessment(w.ent_in, datetime.date(2019, 2, 1))  # later than the training
    assert selectors.adoption_of(w.programme_in, w.ent_in)["adopted_on"] == datetime.date(2019, 2, 1)
    assert adopters(w.programme_in) == 0


def test_changing_the_rule_recounts_the_adopters_and_the_rollups(w, d):
    programme = w.programme_in
    accepted_self_assessment(w.ent_in, SEPT)
    assert adopters(programme) == 0
    rule = services.adoption_rule_create(actor=w.officer, programme=programme, training_method=None)
    assert adopters(programme) == 1
    assert rollups.totals(programme, "420000")["excellence_adopters"] == 1
    services.adoption_rule_update(actor=w.officer, instance=rule, min_self_score=600)
    assert adopters(programme) == 0  # the self-assessment totals 500
    assert rollups.totals(programme, "420000").get("excellence_adopters", 0) == 0
    assert rollups.differences(programme) == []
    method = QualityMethod.objects.get(code="six-sigma")
    services.adoption_rule_update(actor=w.officer, instance=rule, training_method=method, min_self_score=None)
    assert adopters(programme) == 1  # d.approved trained ent_in in six sigma
    assert rollups.differences(programme) == []


def test_a_rule_without_any_condition_is_refused(w):
    with pytest.raises(ValidationError) as exc:
        services.adoption_rule_create(
            actor=w.officer, programme=w.programme_in, training_method=None, self_assessment_required=False
        )
    assert "self_assessment_required" in exc.value.message_dict
    assert not AdoptionRule.objects.exists()


def test_only_the_programmes_officers_set_its_rule(w):
    for outsider in (w.hunan_officer, w.enterprise_user):
        with pytest.raises(ValidationError):
            services.adoption_rule_create(actor=outsider, programme=w.programme_in, training_method=None)
    assert not AdoptionRule.objects.exists()


def test_the_adopters_list_is_what_the_figure_counts(w, d, client):
    adopt(w.ent_in, d.approved, SEPT)
    client.force_login(w.officer)
    url = METRICS["excellence_adopters"].url(Scope(w.programme_in))
    assert list(client.get(url).context["filter"].qs) == [w.ent_in]


# --- Pages and API -----------------------------------------------------------------------------------


def test_the_page_shows_the_items_the_profile_and_the_steps(w, client):
    assessment = self_assessment(w.ent_in)
    client.force_login(w.enterprise_user)
    page = client.get(assessment.get_absolute_url())
    assert page.status_code == 200
    assert len(page.context["rows"]) == 23 and page.context["chart"]["series"][0]["data"][0] == 50.0
    names = {a["action"].name for a in page.context["actions"]}
    assert names == {"respond", "submit"}
    assert client.post(reverse("excellence:selfassessment_submit", args=[assessment.pk])).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == SelfAssessmentStatus.SUBMITTED
    client.force_login(w.officer)
    names = {a["action"].name for a in client.get(assessment.get_absolute_url()).context["actions"]}
    assert names == {"return", "accept"}


def test_the_respond_page_refuses_a_bad_percentage_naming_the_item(w, client):
    assessment = self_assessment(w.ent_in)
    item = assessment.items.get(item__code="4.3.2").item
    client.force_login(w.enterprise_user)
    url = reverse("excellence:selfassessment_respond", args=[assessment.pk])
    form = client.get(url).context["form"]
    data = {k: v.initial for k, v in form.fields.items() if v.initial is not None}
    data[f"percent_{item.pk}"] = 27
    response = client.post(url, data)
    assert response.status_code == 200
    assert "4.3.2" in str(response.context["form"].errors)
    assert assessment.items.get(item=item).percent == 50


def test_the_api_responds_and_submits(w, client):
    assessment = self_assessment(w.ent_in)
    item = assessment.items.get(item__code="4.5.2").item
    client.force_login(w.enterprise_user)
    base = reverse("api:selfassessment-detail", args=[assessment.pk])
    bad = client.post(
        base + "respond/", {"responses": [{"item": item.pk, "percent": 47}]}, content_type="application/json"
    )
    assert bad.status_code == 400 and "responses" in bad.json()
    ok = client.post(
        base + "respond/",
        {"responses": [{"item": item.pk, "percent": 85, "narrative": "流程全面展开"}]},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    assert client.post(base + "submit/", content_type="application/json").status_code == 200
    body = client.get(base).json()
    assert body["status"] == "submitted" and Decimal(body["total"]) == Decimal("517.5")
    framework = client.get(reverse("api:framework-list")).json()["results"][0]
    assert sum(i["points"] for c in framework["categories"] for i in c["items"]) == 1000


class TestFramework(ViewTestCases, APITestCases):
    model = Framework
    api_basename = "framework"
    editable = False
    sees_everything = True

    @classmethod
    def inside(cls, w):
        return Framework.objects.get(code=GBT)


class TestSelfAssessment(EnterpriseByCode, ViewTestCases, APITestCases):
    model = SelfAssessment
    api_basename = "selfassessment"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a_in = services.self_assessment_create(
            actor=None, enterprise=cls.w.ent_in, framework=Framework.objects.get(code=GBT), year=2017
        )
        cls.a_out = services.self_assessment_create(
            actor=None, enterprise=cls.w.ent_out, framework=Framework.objects.get(code=GBT), year=2017
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
            "year": 2000 + SelfAssessment.objects.count(),
            "profile": "童装生产，员工200人",
        }

    def update_data(self, w, obj):
        return {"year": obj.year, "profile": "童装与休闲女装，员工220人"}

    def invalid_data(self, w):
        return {**self.create_data(w), "year": 2999}, "year"


class TestAdoptionRule(ViewTestCases, APITestCases):
    model = AdoptionRule
    api_basename = "adoptionrule"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.r_in = services.adoption_rule_create(
            actor=None, programme=cls.w.programme_in, training_method=None
        )
        cls.r_out = services.adoption_rule_create(
            actor=None, programme=cls.w.programme_out, training_method=None
        )

    @classmethod
    def inside(cls, w):
        return cls.r_in

    @classmethod
    def outside(cls, w):
        return cls.r_out

    def _programme(self):
        n = AdoptionRule.objects.count()
        return programme_create(
            actor=None,
            slug=f"hubei-{2019 + n}",
            name=f"湖北品质提升{2019 + n}",
            region_id="420000",
            start_date=datetime.date(2019 + n, 1, 1),
            end_date=datetime.date(2019 + n, 12, 31),
        )

    def create_data(self, w):
        return {"programme": self._programme(), "self_assessment_required": True, "min_self_score": 400}

    def update_data(self, w, obj):
        return {"programme": obj.programme, "self_assessment_required": True, "min_self_score": 300}

    def invalid_data(self, w):
        return {"programme": self._programme(), "self_assessment_required": False}, "self_assessment_required"


def test_the_enterprise_page_says_where_it_stands_against_each_rule(w, d, client):
    adopt(w.ent_in, d.approved, SEPT)
    client.force_login(w.officer)
    card = client.get(w.ent_in.get_absolute_url()).context["excellence"]
    (standing,) = card["adoption"]
    assert standing["programme"] == w.programme_in and standing["counted"]
    assert [c["kind"] for c in standing["conditions"]] == ["training", "self_assessment"]
    assert len(card["self_assessments"]) == 1
    client.force_login(w.institution_user)  # sees the firm (its pilot's cluster), not how it is run
    card = client.get(w.ent_in.get_absolute_url()).context["excellence"]
    assert card["adoption"] == [] and not card["self_assessments"]


def test_evidence_files_attach_to_an_item_or_to_the_whole(w, client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from uplift.core.demo import sample_png
    from uplift.core.services import attachment_add

    settings.MEDIA_ROOT = tmp_path
    assessment = self_assessment(w.ent_in)
    png = sample_png(1)
    with pytest.raises(ValidationError) as exc:
        attachment_add(
            actor=w.enterprise_user,
            parent=assessment,
            file=SimpleUploadedFile("a.png", png),
            kind="photo",
            section="9.9.9",
        )
    assert "section" in exc.value.message_dict
    attachment_add(
        actor=w.enterprise_user,
        parent=assessment,
        file=SimpleUploadedFile("制度.png", png),
        kind="photo",
        section="4.1.2",
    )
    client.force_login(w.enterprise_user)
    form = client.get(reverse("excellence:selfassessment_attach", args=[assessment.pk])).context["form"]
    assert ("4.1.2", "4.1.2 高层领导的作用") in form.fields["section"].choices
    rows = client.get(assessment.get_absolute_url()).context["rows"]
    assert [f.name for f in rows[0]["files"]] == ["制度.png"] and rows[1]["files"] == []
