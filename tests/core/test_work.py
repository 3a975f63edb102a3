"""My work (我的待办): what waits for each role, counted through the scope rules, each count equal
to the rows of the list it links to, on the page and from the API; and who lands where."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from uplift.core.work import OVERDUE, WorkItem, sources, sources_for, work_items
from uplift.delivery import services as delivery
from uplift.delivery.models import AcceptanceCriterion, Activity, Benefit
from uplift.delivery.testing import expert_with_account
from uplift.excellence import services as excellence
from uplift.excellence.models import Framework
from uplift.excellence.testing import GBT, accepted_self_assessment, self_assessment
from uplift.procurement import services as procurement
from uplift.procurement.choices import CriterionKind
from uplift.procurement.testing import TenderScenario, open_tender

pytestmark = pytest.mark.django_db

#: The sources declared by delivery, procurement and excellence; each is counted non-zero by a test
#: here (other apps' sources get their counts checked against their lists by the same helper).
COVERED = {
    "delivery.activities_to_approve",
    "delivery.activities_returned",
    "delivery.problems_overdue",
    "delivery.problems_to_verify",
    "delivery.problems_to_correct",
    "delivery.benefits_to_verify",
    "delivery.projects_to_accept",
    "delivery.acceptances_to_grade",
    "delivery.acceptances_to_publish",
    "delivery.acceptance_reviews_to_submit",
    "procurement.tenders_past_deadline",
    "procurement.clarifications_to_answer",
    "procurement.milestones_overdue",
    "procurement.milestones_due",
    "procurement.tenders_open_for_bids",
    "procurement.conflicts_to_declare",
    "procurement.tenders_to_score",
    "procurement.score_sheets_to_submit",
    "excellence.self_assessments_to_review",
    "excellence.self_assessments_returned",
    "excellence.expert_reviews_to_submit",
}


def counts(user) -> dict[str, int]:
    return {item.key: item.count for item in work_items(user)}


def check_links(client, user) -> dict[str, int]:
    """Follow every item's link as ``user``: the list page (and the API list) holds exactly the
    records counted. Returns the counts."""
    client.force_login(user)
    items = work_items(user)
    for item in items:
        response = client.get(item.url)
        assert response.status_code == 200, item.url
        assert response.context["filter"].is_valid(), (item.key, response.context["filter"].errors)
        assert response.context["table"].paginator.count == item.count, (item.key, item.url)
        if item.api_url:
            data = client.get(item.api_url).json()
            assert data["count"] == item.count, (item.key, item.api_url)
    return {item.key: item.count for item in items}


def ask(w, tender):
    return procurement.clarification_create(actor=w.institution_user, tender=tender, question="服务期多长？")


# --- The registry --------------------------------------------------------------------------------


def test_every_source_of_the_domain_apps_is_covered_here():
    declared = {s.key for s in sources() if s.key.split(".")[0] in {"delivery", "procurement", "excellence"}}
    assert declared == COVERED


def test_a_source_links_to_its_models_list_and_reads_through_the_scope_rule(w):
    for source in sources():
        assert source.url(w.officer).startswith(
            reverse(f"{source.model._meta.app_label}:{source.model._meta.model_name}_list")
        )
        assert f"{source.model._meta.app_label}.view_{source.model._meta.model_name}" in source.permissions


def test_a_source_is_its_lists_filters_and_they_validate(w):
    """A source declares no count of its own: it counts with its list page's filterset (which the
    API list of the model shares), and its filters are ones that list takes, for every role."""
    from uplift.api.urls import router

    filtersets = {
        v.queryset.model: v.filterset_class for _p, v, _b in router.registry if v.queryset is not None
    }
    for source in sources():
        assert not hasattr(source, "select")
        assert filtersets.get(source.model, source.filterset()) is source.filterset()
        for user in (w.officer, w.institution_user, w.enterprise_user):
            filterset = source.filterset()(
                QueryDict(source.query(user)), queryset=source.model.objects.none()
            )
            assert set(source.params_for(user)) <= set(filterset.filters), source.key
            assert filterset.is_valid(), (source.key, filterset.errors)


def test_nobody_and_administrators_have_no_work_and_are_told_what_to_do(w, client):
    for user in (w.nobody, w.security_admin, w.audit_admin):
        assert work_items(user) == []
    client.force_login(w.nobody)
    body = client.get(reverse("core:my_work")).content.decode()
    assert "security administrator" in body


def test_anonymous_users_are_sent_to_sign_in(client):
    for url in (reverse("home"), reverse("core:my_work")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("api:my_work")).status_code in (401, 403)
    assert work_items(None) == []


# --- Delivery ------------------------------------------------------------------------------------


@pytest.fixture
def delivery_work(w, d):
    """On the delivery scenario: in Hubei a submitted activity (d.submitted), a returned one, the
    overdue open problem (d.problem, due 2018-09-30), a corrected one, a submitted benefit claim;
    in Hunan the same kinds, out of the Hubei users' scope."""
    returned = d.activity(
        d.project, [(w.ent_in.pk, 1)], stage="submitted", held_on=datetime.date(2018, 7, 11)
    )
    delivery.activity_return(actor=d.officer2, activity=returned, reason="签到表缺失")
    d.activity(d.project_out, [(w.ent_out.pk, 2)], stage="submitted")
    corrected = d.problem_in(
        d.approved, w.ent_in, "检验记录不全", deadline=timezone.localdate() + datetime.timedelta(days=30)
    )
    delivery.problem_correct(
        actor=w.institution_user,
        problem=corrected,
        root_cause="记录制度缺失",
        corrective_action="补齐检验记录",
    )
    delivery.benefit_submit(actor=w.institution_user, benefit=d.benefit)
    delivery.benefit_submit(actor=None, benefit=d.benefit_out)
    return {"returned": returned, "corrected": corrected}


def test_officer_counts_what_waits_in_their_region_only(w, d, delivery_work, client):
    got = check_links(client, w.officer)
    assert got["delivery.activities_to_approve"] == 1  # Hunan's submitted activity is not counted
    assert got["delivery.problems_overdue"] == 1  # d.problem; not d.problem_out (Hunan)
    assert got["delivery.benefits_to_verify"] == 1
    # Institutions' and enterprises' work is not an officer's.
    assert "delivery.activities_returned" not in got and "delivery.problems_to_correct" not in got
    hunan = check_links(client, w.hunan_officer)
    assert hunan["delivery.activities_to_approve"] == 1
    assert hunan["delivery.problems_overdue"] == 1


def test_institution_counts_its_own_returned_activities_and_problems(w, d, delivery_work, client):
    got = check_links(client, w.institution_user)
    assert got["delivery.activities_returned"] == 1
    assert got["delivery.problems_overdue"] == 1
    assert got["delivery.problems_to_verify"] == 1
    assert "delivery.activities_to_approve" not in got and "delivery.benefits_to_verify" not in got


def test_enterprise_counts_its_problems_awaiting_correction(w, d, delivery_work, client):
    got = check_links(client, w.enterprise_user)
    assert got["delivery.problems_to_correct"] == 1  # d.problem; the corrected one waits no more
    assert got["excellence.self_assessments_returned"] == 0
    assert "delivery.problems_overdue" not in got and "delivery.activities_to_approve" not in got


class _Undo(Exception):
    pass


def may_approve(user, activity) -> bool:
    """Whether ``activity_approve`` lets ``user`` approve ``activity`` (tried, then rolled back)."""
    try:
        with transaction.atomic():
            delivery.activity_approve(actor=user, activity=activity)
            raise _Undo
    except _Undo:
        return True
    except ValidationError:
        return False


def test_activities_to_approve_are_those_the_officer_may_approve(w, d, client):
    """An officer who submitted an activity does not approve it (separation of duties): it waits
    for another officer, not for them; and an institution never approves."""
    own = d.activity(d.project, [(w.ent_in.pk, 1)], stage="draft", held_on=datetime.date(2018, 7, 12))
    own = delivery.activity_submit(actor=w.officer, activity=own)
    assert check_links(client, w.officer)["delivery.activities_to_approve"] == 1  # d.submitted only
    assert check_links(client, d.officer2)["delivery.activities_to_approve"] == 2
    for user in (w.officer, d.officer2, w.hunan_officer, w.institution_user):
        source = next(s for s in sources() if s.key == "delivery.activities_to_approve")
        counted = set(source.queryset(user).values_list("pk", flat=True))
        approvable = {a.pk for a in Activity.objects.visible_to(user) if may_approve(user, a)}
        assert counted == approvable, user.username
    # The list offers the filter both ways, for everyone reading activities.
    client.force_login(w.officer)
    rest = client.get(reverse("delivery:activity_list") + "?status=submitted&awaiting_my_approval=false")
    assert list(rest.context["filter"].qs) == [own]


def may_verify(user, benefit) -> bool:
    """Whether ``benefit_verify`` lets ``user`` verify ``benefit`` (tried, then rolled back)."""
    try:
        with transaction.atomic():
            delivery.benefit_verify(actor=user, benefit=benefit)
            raise _Undo
    except _Undo:
        return True
    except ValidationError:
        return False


def test_benefits_to_verify_are_those_the_officer_may_verify(w, d, client):
    """As for activities: the officer who submitted a claim does not verify it, another officer
    does; an institution never verifies; Hunan's claims are not Hubei's to verify."""
    by_institution = delivery.benefit_submit(actor=w.institution_user, benefit=d.benefit)
    own = delivery.benefit_submit(
        actor=w.officer, benefit=d.claim(d.project, w.ent_in, Decimal("30000"), calculation="官员申报")
    )
    by_officer2 = delivery.benefit_submit(
        actor=d.officer2, benefit=d.claim(d.project, w.ent_in, Decimal("40000"), calculation="二号申报")
    )
    delivery.benefit_submit(actor=None, benefit=d.benefit_out)
    d.claim(d.project, w.ent_in, Decimal("50000"))  # a draft: nobody's to verify yet
    assert check_links(client, w.officer)["delivery.benefits_to_verify"] == 2  # not their own
    assert check_links(client, d.officer2)["delivery.benefits_to_verify"] == 2
    assert check_links(client, w.hunan_officer)["delivery.benefits_to_verify"] == 1
    source = next(s for s in sources() if s.key == "delivery.benefits_to_verify")
    assert set(source.queryset(w.officer).values_list("pk", flat=True)) == {by_institution.pk, by_officer2.pk}
    for user in (w.officer, d.officer2, w.hunan_officer, w.institution_user, w.enterprise_user):
        counted = set(source.queryset(user).values_list("pk", flat=True))
        verifiable = {b.pk for b in Benefit.objects.visible_to(user) if may_verify(user, b)}
        assert counted == verifiable, user.username
    # The list offers the filter both ways, for everyone reading claims.
    client.force_login(w.officer)
    rest = client.get(reverse("delivery:benefit_list") + "?status=submitted&awaiting_my_verification=false")
    assert list(rest.context["filter"].qs) == [own]


def test_problems_overdue_page_filter_matches_the_model(w, d, delivery_work, client):
    client.force_login(w.officer)
    item = next(i for i in work_items(w.officer) if i.key == "delivery.problems_overdue")
    assert item.overdue and item.tone == OVERDUE
    rows = list(client.get(item.url).context["filter"].qs)
    assert rows == [d.problem] and all(p.is_overdue for p in rows)


@pytest.fixture
def acceptance_work(w, d):
    """A submitted Hubei project under acceptance with two experts assigned, one of whom has submitted."""
    for n, (name, points) in enumerate([("指标完成", 50), ("服务成效", 50)], start=1):
        delivery.acceptance_criterion_create(
            actor=None, programme=w.programme_in, order=n, name=name, points=points
        )
    delivery.activity_approve(actor=d.officer2, activity=d.submitted)
    project = delivery.project_submit(actor=w.institution_user, project=d.project)
    acceptance = delivery.acceptance_create(
        actor=w.officer, project=project, held_on=datetime.date.today(), panel="专家组"
    )
    experts = [expert_with_account(w, f"验收专家{i}", f"reviewer{i}") for i in range(2)]
    reviews = [
        delivery.acceptance_review_assign(actor=w.officer, acceptance=acceptance, expert=e)
        for e, _ in experts
    ]
    rubric = list(AcceptanceCriterion.objects.filter(programme=w.programme_in).order_by("order"))
    delivery.acceptance_review_score(
        actor=experts[0][1], review=reviews[0], scores=[(c.pk, Decimal(40), "独立评分") for c in rubric]
    )
    delivery.acceptance_review_submit(actor=experts[0][1], review=reviews[0], no_conflict=True)
    return {"acceptance": acceptance, "experts": experts, "reviews": reviews}


def test_acceptances_wait_for_the_officer_and_reviews_for_their_expert(w, d, acceptance_work, client):
    assert check_links(client, w.officer)["delivery.acceptances_to_grade"] == 1
    done, waiting = (user for _e, user in acceptance_work["experts"])
    assert check_links(client, done)["delivery.acceptance_reviews_to_submit"] == 0
    # The other expert's review is visible to the first (submitted) but not theirs to submit.
    assert check_links(client, waiting)["delivery.acceptance_reviews_to_submit"] == 1
    assert "delivery.acceptances_to_grade" not in counts(waiting)


def test_submitted_projects_wait_for_their_acceptance_to_open(w, d, client):
    delivery.activity_approve(actor=d.officer2, activity=d.submitted)
    project = delivery.project_submit(actor=w.institution_user, project=d.project)
    assert check_links(client, w.officer)["delivery.projects_to_accept"] == 1
    assert check_links(client, w.hunan_officer)["delivery.projects_to_accept"] == 0
    assert "delivery.projects_to_accept" not in counts(w.institution_user)
    delivery.acceptance_create(
        actor=w.officer, project=project, held_on=datetime.date.today(), panel="专家组"
    )
    assert counts(w.officer)["delivery.projects_to_accept"] == 0


def test_graded_acceptances_wait_to_be_published(w, d, acceptance_work, client):
    _e, user = acceptance_work["experts"][1]
    review = acceptance_work["reviews"][1]
    rubric = list(AcceptanceCriterion.objects.filter(programme=w.programme_in).order_by("order"))
    delivery.acceptance_review_score(
        actor=user, review=review, scores=[(c.pk, Decimal(45), "独立评分") for c in rubric]
    )
    delivery.acceptance_review_submit(actor=user, review=review, no_conflict=True)
    acceptance = delivery.acceptance_adopt_average(actor=w.officer, acceptance=acceptance_work["acceptance"])
    delivery.acceptance_grade(actor=w.officer, acceptance=acceptance)
    got = check_links(client, w.officer)
    assert got["delivery.acceptances_to_grade"] == 0
    assert got["delivery.acceptances_to_publish"] == 1
    assert check_links(client, w.hunan_officer)["delivery.acceptances_to_publish"] == 0


# --- Procurement ---------------------------------------------------------------------------------


def hunan_open_tender(w):
    """A Hunan tender open for bids now, public (every institution may read it), not Hubei's to run."""
    now = timezone.now()
    tender = procurement.tender_create(
        actor=None,
        programme=w.programme_out,
        reference="HNZB-OPEN",
        title="湖南开放招标",
        clarification_deadline=now + datetime.timedelta(days=20),
        bid_deadline=now + datetime.timedelta(days=30),
        opening_at=now + datetime.timedelta(days=30, hours=1),
    )
    procurement.lot_create(
        actor=None, tender=tender, number=1, pilot=w.pilot_out, title="长沙", budget_ceiling=1000
    )
    procurement.criterion_create(actor=None, tender=tender, kind=CriterionKind.PRICE, name="价格", weight=30)
    procurement.criterion_create(
        actor=None, tender=tender, kind=CriterionKind.TECHNICAL, name="技术", weight=70
    )
    return procurement.tender_publish(actor=None, tender=tender)


@pytest.fixture
def evaluating(w):
    """The example tender opened (evaluating, past its deadline) with five experts on its panel:
    the first has declared and saved a draft score sheet; the others have not declared. Plus an open
    Hubei tender with an unanswered question, and an open Hunan one with its own question."""
    t = TenderScenario(w, "opened")
    first, user = t.members[0], t.expert_users[0]
    first = procurement.conflicts_declare(actor=user, member=first, conflicts=[])
    technical = t.criteria[CriterionKind.TECHNICAL]
    procurement.scores_save(
        actor=user, member=first, lot=t.lot, scores={(t.bids["A"].pk, technical.pk): (30, "")}
    )
    hubei_open, _lot = open_tender(w)
    ask(w, hubei_open)
    hunan = hunan_open_tender(w)
    procurement.clarification_create(actor=None, tender=hunan, question="湖南的问题", asked_by=w.inst_out)
    return t


def test_officer_runs_only_their_bureaus_tenders(w, evaluating, client):
    got = check_links(client, w.officer)
    assert got["procurement.tenders_past_deadline"] == 1  # the example, evaluating
    assert got["procurement.clarifications_to_answer"] == 1  # not Hunan's question
    hunan = check_links(client, w.hunan_officer)
    assert hunan["procurement.tenders_past_deadline"] == 0  # reads Hubei's tender, does not run it
    assert hunan["procurement.clarifications_to_answer"] == 1


def test_institution_sees_every_open_tender_to_bid_on(w, evaluating, client):
    got = check_links(client, w.institution_user)
    assert got["procurement.tenders_open_for_bids"] == 2  # Hubei's and Hunan's: both public
    assert "procurement.clarifications_to_answer" not in got  # asking is not answering


def test_experts_score_and_declare_on_their_own_seats(w, evaluating, client):
    first, second = evaluating.expert_users[0], evaluating.expert_users[1]
    got = check_links(client, first)
    assert got["procurement.conflicts_to_declare"] == 0
    assert got["procurement.tenders_to_score"] == 1
    assert got["procurement.score_sheets_to_submit"] == 1
    got = check_links(client, second)
    assert got["procurement.conflicts_to_declare"] == 1
    assert got["procurement.score_sheets_to_submit"] == 0  # the first expert's draft is theirs alone
    assert "procurement.tenders_past_deadline" not in got


def test_milestones_overdue_and_due(w, client):
    t = TenderScenario(w, "contract")
    today = timezone.localdate()
    for title, due in [
        ("调研报告", datetime.date(2018, 6, 30)),
        ("中期报告", today + datetime.timedelta(days=10)),
        ("终期报告", today + datetime.timedelta(days=90)),
    ]:
        procurement.milestone_create(actor=None, contract=t.contract, title=title, due_date=due, amount=1000)
    officer = check_links(client, w.officer)
    assert officer["procurement.milestones_overdue"] == 1
    assert "procurement.milestones_due" not in officer
    institution = check_links(client, w.institution_user)
    assert institution["procurement.milestones_overdue"] == 1
    assert institution["procurement.milestones_due"] == 1  # within 30 days; not the one in 90
    assert check_links(client, w.hunan_officer)["procurement.milestones_overdue"] == 0


# --- Excellence ----------------------------------------------------------------------------------


def test_self_assessments_to_review_and_returned(w, client):
    submitted = self_assessment(w.ent_in, year=2018)
    excellence.self_assessment_submit(actor=w.enterprise_user, assessment=submitted)
    returned = self_assessment(w.ent_in, year=2017)
    excellence.self_assessment_submit(actor=w.enterprise_user, assessment=returned)
    excellence.self_assessment_return(actor=w.officer, assessment=returned, reason="补充证据")
    hunan = self_assessment(w.ent_out, year=2018)
    excellence.self_assessment_submit(actor=None, assessment=hunan)
    assert check_links(client, w.officer)["excellence.self_assessments_to_review"] == 1
    assert check_links(client, w.enterprise_user)["excellence.self_assessments_returned"] == 1
    assert check_links(client, w.hunan_officer)["excellence.self_assessments_to_review"] == 1


def test_excellence_reviews_wait_for_their_expert(w, client):
    own = accepted_self_assessment(w.ent_in, datetime.date(2018, 8, 1))
    assessment = excellence.expert_assessment_create(
        actor=w.officer,
        enterprise=w.ent_in,
        framework=Framework.objects.get(code=GBT),
        year=2018,
        self_assessment=own,
        spread_threshold=20,
    )
    (expert, user), (_other, other_user) = (
        expert_with_account(w, f"评审专家{i}", f"assessor{i}") for i in range(2)
    )
    excellence.expert_assessment_assign(actor=w.officer, assessment=assessment, expert=expert)
    assert check_links(client, user)["excellence.expert_reviews_to_submit"] == 1
    assert check_links(client, other_user)["excellence.expert_reviews_to_submit"] == 0


# --- Pages, landing, queries, API ------------------------------------------------------------------


def test_province_officer_lands_on_the_dashboard_and_opens_my_work_from_the_navigation(w, d, client):
    client.force_login(w.officer)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:dashboard", args=["hubei-2018"])
    page = client.get(reverse("core:my_work"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'href="/work/"' in client.get(response["Location"]).content.decode()  # in the navigation
    item = next(i for i in page.context["work_items"] if i.key == "delivery.activities_to_approve")
    assert item.count == 1 and item.url in body.replace("&amp;", "&")


def test_city_officer_lands_on_my_work(w, d, client):
    from uplift.accounts.choices import OrganisationKind, Role
    from uplift.accounts.services import membership_create, organisation_create, user_create

    bureau = organisation_create(
        actor=None, kind=OrganisationKind.BUREAU, name="仙桃市市场监督管理局", region_id="429004"
    )
    city = user_create(actor=None, username="xiantao", password="Test-pass-2018")
    membership_create(actor=None, user=city, organisation=bureau, role=Role.OFFICER)
    client.force_login(city)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "home.html" in [t.name for t in response.templates]
    got = {i.key: i.count for i in response.context["work_items"]}
    assert got["delivery.activities_to_approve"] == 1  # held in Xiantao
    assert got["procurement.tenders_past_deadline"] == 0  # the province runs the tenders
    # Their dashboard (narrowed to their city) is one click away.
    assert reverse("programmes:dashboard", args=["hubei-2018"]) in response.content.decode()


def test_other_roles_land_on_my_work_with_their_records(w, d, delivery_work, client):
    client.force_login(w.institution_user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert w.inst_in.get_absolute_url() in body  # the own-records cards stay
    assert reverse("delivery:activity_list") + "?status=returned" in body
    assert 'data-work="delivery.problems_overdue"' in body


def test_nothing_waiting_says_so(w, client):
    client.force_login(w.enterprise_user)
    response = client.get(reverse("core:my_work"))
    assert response.status_code == 200
    assert not response.context["waiting"] and response.context["clear"]
    assert "Nothing waits for you" in response.content.decode()


def test_one_query_per_source(w, d, delivery_work, evaluating, django_assert_max_num_queries, client):
    for user in (w.officer, w.institution_user, evaluating.expert_users[0]):
        applicable = sources_for(user)  # the principal and permissions are read once per user, here
        with django_assert_max_num_queries(len(applicable)):
            work_items(user)


def test_the_page_reads_no_more_for_more_work(w, d, delivery_work, client):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("core:my_work")).status_code == 200
        return len(queries)

    client.force_login(w.institution_user)
    page_queries()  # warm up (content types)
    before = page_queries()
    more = d.activity(d.project, [(w.ent_in.pk, 1)], stage="submitted", held_on=datetime.date(2018, 7, 12))
    delivery.activity_return(actor=d.officer2, activity=more, reason="照片缺失")
    d.problem_in(d.approved, w.ent_in, "又一个逾期问题")
    assert counts(w.institution_user)["delivery.activities_returned"] == 2
    assert page_queries() == before
    # Sign-in, session and navigation, the own-records cards, and one count per source.
    assert before <= len(sources_for(w.institution_user)) + 15


def test_api_returns_the_same_items(w, d, delivery_work, client):
    client.force_login(w.officer)
    response = client.get(reverse("api:my_work"))
    assert response.status_code == 200
    data = response.json()
    expected = work_items(w.officer)
    assert [row["key"] for row in data] == [i.key for i in expected]
    row = next(r for r in data if r["key"] == "delivery.activities_to_approve")
    assert row["count"] == 1 and row["url"].startswith(reverse("delivery:activity_list"))
    assert set(row) == {"key", "label", "count", "url", "api_url", "tone", "overdue", "hint"}
    assert isinstance(expected[0], WorkItem)


def test_api_token_reads_my_work(w, client):
    from uplift.accounts.services import token_create

    _token, key = token_create(actor=w.institution_user, user=w.institution_user, name="待办")
    response = client.get(reverse("api:my_work"), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert {r["key"] for r in response.json()} == {s.key for s in sources_for(w.institution_user)}


def test_schema_describes_my_work(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    assert "/api/my-work/:" in text and "WorkItem" in text


@pytest.mark.parametrize(
    "url",
    [
        "/procurement/tenders/?deadline_passed=maybe&buyer=42&tender_status=x",
        "/procurement/clarifications/?tender_status=bogus",
        "/procurement/panel/?declared=2&tender_status=open",
        "/procurement/score-sheets/?tender_status=%00",
        "/procurement/milestones/?overdue=yes&due_after=not-a-date",
        "/delivery/projects/?acceptance_opened=perhaps",
    ],
)
def test_the_new_filters_refuse_bad_values_cleanly(w, client, url):
    client.force_login(w.officer)
    page = client.get(url)
    assert page.status_code == 200  # the list with the filter's error, never a server error
    api = client.get("/api" + url)
    assert api.status_code in (200, 400)
